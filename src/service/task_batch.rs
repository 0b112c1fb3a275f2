//! `POST /tasks/batch`: one action over many tasks, all or nothing. Every item runs in ONE
//! write, each in a savepoint of its own so a failing item is undone and the next one still
//! gets checked; if any failed, the whole write returns an error listing each failure, and
//! the writer rolls everything back.

use super::task_control::{assign_in, cancel_in, visible_task, DIRECTORS};
use super::task_door::{self, Move};
use super::views::{load_task, TaskView};
use super::work_order_flow::{approve_in, APPROVERS};
use super::work_orders::{load_order_row, MAKERS};
use super::{now_ms, order_flow, Actor, Error};
use crate::domain::task_input::{BatchAction, BatchInput};
use crate::domain::{Transition, WorkOrderAction, WorkOrderStatus};
use crate::store::Store;
use rusqlite::{params, Connection};
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct BatchResult {
    pub action: &'static str,
    pub ids: Vec<i64>,
    /// The tasks as they now stand (deleted drafts are gone and not listed).
    pub items: Vec<TaskView>,
}

/// Publishes one draft task. Its order is approved by this if it was not yet; the order's
/// other draft tasks stay held back until they are published too.
fn publish_in(
    conn: &Connection,
    actor: &Actor,
    id: i64,
    batch: &[i64],
    now: i64,
) -> Result<(), Error> {
    let head = visible_task(conn, actor, id, Transition::Publish)?;
    // Publishing approves the order, and an approved order's drafts would be stranded.
    let missing: Vec<i64> = conn
        .prepare_cached(
            "SELECT id FROM tasks WHERE work_order_id = ?1 AND status = 'draft' ORDER BY id",
        )?
        .query_map([head.work_order_id], |r| r.get(0))?
        .filter(|d| d.as_ref().map_or(true, |d| !batch.contains(d)))
        .collect::<Result<_, _>>()?;
    if !missing.is_empty() {
        return Err(Error::conflict_with(
            "partial_publish",
            format!(
                "publishing task {id} approves its work order, whose draft tasks {missing:?} are not in this batch; publish them all or approve the order"
            ),
            json!({"task": id, "work_order_id": head.work_order_id, "missing": missing}),
        ));
    }
    let order = load_order_row(conn, head.work_order_id)?;
    match order.status {
        WorkOrderStatus::Draft | WorkOrderStatus::Submitted => {
            approve_in(conn, head.work_order_id, actor.id, now)?
        }
        WorkOrderStatus::Approved | WorkOrderStatus::InProgress => {}
        other => {
            return Err(Error::conflict(
                other.conflict_code(),
                format!("work order {} is {}", order.number, other.as_str()),
            ))
        }
    }
    task_door::apply(
        conn,
        id,
        &head,
        &Move::Publish,
        Some(actor.id),
        now,
        json!({}),
    )?;
    order_flow::settle(conn, head.work_order_id, Some(actor.id), now)
}

/// Deletes one draft task of a draft order, and its line (or its part of the line) with it,
/// so the order's lines and tasks keep matching.
fn delete_draft_in(conn: &Connection, actor: &Actor, id: i64, now: i64) -> Result<(), Error> {
    let head = visible_task(conn, actor, id, Transition::Remove)?;
    let order = load_order_row(conn, head.work_order_id)?;
    if order.status.after(WorkOrderAction::EditDraft).is_none() {
        return Err(Error::conflict(
            order.status.conflict_code(),
            format!(
                "work order {} is {}; only a draft work order's tasks can be deleted",
                order.number,
                order.status.as_str()
            ),
        ));
    }
    let others: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM tasks WHERE work_order_id = ?1 AND id <> ?2 AND status <> 'cancelled'",
        )?
        .query_row(params![head.work_order_id, id], |r| r.get(0))?;
    if others == 0 {
        return Err(Error::conflict(
            "last_task",
            format!(
                "task {id} is the last one of work order {}; cancel the work order instead",
                order.number
            ),
        ));
    }
    let (line_id, part): (i64, String) = conn
        .prepare_cached("SELECT line_id, part FROM tasks WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    task_door::apply(
        conn,
        id,
        &head,
        &Move::Remove,
        Some(actor.id),
        now,
        json!({}),
    )?;
    let left: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM tasks WHERE line_id = ?1")?
        .query_row([line_id], |r| r.get(0))?;
    if left == 0 {
        conn.prepare_cached("DELETE FROM work_order_lines WHERE id = ?1")?
            .execute([line_id])?;
    } else {
        let parts: String = conn
            .prepare_cached("SELECT parts FROM work_order_lines WHERE id = ?1")?
            .query_row([line_id], |r| r.get(0))?;
        let mut parts: Vec<String> = serde_json::from_str(&parts).unwrap_or_default();
        parts.retain(|p| *p != part);
        conn.prepare_cached("UPDATE work_order_lines SET parts = ?2 WHERE id = ?1")?
            .execute(params![
                line_id,
                serde_json::to_string(&parts).unwrap_or_else(|_| "[]".into())
            ])?;
    }
    conn.prepare_cached(
        "UPDATE work_orders SET updated_at = ?2, version = version + 1 WHERE id = ?1",
    )?
    .execute(params![head.work_order_id, now])?;
    Ok(())
}

/// Runs `item` in a savepoint of its own: on error only its changes are undone.
fn in_savepoint(
    conn: &Connection,
    item: impl FnOnce() -> Result<(), Error>,
) -> Result<Result<(), Error>, Error> {
    conn.execute_batch("SAVEPOINT batch_item")?;
    match item() {
        Ok(()) => {
            conn.execute_batch("RELEASE batch_item")?;
            Ok(Ok(()))
        }
        Err(e) => {
            conn.execute_batch("ROLLBACK TO batch_item; RELEASE batch_item")?;
            Ok(Err(e))
        }
    }
}

pub async fn run_batch(
    store: &Store,
    actor: &Actor,
    input: BatchInput,
) -> Result<BatchResult, Error> {
    let batch = input.check()?;
    let (roles, doing) = match batch.action {
        BatchAction::Publish => (APPROVERS, "publish tasks"),
        BatchAction::DeleteDrafts => (MAKERS, "delete draft tasks"),
        BatchAction::Assign => (DIRECTORS, "assign tasks"),
        BatchAction::Cancel => (DIRECTORS, "cancel tasks"),
    };
    actor.require(roles, doing)?;
    let actor = actor.clone();
    store
        .write(move |conn| {
            let now = now_ms();
            let mut failures = Vec::new();
            for &id in &batch.ids {
                let outcome = in_savepoint(conn, || match batch.action {
                    BatchAction::Publish => publish_in(conn, &actor, id, &batch.ids, now),
                    BatchAction::DeleteDrafts => delete_draft_in(conn, &actor, id, now),
                    BatchAction::Assign => {
                        let operator = batch.operator_id.unwrap_or_default();
                        assign_in(conn, &actor, id, operator, &batch.reason, now)
                    }
                    BatchAction::Cancel => cancel_in(conn, &actor, id, &batch.reason, now),
                })?;
                match outcome {
                    Ok(()) => {}
                    // A broken database is not an item's fault: stop and report it as such.
                    Err(e @ (Error::Internal(_) | Error::Unavailable(_))) => return Err(e),
                    Err(e) => failures.push((id, e)),
                }
            }
            if !failures.is_empty() {
                return Err(Error::Batch {
                    message: format!(
                        "{} of {} tasks could not be handled ({}); nothing was changed",
                        failures.len(),
                        batch.ids.len(),
                        batch.action.as_str()
                    ),
                    failures,
                });
            }
            let mut items = Vec::with_capacity(batch.ids.len());
            for &id in &batch.ids {
                items.extend(load_task(conn, id)?.map(|t| t.for_reader(&actor.scope())));
            }
            Ok(BatchResult {
                action: batch.action.as_str(),
                ids: batch.ids.clone(),
                items,
            })
        })
        .await
}
