//! Applying a process-line sync plan to an order's lines and tasks. Only the tasks the plan
//! names are touched; the others keep their ids, versions and history.

use super::catalog::Process;
use super::task_door::{self, Move};
use super::tasks::load_head;
use super::views::TaskView;
use super::{task_events, Error};
use crate::domain::process_list::{task_parts, AddedLine, ChangedLine, SyncPlan, WantedLine};
use crate::domain::{Priority, TaskStatus};
use rusqlite::{params, Connection};
use serde_json::json;
use std::collections::HashMap;

/// What every task of one order shares, for the duration of one write.
pub struct OrderCtx {
    pub work_order_id: i64,
    pub number: String,
    pub customer: String,
    pub product: String,
    pub priority: Priority,
    pub due_date: String,
    /// Once approved, new tasks go straight to the pool and removals cancel instead of delete.
    pub published: bool,
    pub actor_id: i64,
    pub now: i64,
}

/// An order created in this transaction. Nothing else can touch its tasks before it commits,
/// so each new task's event snapshot is built from the values inserted instead of read back:
/// a 200-line order would otherwise read 200 tasks back with their joins. Their flow is
/// settled after all are in (`order_flow::settle`).
#[derive(Default)]
pub struct FreshOrder;

pub fn add_line(
    conn: &Connection,
    ctx: &OrderCtx,
    position: i64,
    line: &WantedLine,
    catalog: &HashMap<i64, Process>,
    mut fresh: Option<&mut FreshOrder>,
) -> Result<i64, Error> {
    conn.prepare_cached(
        "INSERT INTO work_order_lines (work_order_id, position, process_id, quantity, note, parallel,
            parts, step, unit, quantity_set)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        ctx.work_order_id,
        position,
        line.process_id,
        line.quantity,
        line.note,
        line.parallel,
        serde_json::to_string(&line.parts).unwrap_or_else(|_| "[]".into()),
        line.step,
        catalog[&line.process_id].unit.as_str(),
        line.quantity_set,
    ])?;
    let line_id = conn.last_insert_rowid();
    let process = &catalog[&line.process_id];
    for part in task_parts(&line.parts) {
        let task = NewTask {
            line_id,
            part: &part,
            line,
            sequence: position,
            process,
        };
        insert_task(conn, ctx, &task, fresh.as_deref_mut())?;
    }
    Ok(line_id)
}

struct NewTask<'a> {
    line_id: i64,
    part: &'a str,
    line: &'a WantedLine,
    sequence: i64,
    process: &'a Process,
}

fn insert_task(
    conn: &Connection,
    ctx: &OrderCtx,
    task: &NewTask<'_>,
    fresh: Option<&mut FreshOrder>,
) -> Result<i64, Error> {
    let status = if ctx.published {
        TaskStatus::Pending
    } else {
        TaskStatus::Draft
    };
    conn.prepare_cached(
        "INSERT INTO tasks (work_order_id, line_id, part, process_id, department_id, sequence, parallel,
            priority, due_date, quantity, status, published_at, created_at, updated_at, unit, step)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, ?15)",
    )?
    .execute(params![
        ctx.work_order_id,
        task.line_id,
        task.part,
        task.process.id,
        task.process.department_id,
        task.sequence,
        task.line.parallel,
        ctx.priority.rank(),
        ctx.due_date,
        task.line.quantity,
        status.as_str(),
        ctx.published.then_some(ctx.now),
        ctx.now,
        task.process.unit.as_str(),
        task.line.step,
    ])?;
    let id = conn.last_insert_rowid();
    let kind = if ctx.published {
        "task.published"
    } else {
        "task.created"
    };
    let actor = Some(ctx.actor_id);
    match fresh {
        Some(order) => {
            let view = fresh_view(ctx, id, status, task, order);
            task_events::append_snapshot(conn, ctx.now, actor, kind, &view, json!({}))?;
        }
        None => task_events::record(conn, ctx.now, actor, kind, id, json!({}))?,
    }
    Ok(id)
}

/// The task just inserted, as `views::load_task` would read it back (a test checks they agree).
fn fresh_view(
    ctx: &OrderCtx,
    id: i64,
    status: TaskStatus,
    task: &NewTask<'_>,
    _order: &mut FreshOrder,
) -> TaskView {
    TaskView {
        id,
        work_order_id: ctx.work_order_id,
        work_order_number: ctx.number.clone(),
        customer: ctx.customer.clone(),
        product: ctx.product.clone(),
        line_id: task.line_id,
        part: task.part.to_owned(),
        process_id: task.process.id,
        process_code: task.process.code.clone(),
        process_name_zh: task.process.name_zh.clone(),
        process_name_en: task.process.name_en.clone(),
        department_id: task.process.department_id,
        sequence: task.sequence,
        parallel: task.line.parallel,
        priority: ctx.priority,
        due_date: ctx.due_date.clone(),
        quantity: task.line.quantity,
        good_qty: 0,
        scrap_qty: 0,
        status: status.as_str().to_owned(),
        operator_id: None,
        operator_name: None,
        assigned_via: None,
        assign_reason: None,
        assign_reason_zh: None,
        published_at: ctx.published.then_some(ctx.now),
        claimed_at: None,
        started_at: None,
        completed_at: None,
        worked_ms: 0,
        running_since: None,
        version: 1,
        available_qty: 0,
        ready: false,
        unit: task.process.unit,
        step: task.line.step,
        blocked_by: Vec::new(),
        split_from: None,
        shortfall_reason: None,
        target_notice: None,
        actions: Vec::new(),
    }
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
        add_line(conn, ctx, *position, line, catalog, None)?;
    }
    Ok(())
}

struct LineTask {
    id: i64,
    part: String,
    status: TaskStatus,
    operator_id: Option<i64>,
    quantity: i64,
    /// Good and scrap reported so far.
    reported: i64,
    /// "PRT 印刷" and the operator's name, for refusals a person can act on.
    process: String,
    operator_name: Option<String>,
}

fn line_tasks(conn: &Connection, line_id: i64) -> Result<Vec<LineTask>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.id, t.part, t.status, t.operator_id, p.code || ' ' || p.name_zh, u.display_name,
                t.quantity, t.good_qty + t.scrap_qty
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
            quantity: r.get(6)?,
            reported: r.get(7)?,
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
    Err(Error::conflict_with(
        "task_in_use",
        format!(
            "cannot {what}: task {} {}{part} is {}{who}",
            task.id,
            task.process,
            task.status.as_str()
        ),
        json!({"task": task.id, "process": task.process, "part": task.part,
               "status": task.status.as_str(), "operator_name": task.operator_name}),
    ))
}

fn withdraw_task(conn: &Connection, ctx: &OrderCtx, task: &LineTask) -> Result<(), Error> {
    let mv = match task.status {
        TaskStatus::Cancelled => return Ok(()),
        // A draft task was never seen by the shop floor: it goes, its creation event stays.
        TaskStatus::Draft if !ctx.published => Move::Remove,
        _ => Move::Cancel,
    };
    let head = load_head(conn, task.id)?;
    let extra = match mv {
        Move::Remove => json!({}),
        _ => json!({"reason": "process removed from the work order"}),
    };
    task_door::apply(
        conn,
        task.id,
        &head,
        &mv,
        Some(ctx.actor_id),
        ctx.now,
        extra,
    )?;
    Ok(())
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
    let retargets = old_quantity != change.quantity;
    for task in &tasks {
        let removed = change.parts_removed.contains(&task.part);
        if old_parallel != change.parallel || removed {
            refuse_if_in_use(task, "change this process")?;
        }
        if retargets && !task.status.is_closed() && change.quantity < task.reported {
            return Err(Error::conflict_with(
                "quantity_below_reported",
                format!(
                    "task {} {} has {} reported (good + scrap); its quantity cannot go below that to {}",
                    task.id, task.process, task.reported, change.quantity
                ),
                json!({"task": task.id, "reported": task.reported, "quantity": change.quantity}),
            ));
        }
    }
    conn.prepare_cached(
        "UPDATE work_order_lines SET position = ?2, quantity = ?3, note = ?4, parallel = ?5, parts = ?6,
            step = ?7, quantity_set = ?8 WHERE id = ?1",
    )?
    .execute(params![
        change.id,
        change.position,
        change.quantity,
        change.note,
        change.parallel,
        serde_json::to_string(&change.parts).unwrap_or_else(|_| "[]".into()),
        change.step,
        change.quantity_set,
    ])?;
    for task in &tasks {
        if change.parts_removed.contains(&task.part) {
            withdraw_task(conn, ctx, task)?;
        } else if change.tasks_changed && task.status.is_closed() {
            // Finished work keeps its quantities, but its place in the order moves with the
            // line, or the hand-off would read the steps in the wrong order.
            conn.prepare_cached("UPDATE tasks SET sequence = ?2, step = ?3 WHERE id = ?1")?
                .execute(params![task.id, change.position, change.step])?;
        } else if retargets && held(task) {
            retarget(conn, ctx, task, change)?;
        } else if change.tasks_changed {
            conn.prepare_cached(
                "UPDATE tasks SET sequence = ?2, quantity = ?3, parallel = ?4, updated_at = ?5, version = version + 1,
                    step = ?6
                 WHERE id = ?1",
            )?
            .execute(params![task.id, change.position, change.quantity, change.parallel, ctx.now, change.step])?;
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
            step: change.step,
            quantity_set: change.quantity_set,
        };
        let process = catalog
            .get(&process_id)
            .ok_or_else(|| Error::Internal(format!("process {process_id} vanished")))?;
        for part in &change.parts_added {
            let task = NewTask {
                line_id: change.id,
                part,
                line: &line,
                sequence: change.position,
                process,
            };
            insert_task(conn, ctx, &task, None)?;
        }
    }
    Ok(())
}

/// Whether someone holds the task: its quantity then changes through the door, with a notice.
fn held(task: &LineTask) -> bool {
    task.operator_id.is_some() && !task.status.is_closed()
}

/// A held task takes the line's new quantity; its card shows the change until acknowledged.
fn retarget(
    conn: &Connection,
    ctx: &OrderCtx,
    task: &LineTask,
    change: &ChangedLine,
) -> Result<(), Error> {
    conn.prepare_cached("UPDATE tasks SET sequence = ?2, step = ?3 WHERE id = ?1")?
        .execute(params![task.id, change.position, change.step])?;
    let notice =
        json!({"from": task.quantity, "to": change.quantity, "at": ctx.now, "by": ctx.actor_id});
    let head = load_head(conn, task.id)?;
    task_door::apply(
        conn,
        task.id,
        &head,
        &Move::Retarget {
            quantity: change.quantity,
            notice: notice.to_string(),
        },
        Some(ctx.actor_id),
        ctx.now,
        json!({"from": task.quantity, "to": change.quantity}),
    )?;
    Ok(())
}

/// Writes what each line needs, `needs[i]` naming lines by their index in the order's list
/// (the live lines in position order, as the plan just left them).
pub fn write_needs(
    conn: &Connection,
    work_order_id: i64,
    needs: &[Option<Vec<usize>>],
) -> Result<(), Error> {
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT id FROM work_order_lines WHERE work_order_id = ?1 AND removed = 0 ORDER BY position",
        )?
        .query_map([work_order_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if ids.len() != needs.len() {
        return Err(Error::Internal(format!(
            "work order {work_order_id} has {} lines where {} were planned",
            ids.len(),
            needs.len()
        )));
    }
    let mut write = conn.prepare_cached(
        "UPDATE work_order_lines SET needs = ?2 WHERE id = ?1 AND needs IS NOT ?2",
    )?;
    for (id, need) in ids.iter().zip(needs) {
        let text = need.as_ref().map(|n| {
            serde_json::to_string(&n.iter().map(|&j| ids[j]).collect::<Vec<i64>>())
                .unwrap_or_else(|_| "[]".into())
        });
        write.execute(params![id, text])?;
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
