//! The appliance as a whole, against the release binary: its stripped size, the time from
//! start to the first answered request (first start, which creates and seeds the database,
//! and a later start on it), and resident memory idle and after a burst of requests.
//! Run: `cargo bench --bench appliance` (prints a table; figures go to docs/BENCHMARKS.md).

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::*;

const STARTS: usize = 10;

/// Starts the binary on `dir` at a fixed free port and returns the time until `/healthz`
/// answers 200, and the child.
fn time_to_first_answer(dir: &std::path::Path) -> (Duration, std::process::Child) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/healthz");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_millis(500)))
        .build()
        .into();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_presswork"))
        .arg("--data-dir")
        .arg(dir)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("PRESSWORK_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("PRESSWORK_LOG", "error")
        .env("PRESSWORK_NO_BROWSER", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    loop {
        if agent.get(&url).call().is_ok_and(|r| r.status() == 200) {
            break;
        }
        if started.elapsed() >= Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no answer in 30 s");
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    (started.elapsed(), child)
}

/// Stops with SIGTERM (through `kill`), so the server checkpoints and releases its lock as a
/// real stop does.
fn stop(mut child: std::process::Child) {
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let _ = child.wait();
}

fn starts() {
    let mut first = Vec::new();
    let mut later = Vec::new();
    for _ in 0..STARTS {
        let dir = tempfile::tempdir().unwrap();
        let (t, child) = time_to_first_answer(dir.path());
        first.push(t);
        stop(child);
        let (t, child) = time_to_first_answer(dir.path());
        later.push(t);
        stop(child);
    }
    first.sort();
    later.sort();
    header(&format!(
        "Start to first answered request ({STARTS} starts each)"
    ));
    row(
        "first start (creates and seeds the database), p50",
        format!("{:.1} ms", percentile_ms(&first, 50.0)),
        "",
    );
    row(
        "first start, max",
        format!("{:.1} ms", percentile_ms(&first, 100.0)),
        "",
    );
    row(
        "later start, p50",
        format!("{:.1} ms", percentile_ms(&later, 50.0)),
        "",
    );
    row(
        "later start, max",
        format!("{:.1} ms", percentile_ms(&later, 100.0)),
        "",
    );
}

fn size() {
    let bytes = std::fs::metadata(env!("CARGO_BIN_EXE_presswork"))
        .unwrap()
        .len();
    header("Executable");
    row(
        "release binary (stripped, UI embedded)",
        format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0)),
        "<= 10 MiB",
    );
}

fn memory() {
    let server = Server::start();
    std::thread::sleep(Duration::from_secs(1));
    let idle = server.rss_kib();
    let admin = Client::login(&server.base, "admin", ADMIN_PASSWORD);
    let ops = operators(&admin, "mem", 20, "PRINTING");
    let tasks = publish_printing_tasks(&admin, 20, 50);
    std::thread::scope(|s| {
        for (i, op) in ops.iter().enumerate() {
            let mine: Vec<i64> = tasks.iter().skip(i).step_by(ops.len()).copied().collect();
            s.spawn(move || {
                for id in mine {
                    op.post(&format!("/api/v1/tasks/{id}/claim"), &serde_json::json!({}));
                    op.get("/api/v1/tasks?limit=50");
                }
            });
        }
    });
    let loaded = server.rss_kib();
    header("Resident memory (server process)");
    let mib = |k: Option<u64>| k.map_or("n/a".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
    row("idle, just started", mib(idle), "");
    row(
        "after 20 sign-ins, 20 orders of 50 lines, 1000 claims and lists",
        mib(loaded),
        "",
    );
}

fn main() {
    // `cargo test --benches` runs bench targets with `--bench` absent; only measure on `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    size();
    starts();
    memory();
}
