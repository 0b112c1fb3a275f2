//! Appending to and reading the `events` table. Appends happen inside the caller's write
//! transaction, so an event exists exactly when its change does, and so do the inbox rows of
//! the people it is addressed to (`data.audience`).

pub use crate::domain::event::{audience, Event, NewEvent};
use rusqlite::{params, Connection, Row};
use serde_json::Value;

pub fn append(conn: &Connection, at: i64, event: &NewEvent) -> Result<i64, rusqlite::Error> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO events (at, actor_id, kind, work_order_id, task_id, department_id, operator_id, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    stmt.execute(params![
        at,
        event.actor_id,
        event.kind,
        event.work_order_id,
        event.task_id,
        event.department_id,
        event.operator_id,
        event.data.to_string(),
    ])?;
    let id = conn.last_insert_rowid();
    notify_audience(conn, id, event)?;
    Ok(id)
}

/// One inbox row per addressed person. Nobody is told about what they did themselves.
fn notify_audience(
    conn: &Connection,
    event_id: i64,
    event: &NewEvent,
) -> Result<(), rusqlite::Error> {
    let people = audience(&event.data);
    if people.is_empty() {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO notifications (user_id, event_id) VALUES (?1, ?2)",
    )?;
    for user_id in people.into_iter().filter(|u| Some(*u) != event.actor_id) {
        stmt.execute(params![user_id, event_id])?;
    }
    Ok(())
}

const SELECT: &str =
    "SELECT id, at, actor_id, kind, work_order_id, task_id, department_id, operator_id, data FROM events";

fn from_row(row: &Row<'_>) -> Result<Event, rusqlite::Error> {
    let data: String = row.get(8)?;
    Ok(Event {
        id: row.get(0)?,
        at: row.get(1)?,
        actor_id: row.get(2)?,
        kind: row.get(3)?,
        work_order_id: row.get(4)?,
        task_id: row.get(5)?,
        department_id: row.get(6)?,
        operator_id: row.get(7)?,
        data: serde_json::from_str(&data).unwrap_or(Value::Null),
    })
}

/// Events with id greater than `after`, oldest first, at most `limit`.
pub fn after(conn: &Connection, after: i64, limit: i64) -> Result<Vec<Event>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE id > ?1 ORDER BY id LIMIT ?2"))?;
    let rows = stmt.query_map(params![after, limit], from_row)?;
    rows.collect()
}

pub fn for_task(conn: &Connection, task_id: i64) -> Result<Vec<Event>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE task_id = ?1 ORDER BY id"))?;
    let rows = stmt.query_map([task_id], from_row)?;
    rows.collect()
}

pub fn for_work_order(
    conn: &Connection,
    work_order_id: i64,
) -> Result<Vec<Event>, rusqlite::Error> {
    let mut stmt =
        conn.prepare_cached(&format!("{SELECT} WHERE work_order_id = ?1 ORDER BY id"))?;
    let rows = stmt.query_map([work_order_id], from_row)?;
    rows.collect()
}
