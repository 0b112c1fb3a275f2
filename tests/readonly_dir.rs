//! A read-only data dir, on real mounts: a file system that turns read-only under the running
//! server (as ext4 does after a disk error), and a server started on a read-only dir. Writes
//! answer 503 `unavailable` saying why; reads and the live stream's replay return what they
//! returned before; nothing is half-applied and the database is sound afterwards. Mounting
//! needs root (as CI and the developer machines run); elsewhere each test says so and stops.
//!
//! Why ext4 and not `mount -o remount,ro` of a tmpfs: Linux refuses to remount a file system
//! read-only while any file on it is open for writing (EBUSY), and a running server always
//! has its database open so. What does turn a disk read-only under a running server is the
//! kernel after a disk error (`errors=remount-ro`), which `trigger_fs_error` sets off.

mod common;
mod support_mounts;

use common::ws::{event_id, Live, WAIT};
use common::{published_order, task_of, Client, ADMIN_PASSWORD, PASSWORD};
use presswork::store::Connection;
use serde_json::{json, Value};
use std::path::Path;
use support_mounts::{Mount, Server};

/// A client of `server` with the session `client` signed in with (sign-in itself writes).
fn at(server: &Server, client: &Client) -> Client {
    let mut moved = client.clone();
    moved.base = server.base.clone();
    moved
}

/// What the shop sees: orders, the task pool, one task.
fn reads(client: &Client, task: i64) -> Vec<Value> {
    let paths = [
        "/api/v1/work-orders?limit=500".to_owned(),
        "/api/v1/tasks?limit=500".to_owned(),
        format!("/api/v1/tasks/{task}"),
    ];
    paths
        .iter()
        .map(|path| {
            let (status, body) = client.get(path);
            assert_eq!(status, 200, "{path}: {body}");
            body
        })
        .collect()
}

/// The event ids a fresh live connection replays from the start, up to `last`.
fn replayed(client: &Client, last: i64) -> Vec<i64> {
    let mut live = Live::connect(&client.base, client.token.as_deref().unwrap(), "after=0");
    assert!(
        live.wait_for_id(last, WAIT),
        "event {last} was not replayed"
    );
    live.ids().into_iter().filter(|id| *id <= last).collect()
}

fn new_order(client: &Client) -> Value {
    let prt = common::process_id(client, "PRT");
    json!({"customer": "c", "product": "p", "quantity": 10, "due_date": "2026-12-01",
           "processes": [{"process_id": prt}]})
}

/// What every write is answered with while the dir is read-only.
fn assert_refused(response: (u16, Value), says: &str) {
    let (status, body) = response;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "unavailable", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(says), "{body}");
    assert!(message.contains("nothing was saved"), "{body}");
}

fn assert_sound(db: &Path) -> i64 {
    let conn = Connection::open(db).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    conn.query_row("SELECT COUNT(*) FROM work_orders", [], |r| r.get(0))
        .unwrap()
}

/// Shop data to read back: a published order, an operator who could claim its task.
struct Shop {
    admin: Client,
    operator: Client,
    task: i64,
    last_event: i64,
}

fn fill(server: &Server) -> Shop {
    let admin = Client::login(&server.base, "admin", ADMIN_PASSWORD);
    let (status, body) = admin.post(
        "/api/v1/users",
        &json!({"username": "li", "role": "operator", "password": PASSWORD, "departments": ["PRINTING"]}),
    );
    assert_eq!(status, 201, "{body}");
    let operator = Client::login(&server.base, "li", PASSWORD);
    let order = published_order(&admin, &["PRT", "QC"]);
    let task = task_of(&order, "PRT")["id"].as_i64().unwrap();
    let mut live = Live::connect(&server.base, admin.token.as_deref().unwrap(), "after=0");
    assert!(live.wait_until(WAIT, |e| event_id(e, "task.published", task).is_some()));
    Shop {
        admin,
        operator,
        task,
        last_event: live.last_id(),
    }
}

#[test]
fn a_disk_turning_read_only_refuses_writes_and_keeps_reads() {
    let Some(mount) = Mount::ext4() else {
        eprintln!("SKIPPED: cannot make and mount an ext4 loop device here (needs root)");
        return;
    };
    let logs = tempfile::tempdir().unwrap();
    let data = mount.path().join("data");
    let mut server = Server::start(&data, logs.path());
    let shop = fill(&server);
    let before = reads(&shop.admin, shop.task);
    let events = replayed(&shop.admin, shop.last_event);
    let (_, health) = shop.admin.get("/healthz");
    assert_eq!(health["writable"], true, "{health}");

    mount.turn_read_only();
    let claim = format!("/api/v1/tasks/{}/claim", shop.task);
    assert_refused(shop.operator.post(&claim, &json!({})), "read-only");
    assert_refused(
        shop.admin
            .post("/api/v1/work-orders", &new_order(&shop.admin)),
        "read-only",
    );
    let (status, health) = shop.admin.get("/healthz");
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["writable"], false, "{health}");
    assert!(health["write_error"]
        .as_str()
        .unwrap()
        .contains("read-only"));
    assert_eq!(reads(&shop.admin, shop.task), before, "reads changed");
    assert_eq!(replayed(&shop.admin, shop.last_event), events);
    assert_refused(shop.operator.post(&claim, &json!({})), "read-only");

    // Stopping cannot fold the WAL back; it must still stop, and say why rather than panic.
    server.stop();
    server.assert_no_panic();
    mount.repair();
    assert_eq!(assert_sound(&data.join("presswork.db")), 1);
    let server = Server::start(&data, logs.path());
    let admin = at(&server, &shop.admin);
    assert_eq!(reads(&admin, shop.task), before, "reads after the repair");
    let (status, body) = at(&server, &shop.operator).post(&claim, &json!({}));
    assert_eq!(status, 200, "writes work again: {body}");
    server.assert_no_panic();
}

#[test]
fn a_server_started_on_a_read_only_dir_serves_reads_only() {
    let Some(mount) = Mount::tmpfs("64m") else {
        eprintln!("SKIPPED: cannot mount tmpfs here (needs root)");
        return;
    };
    let logs = tempfile::tempdir().unwrap();
    let data = mount.path().join("data");
    let mut server = Server::start(&data, logs.path());
    let shop = fill(&server);
    let before = reads(&shop.admin, shop.task);
    let events = replayed(&shop.admin, shop.last_event);
    assert!(server.stop().success());
    assert!(
        !data.join("presswork.db-wal").exists(),
        "a clean stop folds the WAL back"
    );

    mount.remount("ro");
    let mut server = Server::start(&data, logs.path());
    assert!(
        server.console().contains("READ-ONLY"),
        "{}",
        server.console()
    );
    let admin = at(&server, &shop.admin);
    let (status, health) = admin.get("/healthz");
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["writable"], false, "{health}");
    assert!(health["write_error"]
        .as_str()
        .unwrap()
        .contains("read-only"));
    assert_eq!(reads(&admin, shop.task), before, "reads changed");
    assert_eq!(replayed(&admin, shop.last_event), events);
    let claim = format!("/api/v1/tasks/{}/claim", shop.task);
    assert_refused(
        at(&server, &shop.operator).post(&claim, &json!({})),
        "read-only",
    );
    assert_refused(
        admin.post("/api/v1/work-orders", &new_order(&admin)),
        "read-only",
    );
    let login = json!({"username": "admin", "password": ADMIN_PASSWORD});
    assert_refused(admin.post("/api/v1/auth/login", &login), "read-only");
    let (status, metrics) = admin.get("/metrics");
    assert_eq!(status, 200);
    assert!(
        metrics
            .as_str()
            .unwrap()
            .contains("presswork_db_writable 0"),
        "{metrics}"
    );
    assert!(server.stop().success(), "a read-only server stops cleanly");
    server.assert_no_panic();

    mount.remount("rw");
    assert_eq!(assert_sound(&data.join("presswork.db")), 1);
    let server = Server::start(&data, logs.path());
    let (status, body) = at(&server, &shop.operator).post(&claim, &json!({}));
    assert_eq!(status, 200, "writable again after a restart: {body}");
    server.assert_no_panic();
}

#[test]
fn changes_left_in_the_wal_are_read_or_the_start_is_refused() {
    let Some(mount) = Mount::tmpfs("64m") else {
        eprintln!("SKIPPED: cannot mount tmpfs here (needs root)");
        return;
    };
    let logs = tempfile::tempdir().unwrap();
    let data = mount.path().join("data");
    let mut server = Server::start(&data, logs.path());
    let shop = fill(&server);
    let before = reads(&shop.admin, shop.task);
    // A power cut: the newest changes stay in the WAL, next to its index (-shm).
    server.kill();
    let wal = data.join("presswork.db-wal");
    assert!(std::fs::metadata(&wal).unwrap().len() > 0);

    mount.remount("ro");
    let mut server = Server::start(&data, logs.path());
    let admin = at(&server, &shop.admin);
    assert_eq!(
        reads(&admin, shop.task),
        before,
        "the WAL's changes are served"
    );
    assert!(server.stop().success());
    server.assert_no_panic();

    // Without the index SQLite cannot read the WAL on a read-only dir: refuse, not stale data.
    mount.remount("rw");
    std::fs::remove_file(data.join("presswork.db-shm")).unwrap();
    mount.remount("ro");
    let log = Server::try_start(&data, logs.path())
        .err()
        .expect("the start is refused");
    assert!(log.contains("presswork.db-wal"), "{log}");
    assert!(log.contains("make the data directory writable"), "{log}");
    assert!(!log.contains("panicked"), "{log}");

    mount.remount("rw");
    let server = Server::start(&data, logs.path());
    assert_eq!(reads(&at(&server, &shop.admin), shop.task), before);
    server.assert_no_panic();
}
