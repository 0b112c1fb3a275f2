//! The operations verbs against the real binary: backup while the server writes, verified
//! restore (and its refusals), check, migrate's refusal of a newer schema, config check.

mod common;
mod support_ops;

use common::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use support_ops::{count, fails, ok, run, sqlite};

fn orders_in(client: &Client) -> Vec<serde_json::Value> {
    let (status, page) = client.get("/api/v1/work-orders?limit=500");
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().clone()
}

#[test]
fn a_backup_taken_during_writes_restores_to_a_consistent_database() {
    let mut s = TestServer::start();
    create_order(&s.admin, &["CTP", "PRT", "DIE"]);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (client, stop) = (s.admin.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut made = 0;
            // Bounded: stops when told, or after 400 orders at most.
            while !stop.load(Ordering::Relaxed) && made < 400 {
                create_order(&client, &["CTP", "PRT", "DIE"]);
                made += 1;
            }
            made
        })
    };
    // Let the writer get going, then snapshot while it writes.
    support_ops::wait_for(30, "some orders", || {
        (count(&s.db_path(), "work_orders") > 5).then_some(())
    });
    let file = s.data_dir().join("during-writes.db");
    let out = ok(s.cli(&["backup", file.to_str().unwrap()]));
    assert!(out.contains("integrity: ok"), "{out}");
    stop.store(true, Ordering::Relaxed);
    let made = writer.join().unwrap();
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(s.data_dir().join("during-writes.db.manifest.json")).unwrap(),
    )
    .unwrap();
    let in_backup = manifest["tables"]["work_orders"].as_i64().unwrap();
    assert!(
        in_backup >= 6 && in_backup <= made + 1,
        "{in_backup} of {}",
        made + 1
    );
    // Every order in the snapshot has all three of its tasks: no half-written order.
    assert_eq!(manifest["tables"]["tasks"].as_i64().unwrap(), in_backup * 3);
    assert_eq!(manifest["schema_version"], 2);
    assert_eq!(manifest["sha256"].as_str().unwrap().len(), 64);

    s.stop();
    let live_before = count(&s.db_path(), "work_orders");
    assert_eq!(live_before, made + 1);
    let out = ok(s.cli(&["restore", file.to_str().unwrap()]));
    assert!(out.contains("matches its manifest"), "{out}");
    assert!(out.contains("moved the current database aside"), "{out}");
    let replaced: Vec<_> = std::fs::read_dir(s.data_dir().join("replaced"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "db"))
        .collect();
    assert_eq!(replaced.len(), 1);
    assert_eq!(
        count(&replaced[0], "work_orders"),
        live_before,
        "the old database is kept whole"
    );

    let out = ok(s.cli(&["check"]));
    assert!(out.contains("integrity: ok"), "{out}");
    s.restart();
    let orders = orders_in(&s.admin);
    assert_eq!(orders.len() as i64, in_backup);
    for order in orders.iter().take(5) {
        let (_, full) = s.admin.get(&format!("/api/v1/work-orders/{}", order["id"]));
        assert_eq!(full["tasks"].as_array().unwrap().len(), 3, "{full}");
    }
}

#[test]
fn restore_is_refused_while_a_server_holds_the_data_dir() {
    let mut s = TestServer::start();
    create_order(&s.admin, &["CTP"]);
    let file = s.data_dir().join("b.db");
    ok(s.cli(&["backup", file.to_str().unwrap()]));
    create_order(&s.admin, &["PRT"]);
    let out = fails(s.cli(&["restore", file.to_str().unwrap()]));
    assert!(out.contains("refusing to restore"), "{out}");
    assert!(out.contains("is using"), "{out}");
    assert_eq!(
        orders_in(&s.admin).len(),
        2,
        "nothing changed under the server"
    );
    // Nor can a second server start on the same data dir.
    let out = fails(s.cli(&["serve", "--addr", "127.0.0.1:0"]));
    assert!(out.contains("is using"), "{out}");
    // A server that died without cleaning up leaves no lock behind: the OS released it.
    s.kill();
    let out = ok(s.cli(&["restore", file.to_str().unwrap()]));
    assert!(out.contains("restored to"), "{out}");
    assert_eq!(count(&s.db_path(), "work_orders"), 1);
}

#[test]
fn restore_refuses_damaged_foreign_and_newer_files_and_changes_nothing() {
    let mut s = TestServer::start();
    create_order(&s.admin, &["CTP"]);
    let good = s.data_dir().join("good.db");
    ok(s.cli(&["backup", good.to_str().unwrap()]));
    s.stop();
    let dir = s.data_dir().to_owned();

    // A byte changed after the backup: the manifest's checksum catches it.
    let damaged = dir.join("damaged.db");
    let mut bytes = std::fs::read(&good).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&damaged, &bytes).unwrap();
    std::fs::copy(
        dir.join("good.db.manifest.json"),
        dir.join("damaged.db.manifest.json"),
    )
    .unwrap();
    let out = fails(run(&dir, &["restore", damaged.to_str().unwrap()]));
    assert!(out.contains("does not match its manifest"), "{out}");

    let garbage = dir.join("garbage.db");
    std::fs::write(&garbage, b"this is not a database at all, just text").unwrap();
    let out = fails(run(&dir, &["restore", garbage.to_str().unwrap()]));
    assert!(out.contains("not a database"), "{out}");

    let newer = dir.join("newer.db");
    std::fs::copy(&good, &newer).unwrap();
    sqlite(&newer)
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let out = fails(run(&dir, &["restore", newer.to_str().unwrap()]));
    assert!(out.contains("newer than this presswork"), "{out}");

    let missing = fails(run(
        &dir,
        &["restore", dir.join("nope.db").to_str().unwrap()],
    ));
    assert!(missing.contains("no backup file"), "{missing}");
    assert!(!dir.join("replaced").exists(), "nothing was moved aside");
    assert_eq!(count(&s.db_path(), "work_orders"), 1);
    ok(run(&dir, &["check"]));
}

#[test]
fn check_reports_problems_with_a_failing_exit() {
    let mut s = TestServer::start();
    create_order(&s.admin, &["CTP", "PRT"]);
    let out = ok(s.cli(&["check"]));
    assert!(
        out.contains("integrity: ok") && out.contains("schema version: 2"),
        "{out}"
    );
    assert!(out.contains("work_orders") && out.contains("ok"), "{out}");
    // While the server runs, recent changes sit in the -wal file: both sizes are reported.
    let size = |prefix: &str| -> u64 {
        let line = out
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {out}"));
        line.split(" (")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let (db, wal) = (size("database: "), size("write-ahead log: "));
    assert!(db > 0 && wal > 0, "{out}");
    assert!(
        out.contains(&format!(
            "presswork.db-wal ({wal} bytes; {} bytes in all)",
            db + wal
        )),
        "{out}"
    );
    s.stop();
    // A task pointing at an order that does not exist (written with foreign keys off, as a
    // careless tool would).
    let conn = sqlite(&s.db_path());
    conn.execute_batch("PRAGMA foreign_keys = OFF; UPDATE tasks SET work_order_id = 999 WHERE id = (SELECT MIN(id) FROM tasks);").unwrap();
    drop(conn);
    let out = fails(s.cli(&["check"]));
    assert!(
        out.contains("PROBLEM: 1 rows point at rows that do not exist"),
        "{out}"
    );

    let empty = tempfile::tempdir().unwrap();
    let out = fails(run(empty.path(), &["check"]));
    assert!(out.contains("no database"), "{out}");
}

#[test]
fn a_newer_schema_is_refused_by_every_verb_and_the_server() {
    let mut s = TestServer::start();
    create_order(&s.admin, &["CTP"]);
    s.stop();
    let dir = s.data_dir().to_owned();
    let out = ok(run(&dir, &["migrate", "--check"]));
    assert!(out.contains("schema version 2: up to date"), "{out}");
    ok(run(&dir, &["migrate"]));

    sqlite(&s.db_path())
        .pragma_update(None, "user_version", 7)
        .unwrap();
    for args in [
        &["migrate", "--check"][..],
        &["migrate"],
        &["check"],
        &["user", "list"],
        &["serve", "--addr", "127.0.0.1:0"],
    ] {
        let out = fails(run(&dir, args));
        assert!(
            out.contains("schema is version 7, newer than this presswork knows (2)")
                || out.contains("schema version 7 is newer than this presswork knows (2)"),
            "{args:?}: {out}"
        );
    }
    assert_eq!(
        sqlite(&s.db_path())
            .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        7,
        "left as it was"
    );
    let fresh = tempfile::tempdir().unwrap();
    let out = ok(run(fresh.path(), &["migrate", "--check"]));
    assert!(out.contains("no database yet"), "{out}");
}

#[test]
fn config_check_shows_each_value_and_its_source_with_secrets_redacted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "addr = \"0.0.0.0:9100\"\n[backup]\nkeep = 4\nkeeep = 5\n",
    )
    .unwrap();
    // The unknown key `keeep` fails the check, after every value is shown.
    let out = fails(
        support_ops::command(dir.path(), &["--log-format", "json", "config", "check"])
            .env("PRESSWORK_BACKUP_EVERY", "6h")
            .env("PRESSWORK_ADMIN_PASSWORD", "very-secret-pw")
            .output()
            .unwrap(),
    );
    let line = |key: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{key} ")))
            .unwrap_or_else(|| panic!("no {key} in\n{out}"))
            .to_owned()
    };
    assert!(
        line("addr").contains("\"0.0.0.0:9100\"") && line("addr").contains("# file"),
        "{out}"
    );
    assert!(line("backup.keep").contains("\"4\""), "{out}");
    assert!(
        line("backup.every").contains("\"6h\"")
            && line("backup.every").contains("# env PRESSWORK_BACKUP_EVERY")
    );
    assert!(line("log.format").contains("# flag --log-format"), "{out}");
    assert!(
        line("live.ws_max").contains("\"1024\"") && line("live.ws_max").contains("# default"),
        "the default the server uses: {out}"
    );
    assert!(line("admin_password").contains("<redacted>"), "{out}");
    assert!(!out.contains("very-secret-pw"));
    assert!(
        out.contains("warning:") && out.contains("backup.keeep"),
        "{out}"
    );
    std::fs::write(dir.path().join("config.toml"), "[backup]\nkeep = 4\n").unwrap();
    ok(run(dir.path(), &["config", "check"]));

    std::fs::write(
        dir.path().join("config.toml"),
        "[backup]\nevery = \"sometimes\"\n",
    )
    .unwrap();
    let out = fails(run(dir.path(), &["config", "check"]));
    assert!(
        out.contains("backup.every") && out.contains("sometimes"),
        "{out}"
    );
}
