//! Appending a task's event with a snapshot of the task as it now stands, so history shows
//! what changed and live clients can update the row in place.

use super::views::load_task;
use super::Error;
use crate::events::log::{append, NewEvent};
use rusqlite::Connection;
use serde_json::{json, Value};

/// Appends `kind` for `task_id`. `extra` is merged into the event data; an `audience` array of
/// user ids in it makes the event reach (and notify) those people too.
pub fn record(
    conn: &Connection,
    now: i64,
    actor_id: Option<i64>,
    kind: &'static str,
    task_id: i64,
    extra: Value,
) -> Result<(), Error> {
    let task =
        load_task(conn, task_id)?.ok_or_else(|| Error::not_found(format!("task {task_id}")))?;
    let mut data = json!({ "task": task });
    if let (Value::Object(data), Value::Object(extra)) = (&mut data, extra) {
        data.extend(extra);
    }
    append(
        conn,
        now,
        &NewEvent {
            kind,
            actor_id,
            work_order_id: Some(task.work_order_id),
            task_id: Some(task.id),
            department_id: Some(task.department_id),
            operator_id: task.operator_id,
            data,
        },
    )?;
    Ok(())
}
