//! WebSocket fan-out benchmark (not a test): starts the real server on a temp data dir,
//! connects N live clients (managers and printing-room operators), makes events at a steady
//! rate (claims of pending tasks, each visible to every client), and prints p50/p99/max
//! delivery latency (commit time in the event's `at` → received by the client) and the
//! server's RSS.
//!
//!     cargo build --bins --examples && cargo run --example ws_bench -- --clients 1000 --rate 20 --seconds 30
//!
//! Clients and server share the machine, so the figures include the clients' own CPU use.
//! Users and their API tokens are made with the CLI before the server starts, so no password
//! hashing (argon2 takes 19 MiB a time) happens in the server and its RSS is the fan-out's.

use clap::Parser;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, ErrorKind};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tungstenite::client::IntoClientRequest;
use tungstenite::Message;

#[derive(Parser)]
struct Args {
    /// Live clients to connect.
    #[arg(long, default_value_t = 1000)]
    clients: usize,
    /// Events per second.
    #[arg(long, default_value_t = 20.0)]
    rate: f64,
    /// How long to make events.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// The presswork binary (default: next to this example's directory).
    #[arg(long)]
    bin: Option<std::path::PathBuf>,
}

const PASSWORD: &str = "bench-password";

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

struct Api {
    base: String,
    agent: ureq::Agent,
    token: Option<String>,
}

impl Api {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let mut req = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("content-type", "application/json");
        if let Some(t) = &self.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut res = self.agent.run(req.body(body).unwrap()).expect("request");
        let text = res.body_mut().read_to_string().unwrap_or_default();
        assert!(res.status().is_success(), "{method} {path}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    fn with_token(base: &str, token: String) -> Api {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Api {
            base: base.into(),
            agent,
            token: Some(token),
        }
    }
}

/// Runs a `presswork user ...` verb on the data dir; returns its standard output.
fn cli(bin: &std::path::Path, dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(bin)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("PRESSWORK_LOG", "warn")
        .output()
        .expect("run presswork");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Adds the user and returns a fresh API token for them.
fn add_user(
    bin: &std::path::Path,
    dir: &std::path::Path,
    name: &str,
    role: &str,
    department: Option<&str>,
) -> String {
    let mut args = vec!["user", "add", name, "--role", role, "--password", PASSWORD];
    if let Some(d) = department {
        args.extend(["--department", d]);
    }
    cli(bin, dir, &args);
    let out = cli(bin, dir, &["user", "token", name]);
    out.split_whitespace().last().expect("a token").to_owned()
}

fn start_server(args: &Args, bin: &std::path::Path, dir: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(bin)
        .arg("--data-dir")
        .arg(dir)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("PRESSWORK_ADMIN_PASSWORD", PASSWORD)
        .env("PRESSWORK_WS_MAX", (args.clients + 16).to_string())
        .env("PRESSWORK_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start presswork");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(addr) = line.split("listening on http://").nth(1) {
            break addr.trim().to_owned();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    (child, addr)
}

/// CPU time (user + system) the process has used, in ms (assumes 100 clock ticks a second).
fn cpu_ms(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<u64> = rest
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    fields
        .get(10)
        .zip(fields.get(11))
        .map_or(0, |(u, s)| (u + s) * 10)
}

fn rss_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The fields of an event the benchmark looks at.
#[derive(serde::Deserialize)]
struct Seen {
    at: i64,
    kind: String,
    task_id: Option<i64>,
}

/// A delivery: the event's task, its `at`, and when this client got it (ms since the epoch).
type Delivery = (i64, i64, i64);

/// One client: reads until `stop`, returning every delivery.
fn client(
    addr: String,
    token: String,
    connected: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
) -> Vec<Delivery> {
    let mut request = format!("ws://{addr}/api/v1/events")
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let stream = TcpStream::connect(&addr).expect("connect");
    let (mut socket, _) = tungstenite::client(request, stream).expect("handshake");
    socket
        .get_ref()
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    connected.fetch_add(1, Ordering::SeqCst);
    let mut deliveries = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        match socket.read() {
            Ok(Message::Text(text)) => {
                let received = now_ms();
                let events: Vec<Seen> = serde_json::from_str(&text).unwrap();
                // Only the claims are the measured load; a client that connected while the
                // setup's events were still going out may also see some of those.
                deliveries.extend(
                    events
                        .iter()
                        .filter(|e| e.kind == "task.claimed")
                        .map(|e| (e.task_id.unwrap_or(0), e.at, received)),
                );
            }
            Ok(Message::Close(frame)) => panic!("closed by the server: {frame:?}"),
            Ok(_) => {}
            Err(tungstenite::Error::Io(e)) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => panic!("client failed: {e}"),
        }
    }
    deliveries
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let args = Args::parse();
    let bin = args.bin.clone().unwrap_or_else(|| {
        let exe = std::env::current_exe().unwrap();
        exe.parent().unwrap().parent().unwrap().join("presswork")
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    println!("adding users with the CLI ...");
    let admin_token = add_user(&bin, path, "admin", "admin", None);
    let claimer_token = add_user(&bin, path, "claimer", "operator", Some("PRINTING"));
    let tokens: Vec<String> = (0..10)
        .map(|i| add_user(&bin, path, &format!("mgr{i}"), "manager", None))
        .chain(
            (0..40).map(|i| add_user(&bin, path, &format!("op{i}"), "operator", Some("PRINTING"))),
        )
        .collect();
    let (mut server, addr) = start_server(&args, &bin, path);
    let base = format!("http://{addr}");
    let admin = Api::with_token(&base, admin_token);
    // Enough pending printing tasks for every event the run makes, published before anyone
    // listens so the burst of publishing is not measured.
    let events = (args.rate * args.seconds as f64).ceil() as usize;
    let processes = admin.call("GET", "/api/v1/processes", None);
    let prt = processes
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "PRT")
        .unwrap()["id"]
        .clone();
    let mut tasks: Vec<i64> = Vec::new();
    while tasks.len() < events {
        let lines = (events - tasks.len()).min(500);
        let order = admin.call(
            "POST",
            "/api/v1/work-orders",
            Some(json!({"customer": "bench", "product": "bench", "quantity": 100, "due_date": "2030-01-01",
                        "priority": "normal", "processes": vec![json!({"process_id": prt}); lines]})),
        );
        let approved = admin.call(
            "POST",
            &format!("/api/v1/work-orders/{}/approve", order["id"]),
            Some(json!({})),
        );
        tasks.extend(
            approved["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_i64().unwrap()),
        );
    }
    let claimer = Api::with_token(&base, claimer_token);

    println!("connecting {} clients to {addr} ...", args.clients);
    let connected = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (done_tx, done_rx) = mpsc::channel();
    for i in 0..args.clients {
        let (addr, token) = (addr.clone(), tokens[i % tokens.len()].clone());
        let (connected, stop, done) = (connected.clone(), stop.clone(), done_tx.clone());
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                let _ = done.send(client(addr, token, connected, stop));
            })
            .unwrap();
    }
    drop(done_tx);
    while connected.load(Ordering::SeqCst) < args.clients {
        std::thread::sleep(Duration::from_millis(50));
    }
    let idle_rss = rss_kb(server.id(), "VmRSS");
    println!(
        "all connected; server RSS {:.1} MB; making {events} events at {}/s",
        idle_rss as f64 / 1024.0,
        args.rate
    );

    let cpu_before = cpu_ms(server.id());
    let start = Instant::now();
    let period = Duration::from_secs_f64(1.0 / args.rate);
    let mut peak_rss = idle_rss;
    let mut committed = std::collections::HashMap::new();
    for (n, task) in tasks.iter().take(events).enumerate() {
        let due = start + period * n as u32;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        claimer.call(
            "POST",
            &format!("/api/v1/tasks/{task}/claim"),
            Some(json!({})),
        );
        committed.insert(*task, now_ms());
        if n % 20 == 0 {
            peak_rss = peak_rss.max(rss_kb(server.id(), "VmRSS"));
        }
    }
    // Let the last events reach everyone, then stop the clients.
    std::thread::sleep(Duration::from_secs(2));
    let cpu = cpu_ms(server.id()) - cpu_before;
    stop.store(true, Ordering::SeqCst);
    let deliveries: Vec<Delivery> = done_rx.iter().flatten().collect();
    let mut all: Vec<i64> = deliveries.iter().map(|(_, at, got)| got - at).collect();
    all.sort_unstable();
    // The same from when the claim's HTTP answer (sent after the commit) reached the claimer:
    // what the fan-out adds beyond the durable commit itself. Negative: the event was faster.
    let mut after_answer: Vec<i64> = deliveries
        .iter()
        .map(|(task, _, got)| got - committed[task])
        .collect();
    after_answer.sort_unstable();
    let at_of: std::collections::HashMap<i64, i64> = deliveries
        .iter()
        .map(|(task, at, _)| (*task, *at))
        .collect();
    let mut commit: Vec<i64> = at_of
        .iter()
        .map(|(task, at)| committed[task] - at)
        .collect();
    commit.sort_unstable();
    let end_rss = rss_kb(server.id(), "VmRSS");
    let hwm = rss_kb(server.id(), "VmHWM");
    let expected = events * args.clients;
    println!("deliveries: {} of {expected} expected", all.len());
    if !all.is_empty() {
        println!(
            "latency ms, event at -> client:           p50 {}  p99 {}  max {}",
            percentile(&all, 0.5),
            percentile(&all, 0.99),
            all[all.len() - 1]
        );
        println!(
            "latency ms, claim answered -> client:     p50 {}  p99 {}  max {}",
            percentile(&after_answer, 0.5),
            percentile(&after_answer, 0.99),
            after_answer[after_answer.len() - 1]
        );
        println!(
            "for scale, event at -> claim answered:    p50 {}  p99 {}",
            percentile(&commit, 0.5),
            percentile(&commit, 0.99)
        );
    }
    println!(
        "server RSS MB: idle-connected {:.1}  during run (peak sampled) {:.1}  end {:.1}  high-water {:.1}",
        idle_rss as f64 / 1024.0,
        peak_rss.max(end_rss) as f64 / 1024.0,
        end_rss as f64 / 1024.0,
        hwm as f64 / 1024.0
    );
    println!(
        "server CPU: {:.1} s over the run = {:.2} ms per event fanned out to {} clients",
        cpu as f64 / 1000.0,
        cpu as f64 / events as f64,
        args.clients
    );
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!(
            "machine load average (1/5/15 min): {}",
            load.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    let _ = server.kill();
    let _ = server.wait();
}
