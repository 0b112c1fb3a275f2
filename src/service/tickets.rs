//! Short-lived, single-use tickets that let a browser open the event WebSocket where it cannot
//! send an `Authorization` header. Issuing and redeeming only; no other token rules live here.

use super::users::{insert_token, load_actor, token_hash, TokenKind};
use super::{now_ms, Actor, Error};
use crate::store::Store;
use rusqlite::OptionalExtension;
use serde::Serialize;

/// Long enough to open a socket right after asking, short enough to be useless if leaked.
pub const TICKET_TTL_MS: i64 = 30_000;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Ticket {
    pub ticket: String,
    pub expires_in_ms: i64,
}

pub async fn issue_ticket(store: &Store, actor: &Actor) -> Result<Ticket, Error> {
    let user_id = actor.id;
    let ticket = store
        .write(move |conn| {
            // Unused tickets expire unseen; sweeping them here keeps the table small.
            conn.prepare_cached("DELETE FROM tokens WHERE kind = 'ws_ticket' AND expires_at < ?1")?
                .execute([now_ms()])?;
            insert_token(conn, user_id, TokenKind::WsTicket, Some(TICKET_TTL_MS))
        })
        .await?;
    Ok(Ticket {
        ticket,
        expires_in_ms: TICKET_TTL_MS,
    })
}

/// The actor a ticket was issued to. The ticket is deleted in the same write that reads it,
/// so of two racing uses exactly one succeeds.
pub async fn redeem_ticket(store: &Store, ticket: String) -> Result<Actor, Error> {
    store
        .write(move |conn| {
            let found: Option<(i64, Option<i64>)> = conn
                .prepare_cached(
                    "DELETE FROM tokens WHERE token_hash = ?1 AND kind = 'ws_ticket'
                     RETURNING user_id, expires_at",
                )?
                .query_row([token_hash(&ticket)], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let active = |user_id: i64| -> Result<bool, Error> {
                Ok(conn
                    .prepare_cached("SELECT active FROM users WHERE id = ?1")?
                    .query_row([user_id], |r| r.get(0))
                    .optional()?
                    .unwrap_or(false))
            };
            match found {
                Some((user_id, expires))
                    if expires.is_none_or(|e| e > now_ms()) && active(user_id)? =>
                {
                    load_actor(conn, user_id)
                }
                _ => Err(Error::Unauthorized(
                    "the ticket is unknown, used or expired; ask for a new one".into(),
                )),
            }
        })
        .await
}
