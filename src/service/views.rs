//! The JSON shapes of work orders and tasks, and the reads that fill them. Prices are
//! `Option`s that `masked` clears for roles the scope keeps them from.

use super::Scope;
use crate::domain::flow::{Blocker, Unit};
use crate::domain::{actions, Priority, TaskStatus, Transition};
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
    /// How much of `quantity` has reached this task from the steps it needs (`domain::flow`),
    /// in its own unit.
    pub available_qty: i64,
    /// Someone can start it now: it waits in a pool or with an operator, work has reached
    /// it, and nothing holds it back.
    pub ready: bool,
    /// What the task counts: plates, sheets or pieces.
    pub unit: Unit,
    /// Tasks of the same step run side by side.
    pub step: i64,
    /// What it waits for, with figures; empty when nothing holds it back.
    pub blocked_by: Vec<Blocker>,
    /// The task this one was split from.
    pub split_from: Option<i64>,
    /// Why it finished with less good than planned.
    pub shortfall_reason: Option<String>,
    /// A new planned quantity its operator has not acknowledged yet: `{from, to, at}`.
    pub target_notice: Option<serde_json::Value>,
    /// What the reader may do with it now; the UI shows exactly these buttons.
    pub actions: Vec<Transition>,
}

impl TaskView {
    /// The view as `actor` sees it: with the transitions they may take now.
    pub fn for_reader(mut self, scope: &Scope) -> TaskView {
        let facts = actions::Facts {
            status: self.status.parse().unwrap_or(TaskStatus::Cancelled),
            operator_id: self.operator_id,
            ready: self.ready,
            has_notice: self.target_notice.is_some(),
        };
        let reader = scope.reader(self.department_id);
        self.actions = actions::available(&facts, &reader);
        self
    }
}

/// Tasks someone can start now, as SQL over `t` (the flow keeps `ready` on the row).
pub const READY_SQL: &str = "t.ready <> 0";

macro_rules! task_columns {
    () => {
        "SELECT t.id, t.work_order_id, w.number, w.customer, w.product, t.line_id, t.part,
        t.process_id, p.code, p.name_zh, p.name_en, t.department_id, t.sequence, t.parallel,
        t.priority, t.due_date, t.quantity, t.good_qty, t.scrap_qty, t.status, t.operator_id,
        u.display_name, t.assigned_via, t.assign_reason, t.published_at, t.claimed_at,
        t.started_at, t.completed_at, t.worked_ms, t.running_since, t.version, t.available_qty, "
    };
}

#[allow(non_snake_case)]
macro_rules! TASK_TAIL_COLUMNS {
    () => {
        "t.assign_reason_zh, t.ready, t.unit, t.step, t.blocked_by, t.split_from, t.shortfall_reason,
        t.target_notice"
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
    TASK_TAIL_COLUMNS!(),
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
    TASK_TAIL_COLUMNS!(),
    " FROM tasks t INDEXED BY tasks_by_order",
    task_joins!()
);

pub fn task_from_row(r: &Row<'_>) -> Result<TaskView, rusqlite::Error> {
    let status: String = r.get(19)?;
    let unit: String = r.get(34)?;
    let blocked_by: String = r.get(36)?;
    let notice: Option<String> = r.get(39)?;
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
        available_qty: r.get(31)?,
        ready: r.get(33)?,
        unit: unit.parse().unwrap_or(Unit::Piece),
        step: r.get(35)?,
        blocked_by: serde_json::from_str(&blocked_by).unwrap_or_default(),
        split_from: r.get(37)?,
        shortfall_reason: r.get(38)?,
        target_notice: notice.and_then(|n| serde_json::from_str(&n).ok()),
        actions: Vec::new(),
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
    /// Lines of the same step run side by side.
    pub step: i64,
    /// The lines (indexes into `lines`) this one takes work from; `null`: every line of the
    /// nearest lower step.
    pub needs: Option<Vec<usize>>,
    pub unit: Unit,
    /// The quantity was given by hand; otherwise it follows the order's spec.
    pub quantity_set: bool,
}

/// One of an order's gates (proof approved, paper ready...) and whether it is done.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GateView {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub done_at: Option<i64>,
    pub done_by: Option<i64>,
    pub done_by_name: Option<String>,
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
    pub gsm: i64,
    pub sheet_size: String,
    pub colors_front: i64,
    pub colors_back: i64,
    /// Pieces on one press sheet.
    pub ups: i64,
    /// Extra press sheets (加放); `spoilage` is its old name and says the same.
    pub overs: i64,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gates: Option<Vec<GateView>>,
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
        w.gsm, w.sheet_size, w.colors_front, w.colors_back, w.ups,
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
        gsm: r.get(24)?,
        sheet_size: r.get(25)?,
        colors_front: r.get(26)?,
        colors_back: r.get(27)?,
        ups: r.get(28)?,
        overs: r.get(6)?,
        tasks_total: r.get(29)?,
        tasks_completed: r.get(30)?,
        lines: None,
        tasks: None,
        gates: None,
    })
}

pub fn load_lines(conn: &Connection, work_order_id: i64) -> Result<Vec<LineView>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.id, l.position, l.process_id, p.code, p.name_zh, p.name_en, p.department_id,
                l.quantity, l.note, l.parallel, l.parts, l.step, l.needs, l.unit, l.quantity_set
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
            step: r.get(11)?,
            needs: None,
            unit: r.get::<_, String>(13)?.parse().unwrap_or(Unit::Piece),
            quantity_set: r.get(14)?,
        }
        .with_needs(r.get::<_, Option<String>>(12)?))
    })?;
    let mut lines: Vec<(LineView, Option<Vec<i64>>)> = rows.collect::<Result<_, _>>()?;
    let ids: Vec<i64> = lines.iter().map(|(l, _)| l.id).collect();
    for (line, needs) in &mut lines {
        line.needs = needs.take().map(|n| {
            n.iter()
                .filter_map(|id| ids.iter().position(|i| i == id))
                .collect()
        });
    }
    Ok(lines.into_iter().map(|(l, _)| l).collect())
}

impl LineView {
    /// The line with its stored needs (line ids) beside it, turned into indexes by the caller.
    fn with_needs(self, needs: Option<String>) -> (LineView, Option<Vec<i64>>) {
        (self, needs.and_then(|n| serde_json::from_str(&n).ok()))
    }
}

/// An order's gates with who ticked them.
pub fn load_gates(conn: &Connection, work_order_id: i64) -> Result<Vec<GateView>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT g.code, g.name_zh, g.name_en, o.done_at, o.done_by, u.display_name
         FROM work_order_gates o JOIN gates g ON g.code = o.gate_code
         LEFT JOIN users u ON u.id = o.done_by
         WHERE o.work_order_id = ?1 ORDER BY g.position, g.code",
    )?;
    let rows = stmt.query_map([work_order_id], |r| {
        Ok(GateView {
            code: r.get(0)?,
            name_zh: r.get(1)?,
            name_en: r.get(2)?,
            done_at: r.get(3)?,
            done_by: r.get(4)?,
            done_by_name: r.get(5)?,
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
    wo.gates = Some(load_gates(conn, id)?);
    let sql = format!(
        "{TASK_SELECT} WHERE t.work_order_id = ?1 AND {} ORDER BY t.sequence, t.id",
        scope.task_predicate()
    );
    let mut stmt = conn.prepare(&sql)?;
    let tasks = stmt
        .query_map([id], |r| task_from_row(r).map(|t| t.for_reader(scope)))?
        .collect::<Result<Vec<_>, _>>()?;
    wo.tasks = Some(tasks);
    Ok(Some(wo.masked(scope)))
}
