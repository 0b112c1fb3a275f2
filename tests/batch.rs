//! `POST /tasks/batch` is all or nothing: when any item fails, nothing changes and the reply
//! lists each failing id with its own error code.

mod common;

use common::floor::*;
use common::*;
use serde_json::{json, Value};

fn batch(c: &Client, body: Value) -> (u16, Value) {
    c.post("/api/v1/tasks/batch", &body)
}

/// The `(id, code)` of each failure in a `batch_failed` reply.
fn failures(reply: &Value) -> Vec<(i64, String)> {
    assert_eq!(reply["error"]["code"], "batch_failed", "{reply}");
    reply["error"]["details"]["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_i64().unwrap(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn statuses(c: &Client, ids: &[i64]) -> Vec<String> {
    ids.iter()
        .map(|t| task(c, *t)["status"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_cancel_batch_changes_nothing_when_one_item_fails() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let boss = s.user("boss", "supervisor", &["PRINTING"]);
    let tasks: Vec<i64> = (0..3)
        .map(|_| id(task_of(&published_order(&s.admin, &["PRT"]), "PRT")))
        .collect();
    let other_dept = id(task_of(&published_order(&s.admin, &["DIE"]), "DIE"));
    must(&li, tasks[1], "claim", json!({}));
    must(&li, tasks[1], "start", json!({}));
    must(
        &li,
        tasks[1],
        "complete",
        json!({"good_total": 1, "shortfall_reason": "test"}),
    );

    let (status, reply) = batch(
        &boss,
        json!({"action": "cancel", "ids": [tasks[0], tasks[1], tasks[2], other_dept], "reason": "客户取消"}),
    );
    assert_eq!(status, 409, "{reply}");
    assert_eq!(
        failures(&reply),
        vec![
            (tasks[1], "task_is_completed".to_owned()),
            (other_dept, "not_found".to_owned())
        ]
    );
    assert!(reply["error"]["message"]
        .as_str()
        .unwrap()
        .contains("nothing was changed"));
    assert_eq!(
        statuses(&s.admin, &tasks),
        ["pending", "completed", "pending"],
        "the good items were rolled back too"
    );
    let h = history(&s.admin, &format!("tasks/{}", tasks[0]));
    assert!(
        !kinds(&h).contains(&"task.cancelled".to_owned()),
        "no event of a rolled-back change"
    );

    let (status, reply) = batch(
        &boss,
        json!({"action": "cancel", "ids": [tasks[0], tasks[2]], "reason": "客户取消"}),
    );
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        statuses(&s.admin, &tasks),
        ["cancelled", "completed", "cancelled"]
    );
}

#[test]
fn an_assign_batch_respects_the_wip_cap_across_its_items() {
    let s = TestServer::start();
    s.user("li", "operator", &["PRINTING"]);
    let li = user_id(&s, "li");
    set_wip_cap(&s, "PRINTING", Some(2));
    let tasks: Vec<i64> = (0..3)
        .map(|_| id(task_of(&published_order(&s.admin, &["PRT"]), "PRT")))
        .collect();
    let (status, reply) = batch(
        &s.admin,
        json!({"action": "assign", "ids": tasks, "operator_id": li}),
    );
    assert_eq!(status, 409, "{reply}");
    assert_eq!(
        failures(&reply),
        vec![(tasks[2], "wip_limit_reached".to_owned())]
    );
    // The failing item says whose cap it is, counting the two the batch would have given.
    assert_eq!(
        reply["error"]["details"]["failures"][0]["details"],
        json!({"operator_id": li, "operator_name": "li", "held": 2, "cap": 2})
    );
    assert_eq!(
        statuses(&s.admin, &tasks),
        ["pending", "pending", "pending"]
    );
    let (status, reply) = batch(
        &s.admin,
        json!({"action": "assign", "ids": &tasks[..2], "operator_id": li, "reason": "早班"}),
    );
    assert_eq!(status, 200, "{reply}");
    assert!(reply["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["operator_id"] == li && t["assign_reason"] == "早班"));
}

#[test]
fn publishing_tasks_releases_them_and_approves_their_order() {
    let s = TestServer::start();
    let manager = s.user("boss", "manager", &[]);
    let maker = s.user("chen", "maker", &[]);
    let order = create_order(&maker, &["CTP", "PRT", "DIE"]);
    let (ctp, prt, die) = (
        id(task_of(&order, "CTP")),
        id(task_of(&order, "PRT")),
        id(task_of(&order, "DIE")),
    );
    assert_eq!(
        refused(
            batch(&maker, json!({"action": "publish", "ids": [ctp]})),
            403
        ),
        "forbidden"
    );
    // Publishing approves the order, so a batch that leaves some of its drafts behind
    // would strand them: it is refused, naming them, and nothing changes.
    let (status, reply) = batch(&manager, json!({"action": "publish", "ids": [ctp, prt]}));
    assert_eq!(status, 409, "{reply}");
    let codes: Vec<(i64, String)> = failures(&reply);
    assert_eq!(
        codes,
        vec![
            (ctp, "partial_publish".to_owned()),
            (prt, "partial_publish".to_owned())
        ]
    );
    assert_eq!(
        reply["error"]["details"]["failures"][0]["details"]["missing"],
        json!([die])
    );
    assert_eq!(
        statuses(&s.admin, &[ctp, prt, die]),
        ["draft", "draft", "draft"]
    );
    assert_eq!(
        common::floor::order(&s.admin, id(&order))["status"],
        "draft"
    );
    let (status, reply) = batch(
        &manager,
        json!({"action": "publish", "ids": [die, prt, ctp]}),
    );
    assert_eq!(status, 200, "{reply}");
    assert_eq!(
        statuses(&s.admin, &[ctp, prt, die]),
        ["pending", "pending", "pending"]
    );
    assert_eq!(
        common::floor::order(&s.admin, id(&order))["status"],
        "approved"
    );
    let (status, reply) = batch(&manager, json!({"action": "publish", "ids": [prt]}));
    assert_eq!(status, 409);
    assert_eq!(failures(&reply), vec![(prt, "task_is_pending".to_owned())]);
    let h = history(&s.admin, &format!("work-orders/{}", id(&order)));
    assert_eq!(
        kinds(&h)
            .iter()
            .filter(|k| *k == "work_order.approved")
            .count(),
        1
    );
}

#[test]
fn deleting_drafts_removes_tasks_and_their_lines_but_never_the_last() {
    let s = TestServer::start();
    let maker = s.user("chen", "maker", &[]);
    let boss = s.user("boss", "supervisor", &["PRINTING"]);
    let order = create_order(&maker, &["CTP", "PRT", "DIE"]);
    let (ctp, prt, die) = (
        id(task_of(&order, "CTP")),
        id(task_of(&order, "PRT")),
        id(task_of(&order, "DIE")),
    );
    assert_eq!(
        refused(
            batch(&boss, json!({"action": "delete_drafts", "ids": [prt]})),
            403
        ),
        "forbidden"
    );
    let (status, reply) = batch(&maker, json!({"action": "delete_drafts", "ids": [ctp]}));
    assert_eq!(status, 200, "{reply}");
    assert!(reply["items"].as_array().unwrap().is_empty(), "{reply}");
    let o = common::floor::order(&maker, id(&order));
    let codes: Vec<&str> = o["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["process_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["PRT", "DIE"], "the line went with its task");
    assert_eq!(o["tasks"].as_array().unwrap().len(), 2);
    let (status, _) = maker.get(&format!("/api/v1/tasks/{ctp}"));
    assert_eq!(status, 404);

    let (status, reply) = batch(
        &maker,
        json!({"action": "delete_drafts", "ids": [prt, die]}),
    );
    assert_eq!(status, 409, "{reply}");
    assert_eq!(failures(&reply), vec![(die, "last_task".to_owned())]);
    assert_eq!(
        common::floor::order(&maker, id(&order))["tasks"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // An edit after a deletion still lines up lines and tasks.
    let (status, edited) = maker.patch(
        &format!("/api/v1/work-orders/{}", id(&order)),
        &json!({"processes": [{"process_id": process_id(&maker, "PRT")}, {"process_id": process_id(&maker, "PACK")}]}),
    );
    assert_eq!(status, 200, "{edited}");
    let codes: Vec<&str> = edited["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["process_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["PRT", "PACK"]);
    assert_eq!(task_of(&edited, "PRT")["id"], prt);
    // Once the order is submitted its drafts are under review and stay.
    maker.post(
        &format!("/api/v1/work-orders/{}/submit", id(&order)),
        &json!({}),
    );
    let (status, reply) = batch(&maker, json!({"action": "delete_drafts", "ids": [prt]}));
    assert_eq!(
        failures(&reply),
        vec![(prt, "work_order_is_submitted".to_owned())],
        "{status}"
    );
}

#[test]
fn batch_input_is_checked_before_anything_runs() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let t = id(task_of(&published_order(&s.admin, &["PRT"]), "PRT"));
    let field = |body: Value| {
        let (status, reply) = batch(&s.admin, body);
        assert_eq!(status, 422, "{reply}");
        reply["error"]["field"].as_str().unwrap().to_owned()
    };
    assert_eq!(
        field(json!({"action": "cancel", "ids": [t, t], "reason": "x"})),
        "ids[1]"
    );
    assert_eq!(
        field(json!({"action": "cancel", "ids": [], "reason": "x"})),
        "ids"
    );
    assert_eq!(field(json!({"action": "cancel", "ids": [t]})), "reason");
    assert_eq!(
        field(json!({"action": "assign", "ids": [t]})),
        "operator_id"
    );
    assert_eq!(field(json!({"action": "explode", "ids": [t]})), "action");
    assert_eq!(
        refused(
            batch(&li, json!({"action": "cancel", "ids": [t], "reason": "x"})),
            403
        ),
        "forbidden"
    );
    // A failure that is the item's input, not its state, carries the field.
    let (status, reply) = batch(
        &s.admin,
        json!({"action": "assign", "ids": [t], "operator_id": 999}),
    );
    assert_eq!(status, 409, "{reply}");
    assert_eq!(
        reply["error"]["details"]["failures"][0]["code"],
        "invalid_field"
    );
    assert_eq!(
        reply["error"]["details"]["failures"][0]["field"],
        "operator_id"
    );
}
