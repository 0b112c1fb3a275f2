//! What the real binary says when it cannot start or cannot open the database: one line,
//! each cause once, so an administrator can read it and look it up in the guide.

mod support_ops;

use support_ops::{fails, run};

/// The `error: …` line of a failed command, checked to name `cause` exactly once.
fn error_line(out: &str, cause: &str) -> String {
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(lines.len(), 1, "one error line:\n{out}");
    assert_eq!(
        lines[0].matches(cause).count(),
        1,
        "the cause once: {}",
        lines[0]
    );
    lines[0].to_owned()
}

#[test]
fn a_port_in_use_is_said_once_with_the_address() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = fails(run(dir.path(), &["serve", "--addr", &addr]));
    let line = error_line(&out, "in use");
    assert!(
        line.starts_with(&format!("error: listening on {addr}: ")),
        "{line}"
    );
    assert!(!line.contains("error creating server listener"), "{line}");
}

#[test]
fn a_file_that_is_not_a_database_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("presswork.db"),
        "not a database at all, long enough",
    )
    .unwrap();
    for verb in [
        &["check"][..],
        &["user", "list"],
        &["serve", "--addr", "127.0.0.1:0"],
    ] {
        let line = error_line(&fails(run(dir.path(), verb)), "file is not a database");
        assert!(
            line.contains("database error: file is not a database"),
            "{line}"
        );
        assert!(!line.contains("Error code"), "{line}");
    }
}

#[test]
fn a_lock_file_that_cannot_be_opened_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("presswork.lock")).unwrap();
    let out = fails(run(dir.path(), &["serve", "--addr", "127.0.0.1:0"]));
    let line = error_line(&out, "(os error");
    assert!(line.starts_with("error: the lock file "), "{line}");
}
