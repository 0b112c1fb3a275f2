//! The history of one task or one work order, read from the events table in the caller's
//! scope: a task or order the caller cannot see is not found, and prices are masked.
//! Which events and fields a caller may see is the `Scope`'s to say, not this module's.

use super::views::load_task;
use super::{Actor, Error};
use crate::store::Store;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use serde_json::Value;

const DEFAULT_LIMIT: i64 = 200;
const MAX_LIMIT: i64 = 1000;

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// Only events with a greater id (the `next_after` of the previous page).
    pub after: Option<i64>,
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HistoryEntry {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub work_order_id: Option<i64>,
    pub task_id: Option<i64>,
    pub data: Value,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HistoryPage {
    pub items: Vec<HistoryEntry>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<i64>,
}

fn page(
    conn: &Connection,
    filter: &str,
    id: i64,
    query: &HistoryQuery,
) -> Result<HistoryPage, Error> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let sql = format!(
        "SELECT e.id, e.at, e.kind, e.actor_id, u.display_name, e.work_order_id, e.task_id, e.data
         FROM events e LEFT JOIN users u ON u.id = e.actor_id
         WHERE {filter} AND e.id > ?2 ORDER BY e.id LIMIT ?3"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut items = stmt
        .query_map(params![id, query.after.unwrap_or(0), limit + 1], |r| {
            let data: String = r.get(7)?;
            Ok(HistoryEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                kind: r.get(2)?,
                actor_id: r.get(3)?,
                actor_name: r.get(4)?,
                work_order_id: r.get(5)?,
                task_id: r.get(6)?,
                data: serde_json::from_str(&data).unwrap_or(Value::Null),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let next_after = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|e| e.id)
    } else {
        None
    };
    Ok(HistoryPage { items, next_after })
}

/// Removes what is routing, not history, and what the caller may not see.
fn tidy(mut page: HistoryPage, actor: &Actor) -> HistoryPage {
    let scope = actor.scope();
    for entry in &mut page.items {
        if let Value::Object(map) = &mut entry.data {
            map.remove("audience");
        }
        scope.mask(&mut entry.data);
    }
    page
}

pub async fn task_history(
    store: &Store,
    actor: &Actor,
    id: i64,
    query: HistoryQuery,
) -> Result<HistoryPage, Error> {
    let scope = actor.scope();
    let page = store
        .read(move |conn| {
            let visible = load_task(conn, id)?
                .is_some_and(|t| scope.sees_task(t.department_id, &t.status, t.operator_id));
            if !visible {
                return Err(Error::not_found(format!("task {id}")));
            }
            page(conn, "e.task_id = ?1", id, &query)
        })
        .await?;
    Ok(tidy(page, actor))
}

pub async fn work_order_history(
    store: &Store,
    actor: &Actor,
    id: i64,
    query: HistoryQuery,
) -> Result<HistoryPage, Error> {
    let scope = actor.scope();
    let page = store
        .read(move |conn| {
            let sql = format!(
                "SELECT EXISTS (SELECT 1 FROM work_orders w WHERE w.id = ?1 AND {})",
                scope.work_order_predicate()
            );
            let visible: bool = conn.query_row(&sql, [id], |r| r.get(0))?;
            if !visible {
                return Err(Error::not_found(format!("work order {id}")));
            }
            let filter = format!("e.work_order_id = ?1 AND {}", scope.history_predicate());
            page(conn, &filter, id, &query)
        })
        .await?;
    Ok(tidy(page, actor))
}
