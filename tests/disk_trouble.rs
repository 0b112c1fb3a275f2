//! A full disk: writes fail with 503 and a clear error, reads
//! keep working, and nothing is corrupted. The data dir is a real tmpfs mount (needs root, as
//! CI and the developer machines run; elsewhere the test says so and stops).

mod common;
mod support_mounts;

use common::*;
use presswork::store::Connection;
use serde_json::json;
use support_mounts::Mount;

fn big_order(prt: i64) -> serde_json::Value {
    let lines: Vec<_> = (0..150)
        .map(|_| json!({"process_id": prt, "note": "x".repeat(400)}))
        .collect();
    json!({"customer": "c", "product": "p", "quantity": 10, "due_date": "2026-12-01", "processes": lines})
}

#[test]
fn a_full_disk_refuses_writes_with_503_and_keeps_reads() {
    let Some(mount) = Mount::tmpfs("3m") else {
        eprintln!("SKIPPED: cannot mount tmpfs here (needs root)");
        return;
    };
    let s = TestServer::start_in(mount.path());
    let prt = process_id(&s.admin, "PRT");
    let mut created = 0;
    let refusal = loop {
        let (status, body) = s.admin.post("/api/v1/work-orders", &big_order(prt));
        match status {
            201 => created += 1,
            _ => break (status, body),
        }
        assert!(created < 500, "the disk never filled");
    };
    assert_eq!(refusal.0, 503, "{}", refusal.1);
    assert_eq!(refusal.1["error"]["code"], "unavailable");
    assert!(
        refusal.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("disk is full"),
        "{}",
        refusal.1
    );

    // Reads keep working while the disk is full.
    let (status, page) = s.admin.get("/api/v1/work-orders?limit=500");
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"].as_array().unwrap().len(), created);
    let (status, health) = s.admin.get("/healthz");
    assert_eq!(status, 200);
    assert_eq!(health["writable"], false, "{health}");
    assert!(health["write_error"]
        .as_str()
        .unwrap()
        .contains("disk is full"));

    // Nothing half-applied: every order that exists has all its tasks, and the file is sound.
    let conn = Connection::open(s.db_path()).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let partial: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM work_orders w WHERE (SELECT COUNT(*) FROM tasks t WHERE t.work_order_id = w.id) <> 150",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(partial, 0);
    drop(conn);

    // Room again: writes work again without a restart.
    mount.resize("64m");
    let (status, body) = s.admin.post("/api/v1/work-orders", &big_order(prt));
    assert_eq!(status, 201, "{body}");
    let (_, health) = s.admin.get("/healthz");
    assert_eq!(health["writable"], true, "{health}");
}
