//! An event of the shop's history as data: what is about to be written, what was, and whom
//! it addresses. Writing and reading them is the store's (`store::event_log`).

use serde::Serialize;
use serde_json::Value;

/// An event about to be written. `audience` lists users it is addressed to (notifications).
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    pub kind: &'static str,
    pub actor_id: Option<i64>,
    pub work_order_id: Option<i64>,
    pub task_id: Option<i64>,
    pub department_id: Option<i64>,
    pub operator_id: Option<i64>,
    pub data: Value,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Event {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub kind: String,
    pub work_order_id: Option<i64>,
    pub task_id: Option<i64>,
    pub department_id: Option<i64>,
    pub operator_id: Option<i64>,
    pub data: Value,
}

/// The user ids an event's data addresses (`"audience": [ids]`), in order, without repeats.
pub fn audience(data: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = Vec::new();
    if let Some(list) = data.get("audience").and_then(Value::as_array) {
        for id in list.iter().filter_map(Value::as_i64) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}
