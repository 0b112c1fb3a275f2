//! Supervisors (for their departments), managers and admins directing tasks: assign or
//! reassign to an operator of the task's department, unassign back to the pool, cancel.
//! Every reason is kept in the task's event. The `*_in` functions run inside a caller's
//! write, so batches compose them.

use super::task_door::{self, Move, Via};
use super::tasks::{load_head, TaskHead};
use super::views::{load_task, TaskView};
use super::{now_ms, order_flow, wip, Actor, Error};
use crate::domain::task_input::{
    check_reason, AssignInput, HandoverInput, ReasonInput, SplitInput,
};
use crate::domain::work_order::check_long;
use crate::domain::Rule;
use crate::domain::{Role, Transition};
use crate::store::Store;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

/// Who may direct tasks; supervisors only within their departments (the scope sees to that).
pub const DIRECTORS: &[Role] = &[Role::Admin, Role::Manager, Role::Supervisor];

/// Finds a task the actor can see and checks its status allows `action`.
pub(super) fn visible_task(
    conn: &Connection,
    actor: &Actor,
    id: i64,
    action: Transition,
) -> Result<TaskHead, Error> {
    let head = load_head(conn, id)?;
    if !actor
        .scope()
        .sees_task(head.department_id, head.status.as_str(), head.operator_id)
    {
        return Err(Error::not_found(format!("task {id}")));
    }
    if head.status.after(action).is_none() {
        return Err(Error::conflict(
            head.status.conflict_code(action),
            format!("task {id} is {}", head.status.as_str()),
        ));
    }
    Ok(head)
}

/// Refuses anyone but an active operator of `department_id`.
fn check_operator(conn: &Connection, operator_id: i64, department_id: i64) -> Result<(), Error> {
    let found: Option<(String, bool, bool)> = conn
        .prepare_cached(
            "SELECT u.role, u.active, EXISTS (SELECT 1 FROM user_departments d
                 WHERE d.user_id = u.id AND d.department_id = ?2)
             FROM users u WHERE u.id = ?1",
        )?
        .query_row(params![operator_id, department_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let why = match found {
        None => "there is no such user",
        Some((role, _, _)) if role != Role::Operator.as_str() => "that user is not an operator",
        Some((_, false, _)) => "that operator is no longer active",
        Some((_, true, false)) => "that operator does not work in this task's department",
        Some(_) => return Ok(()),
    };
    Err(Error::invalid(
        "operator_id",
        format!("{why} (user {operator_id})"),
    ))
}

/// Assigns (or reassigns) a task inside the caller's write.
pub(super) fn assign_in(
    conn: &Connection,
    actor: &Actor,
    id: i64,
    operator_id: i64,
    reason: &str,
    now: i64,
) -> Result<(), Error> {
    let head = visible_task(conn, actor, id, Transition::Assign)?;
    if head.operator_id == Some(operator_id) {
        return Err(Error::conflict(
            "task_already_assigned",
            format!("task {id} is already with user {operator_id}"),
        ));
    }
    check_operator(conn, operator_id, head.department_id)?;
    if head.operator_id.is_some() && reason.is_empty() {
        return Err(Error::breaking(
            "reason",
            "say why the task is taken from its operator",
            Rule::Required,
        ));
    }
    wip::check_assignment(conn, operator_id, head.wip_cap)?;
    let audience: Vec<i64> = [Some(operator_id), head.operator_id]
        .into_iter()
        .flatten()
        .collect();
    let mv = Move::Assign {
        operator_id,
        via: Via::Assign,
        reason: (!reason.is_empty()).then(|| reason.to_owned()),
        reason_zh: None,
    };
    let extra =
        json!({"reason": reason, "previous_operator_id": head.operator_id, "audience": audience});
    task_door::apply(conn, id, &head, &mv, Some(actor.id), now, extra)?;
    // A paused task assigned again waits to start: its readiness changed.
    order_flow::settle(conn, head.work_order_id, Some(actor.id), now)
}

/// A task and the one split off it.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct SplitView {
    pub task: TaskView,
    pub split: TaskView,
}

/// Moves `quantity` of a task's unstarted remainder into a new task of the same line and
/// part (`split_from` names the original), to an operator or left in the pool. Siblings
/// share what reaches their line, and together hand on to the steps after it.
pub async fn split_task(
    store: &Store,
    actor: &Actor,
    id: i64,
    input: SplitInput,
) -> Result<SplitView, Error> {
    actor.require(DIRECTORS, "split tasks")?;
    let reason = check_long("reason", &input.reason)?;
    let actor = actor.clone();
    store
        .write(move |conn| {
            let now = now_ms();
            let head = visible_task(conn, &actor, id, Transition::Split)?;
            let (quantity, reported): (i64, i64) = conn
                .prepare_cached("SELECT quantity, good_qty + scrap_qty FROM tasks WHERE id = ?1")?
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let most = (quantity - reported).min(quantity - 1);
            if !(1..=most).contains(&input.quantity) {
                return Err(Error::breaking(
                    "quantity",
                    format!(
                        "task {id} has {} of {quantity} not yet reported; split off 1 to {most}",
                        quantity - reported
                    ),
                    Rule::Range { min: 1, max: most.max(0) },
                ));
            }
            let split = conn
                .prepare_cached(
                    "INSERT INTO tasks (work_order_id, line_id, part, process_id, department_id, sequence,
                        parallel, priority, due_date, quantity, status, published_at, created_at,
                        updated_at, unit, step, split_from)
                     SELECT work_order_id, line_id, part, process_id, department_id, sequence, parallel,
                        priority, due_date, ?2, 'pending', published_at, ?3, ?3, unit, step, id
                     FROM tasks WHERE id = ?1",
                )?
                .insert(params![id, input.quantity, now])?;
            super::task_events::record(
                conn,
                now,
                Some(actor.id),
                "task.published",
                split,
                json!({"split_from": id, "reason": reason}),
            )?;
            let mv = Move::Split {
                quantity: quantity - input.quantity,
            };
            let extra = json!({"split": split, "quantity": input.quantity, "reason": reason});
            task_door::apply(conn, id, &head, &mv, Some(actor.id), now, extra)?;
            if let Some(operator_id) = input.operator_id {
                assign_in(conn, &actor, split, operator_id, &reason, now)?;
            }
            order_flow::settle(conn, head.work_order_id, Some(actor.id), now)?;
            let view = |task: i64| {
                load_task(conn, task)?
                    .map(|t| t.for_reader(&actor.scope()))
                    .ok_or_else(|| Error::not_found(format!("task {task}")))
            };
            Ok(SplitView {
                task: view(id)?,
                split: view(split)?,
            })
        })
        .await
}

/// Takes a task back from its operator to the pool inside the caller's write.
pub(super) fn unassign_in(
    conn: &Connection,
    actor: &Actor,
    id: i64,
    reason: &str,
    now: i64,
) -> Result<(), Error> {
    let head = visible_task(conn, actor, id, Transition::Unassign)?;
    let audience: Vec<i64> = head.operator_id.into_iter().collect();
    let extra =
        json!({"reason": reason, "previous_operator_id": head.operator_id, "audience": audience});
    task_door::apply(conn, id, &head, &Move::Unassign, Some(actor.id), now, extra)?;
    order_flow::settle(conn, head.work_order_id, Some(actor.id), now)
}

/// Cancels a task inside the caller's write; its order may complete, and steps it fed now
/// take their work from the line before it.
pub(super) fn cancel_in(
    conn: &Connection,
    actor: &Actor,
    id: i64,
    reason: &str,
    now: i64,
) -> Result<(), Error> {
    let head = visible_task(conn, actor, id, Transition::Cancel)?;
    let audience: Vec<i64> = head.operator_id.into_iter().collect();
    let extra = json!({"reason": reason, "audience": audience});
    task_door::apply(conn, id, &head, &Move::Cancel, Some(actor.id), now, extra)?;
    order_flow::settle(conn, head.work_order_id, Some(actor.id), now)
}

async fn direct(
    store: &Store,
    actor: &Actor,
    id: i64,
    doing: &str,
    change: impl FnOnce(&Connection, &Actor, i64) -> Result<(), Error> + Send + 'static,
) -> Result<TaskView, Error> {
    actor.require(DIRECTORS, doing)?;
    let actor = actor.clone();
    store
        .write(move |conn| {
            change(conn, &actor, now_ms())?;
            load_task(conn, id)?
                .map(|t| t.for_reader(&actor.scope()))
                .ok_or_else(|| Error::not_found(format!("task {id}")))
        })
        .await
}

pub async fn assign_task(
    store: &Store,
    actor: &Actor,
    id: i64,
    input: AssignInput,
) -> Result<TaskView, Error> {
    let reason = check_reason(&input.reason, false, "")?;
    direct(store, actor, id, "assign tasks", move |conn, actor, now| {
        assign_in(conn, actor, id, input.operator_id, &reason, now)
    })
    .await
}

pub async fn unassign_task(
    store: &Store,
    actor: &Actor,
    id: i64,
    input: ReasonInput,
) -> Result<TaskView, Error> {
    let reason = check_reason(&input.reason, false, "")?;
    direct(
        store,
        actor,
        id,
        "unassign tasks",
        move |conn, actor, now| unassign_in(conn, actor, id, &reason, now),
    )
    .await
}

pub async fn cancel_task(
    store: &Store,
    actor: &Actor,
    id: i64,
    input: ReasonInput,
) -> Result<TaskView, Error> {
    let reason = check_reason(&input.reason, true, "the task is cancelled")?;
    direct(store, actor, id, "cancel tasks", move |conn, actor, now| {
        cancel_in(conn, actor, id, &reason, now)
    })
    .await
}

/// A running task passes to the next operator without stopping the clock (a shift change):
/// the holder or a director hands it over; each operator's segment keeps what they did.
pub async fn handover_task(
    store: &Store,
    actor: &Actor,
    id: i64,
    input: HandoverInput,
) -> Result<TaskView, Error> {
    actor.require(
        &[Role::Admin, Role::Manager, Role::Supervisor, Role::Operator],
        "hand tasks over",
    )?;
    let note = check_reason(&input.note, false, "")?;
    let actor = actor.clone();
    store
        .write(move |conn| {
            let head = load_head(conn, id)?;
            let directs = DIRECTORS.contains(&actor.role);
            let holds =
                head.operator_id == Some(actor.id) && actor.is_in_department(head.department_id);
            let visible =
                actor
                    .scope()
                    .sees_task(head.department_id, head.status.as_str(), head.operator_id);
            if !visible && !holds {
                return Err(Error::not_found(format!("task {id}")));
            }
            if !directs && !holds {
                return Err(Error::Forbidden(format!(
                    "only the operator holding task {id} or a supervisor may hand it over"
                )));
            }
            if head.status.after(Transition::Handover).is_none() {
                return Err(Error::conflict(
                    head.status.conflict_code(Transition::Handover),
                    format!(
                        "task {id} is {}; only running work is handed over",
                        head.status.as_str()
                    ),
                ));
            }
            if head.operator_id == Some(input.operator_id) {
                return Err(Error::conflict(
                    "task_already_assigned",
                    format!("task {id} is already with user {}", input.operator_id),
                ));
            }
            check_operator(conn, input.operator_id, head.department_id)?;
            wip::check_assignment(conn, input.operator_id, head.wip_cap)?;
            let now = now_ms();
            let audience: Vec<i64> = [Some(input.operator_id), head.operator_id]
                .into_iter()
                .flatten()
                .collect();
            let extra = json!({"note": note, "previous_operator_id": head.operator_id,
                               "operator_id": input.operator_id, "audience": audience});
            let mv = Move::Handover {
                operator_id: input.operator_id,
            };
            task_door::apply(conn, id, &head, &mv, Some(actor.id), now, extra)?;
            load_task(conn, id)?
                .map(|t| t.for_reader(&actor.scope()))
                .ok_or_else(|| Error::not_found(format!("task {id}")))
        })
        .await
}
