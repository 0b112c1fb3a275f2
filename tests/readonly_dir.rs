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

use common::ws::{event_id, Live, WAIT};
use common::{bin, published_order, task_of, Client, ADMIN_PASSWORD, PASSWORD};
use presswork::store::Connection;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// A file system mounted for one test; unmounted (lazily) when dropped.
struct Mount {
    dir: tempfile::TempDir,
    /// The ext4 image file's folder, for an ext4 mount.
    image: Option<tempfile::TempDir>,
}

fn run(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Mount {
    fn tmpfs() -> Option<Mount> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_str().unwrap();
        run("mount", &["-t", "tmpfs", "-o", "size=64m", "tmpfs", path])
            .then_some(Mount { dir, image: None })
    }

    /// An ext4 file system on a loop device that remounts itself read-only on an error.
    fn ext4() -> Option<Mount> {
        let image = tempfile::tempdir().unwrap();
        let file = image.path().join("disk.img");
        std::fs::File::create(&file)
            .unwrap()
            .set_len(64 << 20)
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mount = Mount {
            dir,
            image: Some(image),
        };
        let file = file.to_str().unwrap();
        (run("mkfs.ext4", &["-q", "-F", file]) && mount.attach()).then_some(mount)
    }

    fn image_file(&self) -> String {
        let image = self.image.as_ref().expect("an ext4 mount");
        image.path().join("disk.img").to_str().unwrap().to_owned()
    }

    fn attach(&self) -> bool {
        let options = "loop,errors=remount-ro";
        run(
            "mount",
            &["-o", options, &self.image_file(), self.path_str()],
        )
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn path_str(&self) -> &str {
        self.path().to_str().unwrap()
    }

    fn remount(&self, options: &str) {
        let options = format!("remount,{options}");
        assert!(
            run("mount", &["-o", &options, self.path_str()]),
            "{options}"
        );
    }

    /// Makes ext4 hit an error, after which it refuses every write (EROFS) and keeps reading.
    fn turn_read_only(&self) {
        let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap();
        let device = mounts
            .lines()
            .find(|l| l.split(' ').nth(1) == Some(self.path_str()))
            .and_then(|l| l.split(' ').next())
            .expect("the mount's device");
        let name = device.rsplit('/').next().unwrap();
        std::fs::write(format!("/sys/fs/ext4/{name}/trigger_fs_error"), "test").unwrap();
    }

    /// What an administrator does next: unmount, check the disk, mount it again.
    fn repair(&self) {
        assert!(run("umount", &[self.path_str()]), "umount");
        let fsck = Command::new("e2fsck")
            .args(["-f", "-y", &self.image_file()])
            .output()
            .unwrap();
        // 0: clean, 1: errors corrected (the error we set off is recorded on the disk).
        assert!(fsck.status.code().is_some_and(|c| c <= 1), "{fsck:?}");
        assert!(self.attach(), "mount again");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.path()).status();
    }
}

/// The real binary on a data dir whose console log goes elsewhere (the data dir may refuse it).
struct Server {
    child: Option<Child>,
    base: String,
    stdout: Arc<Mutex<Vec<String>>>,
    log: PathBuf,
}

impl Server {
    fn try_start(data: &Path, logs: &Path) -> Result<Server, String> {
        let log = logs.join(format!("server-{}.log", std::process::id()));
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let mut child = Command::new(bin())
            .arg("--data-dir")
            .arg(data)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env("PRESSWORK_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("PRESSWORK_LOG", "warn")
            .env("PRESSWORK_NO_BROWSER", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()
            .unwrap();
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let lines = stdout.clone();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Some(addr) = line.split("listening on http://").nth(1) {
                    let _ = tx.send(addr.trim().to_owned());
                }
                lines.lock().unwrap().push(line);
            }
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(addr) => Ok(Server {
                child: Some(child),
                base: format!("http://{addr}"),
                stdout,
                log,
            }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(std::fs::read_to_string(&log).unwrap_or_default())
            }
        }
    }

    fn start(data: &Path, logs: &Path) -> Server {
        Server::try_start(data, logs).unwrap_or_else(|log| panic!("did not start:\n{log}"))
    }

    /// SIGTERM, as a service manager stops it; how it exited.
    fn stop(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        run("kill", &["-TERM", &child.id().to_string()]);
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server did not stop on SIGTERM");
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn console(&self) -> String {
        self.stdout.lock().unwrap().join("\n")
    }

    fn assert_no_panic(&self) {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        assert!(!log.contains("panicked"), "a panic in the log:\n{log}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

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
    let Some(mount) = Mount::tmpfs() else {
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
    let (status, _) = admin.get("/metrics");
    assert_eq!(status, 200);
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
    let Some(mount) = Mount::tmpfs() else {
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
