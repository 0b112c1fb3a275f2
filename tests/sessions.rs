//! Sessions end a week after their last use, not a week after sign-in, and the browser's
//! cookie moves with them. Real server, real database file.

mod common;

use common::*;
use std::time::{SystemTime, UNIX_EPOCH};

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Every session's end, as the database keeps it.
fn ends(s: &TestServer) -> Vec<i64> {
    let conn = rusqlite::Connection::open(s.db_path()).unwrap();
    let mut stmt = conn
        .prepare("SELECT expires_at FROM tokens WHERE kind = 'session' ORDER BY created_at")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn set_end(s: &TestServer, at: i64) {
    let conn = rusqlite::Connection::open(s.db_path()).unwrap();
    conn.execute(
        "UPDATE tokens SET expires_at = ?1 WHERE kind = 'session'",
        [at],
    )
    .unwrap();
}

const WEEK_MS: i64 = 7 * 24 * 3600 * 1000;

#[test]
fn a_session_in_use_stays_alive_and_an_idle_one_ends() {
    let s = TestServer::start();
    let first = ends(&s)[0];
    assert!(
        (first - now_ms() - WEEK_MS).abs() < 60_000,
        "a week from sign-in"
    );
    // Used again the same day: the row is not rewritten.
    assert_eq!(s.admin.get("/api/v1/auth/me").0, 200);
    assert_eq!(ends(&s), [first]);

    // Six days later (an hour left), one request moves the end a week from now.
    set_end(&s, now_ms() + 3_600_000);
    assert_eq!(s.admin.get("/api/v1/tasks").0, 200);
    let moved = ends(&s)[0];
    assert!(
        (moved - now_ms() - WEEK_MS).abs() < 60_000,
        "moved to a week from now: {moved}"
    );

    // Idle past its end: signed out.
    set_end(&s, now_ms() - 1);
    assert_eq!(s.admin.get("/api/v1/auth/me").0, 401);
}

#[test]
fn asking_who_one_is_renews_the_browsers_cookie() {
    let s = TestServer::start();
    let token = s.admin.token.clone().unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let reply = agent
        .get(format!("{}/api/v1/auth/me", s.base))
        .header("Cookie", format!("presswork_session={token}"))
        .call()
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    let cookie = reply.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains(&format!("presswork_session={token}")) && cookie.contains("Max-Age=604800"),
        "{cookie}"
    );
    let reply = agent
        .get(format!("{}/api/v1/auth/me", s.base))
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    assert!(
        reply.headers().get("set-cookie").is_none(),
        "a script's token needs no cookie"
    );
}
