//! An operator working a task they hold: start, pause, resume, report progress, complete,
//! release. Each is one write with its event; worked time is kept by the server from start,
//! pause and resume and never resets. Handing tasks to people lives in `task_control`.

use super::task_door::{self, Move};
use super::tasks::{load_head, TaskHead};
use super::views::{load_task, TaskView};
use super::{now_ms, order_flow, scrap_reasons, Actor, Error};
use crate::domain::flow::{check_report, Blocker};
use crate::domain::task_input::{CompleteInput, ProgressInput, Report};
use crate::domain::{Role, Transition};
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
            for (mv, extra) in decide(conn, &head)? {
                head.status = task_door::apply(conn, id, &head, &mv, Some(actor.id), now, extra)?;
            }
            order_flow::settle(conn, head.work_order_id, Some(actor.id), now)?;
            load_task(conn, id)?
                .map(|t| t.for_reader(&actor.scope()))
                .ok_or_else(|| Error::not_found(format!("task {id}")))
        })
        .await
}

/// A task that is not ready cannot start: the refusal names what it waits for.
pub async fn start_task(store: &Store, actor: &Actor, id: i64) -> Result<TaskView, Error> {
    work(store, actor, id, Transition::Start, move |conn, _| {
        let (ready, blocked_by) = flow_of(conn, id)?;
        if !ready {
            let first = blocked_by.first();
            let what = first
                .map(|b| match (&b.gate, &b.process_code) {
                    (Some(g), _) => format!("gate {g}"),
                    (_, Some(p)) => format!("{p} ({} of {})", b.have, b.need),
                    _ => "its prerequisites".to_owned(),
                })
                .unwrap_or_else(|| "work to reach it".to_owned());
            return Err(Error::conflict_with(
                "not_ready",
                format!("task {id} is not ready: it waits for {what}"),
                json!({"task": id, "blocked_by": blocked_by}),
            ));
        }
        Ok(vec![(Move::Start, json!({}))])
    })
    .await
}

/// Whether the task can start and what it waits for, as its order's flow left them.
fn flow_of(conn: &Connection, id: i64) -> Result<(bool, Vec<Blocker>), Error> {
    let ready: bool = conn
        .prepare_cached("SELECT ready FROM tasks WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?;
    Ok((ready, order_flow::blocked_by_of(conn, id)?))
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

/// The operator has seen that the task's target changed; the card's notice goes.
pub async fn acknowledge_task(store: &Store, actor: &Actor, id: i64) -> Result<TaskView, Error> {
    work(store, actor, id, Transition::Acknowledge, |_, _| {
        Ok(vec![(Move::Acknowledge, json!({}))])
    })
    .await
}

/// What the task has: reached it, reported good and scrap, planned.
struct Tally {
    available: i64,
    good: i64,
    scrap: i64,
    quantity: i64,
}

fn tally(conn: &Connection, id: i64) -> Result<Tally, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT available_qty, good_qty, scrap_qty, quantity FROM tasks WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Tally {
                available: r.get(0)?,
                good: r.get(1)?,
                scrap: r.get(2)?,
                quantity: r.get(3)?,
            })
        })?)
}

/// Checks a report against what has reached the task and makes it a move.
fn report_move(
    conn: &Connection,
    id: i64,
    report: &Report,
) -> Result<(Move, serde_json::Value), Error> {
    if let Some(code) = &report.scrap_reason {
        scrap_reasons::require_active(conn, code)?;
    }
    let t = tally(conn, id)?;
    check_report(t.available, t.good, t.scrap, report.good, report.scrap).map_err(|e| {
        Error::conflict_with(
            "quantity_exceeds_available",
            format!(
                "task {id} has {} available and {} already reported (good + scrap), so it can take {} more; this report is {}",
                e.available, e.reported, (e.available - e.reported).max(0), e.asked
            ),
            json!({"task": id, "have": e.available, "reported": e.reported, "asked": e.asked,
                   "room": (e.available - e.reported).max(0)}),
        )
    })?;
    Ok((
        Move::Report {
            good: report.good,
            scrap: report.scrap,
        },
        json!({
            "good": report.good, "scrap": report.scrap, "scrap_reason": report.scrap_reason,
            "note": report.note, "available_qty": t.available,
        }),
    ))
}

/// Refuses completing while a step the task takes work from is still open: what it hands
/// on later would have nowhere to go.
fn check_upstream_closed(conn: &Connection, id: i64, work_order_id: i64) -> Result<(), Error> {
    let open: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT u.id, p.code FROM tasks t JOIN work_order_lines l ON l.id = t.line_id
             JOIN tasks u ON u.work_order_id = t.work_order_id
             JOIN processes p ON p.id = u.process_id
             WHERE t.id = ?1 AND u.work_order_id = ?2
               AND u.status NOT IN ('completed', 'cancelled') AND u.id <> t.id
               AND u.line_id IN (SELECT value FROM json_each(?3))
             ORDER BY u.id LIMIT 1",
        )?
        .query_row(
            params![
                id,
                work_order_id,
                serde_json::to_string(&order_flow::prerequisite_lines(conn, id)?)
                    .unwrap_or_else(|_| "[]".into())
            ],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match open {
        None => Ok(()),
        Some((task, process)) => Err(Error::conflict_with(
            "upstream_open",
            format!("task {id} cannot complete while task {task} ({process}) before it is open"),
            json!({"task": id, "upstream_task": task, "process": process}),
        )),
    }
}

pub async fn report_progress(
    store: &Store,
    actor: &Actor,
    id: i64,
    input: ProgressInput,
) -> Result<TaskView, Error> {
    let report = input.check()?;
    work(store, actor, id, Transition::Report, move |conn, _| {
        Ok(vec![report_move(conn, id, &report)?])
    })
    .await
}

/// Completes the task with its final totals; the difference to what was reported is
/// reported with it. A good total below the planned quantity needs a shortfall reason.
pub async fn complete_task(
    store: &Store,
    actor: &Actor,
    id: i64,
    input: CompleteInput,
) -> Result<TaskView, Error> {
    let completion = input.check()?;
    work(store, actor, id, Transition::Complete, move |conn, head| {
        check_upstream_closed(conn, id, head.work_order_id)?;
        let t = tally(conn, id)?;
        let report = completion.report(t.good, t.scrap, t.quantity)?;
        let mut moves = Vec::new();
        if report.good + report.scrap > 0 {
            moves.push(report_move(conn, id, &report)?);
        }
        if let Some(why) = &completion.shortfall_reason {
            conn.prepare_cached("UPDATE tasks SET shortfall_reason = ?2 WHERE id = ?1")?
                .execute(params![id, why])?;
        }
        let extra = json!({
            "good_total": completion.good_total,
            "scrap_total": t.scrap + report.scrap,
            "shortfall_reason": completion.shortfall_reason,
        });
        moves.push((Move::Complete, extra));
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
