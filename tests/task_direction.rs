//! Directing tasks against the real server: supervisors (for their departments), managers
//! and admins assign, reassign, unassign and cancel, with reasons kept in history; the
//! department's WIP cap holds for claims and assignments; the order follows its tasks.

mod common;

use common::floor::*;
use common::*;
use serde_json::json;

fn order_status(s: &TestServer, work_order: &serde_json::Value) -> String {
    order(&s.admin, id(work_order))["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn supervisors_assign_within_their_departments() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let wang = s.user("wang", "operator", &["PRINTING"]);
    s.user("zhao", "operator", &["DIECUT"]);
    let boss = s.user("boss", "supervisor", &["PRINTING"]);
    let other = s.user("other", "supervisor", &["DIECUT"]);
    let maker = s.user("chen", "maker", &[]);
    let (li_id, wang_id, zhao_id) = (user_id(&s, "li"), user_id(&s, "wang"), user_id(&s, "zhao"));
    let order = published_order(&s.admin, &["PRT"]);
    let prt = id(task_of(&order, "PRT"));

    assert_eq!(
        refused(
            act(&maker, prt, "assign", json!({"operator_id": li_id})),
            403
        ),
        "forbidden"
    );
    assert_eq!(
        refused(
            act(&wang, prt, "assign", json!({"operator_id": li_id})),
            403
        ),
        "forbidden"
    );
    assert_eq!(
        refused(
            act(&other, prt, "assign", json!({"operator_id": li_id})),
            404
        ),
        "not_found"
    );
    let (status, reply) = act(&boss, prt, "assign", json!({"operator_id": zhao_id}));
    assert_eq!(
        (status, reply["error"]["field"].as_str()),
        (422, Some("operator_id")),
        "{reply}"
    );
    let (status, reply) = act(
        &boss,
        prt,
        "assign",
        json!({"operator_id": user_id(&s, "boss")}),
    );
    assert_eq!(
        (status, reply["error"]["field"].as_str()),
        (422, Some("operator_id")),
        "a supervisor is not an operator"
    );

    let t = must(
        &boss,
        prt,
        "assign",
        json!({"operator_id": li_id, "reason": "熟悉这台机"}),
    );
    assert_eq!(
        (t["status"].as_str(), t["operator_id"].as_i64()),
        (Some("assigned"), Some(li_id))
    );
    assert_eq!(
        (t["assigned_via"].as_str(), t["assign_reason"].as_str()),
        (Some("assign"), Some("熟悉这台机"))
    );
    assert_eq!(
        refused(
            act(&boss, prt, "assign", json!({"operator_id": li_id})),
            409
        ),
        "task_already_assigned"
    );
    // Taking a task from someone needs a reason.
    let (status, reply) = act(&boss, prt, "assign", json!({"operator_id": wang_id}));
    assert_eq!(
        (status, reply["error"]["field"].as_str()),
        (422, Some("reason")),
        "{reply}"
    );
    must(&li, prt, "start", json!({}));
    assert_eq!(
        refused(
            act(
                &boss,
                prt,
                "assign",
                json!({"operator_id": wang_id, "reason": "x"})
            ),
            409
        ),
        "task_is_in_progress"
    );
    must(&li, prt, "pause", json!({}));
    let t = must(
        &boss,
        prt,
        "assign",
        json!({"operator_id": wang_id, "reason": "李师傅请假"}),
    );
    assert_eq!(t["operator_id"], wang_id);
    let (status, reply) = act(&li, prt, "resume", json!({}));
    assert_eq!(
        (status, reply["error"]["code"].as_str()),
        (409, Some("task_held_by_other")),
        "li no longer holds it, and hears who does: {reply}"
    );
    assert_eq!(
        (
            reply["error"]["details"]["operator_id"].as_i64(),
            reply["error"]["message"].as_str()
        ),
        (
            Some(wang_id),
            Some(&*format!("task {prt} is held by wang now"))
        )
    );
    must(&wang, prt, "start", json!({}));

    let h = history(&boss, &format!("tasks/{prt}"));
    let assigned: Vec<_> = h.iter().filter(|e| e["kind"] == "task.assigned").collect();
    assert_eq!(assigned.len(), 2);
    assert_eq!(assigned[1]["data"]["reason"], "李师傅请假");
    assert_eq!(assigned[1]["data"]["previous_operator_id"], li_id);
    assert_eq!(assigned[1]["actor_name"], "boss");
}

#[test]
fn the_wip_cap_limits_claims_and_assignments() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let li_id = user_id(&s, "li");
    set_wip_cap(&s, "PRINTING", Some(2));
    let tasks: Vec<i64> = (0..3)
        .map(|_| id(task_of(&published_order(&s.admin, &["PRT"]), "PRT")))
        .collect();
    must(&li, tasks[0], "claim", json!({}));
    must(&s.admin, tasks[1], "assign", json!({"operator_id": li_id}));
    // The director is told whose cap it is, with the numbers for the screen to word.
    let (status, reply) = act(&s.admin, tasks[2], "assign", json!({"operator_id": li_id}));
    assert_eq!(
        (status, reply["error"]["code"].as_str()),
        (409, Some("wip_limit_reached")),
        "{reply}"
    );
    assert_eq!(
        reply["error"]["message"],
        "li already holds 2 tasks; this department allows 2"
    );
    assert_eq!(
        reply["error"]["details"],
        json!({"operator_id": li_id, "operator_name": "li", "held": 2, "cap": 2})
    );
    assert_eq!(
        refused(act(&li, tasks[2], "claim", json!({})), 409),
        "wip_limit_reached"
    );
    must(&li, tasks[0], "release", json!({}));
    must(&s.admin, tasks[2], "assign", json!({"operator_id": li_id}));
}

#[test]
fn unassign_and_cancel_keep_their_reasons_and_the_order_follows() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PREPRESS", "PRINTING"]);
    let boss = s.user("boss", "supervisor", &["PRINTING"]);
    let order = published_order(&s.admin, &["CTP", "PRT"]);
    let (ctp, prt) = (id(task_of(&order, "CTP")), id(task_of(&order, "PRT")));
    must(&li, prt, "claim", json!({}));
    let t = must(&boss, prt, "unassign", json!({"reason": "先做急单"}));
    assert_eq!(
        (t["status"].as_str(), t["operator_id"].as_i64()),
        (Some("pending"), None)
    );
    assert_eq!(
        refused(act(&boss, prt, "unassign", json!({})), 409),
        "task_is_pending"
    );

    must(&li, ctp, "claim", json!({}));
    must(&li, ctp, "start", json!({}));
    must(&li, ctp, "complete", json!({"good_total": 4}));
    assert_eq!(order_status(&s, &order), "in_progress");
    let (status, reply) = act(&boss, prt, "cancel", json!({}));
    assert_eq!(
        (status, reply["error"]["field"].as_str()),
        (422, Some("reason"))
    );
    assert_eq!(
        refused(act(&boss, ctp, "cancel", json!({"reason": "x"})), 404),
        "not_found",
        "not his department"
    );
    let t = must(&boss, prt, "cancel", json!({"reason": "客户改为外发印刷"}));
    assert_eq!(t["status"], "cancelled");
    assert_eq!(
        order_status(&s, &order),
        "completed",
        "all tasks closed, one completed"
    );
    let h = history(&s.admin, &format!("tasks/{prt}"));
    // What people did; the flow's own events (work reaching it) are tested elsewhere.
    let done: Vec<String> = kinds(&h)
        .into_iter()
        .filter(|k| !matches!(k.as_str(), "task.blocked" | "task.ready" | "task.available"))
        .collect();
    assert_eq!(
        done,
        [
            "task.created",
            "task.published",
            "task.claimed",
            "task.unassigned",
            "task.cancelled"
        ]
    );
    let reason =
        |kind: &str| h.iter().find(|e| e["kind"] == kind).unwrap()["data"]["reason"].clone();
    assert_eq!(reason("task.unassigned"), "先做急单");
    assert_eq!(reason("task.cancelled"), "客户改为外发印刷");
}

#[test]
fn the_board_load_counts_every_department_as_the_cap_does() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PREPRESS", "PRINTING"]);
    s.user("wang", "operator", &["PRINTING"]);
    let boss = s.user("boss", "supervisor", &["PRINTING"]);
    let (li_id, wang_id) = (user_id(&s, "li"), user_id(&s, "wang"));
    set_wip_cap(&s, "PRINTING", Some(2));
    let ctp = id(task_of(&published_order(&s.admin, &["CTP"]), "CTP"));
    let prt: Vec<i64> = (0..2)
        .map(|_| id(task_of(&published_order(&s.admin, &["PRT"]), "PRT")))
        .collect();
    must(&li, ctp, "claim", json!({}));
    must(&li, prt[0], "claim", json!({}));

    // One printing task on the board, but two against the cap: the load says both.
    let printing = department_id(&s.admin, "PRINTING");
    let (status, load) = boss.get(&format!("/api/v1/departments/{printing}/load"));
    assert_eq!(status, 200, "{load}");
    assert_eq!(load["wip_cap"], 2);
    assert_eq!(
        load["operators"],
        json!([
            {"operator_id": li_id, "display_name": "li", "held": 2, "held_here": 1},
            {"operator_id": wang_id, "display_name": "wang", "held": 0, "held_here": 0},
        ])
    );
    let (status, reply) = act(&boss, prt[1], "assign", json!({"operator_id": li_id}));
    assert_eq!(
        (status, reply["error"]["details"]["held"].as_i64()),
        (409, Some(2)),
        "the assignment is refused at the count the board shows: {reply}"
    );

    assert_eq!(
        refused(li.get(&format!("/api/v1/departments/{printing}/load")), 403),
        "forbidden"
    );
    let (status, _) = boss.get("/api/v1/departments/999999/load");
    assert_eq!(
        status, 403,
        "a supervisor asks about their own departments only"
    );
    let (status, _) = s.admin.get("/api/v1/departments/999999/load");
    assert_eq!(status, 404);
}
