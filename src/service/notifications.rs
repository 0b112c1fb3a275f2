//! The inbox: events addressed to a person, with read/unread state. Rows are written by
//! `events::log::append` with their event; this module only lists them and marks them read.

use super::{now_ms, Actor, Error};
use crate::store::event_log::Event;
use crate::store::Store;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    #[serde(default)]
    pub unread_only: bool,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Notification {
    pub id: i64,
    pub read_at: Option<i64>,
    pub event: Event,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Inbox {
    pub items: Vec<Notification>,
    pub next_cursor: Option<String>,
    pub unread: i64,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Unread {
    pub unread: i64,
}

const SELECT: &str = "SELECT n.id, n.read_at, e.id, e.at, e.actor_id, e.kind, e.work_order_id,
        e.task_id, e.department_id, e.operator_id, e.data
    FROM notifications n JOIN events e ON e.id = n.event_id";

fn from_row(r: &Row<'_>) -> Result<Notification, rusqlite::Error> {
    let data: String = r.get(10)?;
    Ok(Notification {
        id: r.get(0)?,
        read_at: r.get(1)?,
        event: Event {
            id: r.get(2)?,
            at: r.get(3)?,
            actor_id: r.get(4)?,
            kind: r.get(5)?,
            work_order_id: r.get(6)?,
            task_id: r.get(7)?,
            department_id: r.get(8)?,
            operator_id: r.get(9)?,
            data: serde_json::from_str(&data).unwrap_or_default(),
        },
    })
}

fn count_unread(conn: &Connection, user_id: i64) -> Result<i64, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT COUNT(*) FROM notifications WHERE user_id = ?1 AND read_at IS NULL",
        )?
        .query_row([user_id], |r| r.get(0))?)
}

fn check_query(query: &InboxQuery) -> Result<(i64, i64), Error> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(Error::invalid(
            "limit",
            format!("must be from 1 to {MAX_LIMIT}"),
        ));
    }
    let before =
        match &query.cursor {
            None => i64::MAX,
            Some(c) => c.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
                Error::invalid("cursor", "use the next_cursor of the previous page")
            })?,
        };
    Ok((limit, before))
}

/// The actor's notifications, newest first, with the unread count.
pub async fn list_inbox(store: &Store, actor: &Actor, query: InboxQuery) -> Result<Inbox, Error> {
    let (limit, before) = check_query(&query)?;
    let user_id = actor.id;
    let scope = actor.scope();
    store
        .read(move |conn| {
            let unread_only = if query.unread_only { "AND n.read_at IS NULL" } else { "" };
            let mut items: Vec<Notification> = conn
                .prepare_cached(&format!(
                    "{SELECT} WHERE n.user_id = ?1 AND n.id < ?2 {unread_only} ORDER BY n.id DESC LIMIT ?3"
                ))?
                .query_map(params![user_id, before, limit], from_row)?
                .collect::<Result<_, _>>()?;
            for item in &mut items {
                scope.mask(&mut item.event.data);
            }
            let next_cursor = match items.last() {
                Some(last) if items.len() as i64 == limit => Some(last.id.to_string()),
                _ => None,
            };
            Ok(Inbox {
                items,
                next_cursor,
                unread: count_unread(conn, user_id)?,
            })
        })
        .await
}

pub async fn unread_count(store: &Store, actor: &Actor) -> Result<Unread, Error> {
    let user_id = actor.id;
    store
        .read(move |conn| {
            Ok(Unread {
                unread: count_unread(conn, user_id)?,
            })
        })
        .await
}

/// Marks one of the actor's notifications read (again is fine: the first time is kept).
pub async fn mark_read(store: &Store, actor: &Actor, id: i64) -> Result<Notification, Error> {
    let user_id = actor.id;
    let scope = actor.scope();
    store
        .write(move |conn| {
            conn.prepare_cached(
                "UPDATE notifications SET read_at = COALESCE(read_at, ?3) WHERE id = ?1 AND user_id = ?2",
            )?
            .execute(params![id, user_id, now_ms()])?;
            let mut found = conn
                .prepare_cached(&format!("{SELECT} WHERE n.id = ?1 AND n.user_id = ?2"))?
                .query_row(params![id, user_id], from_row)
                .optional()?
                .ok_or_else(|| Error::not_found(format!("notification {id}")))?;
            scope.mask(&mut found.event.data);
            Ok(found)
        })
        .await
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct MarkedAll {
    pub marked: usize,
    pub unread: i64,
}

pub async fn mark_all_read(store: &Store, actor: &Actor) -> Result<MarkedAll, Error> {
    let user_id = actor.id;
    store
        .write(move |conn| {
            let marked = conn
                .prepare_cached(
                    "UPDATE notifications SET read_at = ?2 WHERE user_id = ?1 AND read_at IS NULL",
                )?
                .execute(params![user_id, now_ms()])?;
            Ok(MarkedAll {
                marked,
                unread: count_unread(conn, user_id)?,
            })
        })
        .await
}
