//! Legacy work orders in and out: checks every imported row (reporting each bad one by its
//! line), then creates the orders and backfills their tasks in one transaction so they look
//! like orders made here; and the export that writes the same records back. Idempotent by
//! work order number. File formats (CSV, JSON) are the CLI's business, not this module's.

use super::catalog::process_by_code;
use super::task_door::{self, Move};
use super::tasks::load_head;
use super::work_orders::insert_work_order;
use super::{now_ms, Error};
use crate::domain::work_order::{check_quantity, check_short, CheckedLine, Header};
use crate::domain::Rule;
use crate::domain::{Priority, TaskStatus, WorkOrderStatus};
use crate::store::event_log::{append, NewEvent};
use crate::store::Store;
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

/// One legacy work order, as both import and export see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyOrder {
    pub number: String,
    pub customer: String,
    pub product: String,
    pub quantity: i64,
    /// `YYYY-MM-DD`.
    pub due_date: String,
    /// low, normal (the default), high or urgent.
    #[serde(default)]
    pub priority: String,
    /// draft, submitted, pending (approved), in_progress, completed or cancelled.
    pub status: String,
    /// The processes in order.
    pub processes: Vec<LegacyProcess>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyProcess {
    pub code: String,
    /// Good quantity already done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<i64>,
    /// Username of who did it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
}

/// A row of the input: where it was, and the order or why it could not be read.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: usize,
    pub order: Result<LegacyOrder, String>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    pub dry_run: bool,
    pub skip_bad: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ImportOutcome {
    /// Numbers imported (or, in a dry run, that would be).
    pub imported: Vec<String>,
    /// Numbers already in the database, left alone.
    pub present: Vec<String>,
    /// (line, reason) for every bad row.
    pub bad: Vec<(usize, String)>,
    /// False when nothing was written (a dry run, or bad rows without `skip_bad`).
    pub applied: bool,
}

/// A row that passed every check, ready to insert.
struct Checked {
    number: String,
    header: Header,
    lines: Vec<CheckedLine>,
    status: WorkOrderStatus,
    /// Per process: (done, operator id).
    progress: Vec<(Option<i64>, Option<i64>)>,
}

pub fn parse_status(s: &str) -> Result<WorkOrderStatus, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "pending" | "approved" => Ok(WorkOrderStatus::Approved),
        other => other.parse().map_err(|_| {
            format!("status '{s}' is not draft, submitted, pending, in_progress, completed or cancelled")
        }),
    }
}

pub fn status_name(status: WorkOrderStatus) -> &'static str {
    match status {
        WorkOrderStatus::Approved => "pending",
        other => other.as_str(),
    }
}

fn check_row(conn: &Connection, o: &LegacyOrder) -> Result<Checked, String> {
    let field = |e: crate::domain::Invalid| format!("{}: {}", e.field, e.reason);
    let number = check_short("number", &o.number, true).map_err(field)?;
    let due_date: NaiveDate = o
        .due_date
        .trim()
        .parse()
        .map_err(|_| format!("due_date: '{}' is not a date like 2026-12-31", o.due_date))?;
    let priority = match o.priority.trim().to_ascii_lowercase().as_str() {
        "" => Priority::Normal,
        p => p
            .parse::<Priority>()
            .map_err(|e| format!("priority: {e}"))?,
    };
    let status = parse_status(&o.status)?;
    let header = Header {
        customer: check_short("customer", &o.customer, true).map_err(field)?,
        product: check_short("product", &o.product, true).map_err(field)?,
        quantity: check_quantity("quantity", o.quantity).map_err(field)?,
        unit: String::new(),
        spoilage: 0,
        due_date,
        priority,
        paper: String::new(),
        finished_size: String::new(),
        colors: String::new(),
        notes: String::new(),
        gsm: 0,
        sheet_size: String::new(),
        colors_front: 0,
        colors_back: 0,
        ups: 1,
        unit_price_x10k: None,
        amount_cents: None,
    };
    if o.processes.is_empty() {
        return Err("processes: a work order needs at least one process".into());
    }
    let mut lines = Vec::new();
    let mut progress = Vec::new();
    for (i, p) in o.processes.iter().enumerate() {
        let code = p.code.trim();
        let process = process_by_code(conn, code)
            .map_err(|e| e.to_string())?
            .filter(|p| p.active)
            .ok_or_else(|| format!("processes[{i}]: '{code}' is not a process code in use"))?;
        if let Some(done) = p.done {
            if !(0..=crate::domain::work_order::MAX_QUANTITY).contains(&done) {
                return Err(format!("processes[{i}].done: {done} is not a quantity"));
            }
            if done > 0 && matches!(status, WorkOrderStatus::Draft | WorkOrderStatus::Submitted) {
                return Err(format!(
                    "processes[{i}].done: a {} order has no work done yet",
                    status_name(status)
                ));
            }
        }
        let operator = match p
            .operator
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            Some(name) => Some(
                user_by_name(conn, name)?
                    .ok_or_else(|| format!("processes[{i}].operator: there is no user '{name}'"))?,
            ),
            None => None,
        };
        // The old system gave no colours, so its plate lines keep the count it worked with.
        let quantity =
            (process.unit == crate::domain::flow::Unit::Plate).then_some(header.quantity);
        lines.push(CheckedLine {
            id: None,
            process_id: process.id,
            quantity,
            note: String::new(),
            parallel: None,
            parts: Vec::new(),
            step: None,
            needs: None,
        });
        progress.push((p.done, operator));
    }
    Ok(Checked {
        number,
        header,
        lines,
        status,
        progress,
    })
}

fn user_by_name(conn: &Connection, name: &str) -> Result<Option<i64>, String> {
    conn.prepare_cached("SELECT id FROM users WHERE username = ?1")
        .and_then(|mut s| s.query_row([name], |r| r.get(0)).optional())
        .map_err(|e| e.to_string())
}

fn number_taken(conn: &Connection, number: &str) -> Result<bool, Error> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM work_orders WHERE number = ?1")?
        .exists([number])?)
}

/// Checks every row; inserts the good ones unless this is a dry run or a bad row forbids it.
fn run(
    conn: &Connection,
    actor_id: Result<i64, Error>,
    rows: &[Row],
    options: ImportOptions,
) -> Result<ImportOutcome, Error> {
    let mut outcome = ImportOutcome::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut ready = Vec::new();
    for row in rows {
        let checked = row
            .order
            .clone()
            .and_then(|o| check_row(conn, &o))
            .and_then(|c| match seen.insert(c.number.clone(), row.line) {
                Some(first) => Err(format!(
                    "number {} appears twice (first on line {first})",
                    c.number
                )),
                None => Ok(c),
            });
        match checked {
            Err(reason) => outcome.bad.push((row.line, reason)),
            Ok(c) if number_taken(conn, &c.number)? => outcome.present.push(c.number),
            Ok(c) => ready.push((row.line, c)),
        }
    }
    outcome.imported = ready.iter().map(|(_, c)| c.number.clone()).collect();
    if options.dry_run || (!outcome.bad.is_empty() && !options.skip_bad) {
        return Ok(outcome);
    }
    let actor_id = actor_id?;
    let now = now_ms();
    for (line, c) in &ready {
        insert_one(conn, actor_id, *line, c, now)?;
    }
    outcome.applied = true;
    Ok(outcome)
}

fn insert_one(
    conn: &Connection,
    actor_id: i64,
    line: usize,
    c: &Checked,
    now: i64,
) -> Result<(), Error> {
    let id = insert_work_order(
        conn,
        actor_id,
        &c.header,
        &c.lines,
        Some(&c.number),
        c.status,
    )?;
    let tasks: Vec<(i64, i64)> = conn
        .prepare_cached(
            "SELECT id, quantity FROM tasks WHERE work_order_id = ?1 ORDER BY sequence, id",
        )?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for ((task_id, quantity), (done, operator)) in tasks.iter().zip(&c.progress) {
        let status = task_status(c.status, *quantity, *done, *operator);
        if status == "draft" || (status == "pending" && done.is_none()) {
            continue;
        }
        let good = match (status, done) {
            ("completed", None) => *quantity,
            (_, d) => d.unwrap_or(0),
        };
        let operator = operator.filter(|_| status != "pending");
        let mv = Move::Import {
            status: status.parse().unwrap_or(TaskStatus::Pending),
            good,
            operator_id: operator,
        };
        let head = load_head(conn, *task_id)?;
        task_door::apply(conn, *task_id, &head, &mv, Some(actor_id), now, json!({}))?;
    }
    super::order_flow::settle(conn, id, Some(actor_id), now)?;
    if c.status == WorkOrderStatus::Completed {
        conn.prepare_cached("UPDATE work_orders SET completed_at = ?2 WHERE id = ?1")?
            .execute(params![id, now])?;
    }
    append(
        conn,
        now,
        &NewEvent {
            kind: "work_order.imported",
            actor_id: Some(actor_id),
            work_order_id: Some(id),
            data: json!({"number": c.number, "line": line, "status": status_name(c.status)}),
            ..Default::default()
        },
    )?;
    Ok(())
}

/// The task status that matches a legacy order's status and one process's progress.
fn task_status(
    order: WorkOrderStatus,
    quantity: i64,
    done: Option<i64>,
    operator: Option<i64>,
) -> &'static str {
    let done = done.unwrap_or(0);
    match order {
        WorkOrderStatus::Draft | WorkOrderStatus::Submitted => "draft",
        WorkOrderStatus::Completed => "completed",
        WorkOrderStatus::Cancelled => "cancelled",
        WorkOrderStatus::Approved | WorkOrderStatus::InProgress => {
            if done >= quantity {
                "completed"
            } else if operator.is_some() && done > 0 {
                "paused"
            } else if operator.is_some() {
                "assigned"
            } else {
                "pending"
            }
        }
    }
}

/// The id of the first active admin: who imported orders are "created by" by default.
pub fn default_importer(conn: &Connection) -> Result<i64, Error> {
    conn.prepare_cached("SELECT id FROM users WHERE role = 'admin' AND active = 1 ORDER BY id LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .ok_or_else(|| {
            Error::breaking(
                "as",
                "there is no admin yet to import as: start presswork once (it creates one) or name a user with --as", Rule::Unknown)
        })
}

/// Imports `rows` as `username` (or the first admin); blocking, for the CLI.
pub fn import_orders(
    store: &Store,
    username: Option<String>,
    rows: Vec<Row>,
    options: ImportOptions,
) -> Result<ImportOutcome, Error> {
    let actor = move |conn: &Connection| match &username {
        Some(name) => super::users::user_id_by_name(conn, name),
        None => default_importer(conn),
    };
    if options.dry_run {
        return store.read_blocking(move |conn| run(conn, actor(conn), &rows, options));
    }
    store.write_blocking(move |conn| run(conn, actor(conn), &rows, options))
}
