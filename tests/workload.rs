//! `GET /stats/workload` against the real server: counts by status, ready, overdue and queue
//! time per department and operator, each role seeing what its scope allows.

mod common;

use common::*;
use serde_json::{json, Value};

fn dept<'a>(stats: &'a Value, code: &str) -> &'a Value {
    stats["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {stats}"))
}

fn op<'a>(department: &'a Value, username: &str) -> &'a Value {
    department["operators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["username"] == username)
        .unwrap_or_else(|| panic!("no {username} in {department}"))
}

fn codes(stats: &Value) -> Vec<&str> {
    stats["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect()
}

fn usernames(department: &Value) -> Vec<&str> {
    department["operators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["username"].as_str().unwrap())
        .collect()
}

fn workload(client: &Client) -> Value {
    let (status, body) = client.get("/api/v1/stats/workload");
    assert_eq!(status, 200, "{body}");
    body
}

/// A published order due on `due` with the given processes.
fn order_due(s: &TestServer, due: &str, codes: &[&str]) -> Value {
    let processes: Vec<Value> = codes
        .iter()
        .map(|c| json!({"process_id": process_id(&s.admin, c)}))
        .collect();
    let (status, order) = s.admin.post(
        "/api/v1/work-orders",
        &json!({"customer": "c", "product": "p", "quantity": 100, "due_date": due, "processes": processes}),
    );
    assert_eq!(status, 201, "{order}");
    let (status, order) = s.admin.post(
        &format!("/api/v1/work-orders/{}/approve", order["id"]),
        &json!({}),
    );
    assert_eq!(status, 200, "{order}");
    order
}

#[test]
fn figures_follow_the_floor_and_each_role_sees_its_part() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let wang = s.user("wang", "operator", &["PRINTING"]);
    s.user("zhao", "operator", &["DIECUT"]);
    let supervisor = s.user("sup", "supervisor", &["PRINTING"]);
    let current = order_due(&s, "2099-12-31", &["PRT", "DIE"]);
    order_due(&s, "2020-01-01", &["PRT"]); // late
    create_order(&s.admin, &["PRT"]); // a draft: not on the floor, never counted
    let claimed = task_of(&current, "PRT")["id"].as_i64().unwrap();
    let (status, body) = li.post(&format!("/api/v1/tasks/{claimed}/claim"), &json!({}));
    assert_eq!(status, 200, "{body}");

    let all = workload(&s.admin);
    assert_eq!(all["departments"].as_array().unwrap().len(), 9);
    let printing = dept(&all, "PRINTING");
    assert_eq!(
        printing["counts"],
        json!({"pending": 1, "assigned": 1, "in_progress": 0, "paused": 0, "completed": 0, "cancelled": 0})
    );
    assert_eq!(
        (
            printing["open"].as_i64(),
            printing["overdue"].as_i64(),
            printing["ready"].as_i64()
        ),
        (Some(2), Some(1), Some(2))
    );
    assert_eq!(printing["claimed"], 1);
    assert!(
        printing["avg_queue_ms"].as_i64().is_some_and(|q| q >= 0),
        "{printing}"
    );
    assert_eq!(
        printing["avg_work_ms"],
        Value::Null,
        "nothing completed yet"
    );
    let li_row = op(printing, "li");
    assert_eq!(
        (
            li_row["counts"]["assigned"].as_i64(),
            li_row["ready"].as_i64(),
            li_row["claimed"].as_i64(),
            li_row["overdue"].as_i64()
        ),
        (Some(1), Some(1), Some(1), Some(0))
    );
    assert_eq!(
        op(printing, "wang")["open"],
        0,
        "members without work are listed too"
    );
    // Die-cutting waits for printing: pending, not ready, not late.
    let diecut = dept(&all, "DIECUT");
    assert_eq!(
        (
            diecut["counts"]["pending"].as_i64(),
            diecut["ready"].as_i64(),
            diecut["overdue"].as_i64()
        ),
        (Some(1), Some(0), Some(0))
    );
    assert_eq!(usernames(diecut), ["zhao"]);

    // A supervisor sees their departments, with everyone in them.
    let sup = workload(&supervisor);
    assert_eq!(codes(&sup), ["PRINTING"]);
    assert_eq!(dept(&sup, "PRINTING")["counts"], printing["counts"]);
    assert_eq!(usernames(dept(&sup, "PRINTING")).len(), 2);

    // An operator sees their department's pool and their own work, not a colleague's.
    let mine = workload(&li);
    assert_eq!(codes(&mine), ["PRINTING"]);
    assert_eq!(usernames(dept(&mine, "PRINTING")), ["li"]);
    let theirs = workload(&wang);
    let p = dept(&theirs, "PRINTING");
    assert_eq!(usernames(p), ["wang"]);
    assert_eq!(
        (
            p["counts"]["pending"].as_i64(),
            p["counts"]["assigned"].as_i64(),
            p["claimed"].as_i64()
        ),
        (Some(1), Some(0), Some(0)),
        "{p}"
    );
}

#[test]
fn the_period_is_checked() {
    let s = TestServer::start();
    let today = chrono::Local::now().date_naive();
    let (status, body) = s.admin.get("/api/v1/stats/workload");
    assert_eq!(status, 200);
    assert_eq!(body["to"], today.to_string());
    assert_eq!(
        body["from"],
        (today - chrono::Duration::days(29)).to_string()
    );
    let (status, body) = s
        .admin
        .get("/api/v1/stats/workload?from=2026-01-01&to=2026-01-31");
    assert_eq!(
        (status, body["from"].as_str(), body["to"].as_str()),
        (200, Some("2026-01-01"), Some("2026-01-31"))
    );
    for (query, field) in [
        ("from=2026-13-01", "from"),
        ("to=yesterday", "to"),
        ("from=2026-02-01&to=2026-01-01", "from"),
        ("from=2020-01-01&to=2026-01-01", "from"),
        ("department=3", "department"),
    ] {
        let (status, body) = s.admin.get(&format!("/api/v1/stats/workload?{query}"));
        assert_eq!(
            (status, body["error"]["field"].as_str()),
            (422, Some(field)),
            "{query}: {body}"
        );
    }
    let (status, _) = s.anonymous().get("/api/v1/stats/workload");
    assert_eq!(status, 401);
}
