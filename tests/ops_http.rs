//! The server as an appliance: /metrics, login rate limits, the Origin check, security
//! headers, graceful shutdown with requests in flight, scheduled backups.

mod common;
mod support_ops;

use common::*;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use support_ops::{command, ok, spawn_listening, wait_for};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// A raw request, for the headers `Client` does not show or set.
fn raw(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> (u16, ureq::http::HeaderMap, Value) {
    let mut req = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{base}{path}"))
        .header("Content-Type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(body.to_string().into_bytes()).unwrap();
    let mut resp = agent().run(req).expect("request");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

fn metrics(s: &TestServer) -> String {
    let mut resp = agent().get(format!("{}/metrics", s.base)).call().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let ctype = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ctype.starts_with("text/plain; version=0.0.4"), "{ctype}");
    resp.body_mut().read_to_string().unwrap()
}

fn add_user(s: &TestServer, name: &str) -> Client {
    ok(s.cli(&[
        "user",
        "add",
        name,
        "--role",
        "operator",
        "--department",
        "PREPRESS",
        "--password",
        PASSWORD,
    ]));
    Client::login(&s.base, name, PASSWORD)
}

#[test]
fn metrics_count_requests_claims_latency_and_pool_use() {
    let s = TestServer::start();
    let order = published_order(&s.admin, &["CTP"]);
    let task = task_of(&order, "CTP")["id"].clone();
    let (li, wang) = (add_user(&s, "li"), add_user(&s, "wang"));
    assert_eq!(
        li.post(&format!("/api/v1/tasks/{task}/claim"), &json!({}))
            .0,
        200
    );
    assert_eq!(
        wang.post(&format!("/api/v1/tasks/{task}/claim"), &json!({}))
            .0,
        409
    );
    s.admin.get("/api/v1/no-such-route/12");
    let text = metrics(&s);
    for line in [
        "presswork_task_claims_total{result=\"won\"} 1",
        "presswork_task_claims_total{result=\"lost\"} 1",
        "presswork_http_requests_total{method=\"POST\",route=\"/api/v1/tasks/{id}/claim\",status=\"409\"} 1",
        "presswork_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1",
        "presswork_websocket_connections 0",
        "# TYPE presswork_http_request_duration_seconds histogram",
    ] {
        assert!(text.contains(line), "missing {line} in\n{text}");
    }
    let count = text
        .lines()
        .find(|l| l.starts_with("presswork_http_request_duration_seconds_count"))
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|n| n.parse::<f64>().ok())
        .unwrap();
    assert!(count >= 6.0, "{count}");
    assert!(text.contains("presswork_db_pool_checkouts_total"), "{text}");
}

#[test]
fn logins_are_limited_per_user_and_per_address() {
    let s = TestServer::start_with(&[
        ("PRESSWORK_LOGIN_LIMIT_USER", "3"),
        ("PRESSWORK_LOGIN_LIMIT_IP", "8"),
    ]);
    let login = |user: &str, pw: &str| {
        raw(
            &s.base,
            "POST",
            "/api/v1/auth/login",
            &[],
            &json!({"username": user, "password": pw}),
        )
    };
    for _ in 0..3 {
        assert_eq!(login("admin", "wrong-password").0, 401);
    }
    let (status, headers, body) = login("admin", ADMIN_PASSWORD);
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["code"], "rate_limited");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // Another person is not locked out by someone guessing the admin's password...
    let (status, _, _) = login("ghost", "wrong-password");
    assert_eq!(status, 401);
    // ...until this address has used up its attempts (1 at start + 3 + 1 so far).
    for _ in 0..3 {
        assert_eq!(login("ghost2", "wrong-password").0, 401);
    }
    let (status, _, body) = login("ghost3", "whatever");
    assert_eq!(status, 429, "{body}");
}

#[test]
fn cookie_writes_from_another_origin_are_refused_and_headers_are_set() {
    let s = TestServer::start();
    let cookie = format!("presswork_session={}", s.admin.token.as_ref().unwrap());
    let own = format!("http://{}", s.addr);
    let order = json!({"customer": "Acme", "product": "Card", "quantity": 10, "due_date": "2026-12-01",
                       "processes": [{"process_id": process_id(&s.admin, "PRT")}]});
    let (status, _, body) = raw(
        &s.base,
        "POST",
        "/api/v1/work-orders",
        &[("Cookie", &cookie), ("Origin", "http://evil.example")],
        &order,
    );
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "origin_mismatch");
    let (status, _, body) = raw(
        &s.base,
        "POST",
        "/api/v1/work-orders",
        &[("Cookie", &cookie), ("Origin", &own)],
        &order,
    );
    assert_eq!(status, 201, "{body}");
    let bearer = format!("Bearer {}", s.admin.token.as_ref().unwrap());
    let (status, _, body) = raw(
        &s.base,
        "POST",
        "/api/v1/work-orders",
        &[
            ("Authorization", &bearer),
            ("Origin", "http://evil.example"),
        ],
        &order,
    );
    assert_eq!(status, 201, "bearer clients are exempt: {body}");
    let (status, _, _) = raw(
        &s.base,
        "GET",
        "/api/v1/work-orders",
        &[("Cookie", &cookie), ("Origin", "http://evil.example")],
        &Value::Null,
    );
    assert_eq!(status, 200, "reads are not writes");

    let (_, headers, _) = raw(&s.base, "GET", "/", &[], &Value::Null);
    for name in [
        "content-security-policy",
        "x-frame-options",
        "x-content-type-options",
        "referrer-policy",
        "cross-origin-opener-policy",
    ] {
        assert!(headers.contains_key(name), "no {name}: {headers:?}");
    }
    assert!(
        !headers.contains_key("strict-transport-security"),
        "HSTS only over TLS"
    );
}

/// Reads from `stream` until `needle` has arrived.
fn read_until(stream: &mut TcpStream, needle: &str) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&got).contains(needle) {
        let n = stream.read(&mut buf).expect("read");
        assert!(
            n > 0,
            "connection closed before «{needle}»: {}",
            String::from_utf8_lossy(&got)
        );
        got.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&got).into_owned()
}

#[test]
fn sigterm_finishes_the_request_in_flight_then_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = command(dir.path(), &["serve", "--addr", "127.0.0.1:0"]);
    cmd.env("PRESSWORK_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("PRESSWORK_LOG", "info");
    let started = spawn_listening(cmd);
    let (child, url) = (started.child, started.url);
    let addr = url.trim_start_matches("http://").to_owned();
    create_order(&Client::login(&url, "admin", ADMIN_PASSWORD), &["CTP"]);

    let body = json!({"username": "admin", "password": ADMIN_PASSWORD}).to_string();
    let mut stream = TcpStream::connect(&addr).unwrap();
    write!(stream, "POST /api/v1/auth/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n", body.len()).unwrap();
    // "100 Continue" means the handler is running and waiting for the body: in flight.
    read_until(&mut stream, "100 Continue");
    Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let response = read_until(&mut stream, "\"token\"");
    assert!(response.contains("HTTP/1.1 200"), "{response}");
    drop(stream);

    let out = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}\n{log}", out.status);
    assert!(
        log.contains("shutting down") && log.contains("stopped cleanly"),
        "{log}"
    );
    let wal = dir.path().join("presswork.db-wal");
    let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal_len, 0, "the WAL was checkpointed into the database");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("presswork.lock")).unwrap(),
        "",
        "lock released"
    );
    let logs: Vec<_> = std::fs::read_dir(dir.path().join("logs"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(logs.len(), 1, "one rolling log file");
    let file_log = std::fs::read_to_string(logs[0].path()).unwrap();
    assert!(file_log.contains("stopped cleanly"), "{file_log}");
}

#[test]
fn scheduled_backups_run_on_time_and_keep_the_newest() {
    let s = TestServer::start_with(&[
        ("PRESSWORK_BACKUP_EVERY", "1s"),
        ("PRESSWORK_BACKUP_KEEP", "2"),
    ]);
    let dir = s.data_dir().join("backups");
    let mut seen = std::collections::BTreeSet::new();
    let autos = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.retain(|n| n.starts_with("presswork-auto-") && n.ends_with(".db"));
        names
    };
    wait_for(30, "four scheduled backups", || {
        let now = autos();
        assert!(now.len() <= 3, "kept too many: {now:?}");
        seen.extend(now);
        (seen.len() >= 4).then_some(())
    });
    let first = seen.iter().next().unwrap().clone();
    assert!(!dir.join(&first).exists(), "the oldest was pruned");
    assert!(!dir.join(format!("{first}.manifest.json")).exists());
    let text = metrics(&s);
    let ok_line = text
        .lines()
        .find(|l| l.starts_with("presswork_backups_total{result=\"ok\"}"))
        .unwrap();
    let n: f64 = ok_line.split(' ').nth(1).unwrap().parse().unwrap();
    assert!(n >= 3.0, "{ok_line}");
}

#[test]
fn the_last_backup_time_survives_a_restart() {
    let last_backup = |s: &TestServer| -> i64 {
        let text = metrics(s);
        let line = text
            .lines()
            .find(|l| l.starts_with("presswork_last_backup_timestamp_seconds "))
            .expect("the gauge")
            .to_owned();
        line.split(' ').nth(1).unwrap().parse::<f64>().unwrap() as i64
    };
    // A fresh data dir gets its first scheduled backup at once.
    let mut s = TestServer::start();
    let before = wait_for(30, "the first scheduled backup", || {
        Some(last_backup(&s)).filter(|t| *t > 0)
    });
    s.restart();
    let dir = s.data_dir().join("backups");
    let manifest = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("presswork-auto-") && name.ends_with(".manifest.json")
        })
        .expect("the backup's manifest");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(manifest).unwrap()).unwrap();
    let taken = chrono::DateTime::parse_from_rfc3339(manifest["created_at"].as_str().unwrap())
        .unwrap()
        .timestamp();
    // Nothing is due for a day, so the gauge can only come from the backup on disk.
    assert_eq!(last_backup(&s), taken);
    assert!((taken - before).abs() <= 2, "{taken} vs {before}");
}
