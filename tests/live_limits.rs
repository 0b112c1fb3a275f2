//! The live event stream's limits against the real server: tickets, the connection cap, a
//! client too slow to keep up, and heartbeats.

mod common;

use common::ws::*;
use common::TestServer;
use serde_json::json;
use std::time::Duration;

#[test]
fn a_ticket_opens_one_connection_once() {
    let s = TestServer::start();
    let pa = s.user("pa", "operator", &["PRINTING"]);
    let (status, body) = pa.post("/api/v1/events/ticket", &json!({}));
    assert_eq!(status, 200, "{body}");
    let ticket = body["ticket"].as_str().unwrap().to_owned();
    let query = format!("ticket={ticket}");
    let mut first =
        Live::try_connect(&s.base, Auth::None, &query).expect("the ticket opens a socket");
    assert_eq!(
        Live::try_connect(&s.base, Auth::None, &query).err(),
        Some(401),
        "not twice"
    );
    assert_eq!(Live::try_connect(&s.base, Auth::None, "").err(), Some(401));
    assert_eq!(
        Live::try_connect(&s.base, Auth::None, "ticket=nonsense").err(),
        Some(401)
    );
    assert_eq!(
        Live::try_connect(&s.base, Auth::Bearer(token(&pa)), "after=-1").err(),
        Some(422)
    );
    // A ticket is not a session.
    let mut holder = s.anonymous();
    holder.token = Some(ticket.clone());
    assert_eq!(holder.get("/api/v1/tasks").0, 401);
    // The browser's way: the session cookie.
    let mut by_cookie = Live::try_connect(&s.base, Auth::Cookie(token(&pa)), "").expect("cookie");
    let order = approve(&s.admin, &draft(&s.admin, &["PRT"], "normal", "2026-12-20"));
    let prt = task_ids(&order, "PRT")[0];
    for live in [&mut first, &mut by_cookie] {
        assert!(live.wait_until(WAIT, |e| event_id(e, "task.published", prt).is_some()));
    }
    let (status, _) = s.anonymous().post("/api/v1/events/ticket", &json!({}));
    assert_eq!(status, 401);
}

#[test]
fn connections_over_the_cap_are_refused_with_a_reason() {
    // The cap comes from config.toml, as an administrator sets it.
    let s = TestServer::start_with_config("[live]\nws_max = 2\n", &[]);
    let t = s.admin.token.clone().unwrap();
    let first = Live::connect(&s.base, &t, "");
    let _second = Live::connect(&s.base, &t, "");
    let mut third = Live::connect(&s.base, &t, "");
    let (code, reason) = third.wait_for_close(WAIT).expect("refused");
    assert_eq!(code, 1013);
    assert!(
        reason.contains("too many live connections (max 2)"),
        "{reason}"
    );
    // A place frees up when a client leaves.
    first.close();
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let mut again = Live::connect(&s.base, &t, "");
        if again.wait_for_close(Duration::from_millis(300)).is_none() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no place came free");
    }
}

#[test]
fn a_client_too_far_behind_is_closed_and_resumes_losslessly() {
    let s = TestServer::start_with(&[("PRESSWORK_WS_QUEUE", "16")]);
    let t = s.admin.token.clone().unwrap();
    let mut live = Live::connect(&s.base, &t, "");
    // One commit of 500 task events cannot fit a queue of 16.
    let order = draft(&s.admin, &["PRT"; 500], "normal", "2026-12-20");
    let (code, reason) = live
        .wait_for_close(WAIT)
        .expect("closed for falling behind");
    assert_eq!(code, 4008, "{reason}");
    let after: i64 = reason
        .rsplit("after=")
        .next()
        .unwrap()
        .parse()
        .expect("an id in the reason");
    assert!(after >= live.last_id());
    let mut resumed = Live::connect(&s.base, &t, &format!("after={after}"));
    let tasks = task_ids(&order, "PRT");
    let last = *tasks.last().unwrap();
    assert!(resumed.wait_until(WAIT, |e| event_id(e, "task.created", last).is_some()));
    let mut all = live.events.clone();
    all.extend(resumed.events.clone());
    assert_strictly_increasing(
        &all.iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
    );
    let created: Vec<i64> = all
        .iter()
        .filter(|e| e["kind"] == "task.created")
        .map(|e| e["task_id"].as_i64().unwrap())
        .collect();
    assert_eq!(created, tasks, "every event once, none lost");
}

#[test]
fn a_client_that_stops_answering_pings_is_closed() {
    let s = TestServer::start_with(&[("PRESSWORK_WS_PING_SECS", "0.2")]);
    let t = s.admin.token.clone().unwrap();
    let mut answering = Live::connect(&s.base, &t, "");
    let mut silent = Live::connect(&s.base, &t, "");
    // The answering client reads (and so pongs) all along; the silent one reads nothing.
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while std::time::Instant::now() < deadline {
        assert!(answering
            .wait_for_close(Duration::from_millis(100))
            .is_none());
    }
    assert_eq!(silent.wait_for_close(WAIT).map(|c| c.0), Some(4000));
    assert!(
        answering
            .wait_for_close(Duration::from_millis(300))
            .is_none(),
        "still open"
    );
}
