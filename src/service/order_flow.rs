//! Keeps an order's tasks telling the truth about their flow: after any change to the order,
//! [`settle`] runs the pure rule (`domain::flow`) over its lines and tasks, writes the
//! derived columns that changed (`available_qty`, `ready`, `blocked_by`), announces work that
//! reached a task, and lets the order's status follow its tasks.

use super::{order_status, task_events, Error};
use crate::domain::flow::{self, Blocker, Derived, Line, Task, Unit};
use crate::domain::TaskStatus;
use crate::store::Store;
use rusqlite::{params, Connection};
use serde_json::json;
use std::collections::HashMap;

fn load_lines(conn: &Connection, work_order_id: i64) -> Result<Vec<Line>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.id, l.step, l.needs, l.unit, p.code, l.removed
         FROM work_order_lines l JOIN processes p ON p.id = l.process_id
         WHERE l.work_order_id = ?1",
    )?;
    let rows = stmt.query_map([work_order_id], |r| {
        let needs: Option<String> = r.get(2)?;
        let unit: String = r.get(3)?;
        Ok(Line {
            id: r.get(0)?,
            step: r.get(1)?,
            needs: needs.and_then(|n| serde_json::from_str(&n).ok()),
            unit: unit.parse().unwrap_or(Unit::Piece),
            process_code: r.get(4)?,
            removed: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// An order's lines and tasks as the flow rule reads them.
fn load_flow(conn: &Connection, work_order_id: i64) -> Result<(Vec<Line>, Vec<Task>), Error> {
    let lines = load_lines(conn, work_order_id)?;
    let tasks = load_tasks(conn, work_order_id)?
        .into_iter()
        .map(|s| s.task)
        .collect();
    Ok((lines, tasks))
}

/// A task with what is stored of its flow, to write only what changed.
struct Stored {
    task: Task,
    available: i64,
    ready: bool,
    blocked_by: String,
}

fn load_tasks(conn: &Connection, work_order_id: i64) -> Result<Vec<Stored>, Error> {
    let open_gates: Vec<(i64, String)> = conn
        .prepare_cached(
            "SELECT pg.process_id, g.gate_code FROM work_order_gates g
             JOIN process_gates pg ON pg.gate_code = g.gate_code
             WHERE g.work_order_id = ?1 AND g.done_at IS NULL ORDER BY g.gate_code",
        )?
        .query_map([work_order_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, line_id, part, status, quantity, good_qty, scrap_qty, process_id,
                available_qty, ready, blocked_by
         FROM tasks WHERE work_order_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([work_order_id], |r| {
        let status: String = r.get(3)?;
        let process_id: i64 = r.get(7)?;
        Ok(Stored {
            task: Task {
                id: r.get(0)?,
                line_id: r.get(1)?,
                part: r.get(2)?,
                status: status.parse().unwrap_or(TaskStatus::Cancelled),
                quantity: r.get(4)?,
                good: r.get(5)?,
                scrap: r.get(6)?,
                open_gates: open_gates
                    .iter()
                    .filter(|(p, _)| *p == process_id)
                    .map(|(_, g)| g.clone())
                    .collect(),
            },
            available: r.get(8)?,
            ready: r.get(9)?,
            blocked_by: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The flow of every task of the order as it now stands in this transaction.
pub fn derive_order(
    conn: &Connection,
    work_order_id: i64,
) -> Result<std::collections::HashMap<i64, Derived>, Error> {
    let ups: i64 = conn
        .prepare_cached("SELECT ups FROM work_orders WHERE id = ?1")?
        .query_row([work_order_id], |r| r.get(0))?;
    let (lines, tasks) = load_flow(conn, work_order_id)?;
    Ok(flow::derive(&lines, &tasks, ups))
}

/// Recomputes the order's flow after a change made in this transaction, writes what
/// changed, records `task.ready` (work reached a task that had none) or `task.available`
/// (more reached it), and lets the order's status follow its tasks.
pub fn settle(
    conn: &Connection,
    work_order_id: i64,
    actor_id: Option<i64>,
    now: i64,
) -> Result<(), Error> {
    settle_with(conn, work_order_id, actor_id, now, true)
}

/// [`settle`], announcing the changes in events when `announce`.
fn settle_with(
    conn: &Connection,
    work_order_id: i64,
    actor_id: Option<i64>,
    now: i64,
    announce: bool,
) -> Result<(), Error> {
    let ups: i64 = conn
        .prepare_cached("SELECT ups FROM work_orders WHERE id = ?1")?
        .query_row([work_order_id], |r| r.get(0))?;
    let lines = load_lines(conn, work_order_id)?;
    let stored = load_tasks(conn, work_order_id)?;
    let tasks: Vec<Task> = stored.iter().map(|s| s.task.clone()).collect();
    let derived = flow::derive(&lines, &tasks, ups);
    let mut write = conn.prepare_cached(
        "UPDATE tasks SET available_qty = ?2, ready = ?3, blocked_by = ?4 WHERE id = ?1",
    )?;
    for s in &stored {
        let Some(d) = derived.get(&s.task.id) else {
            continue;
        };
        let blocked_by = serde_json::to_string(&d.blocked_by).unwrap_or_else(|_| "[]".into());
        if d.available == s.available && d.ready == s.ready && blocked_by == s.blocked_by {
            continue;
        }
        write.execute(params![s.task.id, d.available, d.ready, blocked_by])?;
        if !announce || s.task.status == TaskStatus::Draft || s.task.status.is_closed() {
            continue;
        }
        // A task that stops being ready because it started says so with its own event.
        let kind = if d.ready && !s.ready {
            "task.ready"
        } else if d.available != s.available {
            "task.available"
        } else if blocked_by != s.blocked_by && !d.blocked_by.is_empty() {
            "task.blocked"
        } else {
            continue;
        };
        task_events::record(
            conn,
            now,
            actor_id,
            kind,
            s.task.id,
            json!({"available_qty": d.available, "blocked_by": d.blocked_by}),
        )?;
    }
    conn.prepare_cached("UPDATE work_orders SET flow_stale = 0 WHERE id = ?1 AND flow_stale <> 0")?
        .execute([work_order_id])?;
    order_status::follow_tasks(conn, work_order_id, actor_id, now)
}

/// The lines task `task_id` takes its work from (removed or cancelled lines seen through).
pub fn prerequisite_lines(conn: &Connection, task_id: i64) -> Result<Vec<i64>, Error> {
    let (work_order_id, line_id): (i64, i64) = conn
        .prepare_cached("SELECT work_order_id, line_id FROM tasks WHERE id = ?1")?
        .query_row([task_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let (lines, tasks) = load_flow(conn, work_order_id)?;
    Ok(lines
        .iter()
        .find(|l| l.id == line_id)
        .map(|l| flow::prerequisites(l, &lines, &tasks))
        .unwrap_or_default())
}

/// For every task that has work on it (started, finished, or anything reported), the lines
/// it takes its work from, to check an edit against.
pub fn worked_prerequisites(
    conn: &Connection,
    work_order_id: i64,
) -> Result<HashMap<i64, Vec<i64>>, Error> {
    let (lines, tasks) = load_flow(conn, work_order_id)?;
    let mut out = HashMap::new();
    for task in tasks.iter().filter(|t| has_work(t)) {
        if let Some(line) = lines.iter().find(|l| l.id == task.line_id) {
            out.insert(task.id, flow::prerequisites(line, &lines, &tasks));
        }
    }
    Ok(out)
}

fn has_work(t: &Task) -> bool {
    matches!(
        t.status,
        TaskStatus::InProgress | TaskStatus::Paused | TaskStatus::Completed
    ) || t.good + t.scrap > 0
}

/// Refuses an edit that would put work already done after work not done: a task with work
/// on it may not gain a prerequisite that is still open (409 `started_work_reordered`).
pub fn refuse_new_prerequisites(
    conn: &Connection,
    work_order_id: i64,
    before: &HashMap<i64, Vec<i64>>,
) -> Result<(), Error> {
    let (lines, tasks) = load_flow(conn, work_order_id)?;
    for task in tasks.iter().filter(|t| t.status != TaskStatus::Cancelled) {
        let (Some(old), Some(line)) = (
            before.get(&task.id),
            lines.iter().find(|l| l.id == task.line_id),
        ) else {
            continue;
        };
        for need in flow::prerequisites(line, &lines, &tasks) {
            let open = tasks
                .iter()
                .any(|t| t.line_id == need && !t.status.is_closed());
            if open && !old.contains(&need) {
                let code = |id: i64| {
                    lines
                        .iter()
                        .find(|l| l.id == id)
                        .map(|l| l.process_code.clone())
                        .unwrap_or_default()
                };
                return Err(Error::conflict_with(
                    "started_work_reordered",
                    format!(
                        "task {} ({}) already has work on it and cannot come after {}, which is not finished",
                        task.id,
                        code(task.line_id),
                        code(need)
                    ),
                    json!({"task": task.id, "process": code(task.line_id), "would_need": code(need)}),
                ));
            }
        }
    }
    Ok(())
}

/// Gives the order the gates its lines' processes wait for (new ones open; ticked ones stay).
pub fn ensure_gates(conn: &Connection, work_order_id: i64) -> Result<(), Error> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO work_order_gates (work_order_id, gate_code)
         SELECT DISTINCT l.work_order_id, g.gate_code FROM work_order_lines l
         JOIN process_gates g ON g.process_id = l.process_id
         JOIN gates c ON c.code = g.gate_code AND c.active = 1
         WHERE l.work_order_id = ?1 AND l.removed = 0",
    )?
    .execute([work_order_id])?;
    Ok(())
}

/// What a stored task waits for, as its row keeps it.
pub fn blocked_by_of(conn: &Connection, task_id: i64) -> Result<Vec<Blocker>, Error> {
    let text: String = conn
        .prepare_cached("SELECT blocked_by FROM tasks WHERE id = ?1")?
        .query_row([task_id], |r| r.get(0))?;
    Ok(serde_json::from_str(&text).unwrap_or_default())
}

/// Settles the orders an upgrade left with stale flow columns (once, at start).
pub async fn settle_stale(store: &Store) -> Result<usize, Error> {
    store
        .write(|conn| {
            let ids: Vec<i64> = conn
                .prepare("SELECT id FROM work_orders WHERE flow_stale <> 0")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let now = super::now_ms();
            // What the old release showed is what the new one shows: nothing to announce.
            for id in &ids {
                settle_with(conn, *id, None, now, false)?;
            }
            Ok(ids.len())
        })
        .await
}
