//! The JSON shapes of work orders and tasks, and the reads that fill them. Prices are
//! `Option`s that `masked` clears for roles the scope keeps them from.

use super::Scope;
use crate::domain::{handoff, Priority};
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TaskView {
    pub id: i64,
    pub work_order_id: i64,
    pub work_order_number: String,
    pub customer: String,
    pub product: String,
    pub line_id: i64,
    pub part: String,
    pub process_id: i64,
    pub process_code: String,
    pub process_name_zh: String,
    pub process_name_en: String,
    pub department_id: i64,
    pub sequence: i64,
    pub parallel: bool,
    pub priority: Priority,
    pub due_date: String,
    pub quantity: i64,
    pub good_qty: i64,
    pub scrap_qty: i64,
    pub status: String,
    pub operator_id: Option<i64>,
    pub operator_name: Option<String>,
    pub assigned_via: Option<String>,
    /// Why the task went to its operator: the director's own words, or for an automatic
    /// assignment the strategy's sentence in English.
    pub assign_reason: Option<String>,
    /// The reason in 简体中文 when the words are presswork's own (an automatic assignment's
    /// sentence, or an import's); `null` when a person gave the reason.
    pub assign_reason_zh: Option<String>,
    pub published_at: Option<i64>,
    pub claimed_at: Option<i64>,
    pub started_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub worked_ms: i64,
    pub running_since: Option<i64>,
    pub version: i64,
    /// How much of `quantity` has reached this task from upstream (`domain::handoff`).
    pub available_qty: i64,
    /// Someone can start it now: it waits in a pool or with an operator, and work has reached it.
    pub ready: bool,
}

/// `domain::handoff::available_qty` as SQL over the tasks table aliased `t`, so lists can
/// filter and page by readiness without loading orders into memory. A test in
/// `service::handoff` checks it against the pure rule.
macro_rules! available_sql {
    () => {
        "CASE WHEN t.parallel <> 0 THEN t.quantity ELSE MIN(t.quantity, COALESCE(
            (SELECT COALESCE(MAX(CASE WHEN u.part = t.part THEN u.good_qty END), MIN(u.good_qty))
             FROM tasks u
             WHERE u.work_order_id = t.work_order_id AND u.parallel = 0 AND u.status <> 'cancelled'
               AND u.sequence = (SELECT MAX(v.sequence) FROM tasks v
                   WHERE v.work_order_id = t.work_order_id AND v.sequence < t.sequence
                     AND v.parallel = 0 AND v.status <> 'cancelled')),
            t.quantity)) END"
    };
}

pub const AVAILABLE_SQL: &str = available_sql!();

/// `domain::handoff::is_ready` as SQL over `t`.
pub const READY_SQL: &str = concat!(
    "(t.status IN ('pending', 'assigned') AND (",
    available_sql!(),
    ") > 0)"
);

macro_rules! task_columns {
    () => {
        "SELECT t.id, t.work_order_id, w.number, w.customer, w.product, t.line_id, t.part,
        t.process_id, p.code, p.name_zh, p.name_en, t.department_id, t.sequence, t.parallel,
        t.priority, t.due_date, t.quantity, t.good_qty, t.scrap_qty, t.status, t.operator_id,
        u.display_name, t.assigned_via, t.assign_reason, t.published_at, t.claimed_at,
        t.started_at, t.completed_at, t.worked_ms, t.running_since, t.version, "
    };
}

macro_rules! task_joins {
    () => {
        "
    CROSS JOIN work_orders w ON w.id = t.work_order_id
    CROSS JOIN processes p ON p.id = t.process_id
    LEFT JOIN users u ON u.id = t.operator_id"
    };
}

pub const TASK_SELECT: &str = concat!(
    task_columns!(),
    available_sql!(),
    ", t.assign_reason_zh",
    // CROSS JOIN keeps `tasks` the outer loop, so lists walk the `tasks_queue` index in their
    // keyset order and stop at the page size. Left to itself, once ANALYZE has run the planner
    // scans work_orders and sorts every task instead: at 1M tasks, 3.7 s against 1 ms a page.
    " FROM tasks t",
    task_joins!()
);

/// [`TASK_SELECT`] reading tasks through their order (`tasks_by_order`), for a list narrowed to
/// a few orders: it reads those orders' tasks and sorts them. Without the hint SQLite would
/// rather walk a department's or a status's whole list in order, testing every row.
pub const TASK_SELECT_BY_ORDER: &str = concat!(
    task_columns!(),
    available_sql!(),
    ", t.assign_reason_zh",
    " FROM tasks t INDEXED BY tasks_by_order",
    task_joins!()
);

pub fn task_from_row(r: &Row<'_>) -> Result<TaskView, rusqlite::Error> {
    let status: String = r.get(19)?;
    let available_qty: i64 = r.get(31)?;
    let ready = status
        .parse()
        .is_ok_and(|s| handoff::is_ready(s, available_qty));
    Ok(TaskView {
        id: r.get(0)?,
        work_order_id: r.get(1)?,
        work_order_number: r.get(2)?,
        customer: r.get(3)?,
        product: r.get(4)?,
        line_id: r.get(5)?,
        part: r.get(6)?,
        process_id: r.get(7)?,
        process_code: r.get(8)?,
        process_name_zh: r.get(9)?,
        process_name_en: r.get(10)?,
        department_id: r.get(11)?,
        sequence: r.get(12)?,
        parallel: r.get(13)?,
        priority: Priority::from_rank(r.get(14)?),
        due_date: r.get(15)?,
        quantity: r.get(16)?,
        good_qty: r.get(17)?,
        scrap_qty: r.get(18)?,
        status,
        operator_id: r.get(20)?,
        operator_name: r.get(21)?,
        assigned_via: r.get(22)?,
        assign_reason: r.get(23)?,
        assign_reason_zh: r.get(32)?,
        published_at: r.get(24)?,
        claimed_at: r.get(25)?,
        started_at: r.get(26)?,
        completed_at: r.get(27)?,
        worked_ms: r.get(28)?,
        running_since: r.get(29)?,
        version: r.get(30)?,
        available_qty,
        ready,
    })
}

pub fn load_task(conn: &Connection, id: i64) -> Result<Option<TaskView>, rusqlite::Error> {
    conn.prepare_cached(&format!("{TASK_SELECT} WHERE t.id = ?1"))?
        .query_row([id], task_from_row)
        .optional()
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LineView {
    pub id: i64,
    pub position: i64,
    pub process_id: i64,
    pub process_code: String,
    pub process_name_zh: String,
    pub process_name_en: String,
    pub department_id: i64,
    pub quantity: i64,
    pub note: String,
    pub parallel: bool,
    pub parts: Vec<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct WorkOrderView {
    pub id: i64,
    pub number: String,
    pub customer: String,
    pub product: String,
    pub quantity: i64,
    pub unit: String,
    pub spoilage: i64,
    pub due_date: String,
    pub priority: Priority,
    pub status: String,
    pub paper: String,
    pub finished_size: String,
    pub colors: String,
    pub notes: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    pub reject_reason: Option<String>,
    pub cancel_reason: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub approved_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub version: i64,
    pub tasks_total: i64,
    pub tasks_completed: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<LineView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tasks: Option<Vec<TaskView>>,
}

impl WorkOrderView {
    pub fn masked(mut self, scope: &Scope) -> WorkOrderView {
        if !scope.sees_prices() {
            self.unit_price = None;
            self.amount = None;
        }
        self
    }
}

pub const WORK_ORDER_SELECT: &str =
    "SELECT w.id, w.number, w.customer, w.product, w.quantity, w.unit,
        w.spoilage, w.due_date, w.priority, w.status, w.paper, w.finished_size, w.colors, w.notes,
        w.unit_price_x10k, w.amount_cents, w.reject_reason, w.cancel_reason, w.created_by,
        w.created_at, w.updated_at, w.approved_at, w.completed_at, w.version,
        (SELECT COUNT(*) FROM tasks c WHERE c.work_order_id = w.id AND c.status <> 'cancelled'),
        (SELECT COUNT(*) FROM tasks c WHERE c.work_order_id = w.id AND c.status = 'completed')
    FROM work_orders w";

pub fn work_order_from_row(r: &Row<'_>) -> Result<WorkOrderView, rusqlite::Error> {
    let price: Option<i64> = r.get(14)?;
    let amount: Option<i64> = r.get(15)?;
    Ok(WorkOrderView {
        id: r.get(0)?,
        number: r.get(1)?,
        customer: r.get(2)?,
        product: r.get(3)?,
        quantity: r.get(4)?,
        unit: r.get(5)?,
        spoilage: r.get(6)?,
        due_date: r.get(7)?,
        priority: Priority::from_rank(r.get(8)?),
        status: r.get(9)?,
        paper: r.get(10)?,
        finished_size: r.get(11)?,
        colors: r.get(12)?,
        notes: r.get(13)?,
        unit_price: price.map(|p| p as f64 / 10_000.0),
        amount: amount.map(|a| a as f64 / 100.0),
        reject_reason: r.get(16)?,
        cancel_reason: r.get(17)?,
        created_by: r.get(18)?,
        created_at: r.get(19)?,
        updated_at: r.get(20)?,
        approved_at: r.get(21)?,
        completed_at: r.get(22)?,
        version: r.get(23)?,
        tasks_total: r.get(24)?,
        tasks_completed: r.get(25)?,
        lines: None,
        tasks: None,
    })
}

pub fn load_lines(conn: &Connection, work_order_id: i64) -> Result<Vec<LineView>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.id, l.position, l.process_id, p.code, p.name_zh, p.name_en, p.department_id,
                l.quantity, l.note, l.parallel, l.parts
         FROM work_order_lines l JOIN processes p ON p.id = l.process_id
         WHERE l.work_order_id = ?1 AND l.removed = 0 ORDER BY l.position",
    )?;
    let rows = stmt.query_map([work_order_id], |r| {
        let parts: String = r.get(10)?;
        Ok(LineView {
            id: r.get(0)?,
            position: r.get(1)?,
            process_id: r.get(2)?,
            process_code: r.get(3)?,
            process_name_zh: r.get(4)?,
            process_name_en: r.get(5)?,
            department_id: r.get(6)?,
            quantity: r.get(7)?,
            note: r.get(8)?,
            parallel: r.get(9)?,
            parts: serde_json::from_str(&parts).unwrap_or_default(),
        })
    })?;
    rows.collect()
}

/// A work order with its lines and the tasks the scope lets the reader see.
pub fn load_work_order(
    conn: &Connection,
    id: i64,
    scope: &Scope,
) -> Result<Option<WorkOrderView>, rusqlite::Error> {
    let sql = format!(
        "{WORK_ORDER_SELECT} WHERE w.id = ?1 AND {}",
        scope.work_order_predicate()
    );
    let Some(mut wo) = conn.query_row(&sql, [id], work_order_from_row).optional()? else {
        return Ok(None);
    };
    wo.lines = Some(load_lines(conn, id)?);
    let sql = format!(
        "{TASK_SELECT} WHERE t.work_order_id = ?1 AND {} ORDER BY t.sequence, t.id",
        scope.task_predicate()
    );
    let mut stmt = conn.prepare(&sql)?;
    let tasks = stmt
        .query_map([id], task_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    wo.tasks = Some(tasks);
    Ok(Some(wo.masked(scope)))
}
