//! A work order's way through approval: submit, approve (publishing its draft tasks to the
//! department pools), reject back to draft, cancel. The automatic start and completion that
//! follow its tasks are `order_status::follow_tasks`.

use super::order_status::{load_order_row, order_event, task_statuses, transition};
use super::task_door::{self, Move};
use super::tasks::load_head;
use super::views::WorkOrderView;
use super::work_orders::{get_work_order, MAKERS};
use super::{now_ms, order_flow, Actor, Error};
use crate::domain::work_order::check_long;
use crate::domain::Rule;
use crate::domain::{Role, TaskStatus, Transition, WorkOrderAction, WorkOrderStatus};
use crate::store::Store;
use rusqlite::{params, Connection};
use serde_json::json;

pub const APPROVERS: &[Role] = &[Role::Admin, Role::Manager];

async fn run(
    store: &Store,
    actor: &Actor,
    id: i64,
    f: impl FnOnce(&Connection, i64, i64) -> Result<(), Error> + Send + 'static,
) -> Result<WorkOrderView, Error> {
    let actor_id = actor.id;
    store.write(move |conn| f(conn, actor_id, now_ms())).await?;
    get_work_order(store, actor, id).await
}

pub async fn submit_work_order(
    store: &Store,
    actor: &Actor,
    id: i64,
) -> Result<WorkOrderView, Error> {
    actor.require(MAKERS, "submit work orders")?;
    run(store, actor, id, move |conn, actor_id, now| {
        let (_, order) = transition(conn, id, WorkOrderAction::Submit, now)?;
        order_event(
            conn,
            now,
            Some(actor_id),
            "work_order.submitted",
            id,
            json!({"number": order.number}),
        )
    })
    .await
}

pub async fn approve_work_order(
    store: &Store,
    actor: &Actor,
    id: i64,
) -> Result<WorkOrderView, Error> {
    actor.require(APPROVERS, "approve work orders")?;
    run(store, actor, id, move |conn, actor_id, now| {
        approve_in(conn, id, actor_id, now)?;
        publish_drafts(conn, id, actor_id, now)
    })
    .await
}

/// Approves the order inside the caller's write, without publishing its tasks.
pub(super) fn approve_in(conn: &Connection, id: i64, actor_id: i64, now: i64) -> Result<(), Error> {
    let (_, order) = transition(conn, id, WorkOrderAction::Approve, now)?;
    conn.prepare_cached(
        "UPDATE work_orders SET approved_at = ?2, reject_reason = NULL WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    let audience: Vec<i64> = order.created_by.into_iter().collect();
    order_event(
        conn,
        now,
        Some(actor_id),
        "work_order.approved",
        id,
        json!({"number": order.number, "audience": audience}),
    )
}

/// Every draft task of the order goes to its department's pool.
pub fn publish_drafts(
    conn: &Connection,
    work_order_id: i64,
    actor_id: i64,
    now: i64,
) -> Result<(), Error> {
    for (task_id, status) in task_statuses(conn, work_order_id)? {
        if status == TaskStatus::Draft {
            let head = load_head(conn, task_id)?;
            task_door::apply(
                conn,
                task_id,
                &head,
                &Move::Publish,
                Some(actor_id),
                now,
                json!({}),
            )?;
        }
    }
    order_flow::settle(conn, work_order_id, Some(actor_id), now)
}

pub async fn reject_work_order(
    store: &Store,
    actor: &Actor,
    id: i64,
    reason: String,
) -> Result<WorkOrderView, Error> {
    actor.require(APPROVERS, "reject work orders")?;
    let reason = check_long("reason", &reason)?;
    if reason.is_empty() {
        return Err(Error::breaking(
            "reason",
            "say why the work order is rejected",
            Rule::Required,
        ));
    }
    run(store, actor, id, move |conn, actor_id, now| {
        let (_, order) = transition(conn, id, WorkOrderAction::Reject, now)?;
        conn.prepare_cached("UPDATE work_orders SET reject_reason = ?2 WHERE id = ?1")?
            .execute(params![id, reason])?;
        let audience: Vec<i64> = order.created_by.into_iter().collect();
        order_event(
            conn,
            now,
            Some(actor_id),
            "work_order.rejected",
            id,
            json!({"number": order.number, "reason": reason, "audience": audience}),
        )
    })
    .await
}

pub async fn cancel_work_order(
    store: &Store,
    actor: &Actor,
    id: i64,
    reason: String,
) -> Result<WorkOrderView, Error> {
    actor.require(MAKERS, "cancel work orders")?;
    let reason = check_long("reason", &reason)?;
    if reason.is_empty() {
        return Err(Error::breaking(
            "reason",
            "say why the work order is cancelled",
            Rule::Required,
        ));
    }
    let role = actor.role;
    run(store, actor, id, move |conn, actor_id, now| {
        let order = load_order_row(conn, id)?;
        if role == Role::Maker
            && !matches!(
                order.status,
                WorkOrderStatus::Draft | WorkOrderStatus::Submitted
            )
        {
            return Err(Error::Forbidden(
                "only a manager may cancel an approved work order".into(),
            ));
        }
        transition(conn, id, WorkOrderAction::Cancel, now)?;
        conn.prepare_cached("UPDATE work_orders SET cancel_reason = ?2 WHERE id = ?1")?
            .execute(params![id, reason])?;
        for (task_id, status) in task_statuses(conn, id)? {
            if status.after(Transition::Cancel).is_some() {
                let head = load_head(conn, task_id)?;
                let extra = json!({"reason": reason});
                task_door::apply(
                    conn,
                    task_id,
                    &head,
                    &Move::Cancel,
                    Some(actor_id),
                    now,
                    extra,
                )?;
            }
        }
        order_event(
            conn,
            now,
            Some(actor_id),
            "work_order.cancelled",
            id,
            json!({"number": order.number, "reason": reason}),
        )
    })
    .await
}
