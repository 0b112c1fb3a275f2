//! Tasks: the scoped list with its keyset cursor, a single task, and the race-free claim.

use super::views::{load_task, task_from_row, TaskView, READY_SQL, TASK_SELECT};
use super::{now_ms, task_events, Actor, Error};
use crate::domain::{Priority, Role, TaskAction, TaskStatus};
use crate::store::Store;
use rusqlite::{params, Connection, OptionalExtension};
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

/// Tasks the actor may see, most urgent first, then by due date and id.
pub async fn list_tasks(
    store: &Store,
    actor: &Actor,
    filter: TaskFilter,
) -> Result<TaskPage, Error> {
    let scope = actor.scope();
    let limit = filter.limit.unwrap_or(50).clamp(1, 500);
    let after = filter
        .cursor
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(parse_cursor)
        .transpose()?;
    store
        .read(move |conn| {
            let mut sql = format!("{TASK_SELECT} WHERE {}", scope.task_predicate());
            let mut args: Vec<rusqlite::types::Value> = Vec::new();
            let mut push = |sql: &mut String, clause: &str, v: rusqlite::types::Value| {
                args.push(v);
                *sql += &clause.replace('?', &format!("?{}", args.len()));
            };
            if let Some(d) = filter.department_id {
                push(&mut sql, " AND t.department_id = ?", d.into());
            }
            if let Some(s) = filter.status {
                push(&mut sql, " AND t.status = ?", s.as_str().to_owned().into());
            }
            if let Some(o) = filter.operator_id {
                push(&mut sql, " AND t.operator_id = ?", o.into());
            }
            if let Some(p) = filter.priority {
                push(&mut sql, " AND t.priority = ?", p.rank().into());
            }
            if let Some(w) = filter.work_order_id {
                push(&mut sql, " AND t.work_order_id = ?", w.into());
            }
            if let Some(q) = filter.q.as_deref().filter(|q| !q.is_empty()) {
                push(
                    &mut sql,
                    " AND (w.number LIKE ? OR w.customer LIKE ? OR w.product LIKE ? OR p.code LIKE ? OR p.name_zh LIKE ?)",
                    format!("%{q}%").into(),
                );
            }
            match filter.ready {
                Some(true) => sql += &format!(" AND {READY_SQL}"),
                Some(false) => sql += &format!(" AND NOT {READY_SQL}"),
                None => {}
            }
            if let Some((priority, due, id)) = after {
                // `priority <= p` leads so the planner walks tasks_queue from the cursor; as a
                // bare OR it gathers every matching row and sorts them (1M tasks: 0.5 s a page).
                push(&mut sql, " AND t.priority <= ?", priority.into());
                push(&mut sql, " AND (t.priority < ?", priority.into());
                push(&mut sql, " OR t.due_date > ?", due.clone().into());
                push(&mut sql, " OR (t.due_date = ?", due.into());
                push(&mut sql, " AND t.id > ?))", id.into());
            }
            sql += &format!(" ORDER BY t.priority DESC, t.due_date, t.id LIMIT {}", limit + 1);
            let mut stmt = conn.prepare(&sql)?;
            let mut items = stmt
                .query_map(rusqlite::params_from_iter(args), task_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            let next_cursor = if items.len() as i64 > limit {
                items.truncate(limit as usize);
                items.last().map(|t| make_cursor(t.priority.rank(), &t.due_date, t.id))
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
                .ok_or_else(|| Error::not_found(format!("task {id}")))
        })
        .await
}

/// The facts a claim or an assignment checks before its conditional update.
pub(super) struct TaskHead {
    pub department_id: i64,
    pub status: TaskStatus,
    pub operator_id: Option<i64>,
    pub work_order_id: i64,
    pub wip_cap: Option<i64>,
}

pub(super) fn load_head(conn: &Connection, id: i64) -> Result<TaskHead, Error> {
    conn.prepare_cached(
        "SELECT t.department_id, t.status, t.operator_id, t.work_order_id, d.wip_cap
         FROM tasks t JOIN departments d ON d.id = t.department_id WHERE t.id = ?1",
    )?
    .query_row([id], |r| {
        let status: String = r.get(1)?;
        Ok(TaskHead {
            department_id: r.get(0)?,
            status: status.parse().unwrap_or(TaskStatus::Cancelled),
            operator_id: r.get(2)?,
            work_order_id: r.get(3)?,
            wip_cap: r.get(4)?,
        })
    })
    .optional()?
    .ok_or_else(|| Error::not_found(format!("task {id}")))
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
            if !actor.is_in_department(head.department_id) {
                return Err(Error::Forbidden(format!("task {id} belongs to another department")));
            }
            if head.status.after(TaskAction::Claim).is_none() {
                return Err(Error::conflict(
                    head.status.conflict_code(TaskAction::Claim),
                    format!("task {id} is {}", head.status.as_str()),
                ));
            }
            check_wip(conn, actor.id, head.wip_cap)?;
            let now = now_ms();
            let changed = conn
                .prepare_cached(
                    "UPDATE tasks SET operator_id = ?2, status = 'assigned', assigned_via = 'claim',
                        assign_reason = NULL, claimed_at = ?3, updated_at = ?3, version = version + 1
                     WHERE id = ?1 AND status = 'pending' AND operator_id IS NULL",
                )?
                .execute(params![id, actor.id, now])?;
            if changed == 0 {
                return Err(Error::conflict("task_already_claimed", format!("task {id} was claimed by someone else")));
            }
            task_events::record_and_load(conn, now, Some(actor.id), "task.claimed", id, json!({}))
        })
        .await
}
