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
