//! The live event stream against the real server with real WebSocket clients: who gets what,
//! prices masked, lossless replay with `after=` (across a restart too, with the shutdown close
//! frame), and bursts. Limits (tickets, cap, slow clients, heartbeats) are in `live_limits.rs`.

mod common;

use common::ws::*;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

#[test]
fn a_claim_reaches_its_department_and_the_manager_never_another_department() {
    let s = TestServer::start();
    let manager = s.user("mgr", "manager", &[]);
    let pa = s.user("pa", "operator", &["PRINTING"]);
    let pb = s.user("pb", "operator", &["DIECUT"]);
    let mut live_m = Live::connect(&s.base, token(&manager), "");
    let mut live_a = Live::connect(&s.base, token(&pa), "");
    let mut live_b = Live::connect(&s.base, token(&pb), "");

    let order = approve(
        &s.admin,
        &draft(&s.admin, &["PRT", "DIE"], "high", "2026-12-20"),
    );
    let (prt, die) = (task_ids(&order, "PRT")[0], task_ids(&order, "DIE")[0]);
    claim(&pa, prt);
    assert!(live_m.wait_until(WAIT, |e| event_id(e, "task.claimed", prt).is_some()));
    let claimed = event_id(&live_m.events, "task.claimed", prt).unwrap();
    assert!(
        live_a.wait_for_id(claimed, WAIT),
        "A's operator got the claim in A"
    );
    // A later event B's operator may see: once it arrived, anything older would have too.
    claim(&pb, die);
    assert!(live_b.wait_until(WAIT, |e| event_id(e, "task.claimed", die).is_some()));
    assert!(
        live_b.events.iter().all(|e| e["task_id"] != prt),
        "B saw A's task: {:?}",
        live_b.events
    );
    assert!(live_a.wait_until(WAIT, |e| event_id(e, "task.published", prt).is_some()));
    assert!(
        live_a.events.iter().all(|e| e["task_id"] != die),
        "A saw B's task"
    );
    // Operators do not see drafts, nor work-order events not addressed to them.
    for e in live_a.events.iter().chain(&live_b.events) {
        assert_ne!(
            e["kind"], "task.created",
            "a draft reached an operator: {e}"
        );
        assert!(
            e["task_id"].is_i64(),
            "an order event reached an operator: {e}"
        );
    }
    // The manager saw everything, in order, each event once.
    assert!(live_m.wait_until(WAIT, |e| event_id(e, "task.claimed", die).is_some()));
    assert!(live_m
        .events
        .iter()
        .any(|e| e["kind"] == "work_order.approved"));
    assert_strictly_increasing(&live_m.ids());
    let shape = &live_m.events[0];
    for key in [
        "id",
        "at",
        "kind",
        "work_order_id",
        "task_id",
        "department_id",
        "operator_id",
        "data",
    ] {
        assert!(shape.get(key).is_some(), "event without {key}: {shape}");
    }
}

#[test]
fn a_price_never_reaches_an_operator() {
    let s = TestServer::start();
    let manager = s.user("mgr", "manager", &[]);
    let pa = s.user("pa", "operator", &["PRINTING"]);
    let mut live_m = Live::connect(&s.base, token(&manager), "");
    let mut live_a = Live::connect(&s.base, token(&pa), "");
    let order = approve(
        &manager,
        &draft(&manager, &["PRT", "PRT"], "normal", "2026-12-20"),
    );
    let prt = task_ids(&order, "PRT");
    let printing = department_id(&s.admin, "PRINTING");
    // No service yet puts a price in an event an operator may see; write one into the log the
    // way a future one would (this process is just another SQLite writer), then wake the hub.
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    db.execute(
        "INSERT INTO events (at, kind, task_id, department_id, data) VALUES (1, 'task.quoted', ?1, ?2, ?3)",
        rusqlite::params![prt[0], printing,
            json!({"amount": 99.5, "task": {"status": "pending", "unit_price": 1.25, "number": "x"}}).to_string()],
    )
    .unwrap();
    claim(&pa, prt[1]);
    assert!(live_a.wait_until(WAIT, |e| event_id(e, "task.claimed", prt[1]).is_some()));
    let quoted = live_a
        .events
        .iter()
        .find(|e| e["kind"] == "task.quoted")
        .expect("the operator sees its department's event");
    assert_eq!(
        quoted["data"],
        json!({"task": {"status": "pending", "number": "x"}})
    );
    let text = serde_json::to_string(&live_a.events).unwrap();
    assert!(
        !text.contains("unit_price") && !text.contains("\"amount\""),
        "{text}"
    );
    // The same stream for the manager carries the prices.
    assert!(live_m.wait_until(WAIT, |e| event_id(e, "task.claimed", prt[1]).is_some()));
    let quoted = live_m
        .events
        .iter()
        .find(|e| e["kind"] == "task.quoted")
        .unwrap();
    assert_eq!(quoted["data"]["amount"], 99.5);
    assert_eq!(quoted["data"]["task"]["unit_price"], 1.25);
    let created = live_m
        .events
        .iter()
        .find(|e| e["kind"] == "work_order.created")
        .unwrap();
    assert_eq!(created["data"]["amount"], 350.0);
}

/// Sets up a printing pool of 25+ tasks and a die-cutting pool of 25+.
struct Floor {
    s: TestServer,
    manager: Client,
    pa: Client,
    pa2: Client,
    pb: Client,
    prt: Vec<i64>,
    die: Vec<i64>,
}

fn floor() -> Floor {
    let s = TestServer::start();
    let manager = s.user("mgr", "manager", &[]);
    let pa = s.user("pa", "operator", &["PRINTING"]);
    let pa2 = s.user("pa2", "operator", &["PRINTING"]);
    let pb = s.user("pb", "operator", &["DIECUT"]);
    let mut codes = vec!["PRT"; 25];
    codes.extend(vec!["DIE"; 25]);
    let order = approve(&s.admin, &draft(&s.admin, &codes, "normal", "2026-12-20"));
    let (prt, die) = (task_ids(&order, "PRT"), task_ids(&order, "DIE"));
    Floor {
        s,
        manager,
        pa,
        pa2,
        pb,
        prt,
        die,
    }
}

/// Claims the printing tasks `range` (by pa2) and die-cutting ones (by pb), interleaved.
fn claim_some(f: &Floor, range: std::ops::Range<usize>) {
    for i in range {
        claim(&f.pa2, f.prt[i]);
        claim(&f.pb, f.die[i]);
    }
}

/// Reconnects `pa` after `last` while the claims `during` are being made, and checks it gets
/// exactly the printing claims after `last` (the manager's stream says which), in order, once.
fn check_replay(
    f: &Floor,
    last: i64,
    earlier: &[Value],
    live_m: &mut Live,
    during: std::ops::Range<usize>,
) {
    let mut live_a = None;
    std::thread::scope(|scope| {
        scope.spawn(|| claim_some(f, during));
        live_a = Some(Live::connect(
            &f.s.base,
            token(&f.pa),
            &format!("after={last}"),
        ));
    });
    let mut live_a = live_a.unwrap();
    assert!(live_m.wait_until(WAIT, |e| event_id(e, "task.claimed", f.die[24]).is_some()));
    let expected: Vec<i64> = earlier
        .iter()
        .chain(&live_m.events)
        .filter(|e| e["kind"] == "task.claimed" && f.prt.contains(&e["task_id"].as_i64().unwrap()))
        .map(|e| e["id"].as_i64().unwrap())
        .filter(|id| *id > last)
        .collect();
    assert_eq!(expected.len(), 25);
    assert!(
        live_a.wait_until(WAIT, |e| e.len() >= expected.len()),
        "got {:?}",
        live_a.ids()
    );
    // Fence: a new event pa sees; everything before it has arrived by then.
    let more = approve(
        &f.s.admin,
        &draft(&f.s.admin, &["PRT"], "normal", "2026-12-20"),
    );
    let fence_task = task_ids(&more, "PRT")[0];
    assert!(
        live_a.wait_until(WAIT, |e| event_id(e, "task.published", fence_task)
            .is_some())
    );
    let fence = event_id(&live_a.events, "task.published", fence_task).unwrap();
    let got: Vec<i64> = live_a.ids().into_iter().filter(|id| *id < fence).collect();
    assert_eq!(
        got, expected,
        "exactly the missed visible events, in order, once"
    );
}

#[test]
fn reconnecting_with_after_replays_exactly_what_was_missed() {
    let f = floor();
    let mut live_m = Live::connect(&f.s.base, token(&f.manager), "after=0");
    let mut live_a = Live::connect(&f.s.base, token(&f.pa), "after=0");
    // Replay from the start: pa sees the 25 printing tasks published, not the drafts.
    assert!(live_a.wait_until(WAIT, |e| e
        .iter()
        .filter(|e| e["kind"] == "task.published")
        .count()
        == 25));
    let last = live_a.last_id();
    live_a.close();
    // 50 changes: 24 while pa is away, 26 more while it reconnects (replay meets live).
    claim_some(&f, 0..12);
    check_replay(&f, last, &[], &mut live_m, 12..25);
    assert_strictly_increasing(&live_m.ids());
}

#[test]
fn replay_is_lossless_across_a_server_restart() {
    let mut f = floor();
    let mut live_m = Live::connect(&f.s.base, token(&f.manager), "");
    let mut live_a = Live::connect(&f.s.base, token(&f.pa), "after=0");
    assert!(live_a.wait_until(WAIT, |e| e.len() >= 25));
    let last = live_a.last_id();
    live_a.close();
    claim_some(&f, 0..12);
    assert!(live_m.wait_until(WAIT, |e| event_id(e, "task.claimed", f.die[11]).is_some()));
    f.s.restart();
    // Shutting down, the server told the manager's client where to resume.
    let (code, reason) = live_m
        .wait_for_close(WAIT)
        .expect("a close frame on shutdown");
    assert_eq!(code, 1001, "{reason}");
    let resume = live_m.last_id();
    assert!(reason.ends_with(&format!("after={resume}")), "{reason}");
    let mut live_m2 = Live::connect(&f.s.base, token(&f.manager), &format!("after={resume}"));
    check_replay(&f, last, &live_m.events, &mut live_m2, 12..25);
    let mut all = live_m.events.clone();
    all.extend(live_m2.events.clone());
    assert_strictly_increasing(
        &all.iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
    );
}

#[test]
fn a_burst_of_500_events_arrives_complete_and_in_order() {
    let s = TestServer::start();
    let pa = s.user("pa", "operator", &["PRINTING"]);
    let ops: Vec<Client> = (0..4)
        .map(|i| s.user(&format!("op{i}"), "operator", &["PRINTING"]))
        .collect();
    let mut live_a = Live::connect(&s.base, token(&pa), "");
    // One commit with 500 task events, then 500 separate commits from four racing clients.
    let order = approve(
        &s.admin,
        &draft(&s.admin, &["PRT"; 500], "normal", "2026-12-20"),
    );
    let tasks = task_ids(&order, "PRT");
    assert!(live_a.wait_until(WAIT, |e| e.len() >= 500));
    let published_messages = live_a.messages;
    std::thread::scope(|scope| {
        for (i, op) in ops.iter().enumerate() {
            let mine: Vec<i64> = tasks.iter().copied().skip(i).step_by(ops.len()).collect();
            scope.spawn(move || mine.into_iter().for_each(|t| claim(op, t)));
        }
    });
    assert!(
        live_a.wait_until(WAIT, |e| e.len() >= 1000),
        "got {}",
        live_a.events.len()
    );
    assert_strictly_increasing(&live_a.ids());
    for (kind, slice) in [
        ("task.published", &live_a.events[..500]),
        ("task.claimed", &live_a.events[500..]),
    ] {
        let mut seen: Vec<i64> = slice
            .iter()
            .map(|e| {
                assert_eq!(e["kind"], kind);
                e["task_id"].as_i64().unwrap()
            })
            .collect();
        seen.sort();
        assert_eq!(seen, tasks, "every task once");
    }
    // 500 events committed at once come coalesced, not one message each.
    assert!(
        published_messages < 50,
        "{published_messages} messages for one commit"
    );
    println!(
        "500 claims arrived in {} messages",
        live_a.messages - published_messages
    );
}
