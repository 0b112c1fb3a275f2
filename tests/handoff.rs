//! Sequencing and quantity hand-off through the API: good quantity reported upstream is what
//! reaches the next step, `ready` answers "what can I start now?", and no step reports more
//! than has reached it.

mod common;

use common::floor::*;
use common::*;
use serde_json::{json, Value};

fn ids(page: &Value) -> Vec<i64> {
    page["items"].as_array().unwrap().iter().map(id).collect()
}

fn ready_ids(c: &Client) -> Vec<i64> {
    let (status, page) = c.get("/api/v1/tasks?ready=true");
    assert_eq!(status, 200, "{page}");
    ids(&page)
}

#[test]
fn a_partial_report_makes_the_next_step_ready() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let zhao = s.user("zhao", "operator", &["DIECUT"]);
    let order = published_order(&s.admin, &["PRT", "DIE"]);
    let (prt, die) = (id(task_of(&order, "PRT")), id(task_of(&order, "DIE")));
    assert_eq!(
        (
            task_of(&order, "PRT")["available_qty"].as_i64(),
            task_of(&order, "PRT")["ready"].as_bool()
        ),
        (Some(5000), Some(true))
    );
    assert_eq!(
        (
            task_of(&order, "DIE")["available_qty"].as_i64(),
            task_of(&order, "DIE")["ready"].as_bool()
        ),
        (Some(0), Some(false))
    );
    assert_eq!(ready_ids(&li), vec![prt]);
    assert!(
        ready_ids(&zhao).is_empty(),
        "nothing has reached die-cutting"
    );
    // Claiming ahead is fine; starting on nothing is not.
    must(&zhao, die, "claim", json!({}));
    assert_eq!(
        refused(act(&zhao, die, "start", json!({})), 409),
        "not_ready"
    );

    must(&li, prt, "claim", json!({}));
    must(&li, prt, "start", json!({}));
    assert!(
        ready_ids(&li).is_empty(),
        "a started task is no longer waiting to start"
    );
    must(
        &li,
        prt,
        "progress",
        json!({"good": 2000, "scrap": 30, "scrap_reason": "MAKE_READY"}),
    );
    let d = task(&zhao, die);
    assert_eq!(
        (d["available_qty"].as_i64(), d["ready"].as_bool()),
        (Some(2000), Some(true)),
        "only good sheets move on"
    );
    assert_eq!(ready_ids(&zhao), vec![die]);
    let h = history(&zhao, &format!("tasks/{die}"));
    let ready = h
        .iter()
        .find(|e| e["kind"] == "task.ready")
        .expect("a task.ready event");
    assert_eq!(ready["data"]["available_qty"], 2000);
    assert_eq!(ready["actor_name"], "li");

    must(&zhao, die, "start", json!({}));
    let (status, reply) = act(
        &zhao,
        die,
        "progress",
        json!({"good": 1990, "scrap": 11, "scrap_reason": "DEFECT"}),
    );
    assert_eq!(
        (status, reply["error"]["code"].as_str()),
        (409, Some("quantity_exceeds_available")),
        "{reply}"
    );
    let message = reply["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("2000") && message.contains("2001"),
        "the numbers are in the message: {message}"
    );
    must(
        &zhao,
        die,
        "progress",
        json!({"good": 1990, "scrap": 10, "scrap_reason": "DEFECT"}),
    );
    assert_eq!(
        refused(act(&zhao, die, "progress", json!({"good": 1})), 409),
        "quantity_exceeds_available"
    );
    // Completing while printing is still open is refused, and completes nothing.
    assert_eq!(
        refused(
            act(
                &zhao,
                die,
                "complete",
                json!({"good_total": 1990, "shortfall_reason": "x"})
            ),
            409
        ),
        "upstream_open"
    );
    assert_eq!(task(&zhao, die)["status"], "in_progress");
    // More printed sheets move on at once.
    must(&li, prt, "progress", json!({"good": 500}));
    must(&zhao, die, "progress", json!({"good": 500}));
    let d = task(&zhao, die);
    assert_eq!(
        (
            d["good_qty"].as_i64(),
            d["scrap_qty"].as_i64(),
            d["available_qty"].as_i64()
        ),
        (Some(2490), Some(10), Some(2500))
    );
}

#[test]
fn plates_gate_printing_and_needs_route_around_a_step() {
    let s = TestServer::start();
    let order = published_with(
        &s.admin,
        3000,
        &[
            ("CTP", json!({"quantity": 8})),
            ("PRT", json!({})),
            ("DIE", json!({"needs": []})),
            ("BOX", json!({"needs": [1]})),
        ],
    );
    let avail = |o: &Value, code| task_of(o, code)["available_qty"].as_i64().unwrap();
    assert_eq!(avail(&order, "CTP"), 8, "plate making needs nothing");
    assert_eq!(
        avail(&order, "PRT"),
        0,
        "no sheet is printed before the plates are made"
    );
    let blocked = &task_of(&order, "PRT")["blocked_by"][0];
    assert_eq!(
        (
            blocked["process_code"].as_str(),
            blocked["have"].as_i64(),
            blocked["need"].as_i64()
        ),
        (Some("CTP"), Some(0), Some(8))
    );
    assert_eq!(
        avail(&order, "DIE"),
        3000,
        "a line that needs nothing has it all"
    );
    assert_eq!(
        avail(&order, "BOX"),
        0,
        "box gluing takes from printing, as it says"
    );

    let wu = s.user("wu", "operator", &["PREPRESS"]);
    let ctp = id(task_of(&order, "CTP"));
    for step in ["claim", "start"] {
        must(&wu, ctp, step, json!({}));
    }
    must(&wu, ctp, "progress", json!({"good": 7}));
    let o = common::floor::order(&s.admin, id(&order));
    assert_eq!(avail(&o, "PRT"), 0, "7 of 8 plates is not a set");
    must(&wu, ctp, "complete", json!({"good_total": 8}));
    let o = common::floor::order(&s.admin, id(&order));
    assert_eq!(
        avail(&o, "PRT"),
        3000,
        "once the plates are made, every sheet may print"
    );

    let li = s.user("li", "operator", &["PRINTING"]);
    let prt = id(task_of(&order, "PRT"));
    must(&li, prt, "claim", json!({}));
    must(&li, prt, "start", json!({}));
    must(&li, prt, "progress", json!({"good": 700}));
    let o = common::floor::order(&s.admin, id(&order));
    assert_eq!(avail(&o, "BOX"), 700);
}

#[test]
fn parts_hand_off_part_by_part() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let order = published_with(
        &s.admin,
        1000,
        &[
            ("PRT", json!({"parts": ["封面 cover", "内页 inner"]})),
            ("LAM_G", json!({"parts": ["封面 cover"]})),
            ("STAPLE", json!({})),
        ],
    );
    let printing = tasks_of(&order, "PRT");
    assert_eq!(printing.len(), 2);
    let (cover, inner) = (id(printing[0]), id(printing[1]));
    for t in [cover, inner] {
        must(&li, t, "claim", json!({}));
        must(&li, t, "start", json!({}));
    }
    must(&li, cover, "progress", json!({"good": 600}));
    must(&li, inner, "progress", json!({"good": 250}));
    let o = common::floor::order(&s.admin, id(&order));
    assert_eq!(
        task_of(&o, "LAM_G")["available_qty"],
        600,
        "lamination takes the printed covers"
    );
    assert_eq!(
        task_of(&o, "STAPLE")["available_qty"],
        0,
        "stapling waits for the laminated covers"
    );
    let lam = id(task_of(&o, "LAM_G"));
    let fin = s.user("fin", "operator", &["FINISHING"]);
    must(&fin, lam, "claim", json!({}));
    must(&fin, lam, "start", json!({}));
    must(&fin, lam, "progress", json!({"good": 400}));
    let o = common::floor::order(&s.admin, id(&order));
    assert_eq!(task_of(&o, "STAPLE")["available_qty"], 400);

    // Without the lamination step, stapling would wait for the slowest printed part.
    let order = published_with(
        &s.admin,
        1000,
        &[
            ("PRT", json!({"parts": ["cover", "inner"]})),
            ("STAPLE", json!({})),
        ],
    );
    let printing = tasks_of(&order, "PRT");
    for (t, good) in [(id(printing[0]), 600), (id(printing[1]), 250)] {
        must(&li, t, "claim", json!({}));
        must(&li, t, "start", json!({}));
        must(&li, t, "progress", json!({"good": good}));
    }
    let o = common::floor::order(&s.admin, id(&order));
    assert_eq!(task_of(&o, "STAPLE")["available_qty"], 250);
}

#[test]
fn the_ready_filter_splits_the_list_and_pages_with_the_cursor() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let mut started = Vec::new();
    for _ in 0..4 {
        let order = published_order(&s.admin, &["PRT", "DIE", "PACK"]);
        started.push(id(task_of(&order, "PRT")));
    }
    must(&li, started[0], "claim", json!({}));
    must(&li, started[0], "start", json!({}));
    must(&li, started[0], "progress", json!({"good": 10}));
    let all = |query: &str| {
        let mut seen = Vec::new();
        let mut cursor = String::new();
        loop {
            let (status, page) = s
                .admin
                .get(&format!("/api/v1/tasks?limit=3{query}{cursor}"));
            assert_eq!(status, 200, "{page}");
            seen.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => return seen,
            }
        }
    };
    let everything = all("");
    let ready = all("&ready=true");
    let not_ready = all("&ready=false");
    assert_eq!(everything.len(), 12);
    assert_eq!(ready.len() + not_ready.len(), 12);
    assert!(
        ready.iter().all(|t| t["ready"] == true) && not_ready.iter().all(|t| t["ready"] == false)
    );
    // PRT of each order but the started one, plus the die-cutting the partial report reached.
    assert_eq!(
        ready.len(),
        3 + 1,
        "{:?}",
        ready
            .iter()
            .map(|t| (&t["process_code"], &t["status"]))
            .collect::<Vec<_>>()
    );
    let (status, reply) = s.admin.get("/api/v1/tasks?ready=maybe");
    assert_eq!(
        (status, reply["error"]["field"].as_str()),
        (422, Some("ready")),
        "{reply}"
    );
}
