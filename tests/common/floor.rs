//! Shop-floor helpers for the lifecycle tests: acting on tasks, reading history, and checking
//! that no price reaches a role that may not see it.

use super::{Client, TestServer};
use serde_json::{json, Value};

pub fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

/// `POST /tasks/{id}/{action}` with `body`.
pub fn act(c: &Client, task: i64, action: &str, body: Value) -> (u16, Value) {
    c.post(&format!("/api/v1/tasks/{task}/{action}"), &body)
}

/// Same as [`act`], asserting success; returns the task.
pub fn must(c: &Client, task: i64, action: &str, body: Value) -> Value {
    let (status, reply) = act(c, task, action, body);
    assert_eq!(status, 200, "{action} task {task}: {reply}");
    reply
}

/// The error code of a refused request, asserting its status.
pub fn refused(reply: (u16, Value), status: u16) -> String {
    assert_eq!(reply.0, status, "{}", reply.1);
    reply.1["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("not a JSON error: {}", reply.1))
        .to_owned()
}

pub fn task(c: &Client, task: i64) -> Value {
    let (status, t) = c.get(&format!("/api/v1/tasks/{task}"));
    assert_eq!(status, 200, "{t}");
    t
}

pub fn order(c: &Client, order: i64) -> Value {
    let (status, o) = c.get(&format!("/api/v1/work-orders/{order}"));
    assert_eq!(status, 200, "{o}");
    o
}

/// Every history entry of `path` (`tasks/1` or `work-orders/1`), following pages.
pub fn history(c: &Client, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut after = 0;
    loop {
        let (status, page) = c.get(&format!("/api/v1/{path}/history?after={after}&limit=50"));
        assert_eq!(status, 200, "{page}");
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_after"].as_i64() {
            Some(next) => after = next,
            None => return items,
        }
    }
}

pub fn kinds(history: &[Value]) -> Vec<String> {
    history
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

/// Whether a price key appears anywhere in `v`.
pub fn has_price(v: &Value) -> bool {
    match v {
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| k == "unit_price" || k == "amount" || has_price(v)),
        Value::Array(items) => items.iter().any(has_price),
        _ => false,
    }
}

/// Sets a department's per-operator WIP cap straight in the database: the settings API is
/// another issue's, and the server reads the cap on every claim and assignment.
pub fn set_wip_cap(s: &TestServer, department: &str, cap: Option<i64>) {
    let conn = rusqlite::Connection::open(s.db_path()).expect("open db");
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    let changed = conn
        .execute(
            "UPDATE departments SET wip_cap = ?1 WHERE code = ?2",
            rusqlite::params![cap, department],
        )
        .expect("set cap");
    assert_eq!(changed, 1);
}

/// An approved order of `codes` with `quantity`, and each line's options (`parallel`, `parts`).
pub fn published_with(c: &Client, quantity: i64, lines: &[(&str, Value)]) -> Value {
    let processes: Vec<Value> = lines
        .iter()
        .map(|(code, extra)| {
            let mut line = json!({"process_id": super::process_id(c, code)});
            if let (Value::Object(line), Value::Object(extra)) = (&mut line, extra) {
                line.extend(extra.clone());
            }
            line
        })
        .collect();
    let (status, order) = c.post(
        "/api/v1/work-orders",
        &json!({"customer": "华彩包装", "product": "彩盒 Color box", "quantity": quantity,
                "due_date": "2026-12-20", "priority": "high", "unit_price": 0.35,
                "colors_front": 4, "processes": processes}),
    );
    assert_eq!(status, 201, "{order}");
    let (status, order) = c.post(
        &format!("/api/v1/work-orders/{}/approve", id(&order)),
        &json!({}),
    );
    assert_eq!(status, 200, "{order}");
    super::pass_gates(c, &order)
}

/// The tasks of `order` for process `code`, in sequence.
pub fn tasks_of<'a>(order: &'a Value, code: &str) -> Vec<&'a Value> {
    order["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["process_code"] == code)
        .collect()
}

/// A user's id, looked up by the admin.
pub fn user_id(s: &TestServer, username: &str) -> i64 {
    let (_, users) = s.admin.get("/api/v1/users");
    id(users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .unwrap())
}
