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

fn call(s: &TestServer, method: &str, path: &str, body: &str) -> (u16, String) {
    let req = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{}{path}", s.base))
        .header(
            "Authorization",
            format!("Bearer {}", s.admin.token.as_deref().unwrap_or("")),
        )
        .header("Content-Type", "application/json")
        .body(body.as_bytes().to_vec())
        .unwrap();
    let mut reply = agent().run(req).expect("an answer");
    let status = reply.status().as_u16();
    (
        status,
        reply.body_mut().read_to_string().unwrap_or_default(),
    )
}

fn code(body: &str) -> String {
    let v: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body:?}"));
    v["error"]["code"].as_str().unwrap_or_default().to_owned()
}

/// One JSON value and nothing after it: trailing text or a second object is refused, and
/// nothing is written.
#[test]
fn a_body_is_one_json_value_and_nothing_after_it() {
    let s = TestServer::start();
    let reason = r#"{"code":"INK_SMEAR","name_zh":"墨迹","name_en":"Ink smear"}"#;
    for body in [
        format!("{reason} trailing text"),
        format!(r#"{reason}{{"code":"OTHER","name_zh":"x","name_en":"x"}}"#),
    ] {
        let (status, reply) = call(&s, "POST", "/api/v1/scrap-reasons", &body);
        assert_eq!(
            (status, code(&reply)),
            (400, "malformed_json".to_owned()),
            "{reply}"
        );
    }
    let (_, list) = s.admin.get("/api/v1/scrap-reasons");
    assert!(
        !list.to_string().contains("INK_SMEAR"),
        "nothing half-written"
    );
    // Whitespace after the value is still one value.
    let (status, reply) = call(
        &s,
        "POST",
        "/api/v1/scrap-reasons",
        &format!("{reason}\n  \n"),
    );
    assert_eq!(status, 201, "{reply}");
}

/// HEAD is served wherever GET is; misses outside the API are 404 pages, inside it 404
/// routes, and a route that exists with other methods is 405; every one is the JSON error.
#[test]
fn methods_and_misses_answer_as_http_says() {
    let s = TestServer::start();
    for (method, path, status, wanted) in [
        ("HEAD", "/healthz", 200, ""),
        ("HEAD", "/api/v1/tasks", 200, ""),
        ("HEAD", "/", 200, ""),
        ("POST", "/nope", 404, "not_found"),
        ("GET", "/js/nope.js", 404, "not_found"),
        ("POST", "/api/v1/nope", 404, "not_found"),
        ("DELETE", "/api/v1/tasks/1", 405, "method_not_allowed"),
        ("DELETE", "/healthz", 405, "method_not_allowed"),
    ] {
        let (got, body) = call(&s, method, path, "");
        assert_eq!(got, status, "{method} {path}: {body}");
        if method == "HEAD" {
            assert!(body.is_empty(), "{method} {path} sends no body");
        } else {
            assert_eq!(code(&body), wanted, "{method} {path}: {body}");
        }
    }
    let (_, body) = call(&s, "GET", "/js/nope.js", "");
    assert!(body.contains("no such page or file"), "{body}");
}

/// Signing out, a reset password and deactivation end the live connections opened with the
/// ended credential within a second (close 4401), and the old credential cannot reconnect;
/// the same person's other sessions stay live until their own end.
#[test]
fn an_ended_session_closes_its_live_connections() {
    use common::ws::{Auth, Live};
    let s = TestServer::start();
    s.user("li", "operator", &["PRINTING"]);
    s.user("wang", "operator", &["PRINTING"]);
    let (tablet, phone) = (
        Client::login(&s.base, "li", PASSWORD),
        Client::login(&s.base, "li", PASSWORD),
    );
    let token = |c: &Client| c.token.clone().unwrap();
    let mut on_tablet = Live::connect(&s.base, &token(&tablet), "");
    let mut on_phone = Live::connect(&s.base, &token(&phone), "");

    let (status, _) = tablet.post("/api/v1/auth/logout", &serde_json::json!({}));
    assert_eq!(status, 200);
    let closed = on_tablet.wait_for_close(Duration::from_secs(1));
    assert_eq!(
        closed.map(|c| c.0),
        Some(4401),
        "the tablet's socket ends with its session"
    );
    assert!(
        on_phone
            .wait_for_close(Duration::from_millis(300))
            .is_none(),
        "the phone's session lives on"
    );
    assert_eq!(
        Live::try_connect(&s.base, Auth::Bearer(&token(&tablet)), "").err(),
        Some(401)
    );

    let li = s
        .admin
        .get("/api/v1/users")
        .1
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "li")
        .unwrap()["id"]
        .clone();
    let (status, body) = s.admin.patch(
        &format!("/api/v1/users/{li}"),
        &serde_json::json!({"active": false}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        on_phone.wait_for_close(Duration::from_secs(1)).map(|c| c.0),
        Some(4401)
    );

    let wang = Client::login(&s.base, "wang", PASSWORD);
    let mut on_wang = Live::connect(&s.base, &token(&wang), "");
    let wang_id = wang.get("/api/v1/auth/me").1["id"].clone();
    let (status, body) = s.admin.post(
        &format!("/api/v1/users/{wang_id}/password"),
        &serde_json::json!({"password": "a-new-secret-9"}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        on_wang.wait_for_close(Duration::from_secs(1)).map(|c| c.0),
        Some(4401)
    );
}

/// Login CSRF: a page on another site cannot sign a browser in (403 origin_mismatch); the
/// page's own origin and scripts without an Origin can.
#[test]
fn signing_in_from_another_sites_page_is_refused() {
    let s = TestServer::start();
    let login = format!(r#"{{"username":"admin","password":"{ADMIN_PASSWORD}"}}"#);
    let attempt = |origin: Option<&str>| {
        let mut req = ureq::http::Request::builder()
            .method("POST")
            .uri(format!("{}/api/v1/auth/login", s.base))
            .header("Content-Type", "text/plain");
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        let mut reply = agent()
            .run(req.body(login.clone().into_bytes()).unwrap())
            .unwrap();
        (
            reply.status().as_u16(),
            reply.body_mut().read_to_string().unwrap_or_default(),
        )
    };
    let (status, body) = attempt(Some("http://evil.example"));
    assert_eq!(
        (status, code(&body)),
        (403, "origin_mismatch".to_owned()),
        "{body}"
    );
    assert_eq!(attempt(Some(&s.base)).0, 200);
    assert_eq!(attempt(None).0, 200);
}

/// A hundred wrong passwords sent at once cannot beat the limit: at most the limit's worth
/// are checked (401), the rest are refused at once with 429 and Retry-After.
#[test]
fn concurrent_wrong_passwords_cannot_pass_the_login_limit() {
    let s = TestServer::start();
    s.user("li", "operator", &["PRINTING"]);
    let answers: Vec<(u16, Option<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..100)
            .map(|_| {
                let base = s.base.clone();
                scope.spawn(move || {
                    let reply = agent()
                        .post(format!("{base}/api/v1/auth/login"))
                        .header("Content-Type", "application/json")
                        .send(r#"{"username":"li","password":"wrong-guess-1"}"#)
                        .unwrap();
                    let retry = reply
                        .headers()
                        .get("retry-after")
                        .map(|v| v.to_str().unwrap().to_owned());
                    (reply.status().as_u16(), retry)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let checked = answers.iter().filter(|(s, _)| *s == 401).count();
    let refused: Vec<_> = answers.iter().filter(|(s, _)| *s == 429).collect();
    assert_eq!(checked + refused.len(), 100, "{answers:?}");
    assert!(
        checked <= 10,
        "{checked} passwords checked past a limit of 10"
    );
    assert!(refused.iter().all(|(_, retry)| retry
        .as_deref()
        .is_some_and(|r| r.parse::<u64>().unwrap() >= 1)));
}
