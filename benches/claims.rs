//! Claim benchmarks over real HTTP against the release binary (`synchronous=FULL`):
//! throughput of 64 operators claiming distinct tasks, and 100 operators racing for one task.
//! Run: `cargo bench --bench claims` (prints a table; figures go to docs/BENCHMARKS.md).

mod support;

use serde_json::json;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};
use support::*;

const OPERATORS: usize = 64;
const SECONDS: u64 = 10;

fn throughput(server: &Server, admin: &Client) {
    let ops = operators(admin, "tp", OPERATORS, "PRINTING");
    // Enough tasks that nobody runs dry at well above the target rate.
    eprintln!("throughput: publishing tasks for {OPERATORS} operators");
    let tasks = publish_printing_tasks(admin, 800, 200);
    eprintln!("throughput: claiming for {SECONDS} s");
    let cpu_before = server.cpu_seconds();
    let load_cpu_before = cpu_seconds(std::process::id());
    let (tx_before, changes_before, commit_before) = write_counters(server);
    let per_op = tasks.len() / OPERATORS;
    let barrier = Arc::new(Barrier::new(OPERATORS + 1));
    let deadline_after = Duration::from_secs(SECONDS);
    let handles: Vec<_> = ops
        .into_iter()
        .enumerate()
        .map(|(i, op)| {
            let mine: Vec<i64> = tasks[i * per_op..(i + 1) * per_op].to_vec();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut latencies = Vec::new();
                let mut refused = 0usize;
                barrier.wait();
                let start = Instant::now();
                for id in mine {
                    if start.elapsed() >= deadline_after {
                        break;
                    }
                    let t = Instant::now();
                    let (status, _) = op.post(&format!("/api/v1/tasks/{id}/claim"), &json!({}));
                    latencies.push(t.elapsed());
                    if status != 200 {
                        refused += 1;
                    }
                }
                (latencies, refused)
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    let mut all = Vec::new();
    let mut refused = 0;
    for h in handles {
        let (l, r) = h.join().unwrap();
        all.extend(l);
        refused += r;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = server.cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
    let load_cpu = cpu_seconds(std::process::id())
        .zip(load_cpu_before)
        .map(|(a, b)| a - b);
    let (tx_after, changes_after, commit_after) = write_counters(server);
    all.sort();
    let ok = all.len() - refused;
    header(&format!(
        "Claim throughput: {OPERATORS} operators, distinct tasks, {SECONDS} s"
    ));
    row("claims acknowledged (200)", ok.to_string(), "");
    row("claims refused", refused.to_string(), "0");
    row(
        "claims/s",
        format!("{:.0}", ok as f64 / elapsed),
        ">= 10000",
    );
    row(
        "latency p50",
        format!("{:.2} ms", percentile_ms(&all, 50.0)),
        "",
    );
    row(
        "latency p99",
        format!("{:.2} ms", percentile_ms(&all, 99.0)),
        "",
    );
    let transactions = (tx_after - tx_before).max(1.0);
    row(
        "changes per write transaction (group commit)",
        format!("{:.1}", (changes_after - changes_before) / transactions),
        "",
    );
    row(
        "time in COMMIT per transaction",
        format!(
            "{:.2} ms",
            (commit_after - commit_before) * 1000.0 / transactions
        ),
        "",
    );
    if let Some(cpu) = cpu {
        row(
            "server CPU per claim",
            format!("{:.3} ms", cpu * 1000.0 / ok.max(1) as f64),
            "",
        );
        row(
            "server CPU use during the run",
            format!("{:.2} cores", cpu / elapsed),
            "",
        );
    }
    if let Some(cpu) = load_cpu {
        row(
            "load generator CPU use (same machine)",
            format!("{:.2} cores", cpu / elapsed),
            "",
        );
    }
    row(
        "machine load average (1 min) after the run",
        load_average(),
        "",
    );
    if let Some(rss) = server.rss_kib() {
        row(
            "server RSS after load",
            format!("{:.1} MiB", rss as f64 / 1024.0),
            "",
        );
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_default()
}

fn write_counters(server: &Server) -> (f64, f64, f64) {
    (
        server.metric("presswork_db_write_transactions_total"),
        server.metric("presswork_db_write_changes_total"),
        server.metric("presswork_db_write_commit_seconds_total"),
    )
}

fn race(admin: &Client) {
    const RACERS: usize = 100;
    const ROUNDS: usize = 50;
    let ops = operators(admin, "race", RACERS, "PRINTING");
    let mut latencies = Vec::new();
    let mut rounds_with_one_winner = 0;
    for _ in 0..ROUNDS {
        let task = publish_printing_tasks(admin, 1, 1)[0];
        let barrier = Arc::new(Barrier::new(RACERS));
        let handles: Vec<_> = ops
            .iter()
            .cloned()
            .map(|op| {
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    let t = Instant::now();
                    let (status, body) =
                        op.post(&format!("/api/v1/tasks/{task}/claim"), &json!({}));
                    (
                        status,
                        body["error"]["code"].as_str().map(str::to_owned),
                        t.elapsed(),
                    )
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let winners = results.iter().filter(|r| r.0 == 200).count();
        let clean_losers = results
            .iter()
            .filter(|r| r.0 == 409 && r.1.as_deref() == Some("task_already_claimed"))
            .count();
        if winners == 1 && clean_losers == RACERS - 1 {
            rounds_with_one_winner += 1;
        }
        latencies.extend(results.into_iter().map(|r| r.2));
    }
    latencies.sort();
    header(&format!(
        "Race: {RACERS} operators claim one task, {ROUNDS} rounds"
    ));
    row(
        "rounds with exactly one winner",
        format!("{rounds_with_one_winner} of {ROUNDS}"),
        "all",
    );
    row(
        "claim latency p50",
        format!("{:.2} ms", percentile_ms(&latencies, 50.0)),
        "",
    );
    row(
        "claim latency p99",
        format!("{:.2} ms", percentile_ms(&latencies, 99.0)),
        "",
    );
}

fn creation(admin: &Client) {
    let prt = process_id(admin, "PRT");
    header("Work order creation (draft tasks in the same transaction)");
    for lines in [50usize, 200] {
        let processes: Vec<_> = (0..lines).map(|_| json!({"process_id": prt})).collect();
        let body = json!({"customer": "bench", "product": "p", "quantity": 100, "due_date": "2026-12-31", "processes": processes});
        let mut latencies: Vec<Duration> = (0..200)
            .map(|_| {
                let t = Instant::now();
                let (status, _) = admin.post("/api/v1/work-orders", &body);
                assert_eq!(status, 201);
                t.elapsed()
            })
            .collect();
        latencies.sort();
        let target = if lines == 200 { "p50 <= 5 ms" } else { "" };
        row(
            &format!("{lines} lines: p50"),
            format!("{:.2} ms", percentile_ms(&latencies, 50.0)),
            target,
        );
        row(
            &format!("{lines} lines: p99"),
            format!("{:.2} ms", percentile_ms(&latencies, 99.0)),
            "",
        );
    }
}

fn main() {
    // `cargo test --benches` runs bench targets with `--bench` absent; only measure on `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let server = Server::start();
    let admin = Client::login(&server.base, "admin", ADMIN_PASSWORD);
    creation(&admin);
    race(&admin);
    throughput(&server, &admin);
}
