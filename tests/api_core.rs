//! The core walk-through against the real server: work orders become draft tasks, edits sync
//! only what changed, approval publishes, and exactly one claim wins.

mod common;

use common::*;
use serde_json::json;

#[test]
fn creating_an_order_makes_one_draft_task_per_process() {
    let s = TestServer::start();
    let order = create_order(&s.admin, &["CTP", "PRT", "LAM_G", "DIE"]);
    assert_eq!(order["status"], "draft");
    let number = order["number"].as_str().unwrap();
    assert_eq!(number.len(), 9, "yyyymmNNN: {number}");
    let tasks = order["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 4);
    for (i, t) in tasks.iter().enumerate() {
        assert_eq!(t["status"], "draft");
        // Plates from the colours (4+0), sheets and pieces from the order's 5,000.
        let planned = if t["process_code"] == "CTP" { 4 } else { 5000 };
        assert_eq!(t["quantity"], planned, "{t}");
        assert_eq!(t["sequence"], i as i64 + 1);
        assert_eq!(t["priority"], "high");
    }
    let printing = department_id(&s.admin, "PRINTING");
    assert_eq!(task_of(&order, "PRT")["department_id"], printing);
}

#[test]
fn a_draft_edit_touches_only_the_changed_tasks() {
    let s = TestServer::start();
    let order = create_order(&s.admin, &["CTP", "PRT", "LAM_G", "DIE"]);
    let id = order["id"].as_i64().unwrap();
    let before = |code| task_of(&order, code).clone();
    let (ctp, prt, die) = (before("CTP"), before("PRT"), before("DIE"));
    let (status, edited) = s.admin.patch(
        &format!("/api/v1/work-orders/{id}"),
        &json!({"processes": [
            {"process_id": process_id(&s.admin, "CTP")},
            {"process_id": process_id(&s.admin, "PRT"), "quantity": 5200},
            {"process_id": process_id(&s.admin, "DIE")},
            {"process_id": process_id(&s.admin, "PACK")}
        ]}),
    );
    assert_eq!(status, 200, "{edited}");
    let after = |code| task_of(&edited, code).clone();
    // Unchanged: same id, untouched version.
    assert_eq!(after("CTP")["id"], ctp["id"]);
    assert_eq!(after("CTP")["version"], ctp["version"]);
    // Changed quantity: same id, new version.
    assert_eq!(after("PRT")["id"], prt["id"]);
    assert_eq!(after("PRT")["quantity"], 5200);
    assert_ne!(after("PRT")["version"], prt["version"]);
    // Moved up a place: same id, new sequence.
    assert_eq!(after("DIE")["id"], die["id"]);
    assert_eq!(after("DIE")["sequence"], 3);
    // Removed and added.
    let codes: Vec<&str> = edited["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["process_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["CTP", "PRT", "DIE", "PACK"]);
    assert_eq!(after("PACK")["status"], "draft");
}

#[test]
fn approval_publishes_and_exactly_one_claim_wins() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let wang = s.user("wang", "operator", &["PRINTING"]);
    let zhao = s.user("zhao", "operator", &["DIECUT"]);
    let order = create_order(&s.admin, &["CTP", "PRT", "DIE"]);
    // Drafts are not in any pool yet.
    let (_, pool) = li.get("/api/v1/tasks");
    assert_eq!(pool["items"].as_array().unwrap().len(), 0);
    let prt = task_of(&order, "PRT")["id"].as_i64().unwrap();
    let (status, body) = li.post(&format!("/api/v1/tasks/{prt}/claim"), &json!({}));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("task_is_draft"))
    );

    let (status, approved) = s.admin.post(
        &format!("/api/v1/work-orders/{}/approve", order["id"]),
        &json!({}),
    );
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["status"], "approved");
    assert!(approved["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["status"] == "pending"));

    let (_, pool) = li.get("/api/v1/tasks?status=pending");
    let ids: Vec<i64> = pool["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![prt],
        "an operator's pool holds their department's tasks only"
    );

    let (status, task) = li.post(&format!("/api/v1/tasks/{prt}/claim"), &json!({}));
    assert_eq!(status, 200, "{task}");
    assert_eq!(task["status"], "assigned");
    assert_eq!(task["assigned_via"], "claim");
    let (status, body) = wang.post(&format!("/api/v1/tasks/{prt}/claim"), &json!({}));
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "task_already_claimed");
    let (status, body) = zhao.post(&format!("/api/v1/tasks/{prt}/claim"), &json!({}));
    assert_eq!(
        status, 404,
        "another department's task is not there for them, as `get` says: {body}"
    );
}

#[test]
fn an_operator_never_sees_prices() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let order = published_order(&s.admin, &["PRT"]);
    assert_eq!(order["unit_price"], 0.35);
    assert_eq!(order["amount"], 1750.0);
    let (status, seen) = li.get(&format!("/api/v1/work-orders/{}", order["id"]));
    assert_eq!(status, 200, "{seen}");
    assert!(
        seen.get("unit_price").is_none() && seen.get("amount").is_none(),
        "{seen}"
    );
    assert_eq!(seen["number"], order["number"]);
}

#[test]
fn reject_returns_to_draft_and_cancel_closes_every_task() {
    let s = TestServer::start();
    let maker = s.user("chen", "maker", &[]);
    let manager = s.user("boss", "manager", &[]);
    let order = create_order(&maker, &["PRT", "DIE"]);
    let id = order["id"].as_i64().unwrap();
    let (status, _) = maker.post(&format!("/api/v1/work-orders/{id}/approve"), &json!({}));
    assert_eq!(status, 403, "a maker may not approve");
    let (status, body) = maker.post(&format!("/api/v1/work-orders/{id}/submit"), &json!({}));
    assert_eq!((status, body["status"].as_str()), (200, Some("submitted")));
    let (status, body) = manager.post(&format!("/api/v1/work-orders/{id}/reject"), &json!({}));
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("reason"))
    );
    let (status, body) = manager.post(
        &format!("/api/v1/work-orders/{id}/reject"),
        &json!({"reason": "交期不对 wrong date"}),
    );
    assert_eq!((status, body["status"].as_str()), (200, Some("draft")));
    assert_eq!(body["reject_reason"], "交期不对 wrong date");
    let (status, body) = manager.post(&format!("/api/v1/work-orders/{id}/approve"), &json!({}));
    assert_eq!(status, 200, "{body}");
    let (status, body) = manager.post(
        &format!("/api/v1/work-orders/{id}/cancel"),
        &json!({"reason": "客户取消"}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "cancelled");
    assert!(body["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["status"] == "cancelled"));
    let (status, body) = manager.post(&format!("/api/v1/work-orders/{id}/approve"), &json!({}));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("work_order_is_cancelled"))
    );
}

#[test]
fn order_numbers_stay_unique_under_concurrent_creation() {
    let s = TestServer::start();
    let prt = process_id(&s.admin, "PRT");
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let c = s.admin.clone();
            std::thread::spawn(move || {
                (0..5)
                    .map(|_| {
                        let (status, body) = c.post(
                            "/api/v1/work-orders",
                            &json!({"customer": "c", "product": "p", "quantity": 1, "due_date": "2026-12-01",
                                    "processes": [{"process_id": prt}]}),
                        );
                        assert_eq!(status, 201, "{body}");
                        body["number"].as_str().unwrap().to_owned()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut numbers: Vec<String> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    numbers.sort();
    let total = numbers.len();
    numbers.dedup();
    assert_eq!(numbers.len(), total);
}

#[test]
fn task_list_pages_by_keyset_in_priority_then_due_order() {
    let s = TestServer::start();
    let prt = process_id(&s.admin, "PRT");
    for (priority, due) in [
        ("low", "2026-12-01"),
        ("urgent", "2026-12-09"),
        ("normal", "2026-12-02"),
        ("urgent", "2026-12-03"),
        ("high", "2026-12-01"),
    ] {
        let (status, body) = s.admin.post(
            "/api/v1/work-orders",
            &json!({"customer": "c", "product": "p", "quantity": 10, "due_date": due, "priority": priority,
                    "processes": [{"process_id": prt}, {"process_id": prt}]}),
        );
        assert_eq!(status, 201, "{body}");
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/tasks?limit=3&cursor={c}"),
            None => "/api/v1/tasks?limit=3".to_owned(),
        };
        let (status, page) = s.admin.get(&path);
        assert_eq!(status, 200, "{page}");
        for t in page["items"].as_array().unwrap() {
            seen.push((
                t["priority"].as_str().unwrap().to_owned(),
                t["due_date"].as_str().unwrap().to_owned(),
                t["id"].as_i64().unwrap(),
            ));
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 10);
    let rank = |p: &str| {
        ["low", "normal", "high", "urgent"]
            .iter()
            .position(|x| *x == p)
            .unwrap()
    };
    for pair in seen.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let key = |x: &(String, String, i64)| (std::cmp::Reverse(rank(&x.0)), x.1.clone(), x.2);
        assert!(key(a) < key(b), "{a:?} before {b:?}");
    }
    let (status, body) = s.admin.get("/api/v1/tasks?cursor=garbage");
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("cursor"))
    );
}
