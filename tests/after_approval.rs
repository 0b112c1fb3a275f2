//! Editing an order's process lines after approval: new lines go to the pool, unclaimed
//! work is withdrawn, work someone holds or did is protected with a 409 that names it, and a
//! failed edit changes nothing.

mod common;

use common::floor::*;
use common::*;
use serde_json::{json, Value};

/// The PATCH body that keeps `order`'s current lines (by id) and appends `extra`.
fn lines_of(order: &Value, keep: &[&str]) -> Vec<Value> {
    order["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| keep.contains(&l["process_code"].as_str().unwrap()))
        .map(|l| json!({"id": l["id"], "process_id": l["process_id"], "quantity": l["quantity"]}))
        .collect()
}

fn edit(s: &TestServer, order: &Value, body: Value) -> (u16, Value) {
    s.admin
        .patch(&format!("/api/v1/work-orders/{}", id(order)), &body)
}

#[test]
fn adding_a_line_puts_a_new_task_in_the_pool() {
    let s = TestServer::start();
    let qc = s.user("qc", "operator", &["QC"]);
    let order = published_order(&s.admin, &["PRT", "DIE"]);
    let mut lines = lines_of(&order, &["PRT", "DIE"]);
    lines.push(json!({"process_id": process_id(&s.admin, "QC")}));
    let (status, edited) = edit(&s, &order, json!({"processes": lines}));
    assert_eq!(status, 200, "{edited}");
    let new = task_of(&edited, "QC");
    assert_eq!(
        (new["status"].as_str(), new["sequence"].as_i64()),
        (Some("pending"), Some(3))
    );
    assert!(new["published_at"].is_i64());
    let (_, pool) = qc.get("/api/v1/tasks?status=pending");
    assert_eq!(pool["items"][0]["id"], new["id"], "{pool}");
    assert_eq!(
        task_of(&edited, "PRT")["id"],
        task_of(&order, "PRT")["id"],
        "other tasks are kept"
    );
}

#[test]
fn removing_an_unclaimed_line_cancels_its_task() {
    let s = TestServer::start();
    let order = published_order(&s.admin, &["PRT", "LAM_G", "DIE"]);
    let lam = id(task_of(&order, "LAM_G"));
    let (status, edited) = edit(
        &s,
        &order,
        json!({"processes": lines_of(&order, &["PRT", "DIE"])}),
    );
    assert_eq!(status, 200, "{edited}");
    let codes: Vec<&str> = edited["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["process_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["PRT", "DIE"]);
    assert_eq!(task(&s.admin, lam)["status"], "cancelled");
    let h = history(&s.admin, &format!("tasks/{lam}"));
    assert_eq!(kinds(&h).last().unwrap(), "task.cancelled");
    // Die-cutting now takes its work straight from printing.
    assert_eq!(task_of(&edited, "DIE")["sequence"], 2);
}

#[test]
fn work_someone_holds_or_did_cannot_be_removed_or_changed() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let zhao = s.user("zhao", "operator", &["DIECUT"]);
    let order = published_order(&s.admin, &["PRT", "DIE", "PACK"]);
    let (prt, die) = (id(task_of(&order, "PRT")), id(task_of(&order, "DIE")));
    must(&zhao, die, "claim", json!({}));
    must(&li, prt, "claim", json!({}));
    must(&li, prt, "start", json!({}));
    let before = common::floor::order(&s.admin, id(&order));

    let check = |body: Value, task: i64, state: &str| {
        let (status, reply) = edit(&s, &order, body);
        assert_eq!(
            (status, reply["error"]["code"].as_str()),
            (409, Some("task_in_use")),
            "{reply}"
        );
        let message = reply["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("task {task}")) && message.contains(state),
            "names the task and its state: {message}"
        );
    };
    // Remove the claimed die-cutting line.
    check(
        json!({"processes": lines_of(&order, &["PRT", "PACK"])}),
        die,
        "assigned",
    );
    // A quantity change reaches a started task as a new target instead (tests/routing.rs).
    must(&li, prt, "complete", json!({"good_total": 5000}));
    check(
        json!({"processes": lines_of(&order, &["DIE", "PACK"])}),
        prt,
        "completed",
    );

    // Nothing of any refused edit stayed: not the header, not a line, not a task.
    let after = common::floor::order(&s.admin, id(&order));
    assert_eq!(after["customer"], before["customer"]);
    assert_eq!(after["quantity"], before["quantity"]);
    assert_eq!(after["lines"], before["lines"]);
    let updated = history(&s.admin, &format!("work-orders/{}", id(&order)));
    assert!(
        !kinds(&updated).contains(&"work_order.updated".to_owned()),
        "{:?}",
        kinds(&updated)
    );
}

#[test]
fn a_quantity_change_reaches_the_tasks_not_yet_started() {
    let s = TestServer::start();
    let order = published_order(&s.admin, &["PRT", "DIE"]);
    let (status, edited) = edit(&s, &order, json!({"quantity": 6000}));
    assert_eq!(status, 200, "{edited}");
    for code in ["PRT", "DIE"] {
        let t = task_of(&edited, code);
        assert_eq!(t["quantity"], 6000, "{code}");
        assert_eq!(t["id"], task_of(&order, code)["id"]);
    }
    assert_eq!(task_of(&edited, "PRT")["available_qty"], 6000);
    // A line given its own quantity keeps it when the order's changes.
    let mut lines = lines_of(&edited, &["PRT", "DIE"]);
    // Printing keeps following the spec (no quantity of its own); die-cutting gets one.
    lines[0].as_object_mut().unwrap().remove("quantity");
    lines[1]["quantity"] = json!(5800);
    let (status, edited) = edit(&s, &edited, json!({"processes": lines}));
    assert_eq!(status, 200, "{edited}");
    let (status, edited) = edit(&s, &edited, json!({"quantity": 6200}));
    assert_eq!(status, 200, "{edited}");
    assert_eq!(task_of(&edited, "PRT")["quantity"], 6200);
    assert_eq!(task_of(&edited, "DIE")["quantity"], 5800);
}

#[test]
fn withdrawing_the_last_open_step_completes_the_order() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let order = published_order(&s.admin, &["PRT", "DIE"]);
    let prt = id(task_of(&order, "PRT"));
    must(&li, prt, "claim", json!({}));
    must(&li, prt, "start", json!({}));
    must(&li, prt, "complete", json!({"good_total": 5000}));
    assert_eq!(
        common::floor::order(&s.admin, id(&order))["status"],
        "in_progress"
    );
    let (status, edited) = edit(&s, &order, json!({"processes": lines_of(&order, &["PRT"])}));
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["status"], "completed");
    let h = history(&s.admin, &format!("work-orders/{}", id(&order)));
    let k = kinds(&h);
    let at = |kind: &str| {
        k.iter()
            .position(|x| x == kind)
            .unwrap_or_else(|| panic!("no {kind} in {k:?}"))
    };
    assert!(at("task.cancelled") < at("work_order.completed"), "{k:?}");
}

#[test]
fn finished_work_keeps_its_place_when_lines_move() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let order = published_order(&s.admin, &["PRT", "DIE"]);
    let prt = id(task_of(&order, "PRT"));
    must(&li, prt, "claim", json!({}));
    must(&li, prt, "start", json!({}));
    must(
        &li,
        prt,
        "complete",
        json!({"good_total": 4800, "shortfall_reason": "200 sheets short of paper"}),
    );
    // A cutting step in front would put finished printing after unfinished cutting.
    let cut = json!({"process_id": process_id(&s.admin, "CUT"), "parallel": false});
    let mut lines = vec![cut];
    lines.extend(lines_of(&order, &["PRT", "DIE"]));
    let (status, reply) = edit(&s, &order, json!({"processes": lines}));
    assert_eq!(
        (status, reply["error"]["code"].as_str()),
        (409, Some("started_work_reordered")),
        "{reply}"
    );
    // Added at the end it is fine: printing and die-cutting keep their places.
    let mut lines = lines_of(&order, &["PRT", "DIE"]);
    lines.push(json!({"process_id": process_id(&s.admin, "PACK")}));
    let (status, edited) = edit(&s, &order, json!({"processes": lines}));
    assert_eq!(status, 200, "{edited}");
    assert_eq!(task_of(&edited, "PRT")["sequence"], 1);
    assert_eq!(task_of(&edited, "DIE")["sequence"], 2);
    assert_eq!(task_of(&edited, "DIE")["available_qty"], 4800);
    assert_eq!(task_of(&edited, "PRT")["good_qty"], 4800);
}
