//! Holding against a hostile LAN (issue 18): what an unauthenticated host can send must not
//! grow the server. Real server, ephemeral port.

mod common;

use common::*;
use std::time::Duration;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

/// Resident memory of the server process in kB.
fn rss_kb(s: &TestServer) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", s.pid().unwrap())).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// The request-count series `/metrics` exposes.
fn series(s: &TestServer) -> Vec<String> {
    let text = agent()
        .get(format!("{}/metrics", s.base))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    text.lines()
        .filter(|l| l.starts_with("presswork_http_requests_total{"))
        .map(|l| l.rsplit_once(' ').unwrap().0.to_owned())
        .collect()
}

/// Distinct paths of every kind an attacker might try: long random ids on a real route,
/// unknown API paths, unknown files, methods a route does not take.
fn hostile_paths(from: usize, n: usize) -> Vec<(&'static str, String)> {
    (from..from + n)
        .map(|i| {
            let noise: String = format!("{i:x}").repeat(200);
            match i % 4 {
                0 => ("DELETE", format!("/api/v1/tasks/{noise}")),
                1 => ("GET", format!("/api/v1/{noise}/x")),
                2 => ("GET", format!("/{noise}.js")),
                _ => ("PUT", format!("/api/v1/tasks/{i}/{noise}")),
            }
        })
        .collect()
}

fn send_all(s: &TestServer, paths: Vec<(&'static str, String)>) {
    let chunks: Vec<Vec<(&str, String)>> = paths
        .chunks(paths.len().div_ceil(4))
        .map(<[_]>::to_vec)
        .collect();
    std::thread::scope(|scope| {
        for chunk in chunks {
            let base = s.base.clone();
            scope.spawn(move || {
                let agent = agent();
                for (method, path) in chunk {
                    let req = ureq::http::Request::builder()
                        .method(method)
                        .uri(format!("{base}{path}"))
                        .body(Vec::<u8>::new())
                        .unwrap();
                    let reply = agent.run(req).expect("an answer");
                    assert!(
                        reply.status().as_u16() < 500,
                        "{method} {path}: {}",
                        reply.status()
                    );
                }
            });
        }
    });
}

#[test]
fn ten_thousand_distinct_paths_add_no_metric_series_and_keep_memory_flat() {
    let s = TestServer::start();
    // One round of every kind first (and of /metrics itself), so each series that may
    // exist does.
    series(&s);
    send_all(&s, hostile_paths(0, 400));
    let (before, rss_before) = (series(&s), rss_kb(&s));
    send_all(&s, hostile_paths(400, 10_000));
    let (after, rss_after) = (series(&s), rss_kb(&s));
    assert_eq!(after, before, "no new series");
    assert!(
        before.len() < 20,
        "a handful of templates, not paths: {before:#?}"
    );
    assert!(
        rss_after < rss_before + 8 * 1024,
        "memory grew from {rss_before} kB to {rss_after} kB"
    );
}
