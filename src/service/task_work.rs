//! An operator working a task they hold: start, pause, resume, report progress, complete,
//! release. Each is one write with its event; worked time is kept by the server from start,
//! pause and resume and never resets. Handing tasks to people lives in `task_control`.

use super::tasks::{load_head, TaskHead};
use super::views::{load_task, TaskView};
use super::{handoff, now_ms, scrap_reasons, task_events, work_order_flow, Actor, Error};
use crate::domain::handoff::check_report;
use crate::domain::task_input::{ProgressInput, Report};
use crate::domain::{Role, TaskAction};
use crate::store::Store;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

/// The refusal for an operator acting on a task a colleague of their department holds now
/// (usually just reassigned): a conflict naming the holder, not a lack of rights.
fn held_by_other(conn: &Connection, id: i64, holder: i64) -> Result<Error, Error> {
    let name: String = conn
        .prepare_cached("SELECT display_name FROM users WHERE id = ?1")?
        .query_row([holder], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| format!("user {holder}"));
    Ok(Error::conflict_with(
        "task_held_by_other",
        format!("task {id} is held by {name} now"),
        json!({"operator_id": holder, "operator_name": name}),
    ))
}

/// Finds the task and checks that `actor` holds it and its status allows `action`.
/// Tasks the actor cannot see are not found; a colleague's task is a conflict naming them.
fn held_task(
    conn: &Connection,
    actor: &Actor,
    id: i64,
    action: TaskAction,
) -> Result<TaskHead, Error> {
    let head = load_head(conn, id)?;
    let visible =
        actor
            .scope()
            .sees_task(head.department_id, head.status.as_str(), head.operator_id);
    if !visible && !actor.is_in_department(head.department_id) {
        return Err(Error::not_found(format!("task {id}")));
    }
    if let Some(holder) = head.operator_id.filter(|o| *o != actor.id) {
        return Err(held_by_other(conn, id, holder)?);
    }
    if head.status.after(action).is_none() {
        return Err(Error::conflict(
            head.status.conflict_code(action),
            format!("task {id} is {}", head.status.as_str()),
        ));
    }
    if head.operator_id.is_none() {
        return Err(Error::Forbidden(format!("claim task {id} first")));
    }
    Ok(head)
}

/// Runs one operator action in one write: checks, `change`, the event, and what follows.
async fn work(
    store: &Store,
    actor: &Actor,
    id: i64,
    action: TaskAction,
    change: impl FnOnce(&Connection, &TaskHead, i64) -> Result<(&'static str, serde_json::Value), Error>
        + Send
        + 'static,
) -> Result<TaskView, Error> {
    actor.require(&[Role::Operator], "work on tasks")?;
    let actor = actor.clone();
    store
        .write(move |conn| {
            let head = held_task(conn, &actor, id, action)?;
            let now = now_ms();
            let before = handoff::order_steps(conn, head.work_order_id)?;
            let (kind, extra) = change(conn, &head, now)?;
            task_events::record(conn, now, Some(actor.id), kind, id, extra)?;
            handoff::announce_ready(conn, head.work_order_id, &before, Some(actor.id), now)?;
            work_order_flow::follow_tasks(conn, head.work_order_id, Some(actor.id), now)?;
            load_task(conn, id)?.ok_or_else(|| Error::not_found(format!("task {id}")))
        })
        .await
}

/// Moves the task from the status checked in `held_task` to `to`, bumping its version.
fn set_status(
    conn: &Connection,
    id: i64,
    head: &TaskHead,
    to: &str,
    now: i64,
    extra_sql: &str,
) -> Result<(), Error> {
    let sql = format!(
        "UPDATE tasks SET status = ?3, updated_at = ?4, version = version + 1{extra_sql}
         WHERE id = ?1 AND status = ?2"
    );
    let changed = conn
        .prepare_cached(&sql)?
        .execute(params![id, head.status.as_str(), to, now])?;
    if changed != 1 {
        return Err(Error::Internal(format!(
            "task {id} changed under its writer"
        )));
    }
    Ok(())
}

/// Time since the running clock started joins the worked time; `?4` is now.
const STOP_CLOCK: &str =
    ", worked_ms = worked_ms + MAX(0, COALESCE(?4 - running_since, 0)), running_since = NULL";

pub async fn start_task(store: &Store, actor: &Actor, id: i64) -> Result<TaskView, Error> {
    work(
        store,
        actor,
        id,
        TaskAction::Start,
        move |conn, head, now| {
            let steps = handoff::order_steps(conn, head.work_order_id)?;
            if handoff::available_in(&steps, id)? == 0 {
                return Err(Error::conflict(
                    "task_not_ready",
                    format!(
                        "task {id} is not ready: nothing has reached it from the step before yet"
                    ),
                ));
            }
            set_status(
                conn,
                id,
                head,
                "in_progress",
                now,
                ", running_since = ?4, started_at = COALESCE(started_at, ?4)",
            )?;
            Ok(("task.started", json!({})))
        },
    )
    .await
}

pub async fn pause_task(store: &Store, actor: &Actor, id: i64) -> Result<TaskView, Error> {
    work(
        store,
        actor,
        id,
        TaskAction::Pause,
        move |conn, head, now| {
            set_status(conn, id, head, "paused", now, STOP_CLOCK)?;
            Ok(("task.paused", json!({})))
        },
    )
    .await
}

pub async fn resume_task(store: &Store, actor: &Actor, id: i64) -> Result<TaskView, Error> {
    work(
        store,
        actor,
        id,
        TaskAction::Resume,
        move |conn, head, now| {
            set_status(conn, id, head, "in_progress", now, ", running_since = ?4")?;
            Ok(("task.resumed", json!({})))
        },
    )
    .await
}

/// Adds a report's quantities, refusing more than has reached the task.
fn apply_report(
    conn: &Connection,
    id: i64,
    work_order_id: i64,
    report: &Report,
    now: i64,
) -> Result<serde_json::Value, Error> {
    if let Some(code) = &report.scrap_reason {
        scrap_reasons::require_active(conn, code)?;
    }
    let steps = handoff::order_steps(conn, work_order_id)?;
    let available = handoff::available_in(&steps, id)?;
    let (good, scrap): (i64, i64) = conn
        .prepare_cached("SELECT good_qty, scrap_qty FROM tasks WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    check_report(available, good, scrap, report.good, report.scrap)
        .map_err(|e| Error::conflict("quantity_exceeds_available", e.message(id)))?;
    conn.prepare_cached(
        "UPDATE tasks SET good_qty = good_qty + ?2, scrap_qty = scrap_qty + ?3, updated_at = ?4,
            version = version + 1 WHERE id = ?1",
    )?
    .execute(params![id, report.good, report.scrap, now])?;
    Ok(json!({
        "good": report.good, "scrap": report.scrap, "scrap_reason": report.scrap_reason,
        "note": report.note, "available_qty": available,
    }))
}

pub async fn report_progress(
    store: &Store,
    actor: &Actor,
    id: i64,
    input: ProgressInput,
) -> Result<TaskView, Error> {
    let report = input.check()?;
    work(
        store,
        actor,
        id,
        TaskAction::Report,
        move |conn, head, now| {
            let extra = apply_report(conn, id, head.work_order_id, &report, now)?;
            Ok(("task.progress", extra))
        },
    )
    .await
}

/// Completes the task, first adding a final report when one is given.
pub async fn complete_task(
    store: &Store,
    actor: &Actor,
    id: i64,
    input: Option<ProgressInput>,
) -> Result<TaskView, Error> {
    let report = input.map(|i| i.check()).transpose()?;
    work(
        store,
        actor,
        id,
        TaskAction::Complete,
        move |conn, head, now| {
            let extra = match &report {
                Some(r) => json!({"report": apply_report(conn, id, head.work_order_id, r, now)?}),
                None => json!({}),
            };
            set_status(
                conn,
                id,
                head,
                "completed",
                now,
                &format!("{STOP_CLOCK}, completed_at = ?4"),
            )?;
            Ok(("task.completed", extra))
        },
    )
    .await
}

/// The operator gives the task back to the pool; what was done and the worked time stay.
pub async fn release_task(store: &Store, actor: &Actor, id: i64) -> Result<TaskView, Error> {
    work(store, actor, id, TaskAction::Release, move |conn, head, now| {
        set_status(conn, id, head, "pending", now,
            ", operator_id = NULL, assigned_via = NULL, assign_reason = NULL, assign_reason_zh = NULL, claimed_at = NULL, running_since = NULL")?;
        Ok(("task.released", json!({"previous_operator_id": head.operator_id})))
    })
    .await
}
