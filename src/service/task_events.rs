//! Appending a task's event with a snapshot of the task as it now stands, so history shows
//! what changed and live clients can update the row in place.

use super::views::{load_task, TaskView};
use super::Error;
use crate::store::event_log::{append, NewEvent};
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
    append_snapshot(conn, now, actor_id, kind, &task, extra)
}

/// `record` for a caller that answers with the task as it now stands: the snapshot read for
/// the event is the answer, so the task is read once.
pub fn record_and_load(
    conn: &Connection,
    now: i64,
    actor_id: Option<i64>,
    kind: &'static str,
    task_id: i64,
    extra: Value,
) -> Result<TaskView, Error> {
    let task =
        load_task(conn, task_id)?.ok_or_else(|| Error::not_found(format!("task {task_id}")))?;
    append_snapshot(conn, now, actor_id, kind, &task, extra)?;
    Ok(task)
}

/// Appends `kind` with `task` as the snapshot. `task` must be the row as it stands in this
/// transaction; callers that just inserted it may build it from the inserted values.
pub fn append_snapshot(
    conn: &Connection,
    now: i64,
    actor_id: Option<i64>,
    kind: &'static str,
    task: &TaskView,
    extra: Value,
) -> Result<(), Error> {
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
