//! An order's row and status as its tasks move it: read the row, move the status one step,
//! record the order's event, and follow the tasks (started with the first started task,
//! completed when every task is closed). Below both the editing (`work_orders`) and the
//! approval flow (`work_order_flow`), so neither needs the other.

use super::Error;
use crate::domain::work_order::Header;
use crate::domain::{TaskStatus, WorkOrderAction, WorkOrderStatus};
use crate::store::event_log::{append, NewEvent};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

pub(super) struct OrderRow {
    pub status: WorkOrderStatus,
    pub header: Header,
    pub version: i64,
    pub created_by: Option<i64>,
    pub number: String,
}

pub(super) fn load_order_row(conn: &Connection, id: i64) -> Result<OrderRow, Error> {
    conn.prepare_cached(
        "SELECT status, customer, product, quantity, unit, spoilage, due_date, priority, paper,
                finished_size, colors, notes, unit_price_x10k, amount_cents, version, created_by, number,
                gsm, sheet_size, colors_front, colors_back, ups
         FROM work_orders WHERE id = ?1",
    )?
    .query_row([id], |r| {
        let status: String = r.get(0)?;
        let due: String = r.get(6)?;
        Ok(OrderRow {
            status: status.parse().unwrap_or(WorkOrderStatus::Draft),
            header: Header {
                customer: r.get(1)?,
                product: r.get(2)?,
                quantity: r.get(3)?,
                unit: r.get(4)?,
                spoilage: r.get(5)?,
                due_date: due.parse().unwrap_or_default(),
                priority: crate::domain::Priority::from_rank(r.get(7)?),
                paper: r.get(8)?,
                finished_size: r.get(9)?,
                colors: r.get(10)?,
                notes: r.get(11)?,
                gsm: r.get(17)?,
                sheet_size: r.get(18)?,
                colors_front: r.get(19)?,
                colors_back: r.get(20)?,
                ups: r.get(21)?,
                unit_price_x10k: r.get(12)?,
                amount_cents: r.get(13)?,
            },
            version: r.get(14)?,
            created_by: r.get(15)?,
            number: r.get(16)?,
        })
    })
    .optional()?
    .ok_or_else(|| Error::not_found(format!("work order {id}")))
}

/// Moves the order to the status `action` leads to, or refuses naming the current one.
pub(super) fn transition(
    conn: &Connection,
    id: i64,
    action: WorkOrderAction,
    now: i64,
) -> Result<(WorkOrderStatus, OrderRow), Error> {
    let order = load_order_row(conn, id)?;
    let next = order.status.after(action).ok_or_else(|| {
        Error::conflict(
            order.status.conflict_code(),
            format!("work order {} is {}", order.number, order.status.as_str()),
        )
    })?;
    conn.prepare_cached(
        "UPDATE work_orders SET status = ?2, updated_at = ?3, version = version + 1 WHERE id = ?1",
    )?
    .execute(params![id, next.as_str(), now])?;
    Ok((next, order))
}

pub(super) fn order_event(
    conn: &Connection,
    now: i64,
    actor_id: Option<i64>,
    kind: &'static str,
    id: i64,
    data: Value,
) -> Result<(), Error> {
    append(
        conn,
        now,
        &NewEvent {
            kind,
            actor_id,
            work_order_id: Some(id),
            data,
            ..Default::default()
        },
    )?;
    Ok(())
}

/// The open tasks of an order, for checks before closing or publishing it.
pub(super) fn task_statuses(
    conn: &Connection,
    work_order_id: i64,
) -> Result<Vec<(i64, TaskStatus)>, Error> {
    let mut stmt = conn.prepare_cached("SELECT id, status FROM tasks WHERE work_order_id = ?1")?;
    let rows = stmt.query_map([work_order_id], |r| {
        let s: String = r.get(1)?;
        Ok((r.get(0)?, s.parse().unwrap_or(TaskStatus::Cancelled)))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Follows a task change: the order starts with its first started task and completes when
/// every task is completed or cancelled (and at least one completed).
pub fn follow_tasks(
    conn: &Connection,
    work_order_id: i64,
    actor_id: Option<i64>,
    now: i64,
) -> Result<(), Error> {
    let order = load_order_row(conn, work_order_id)?;
    let tasks = task_statuses(conn, work_order_id)?;
    let started = tasks.iter().any(|(_, s)| {
        matches!(
            s,
            TaskStatus::InProgress | TaskStatus::Paused | TaskStatus::Completed
        )
    });
    let all_closed = tasks.iter().all(|(_, s)| s.is_closed());
    let any_completed = tasks.iter().any(|(_, s)| *s == TaskStatus::Completed);
    let mut status = order.status;
    if status == WorkOrderStatus::Approved && started {
        transition(conn, work_order_id, WorkOrderAction::Start, now)?;
        order_event(
            conn,
            now,
            actor_id,
            "work_order.started",
            work_order_id,
            json!({"number": order.number}),
        )?;
        status = WorkOrderStatus::InProgress;
    }
    if status.after(WorkOrderAction::Complete).is_some() && all_closed && any_completed {
        transition(conn, work_order_id, WorkOrderAction::Complete, now)?;
        conn.prepare_cached("UPDATE work_orders SET completed_at = ?2 WHERE id = ?1")?
            .execute(params![work_order_id, now])?;
        let audience: Vec<i64> = order.created_by.into_iter().collect();
        order_event(
            conn,
            now,
            actor_id,
            "work_order.completed",
            work_order_id,
            json!({"number": order.number, "audience": audience}),
        )?;
    }
    Ok(())
}
