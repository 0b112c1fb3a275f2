//! Applying a process-line sync plan to an order's lines and tasks. Only the tasks the plan
//! names are touched; the others keep their ids, versions and history.

use super::catalog::Process;
use super::{task_events, Error};
use crate::domain::process_list::{task_parts, AddedLine, ChangedLine, SyncPlan, WantedLine};
use crate::domain::{Priority, TaskStatus};
use rusqlite::{params, Connection};
use serde_json::json;
use std::collections::HashMap;

/// What every task of one order shares, for the duration of one write.
pub struct OrderCtx {
    pub work_order_id: i64,
    pub priority: Priority,
    pub due_date: String,
    /// Once approved, new tasks go straight to the pool and removals cancel instead of delete.
    pub published: bool,
    pub actor_id: i64,
    pub now: i64,
}

pub fn add_line(
    conn: &Connection,
    ctx: &OrderCtx,
    position: i64,
    line: &WantedLine,
    catalog: &HashMap<i64, Process>,
) -> Result<i64, Error> {
    conn.prepare_cached(
        "INSERT INTO work_order_lines (work_order_id, position, process_id, quantity, note, parallel, parts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        ctx.work_order_id,
        position,
        line.process_id,
        line.quantity,
        line.note,
        line.parallel,
        serde_json::to_string(&line.parts).unwrap_or_else(|_| "[]".into()),
    ])?;
    let line_id = conn.last_insert_rowid();
    let department_id = catalog[&line.process_id].department_id;
    for part in task_parts(&line.parts) {
        insert_task(conn, ctx, line_id, &part, line, position, department_id)?;
    }
    Ok(line_id)
}

fn insert_task(
    conn: &Connection,
    ctx: &OrderCtx,
    line_id: i64,
    part: &str,
    line: &WantedLine,
    sequence: i64,
    department_id: i64,
) -> Result<i64, Error> {
    let status = if ctx.published {
        TaskStatus::Pending
    } else {
        TaskStatus::Draft
    };
    conn.prepare_cached(
        "INSERT INTO tasks (work_order_id, line_id, part, process_id, department_id, sequence, parallel,
            priority, due_date, quantity, status, published_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
    )?
    .execute(params![
        ctx.work_order_id,
        line_id,
        part,
        line.process_id,
        department_id,
        sequence,
        line.parallel,
        ctx.priority.rank(),
        ctx.due_date,
        line.quantity,
        status.as_str(),
        ctx.published.then_some(ctx.now),
        ctx.now,
    ])?;
    let id = conn.last_insert_rowid();
    let kind = if ctx.published {
        "task.published"
    } else {
        "task.created"
    };
    task_events::record(conn, ctx.now, Some(ctx.actor_id), kind, id, json!({}))?;
    Ok(id)
}

pub fn apply_plan(
    conn: &Connection,
    ctx: &OrderCtx,
    plan: &SyncPlan,
    catalog: &HashMap<i64, Process>,
) -> Result<(), Error> {
    for &line_id in &plan.remove {
        remove_line(conn, ctx, line_id)?;
    }
    for change in &plan.change {
        change_line(conn, ctx, change, catalog)?;
    }
    for AddedLine { position, line } in &plan.add {
        add_line(conn, ctx, *position, line, catalog)?;
    }
    Ok(())
}

struct LineTask {
    id: i64,
    part: String,
    status: TaskStatus,
    operator_id: Option<i64>,
    /// "PRT 印刷" and the operator's name, for refusals a person can act on.
    process: String,
    operator_name: Option<String>,
}

fn line_tasks(conn: &Connection, line_id: i64) -> Result<Vec<LineTask>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.id, t.part, t.status, t.operator_id, p.code || ' ' || p.name_zh, u.display_name
         FROM tasks t JOIN processes p ON p.id = t.process_id LEFT JOIN users u ON u.id = t.operator_id
         WHERE t.line_id = ?1 ORDER BY t.id",
    )?;
    let rows = stmt.query_map([line_id], |r| {
        let status: String = r.get(2)?;
        Ok(LineTask {
            id: r.get(0)?,
            part: r.get(1)?,
            status: status.parse().unwrap_or(TaskStatus::Cancelled),
            operator_id: r.get(3)?,
            process: r.get(4)?,
            operator_name: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A published task may be withdrawn or changed only while it sits unclaimed in the pool;
/// once someone holds it, started it or finished it, the edit is refused naming it.
fn refuse_if_in_use(task: &LineTask, what: &str) -> Result<(), Error> {
    let free = matches!(
        task.status,
        TaskStatus::Draft | TaskStatus::Pending | TaskStatus::Cancelled
    ) && task.operator_id.is_none();
    if free {
        return Ok(());
    }
    let part = if task.part.is_empty() {
        String::new()
    } else {
        format!(" ({})", task.part)
    };
    let who = task
        .operator_name
        .as_deref()
        .map(|n| format!(" by {n}"))
        .unwrap_or_default();
    Err(Error::conflict(
        "task_in_use",
        format!(
            "cannot {what}: task {} {}{part} is {}{who}",
            task.id,
            task.process,
            task.status.as_str()
        ),
    ))
}

fn withdraw_task(conn: &Connection, ctx: &OrderCtx, task: &LineTask) -> Result<(), Error> {
    match task.status {
        TaskStatus::Cancelled => Ok(()),
        TaskStatus::Draft if !ctx.published => {
            // A draft task was never seen by the shop floor: it goes, its creation event stays.
            task_events::record(
                conn,
                ctx.now,
                Some(ctx.actor_id),
                "task.removed",
                task.id,
                json!({}),
            )?;
            conn.prepare_cached("DELETE FROM tasks WHERE id = ?1")?
                .execute([task.id])?;
            Ok(())
        }
        _ => {
            conn.prepare_cached(
                "UPDATE tasks SET status = 'cancelled', updated_at = ?2, version = version + 1 WHERE id = ?1",
            )?
            .execute(params![task.id, ctx.now])?;
            task_events::record(
                conn,
                ctx.now,
                Some(ctx.actor_id),
                "task.cancelled",
                task.id,
                json!({"reason": "process removed from the work order"}),
            )
        }
    }
}

fn remove_line(conn: &Connection, ctx: &OrderCtx, line_id: i64) -> Result<(), Error> {
    let tasks = line_tasks(conn, line_id)?;
    for task in &tasks {
        refuse_if_in_use(task, "remove this process")?;
    }
    for task in &tasks {
        withdraw_task(conn, ctx, task)?;
    }
    if ctx.published {
        conn.prepare_cached("UPDATE work_order_lines SET removed = 1 WHERE id = ?1")?
            .execute([line_id])?;
    } else {
        conn.prepare_cached("DELETE FROM work_order_lines WHERE id = ?1")?
            .execute([line_id])?;
    }
    Ok(())
}

fn change_line(
    conn: &Connection,
    ctx: &OrderCtx,
    change: &ChangedLine,
    catalog: &HashMap<i64, Process>,
) -> Result<(), Error> {
    let tasks = line_tasks(conn, change.id)?;
    let (old_quantity, old_parallel): (i64, bool) = conn
        .prepare_cached("SELECT quantity, parallel FROM work_order_lines WHERE id = ?1")?
        .query_row([change.id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let work_changes = old_quantity != change.quantity || old_parallel != change.parallel;
    for task in &tasks {
        let removed = change.parts_removed.contains(&task.part);
        if work_changes || removed {
            refuse_if_in_use(task, "change this process")?;
        }
    }
    conn.prepare_cached(
        "UPDATE work_order_lines SET position = ?2, quantity = ?3, note = ?4, parallel = ?5, parts = ?6 WHERE id = ?1",
    )?
    .execute(params![
        change.id,
        change.position,
        change.quantity,
        change.note,
        change.parallel,
        serde_json::to_string(&change.parts).unwrap_or_else(|_| "[]".into()),
    ])?;
    for task in &tasks {
        if change.parts_removed.contains(&task.part) {
            withdraw_task(conn, ctx, task)?;
        } else if change.tasks_changed && task.status.is_closed() {
            // Finished work keeps its quantities, but its place in the order moves with the
            // line, or the hand-off would read the steps in the wrong order.
            conn.prepare_cached("UPDATE tasks SET sequence = ?2 WHERE id = ?1")?
                .execute(params![task.id, change.position])?;
        } else if change.tasks_changed {
            conn.prepare_cached(
                "UPDATE tasks SET sequence = ?2, quantity = ?3, parallel = ?4, updated_at = ?5, version = version + 1
                 WHERE id = ?1",
            )?
            .execute(params![task.id, change.position, change.quantity, change.parallel, ctx.now])?;
            task_events::record(
                conn,
                ctx.now,
                Some(ctx.actor_id),
                "task.updated",
                task.id,
                json!({}),
            )?;
        }
    }
    if !change.parts_added.is_empty() {
        let process_id: i64 = conn
            .prepare_cached("SELECT process_id FROM work_order_lines WHERE id = ?1")?
            .query_row([change.id], |r| r.get(0))?;
        let line = WantedLine {
            id: Some(change.id),
            process_id,
            quantity: change.quantity,
            note: change.note.clone(),
            parallel: change.parallel,
            parts: change.parts.clone(),
        };
        let department_id = catalog
            .get(&process_id)
            .map(|p| p.department_id)
            .ok_or_else(|| Error::Internal(format!("process {process_id} vanished")))?;
        for part in &change.parts_added {
            insert_task(
                conn,
                ctx,
                change.id,
                part,
                &line,
                change.position,
                department_id,
            )?;
        }
    }
    Ok(())
}

/// Carries a new priority or due date to every open task of the order.
pub fn retime_open_tasks(conn: &Connection, ctx: &OrderCtx) -> Result<(), Error> {
    let ids: Vec<i64> = conn
        .prepare_cached("SELECT id FROM tasks WHERE work_order_id = ?1 AND status NOT IN ('completed', 'cancelled')")?
        .query_map([ctx.work_order_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut update = conn.prepare_cached(
        "UPDATE tasks SET priority = ?2, due_date = ?3, updated_at = ?4, version = version + 1 WHERE id = ?1",
    )?;
    for id in ids {
        update.execute(params![id, ctx.priority.rank(), ctx.due_date, ctx.now])?;
        task_events::record(
            conn,
            ctx.now,
            Some(ctx.actor_id),
            "task.updated",
            id,
            json!({}),
        )?;
    }
    Ok(())
}
