//! Tasks: the scoped list with its keyset cursor, a single task, and the race-free claim.

use super::task_door::{self, Move};
pub use super::task_door::{load_head, TaskHead};
use super::views::{
    load_task, task_from_row, TaskView, READY_SQL, TASK_SELECT, TASK_SELECT_BY_ORDER,
};
use super::{now_ms, task_search, Actor, Error};
use crate::domain::{Priority, Role, TaskStatus, Transition};
use crate::store::Store;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskFilter {
    pub department_id: Option<i64>,
    pub status: Option<TaskStatus>,
    pub operator_id: Option<i64>,
    pub priority: Option<Priority>,
    pub work_order_id: Option<i64>,
    /// Text anywhere in the order's number, customer or product, or in the process's code or
    /// Chinese name: case-insensitive, taken literally (`%` and `_` are not wildcards).
    pub q: Option<String>,
    /// `true`: only tasks someone can start now (`domain::handoff::is_ready`).
    pub ready: Option<bool>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct TaskPage {
    pub items: Vec<TaskView>,
    pub next_cursor: Option<String>,
}

/// Cursors are `priority.due_date.id` of the last row: opaque to clients, cheap to check.
pub fn make_cursor(priority: i64, due_date: &str, id: i64) -> String {
    format!("{priority}.{due_date}.{id}")
}

pub fn parse_cursor(cursor: &str) -> Result<(i64, String, i64), Error> {
    let bad = || Error::invalid("cursor", "not a cursor this server gave out");
    let mut parts = cursor.splitn(3, '.');
    let priority = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let due: chrono::NaiveDate = parts.next().and_then(|d| d.parse().ok()).ok_or_else(bad)?;
    let id = parts.next().and_then(|i| i.parse().ok()).ok_or_else(bad)?;
    Ok((priority, due.to_string(), id))
}

/// One SQL statement and its arguments.
pub type Statement = (String, Vec<rusqlite::types::Value>);

/// The filter as SQL conditions over `t`, `w` and `p` (each starting with " AND"), numbering
/// its arguments from 1; and whether to read tasks through their orders (a search naming few).
fn filter_conditions(
    conn: &Connection,
    filter: &TaskFilter,
) -> Result<(String, Vec<rusqlite::types::Value>, bool), Error> {
    let mut sql = String::new();
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let mut push = |clause: &str, v: rusqlite::types::Value| {
        args.push(v);
        sql += &clause.replace('?', &format!("?{}", args.len()));
    };
    if let Some(d) = filter.department_id {
        push(" AND t.department_id = ?", d.into());
    }
    if let Some(s) = filter.status {
        push(" AND t.status = ?", s.as_str().to_owned().into());
    }
    if let Some(o) = filter.operator_id {
        push(" AND t.operator_id = ?", o.into());
    }
    if let Some(p) = filter.priority {
        push(" AND t.priority = ?", p.rank().into());
    }
    if let Some(w) = filter.work_order_id {
        push(" AND t.work_order_id = ?", w.into());
    }
    let mut by_order = false;
    if let Some(q) = filter.q.as_deref().filter(|q| !q.is_empty()) {
        let found = task_search::search(conn, q, args.len() + 1)?;
        args.push(found.arg);
        sql += &found.condition;
        by_order = found.by_order;
    }
    match filter.ready {
        Some(true) => sql += &format!(" AND {READY_SQL}"),
        Some(false) => sql += &format!(" AND NOT {READY_SQL}"),
        None => {}
    }
    Ok((sql, args, by_order))
}

/// The departments to split a list into, one arm each, merged in order (`UNION ALL ...
/// ORDER BY`); none to run it whole. An index gives one department's tasks in list order
/// (`tasks_by_department`, and by status `tasks_pool`), not several departments' together;
/// without arms SQLite would gather every match and sort it. Arms are needed when the list
/// spans several of the actor's departments, or filters by status across departments.
/// Filters by operator or order already narrow the list to an index of their own.
fn department_arms(
    conn: &Connection,
    scope: &super::Scope,
    filter: &TaskFilter,
) -> Result<Vec<i64>, Error> {
    if filter.department_id.is_some()
        || filter.operator_id.is_some()
        || filter.work_order_id.is_some()
    {
        return Ok(vec![]);
    }
    let departments = match scope.task_departments() {
        Some(departments) => departments,
        // Every department, active or not: each may hold tasks.
        None if filter.status.is_some() => conn
            .prepare_cached("SELECT id FROM departments ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?,
        None => vec![],
    };
    Ok(if departments.len() > 1 {
        departments
    } else {
        vec![]
    })
}

/// The statements `list_tasks` runs for a filter, in order, each ending in the page size (+1).
///
/// Every statement is shaped so that SQLite walks an index in the list's order from exactly
/// where the page starts and stops at the page size, instead of gathering every match and
/// sorting it (which at 10M tasks takes seconds):
/// - A page after a cursor is two statements: the rest of the cursor's priority (a row-value
///   seek), then the lower priorities. As one statement, "after the cursor" in this mixed
///   order (priority descending, the rest ascending) is an OR that only bounds the priority,
///   and the scan crossed every earlier row of that priority.
/// - See [`department_arms`] for lists that span several departments.
pub fn list_statements(
    conn: &Connection,
    actor: &Actor,
    filter: &TaskFilter,
) -> Result<Vec<Statement>, Error> {
    let limit = filter.limit.unwrap_or(50).clamp(1, 500);
    let after = filter
        .cursor
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(parse_cursor)
        .transpose()?;
    let scope = actor.scope();
    let (conditions, args, by_order) = filter_conditions(conn, filter)?;
    let select = if by_order {
        TASK_SELECT_BY_ORDER
    } else {
        TASK_SELECT
    };
    let arms: Vec<String> = department_arms(conn, &scope, filter)?
        .iter()
        .map(|d| format!(" AND t.department_id = {d}"))
        .collect();
    let arms = if arms.is_empty() {
        vec![String::new()]
    } else {
        arms
    };
    let statement = |keyset: &str, args: Vec<rusqlite::types::Value>| {
        let arms: Vec<String> = arms
            .iter()
            .map(|arm| {
                let visible = scope.task_predicate();
                format!("{select} WHERE {visible}{conditions}{arm}{keyset}")
            })
            .collect();
        let order = "ORDER BY t.priority DESC, t.due_date, t.id";
        (
            format!("{} {order} LIMIT {}", arms.join(" UNION ALL "), limit + 1),
            args,
        )
    };
    let Some((priority, due, id)) = after else {
        return Ok(vec![statement("", args)]);
    };
    let n = args.len();
    let mut seek = args.clone();
    seek.extend([priority.into(), due.into(), id.into()]);
    let mut lower = args;
    lower.push(priority.into());
    Ok(vec![
        statement(
            &format!(
                " AND t.priority = ?{} AND (t.due_date, t.id) > (?{}, ?{})",
                n + 1,
                n + 2,
                n + 3
            ),
            seek,
        ),
        statement(&format!(" AND t.priority < ?{}", n + 1), lower),
    ])
}

/// Tasks the actor may see, most urgent first, then by due date and id.
pub async fn list_tasks(
    store: &Store,
    actor: &Actor,
    filter: TaskFilter,
) -> Result<TaskPage, Error> {
    let limit = filter.limit.unwrap_or(50).clamp(1, 500) as usize;
    let actor = actor.clone();
    store
        .read(move |conn| {
            let statements = list_statements(conn, &actor, &filter)?;
            let mut items = Vec::new();
            for (sql, args) in statements {
                if items.len() > limit {
                    break;
                }
                let mut stmt = conn.prepare_cached(&sql)?;
                let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
                    task_from_row(r).map(|t| t.for_reader(&actor.scope()))
                })?;
                for row in rows.take(limit + 1 - items.len()) {
                    items.push(row?);
                }
            }
            let next_cursor = if items.len() > limit {
                items.truncate(limit);
                items
                    .last()
                    .map(|t| make_cursor(t.priority.rank(), &t.due_date, t.id))
            } else {
                None
            };
            Ok(TaskPage { items, next_cursor })
        })
        .await
}

pub async fn get_task(store: &Store, actor: &Actor, id: i64) -> Result<TaskView, Error> {
    let scope = actor.scope();
    store
        .read(move |conn| {
            load_task(conn, id)?
                .filter(|t| scope.sees_task(t.department_id, &t.status, t.operator_id))
                .map(|t| t.for_reader(&scope))
                .ok_or_else(|| Error::not_found(format!("task {id}")))
        })
        .await
}

/// Refuses when the operator already holds as many tasks as the department allows.
pub(super) fn check_wip(
    conn: &Connection,
    operator_id: i64,
    cap: Option<i64>,
) -> Result<(), Error> {
    let Some(cap) = cap else { return Ok(()) };
    let held: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM tasks WHERE operator_id = ?1 AND status IN ('assigned', 'in_progress', 'paused')",
        )?
        .query_row([operator_id], |r| r.get(0))?;
    if held >= cap {
        return Err(Error::conflict(
            "wip_limit_reached",
            format!("the operator already holds {held} tasks; this department allows {cap}"),
        ));
    }
    Ok(())
}

/// An operator takes a pending task from their department's pool. Exactly one of many
/// racing claims wins: the update only applies while the task is still pending and free.
pub async fn claim_task(store: &Store, actor: &Actor, id: i64) -> Result<TaskView, Error> {
    actor.require(&[Role::Operator], "claim tasks")?;
    let actor = actor.clone();
    store
        .write(move |conn| {
            let head = load_head(conn, id)?;
            // Another department's task is not there for this operator, as `get` says too.
            if !actor.is_in_department(head.department_id) {
                return Err(Error::not_found(format!("task {id}")));
            }
            if head.status.after(Transition::Claim).is_none() {
                return Err(Error::conflict(
                    head.status.conflict_code(Transition::Claim),
                    format!("task {id} is {}", head.status.as_str()),
                ));
            }
            check_wip(conn, actor.id, head.wip_cap)?;
            let now = now_ms();
            let mv = Move::Claim {
                operator_id: actor.id,
            };
            task_door::apply(conn, id, &head, &mv, Some(actor.id), now, json!({}))?;
            load_task(conn, id)?
                .map(|t| t.for_reader(&actor.scope()))
                .ok_or_else(|| Error::not_found(format!("task {id}")))
        })
        .await
}
