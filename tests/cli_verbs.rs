//! The everyday verbs run from a shell beside the server (`user`, `export`, `check`, `backup`):
//! they never change the schema behind a server's back, and their output reads well in a
//! terminal and in a pipe.

mod support_ops;

use std::fs::File;
use support_ops::{fails, ok, run};

#[test]
fn verbs_beside_the_server_create_a_database_only_under_the_data_dir_lock() {
    let dir = tempfile::tempdir().unwrap();
    // Another process (here: this test) holds the data dir, as a starting server would.
    let lock = File::create(dir.path().join("presswork.lock")).unwrap();
    lock.try_lock().unwrap();
    let export = dir.path().join("orders.csv");
    for verb in [&["user", "list"][..], &["export", export.to_str().unwrap()]] {
        let out = fails(run(dir.path(), verb));
        assert!(out.contains("creating the database: "), "{verb:?}: {out}");
        assert!(!dir.path().join("presswork.db").exists(), "{verb:?}");
    }
    lock.unlock().unwrap();
    ok(run(dir.path(), &["user", "list"]));
    assert!(dir.path().join("presswork.db").exists());
}

#[test]
fn output_into_a_closed_pipe_ends_quietly_and_the_work_is_done() {
    let dir = tempfile::tempdir().unwrap();
    ok(run(dir.path(), &["user", "list"]));
    let verbs: [&[&str]; 4] = [
        &["user", "list"],
        &["backup"],
        &["check"],
        &["config", "check"],
    ];
    for verb in verbs {
        // The reader is gone before the first line, as after `| head -0`, so every write fails.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = support_ops::command(dir.path(), verb)
            .stdout(writer)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{verb:?}: {:?}\n{err}", out.status);
        assert!(!err.contains("panicked"), "{verb:?}: {err}");
    }
    let backups = std::fs::read_dir(dir.path().join("backups"))
        .unwrap()
        .count();
    assert_eq!(backups, 2, "the backup was written, with its manifest");
}

#[test]
fn user_list_columns_line_up() {
    let dir = tempfile::tempdir().unwrap();
    for (name, role) in [("wang", "admin"), ("li", "operator")] {
        ok(run(
            dir.path(),
            &[
                "user",
                "add",
                name,
                "--role",
                role,
                "--department",
                "PRINTING",
                "--password",
                "long-enough-pw",
            ],
        ));
    }
    let out = ok(run(dir.path(), &["user", "list"]));
    let lines: Vec<&str> = out.lines().collect();
    let column = |line: &str, word: &str| line.find(word).unwrap_or_else(|| panic!("{out}"));
    let (role, active) = (column(lines[0], "role"), column(lines[0], "active"));
    for (line, name) in [(lines[1], "admin"), (lines[2], "operator")] {
        assert_eq!(column(line, name), role, "{out}");
        assert_eq!(column(line, "true"), active, "{out}");
    }
}
