//! Helpers for the operations tests: run the real binary on a data dir with a clean
//! environment, and poke at its SQLite file the way a broken disk or an older release would.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_presswork")
}

/// A presswork command on `dir` with no PRESSWORK_* from the caller's environment.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin());
    for (k, _) in std::env::vars() {
        if k.starts_with("PRESSWORK_") {
            cmd.env_remove(k);
        }
    }
    cmd.arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("PRESSWORK_LOG", "warn")
        .env("PRESSWORK_NO_BROWSER", "1");
    cmd
}

pub fn run(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().expect("run presswork")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts success and returns stdout.
pub fn ok(o: Output) -> String {
    assert!(
        o.status.success(),
        "expected success, got {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// Asserts failure and returns stdout + stderr.
pub fn fails(o: Output) -> String {
    assert!(
        !o.status.success(),
        "expected failure\nstdout:\n{}\nstderr:\n{}",
        stdout(&o),
        stderr(&o)
    );
    format!("{}{}", stdout(&o), stderr(&o))
}

/// A started server: the child, its URL, and every line it printed to stdout so far or later.
pub struct Started {
    pub child: Child,
    pub url: String,
    pub lines: mpsc::Receiver<String>,
}

/// Starts `cmd` and waits for its "listening on" line.
pub fn spawn_listening(mut cmd: Command) -> Started {
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null());
    let mut child = cmd.spawn().expect("start presswork");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let (lines_tx, lines) = mpsc::channel();
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                let url = line
                    .split("listening on ")
                    .nth(1)
                    .map(|u| u.trim().to_owned());
                let _ = lines_tx.send(line);
                if let Some(url) = url {
                    std::thread::spawn(move || {
                        for line in rx {
                            let _ = lines_tx.send(line);
                        }
                    });
                    return Started { child, url, lines };
                }
            }
            Err(_) => {
                let _ = child.kill();
                let out = child.wait_with_output().expect("output");
                panic!(
                    "server did not start: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    }
}

/// Opens the database file directly (as another tool or an older release would).
pub fn sqlite(path: &Path) -> presswork::store::Connection {
    presswork::store::Connection::open(path).expect("open sqlite")
}

pub fn count(path: &Path, table: &str) -> i64 {
    sqlite(path)
        .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

/// Polls `f` until it returns Some, or panics after `secs` seconds.
pub fn wait_for<T>(secs: u64, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
