//! Task and work order history from the events table, in the caller's scope: who did what,
//! by name, with prices only for those who may see them.

mod common;

use common::floor::*;
use common::*;
use serde_json::json;

#[test]
fn a_task_history_tells_who_did_what_in_order() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let zhao = s.user("zhao", "operator", &["DIECUT"]);
    let order = published_order(&s.admin, &["PRT"]);
    let prt = id(task_of(&order, "PRT"));
    must(&li, prt, "claim", json!({}));
    must(&li, prt, "start", json!({}));
    must(&li, prt, "progress", json!({"good": 10}));
    let h = history(&li, &format!("tasks/{prt}"));
    assert_eq!(
        kinds(&h),
        [
            "task.created",
            "task.published",
            // Proof approved and paper ready: the first tick leaves it waiting for the
            // other, the second lets work reach it.
            "task.blocked",
            "task.ready",
            "task.claimed",
            "task.started",
            "task.progress"
        ]
    );
    assert!(h
        .windows(2)
        .all(|w| w[0]["id"].as_i64() < w[1]["id"].as_i64()));
    assert_eq!(h[0]["actor_name"], "管理员 Admin");
    assert_eq!(h[4]["actor_name"], "li");
    assert_eq!(
        h[6]["data"]["task"]["good_qty"], 10,
        "each event carries the task as it then stood"
    );
    assert!(h.iter().all(|e| e["data"].get("audience").is_none()));
    // Paging returns the same entries.
    let (_, first) = li.get(&format!("/api/v1/tasks/{prt}/history?limit=2"));
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert_eq!(first["next_after"], h[1]["id"]);
    // Out of scope is not found, like the task itself.
    let (status, _) = zhao.get(&format!("/api/v1/tasks/{prt}/history"));
    assert_eq!(status, 404);
    let (status, _) = li.get("/api/v1/tasks/999999/history");
    assert_eq!(status, 404);
}

#[test]
fn order_history_is_scoped_and_masked() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let wang = s.user("wang", "operator", &["PRINTING"]);
    let boss = s.user("boss", "supervisor", &["PRINTING"]);
    let maker = s.user("chen", "maker", &[]);
    let order = create_order(&maker, &["PRT", "PRT", "DIE"]);
    let oid = id(&order);
    maker.patch(
        &format!("/api/v1/work-orders/{oid}"),
        &json!({"unit_price": 0.4}),
    );
    s.admin
        .post(&format!("/api/v1/work-orders/{oid}/approve"), &json!({}));
    let prt = id(task_of(&order, "PRT"));
    must(&li, prt, "claim", json!({}));

    let full = history(&maker, &format!("work-orders/{oid}"));
    assert!(
        has_price(&serde_json::Value::Array(full.clone())),
        "makers see amounts in history"
    );
    let created = full
        .iter()
        .find(|e| e["kind"] == "work_order.created")
        .unwrap();
    assert_eq!(created["data"]["amount"], 1750.0);
    assert!(full
        .iter()
        .any(|e| e["kind"] == "work_order.updated" && e["data"]["amount"] == 2000.0));
    assert_eq!(created["actor_name"], "chen");

    for (who, c) in [("supervisor", &boss), ("operator", &li)] {
        let h = history(c, &format!("work-orders/{oid}"));
        assert!(
            !has_price(&serde_json::Value::Array(h.clone())),
            "{who} sees no price: {h:?}"
        );
        assert!(
            kinds(&h).contains(&"work_order.approved".to_owned()),
            "{who}"
        );
        assert!(
            h.iter().all(|e| e["task_id"].is_null()
                || e["data"]["task"]["department_id"] == task_of(&order, "PRT")["department_id"]),
            "{who} sees no die-cutting events"
        );
    }
    // A colleague sees the order through the printing task still in the pool, but no longer
    // li's task nor its events.
    let second = id(tasks_of(&order, "PRT")[1]);
    let h = history(&wang, &format!("work-orders/{oid}"));
    assert!(
        h.iter()
            .all(|e| e["task_id"].is_null() || e["task_id"] == second),
        "{:?}",
        kinds(&h)
    );
    assert!(h.iter().any(|e| e["task_id"] == second));
    let (status, _) = wang.get(&format!("/api/v1/tasks/{prt}/history"));
    assert_eq!(status, 404);
    // An operator of another department cannot see the order at all.
    let zhao = s.user("zhao", "operator", &["QC"]);
    let (status, _) = zhao.get(&format!("/api/v1/work-orders/{oid}/history"));
    assert_eq!(status, 404);
}
