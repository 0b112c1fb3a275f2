//! Shared pieces of the benchmarks: a real server on an ephemeral port, clients, percentiles.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const ADMIN_PASSWORD: &str = "bench-admin-pw";

pub struct Server {
    pub base: String,
    pub child: Child,
    pub dir: tempfile::TempDir,
}

impl Server {
    pub fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_presswork"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env("PRESSWORK_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("PRESSWORK_LOG", "error")
            // The load generator signs in 164 operators from one address.
            .env("PRESSWORK_LOGIN_LIMIT_IP", "100000")
            .env("PRESSWORK_NO_BROWSER", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.split("listening on http://").nth(1) {
                    let _ = tx.send(addr.trim().to_owned());
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("server started");
        Server {
            base: format!("http://{addr}"),
            child,
            dir,
        }
    }

    /// Resident memory of the server process, from /proc.
    pub fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }
}

impl Server {
    /// CPU seconds (user + system) the server process has used.
    pub fn cpu_seconds(&self) -> Option<f64> {
        cpu_seconds(self.child.id())
    }

    /// One value from `/metrics` (a line `name value`).
    pub fn metric(&self, name: &str) -> f64 {
        let text = ureq::get(format!("{}/metrics", self.base))
            .call()
            .expect("metrics")
            .body_mut()
            .read_to_string()
            .expect("metrics text");
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or(0.0)
    }
}

/// CPU seconds (user + system) process `pid` has used, from /proc (in clock ticks of 1/100 s,
/// Linux's USER_HZ).
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub token: String,
    agent: ureq::Agent,
}

impl Client {
    pub fn login(base: &str, username: &str, password: &str) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut c = Client {
            base: base.to_owned(),
            token: String::new(),
            agent,
        };
        let (status, body) = c.post(
            "/api/v1/auth/login",
            &json!({"username": username, "password": password}),
        );
        assert_eq!(status, 200, "{body}");
        c.token = body["token"].as_str().unwrap().to_owned();
        c
    }

    pub fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let mut r = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {}", self.token))
            .send_json(body)
            .expect("request");
        let status = r.status().as_u16();
        let body = r.body_mut().read_json().unwrap_or(Value::Null);
        (status, body)
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        let mut r = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {}", self.token))
            .call()
            .expect("request");
        let status = r.status().as_u16();
        let body = r.body_mut().read_json().unwrap_or(Value::Null);
        (status, body)
    }
}

pub fn process_id(c: &Client, code: &str) -> i64 {
    let (_, list) = c.get("/api/v1/processes");
    list.as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == code)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// Creates operators of a department through the API and signs each in.
pub fn operators(admin: &Client, prefix: &str, n: usize, department: &str) -> Vec<Client> {
    (0..n)
        .map(|i| {
            let name = format!("{prefix}{i}");
            let (status, body) = admin.post(
                "/api/v1/users",
                &json!({"username": name, "role": "operator", "password": "bench-password", "departments": [department]}),
            );
            assert_eq!(status, 201, "{body}");
            Client::login(&admin.base, &name, "bench-password")
        })
        .collect()
}

/// Publishes `orders` work orders of `lines` printing lines each; returns the task ids.
pub fn publish_printing_tasks(admin: &Client, orders: usize, lines: usize) -> Vec<i64> {
    let prt = process_id(admin, "PRT");
    let processes: Vec<Value> = (0..lines).map(|_| json!({"process_id": prt})).collect();
    let mut ids = Vec::new();
    for _ in 0..orders {
        let (status, order) = admin.post(
            "/api/v1/work-orders",
            &json!({"customer": "bench", "product": "p", "quantity": 100, "due_date": "2026-12-31", "processes": processes}),
        );
        assert_eq!(status, 201, "{order}");
        let (status, order) = admin.post(
            &format!("/api/v1/work-orders/{}/approve", order["id"]),
            &json!({}),
        );
        assert_eq!(status, 200);
        ids.extend(
            order["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_i64().unwrap()),
        );
    }
    ids
}

/// p-th percentile (0..=100) of sorted durations, in milliseconds.
pub fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank].as_secs_f64() * 1000.0
}

pub fn row(name: &str, value: String, target: &str) {
    println!("| {name:<48} | {value:>28} | {target:<16} |");
}

pub fn header(title: &str) {
    println!("\n### {title}\n");
    println!(
        "| {:<48} | {:>28} | {:<16} |",
        "measure", "result", "target"
    );
    println!("|{}|{}|{}|", "-".repeat(50), "-".repeat(30), "-".repeat(18));
}
