//! An operator working a task they hold: start, pause, resume, report progress, complete,
//! release. Each is one write with its event; worked time is kept by the server from start,
//! pause and resume and never resets. Handing tasks to people lives in `task_control`.

use super::task_door::{self, Move};
use super::tasks::{load_head, TaskHead};
use super::views::{load_task, TaskView};
use super::{handoff, now_ms, scrap_reasons, work_order_flow, Actor, Error};
use crate::domain::handoff::check_report;
use crate::domain::task_input::{ProgressInput, Report};
use crate::domain::{Role, Transition};
use crate::store::Store;
use rusqlite::{Connection, OptionalExtension};
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
    action: Transition,
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

/// Runs one operator action in one write: checks, the moves `decide` returns (each through
/// the door, with its event), and what follows in the order.
async fn work(
    store: &Store,
    actor: &Actor,
    id: i64,
    action: Transition,
    decide: impl FnOnce(&Connection, &TaskHead) -> Result<Vec<(Move, serde_json::Value)>, Error>
        + Send
        + 'static,
) -> Result<TaskView, Error> {
    actor.require(&[Role::Operator], "work on tasks")?;
    let actor = actor.clone();
    store
        .write(move |conn| {
            let mut head = held_task(conn, &actor, id, action)?;
            let now = now_ms();
            let before = handoff::order_steps(conn, head.work_order_id)?;
            for (mv, extra) in decide(conn, &head)? {
                head.status = task_door::apply(conn, id, &head, &mv, Some(actor.id), now, extra)?;
            }
            handoff::announce_ready(conn, head.work_order_id, &before, Some(actor.id), now)?;
            work_order_flow::follow_tasks(conn, head.work_order_id, Some(actor.id), now)?;
            load_task(conn, id)?.ok_or_else(|| Error::not_found(format!("task {id}")))
        })
        .await
}

pub async fn start_task(store: &Store, actor: &Actor, id: i64) -> Result<TaskView, Error> {
    work(store, actor, id, Transition::Start, move |conn, head| {
        let steps = handoff::order_steps(conn, head.work_order_id)?;
        if handoff::available_in(&steps, id)? == 0 {
            return Err(Error::conflict(
                "task_not_ready",
                format!("task {id} is not ready: nothing has reached it from the step before yet"),
            ));
        }
        Ok(vec![(Move::Start, json!({}))])
    })
    .await
}

pub async fn pause_task(store: &Store, actor: &Actor, id: i64) -> Result<TaskView, Error> {
    work(store, actor, id, Transition::Pause, |_, _| {
        Ok(vec![(Move::Pause, json!({}))])
    })
    .await
}

pub async fn resume_task(store: &Store, actor: &Actor, id: i64) -> Result<TaskView, Error> {
    work(store, actor, id, Transition::Resume, |_, _| {
        Ok(vec![(Move::Resume, json!({}))])
    })
    .await
}

/// Checks a report against what has reached the task and makes it a move.
fn report_move(
    conn: &Connection,
    id: i64,
    work_order_id: i64,
    report: &Report,
) -> Result<(Move, serde_json::Value), Error> {
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
    Ok((
        Move::Report {
            good: report.good,
            scrap: report.scrap,
        },
        json!({
            "good": report.good, "scrap": report.scrap, "scrap_reason": report.scrap_reason,
            "note": report.note, "available_qty": available,
        }),
    ))
}

pub async fn report_progress(
    store: &Store,
    actor: &Actor,
    id: i64,
    input: ProgressInput,
) -> Result<TaskView, Error> {
    let report = input.check()?;
    work(store, actor, id, Transition::Report, move |conn, head| {
        Ok(vec![report_move(conn, id, head.work_order_id, &report)?])
    })
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
    work(store, actor, id, Transition::Complete, move |conn, head| {
        let mut moves = Vec::new();
        if let Some(r) = &report {
            moves.push(report_move(conn, id, head.work_order_id, r)?);
        }
        moves.push((Move::Complete, json!({})));
        Ok(moves)
    })
    .await
}

/// The operator gives the task back to the pool; what was done and the worked time stay.
pub async fn release_task(store: &Store, actor: &Actor, id: i64) -> Result<TaskView, Error> {
    work(store, actor, id, Transition::Release, |_, head| {
        Ok(vec![(
            Move::Release,
            json!({"previous_operator_id": head.operator_id}),
        )])
    })
    .await
}
