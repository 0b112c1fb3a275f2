//! `GET /api/v1/events`, the live WebSocket, and `POST /api/v1/events/ticket`. This module
//! owns frames, heartbeats and close codes; which events a client gets, and when, is the hub's
//! (`events::hub`, `events::subscription`).
//!
//! Close codes a client should know: 4008 (fell behind: reconnect with the `after=` in the
//! reason), 1001 (server shutting down: same), 1013 (too many connections: try later),
//! 4009 (event log reset: reload, then reconnect with the `after=` given), 1011 (server error),
//! 4401 (the credential ended: signed out, deactivated or the password reset; sign in again).

use super::auth::{actor, token, with_app};
use super::errors::error_response;
use super::input::{parse_query, query};
use super::ok;
use crate::events::subscription::{Next, Subscription};
use crate::service::{tickets, users, Actor, Error};
use crate::App;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;
use tokio::time::{timeout, Instant};
use warp::filters::ws::{Message, WebSocket, Ws};
use warp::http::header::{self, HeaderMap, HeaderValue};
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Reply};

/// A client that cannot take a message for this long is gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a closing handshake may take before the connection is just dropped.
const CLOSE_WAIT: Duration = Duration::from_secs(1);
/// Clients send nothing but control frames; anything large is a mistake or an attack.
const MAX_INCOMING: usize = 64 * 1024;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// Replay every visible event after this id, then go live.
    after: Option<i64>,
    /// A single-use ticket from `POST /api/v1/events/ticket`.
    ticket: Option<String>,
}

async fn signed_in(
    app: &App,
    ticket: Option<String>,
    token: Option<String>,
) -> Result<Actor, Error> {
    match (ticket, token) {
        (Some(ticket), _) => tickets::redeem_ticket(&app.store, ticket).await,
        (None, Some(token)) => users::authenticate(&app.store, token).await,
        (None, None) => Err(Error::Unauthorized(
            "sign in first, or pass ?ticket= from POST /api/v1/events/ticket".into(),
        )),
    }
}

async fn open(
    ws: Ws,
    app: App,
    query: String,
    token: Option<String>,
) -> Result<Response, Infallible> {
    let params: Params = match parse_query(&query) {
        Ok(p) => p,
        Err(e) => return Ok(error_response(&e)),
    };
    if params.after.is_some_and(|a| a < 0) {
        return Ok(error_response(&Error::invalid(
            "after",
            "must be an event id (0 or more)",
        )));
    }
    // A socket opened with a session ends with it; one opened by ticket ends with any of
    // the user's sign-outs.
    let session = match params.ticket {
        Some(_) => None,
        None => token.as_deref().map(users::token_hash),
    };
    let actor = match signed_in(&app, params.ticket, token).await {
        Ok(actor) => actor,
        Err(e) => return Ok(error_response(&e)),
    };
    let hub = app.hub.clone();
    let metrics = app.metrics.clone();
    // Taken before the upgrade and moved into it, so a failed upgrade gives the place back.
    let admission = hub.admit();
    let ws = ws
        .max_message_size(MAX_INCOMING)
        .max_frame_size(MAX_INCOMING);
    Ok(ws
        .on_upgrade(move |socket| async move {
            match admission {
                Ok(_admission) => {
                    let _counted = metrics.ws_connection();
                    let subscription = hub.subscribe(actor.scope(), session, params.after);
                    tracing::debug!(user = %actor.username, after = ?params.after, "live client connected");
                    serve_client(socket, subscription, hub.settings().ping_every).await;
                }
                Err(max) => {
                    let (mut sink, incoming) = socket.split();
                    let reason = format!("too many live connections (max {max}); try again later");
                    say_goodbye(&mut sink, incoming, 1013, reason).await;
                }
            }
        })
        .into_response())
}

/// Sends `message`; false when the client is gone or too slow to take it.
async fn send(sink: &mut SplitSink<WebSocket, Message>, message: Message) -> bool {
    matches!(timeout(SEND_TIMEOUT, sink.send(message)).await, Ok(Ok(())))
}

/// Sends a close frame and waits (briefly) for the client's reply.
async fn say_goodbye(
    sink: &mut SplitSink<WebSocket, Message>,
    mut incoming: SplitStream<WebSocket>,
    code: u16,
    reason: String,
) {
    if !matches!(
        timeout(CLOSE_WAIT, sink.send(Message::close_with(code, reason))).await,
        Ok(Ok(()))
    ) {
        return;
    }
    let _ = timeout(CLOSE_WAIT, async {
        while let Some(Ok(frame)) = incoming.next().await {
            if frame.is_close() {
                break;
            }
        }
    })
    .await;
}

async fn serve_client(socket: WebSocket, mut subscription: Subscription, ping_every: Duration) {
    let (mut sink, mut incoming) = socket.split();
    let mut ping = tokio::time::interval_at(Instant::now() + ping_every, ping_every);
    // Whether the client sent anything (a pong, at least) since the last ping.
    let mut heard = true;
    let (code, reason) = loop {
        tokio::select! {
            next = subscription.next() => match next {
                Next::Batch { text, .. } => {
                    if !send(&mut sink, Message::text(text)).await {
                        return;
                    }
                }
                Next::Overflowed { after } => {
                    break (4008, format!("too far behind; reconnect with after={after}"));
                }
                Next::Closing { after } => {
                    break (1001, format!("server shutting down; reconnect with after={after}"));
                }
                Next::Failed { after } => {
                    break (1011, format!("server error; reconnect with after={after}"));
                }
                Next::Reset { head } => {
                    break (4009, format!("event log was reset; reload, then reconnect with after={head}"));
                }
                Next::SignedOut => {
                    break (4401, "signed out: sign in again".to_owned());
                }
            },
            frame = incoming.next() => match frame {
                Some(Ok(frame)) if frame.is_close() => {
                    // The close reply is queued by the protocol layer; flushing sends it.
                    let _ = timeout(CLOSE_WAIT, sink.close()).await;
                    return;
                }
                Some(Ok(frame)) if frame.is_text() || frame.is_binary() => {
                    break (1003, "this stream only sends; it takes no messages".to_owned());
                }
                Some(Ok(_)) => heard = true,
                Some(Err(e)) => match broken_input(&e) {
                    Some(code) => break code,
                    None => return,
                },
                None => return,
            },
            _ = ping.tick() => {
                if !heard {
                    break (4000, "no answer to ping".to_owned());
                }
                heard = false;
                if !send(&mut sink, Message::ping(Vec::new())).await {
                    return;
                }
            }
        }
    };
    tracing::debug!(code, %reason, "closing a live client");
    say_goodbye(&mut sink, incoming, code, reason).await;
}

/// The close frame owed to a client that broke the protocol (RFC 6455 §7.1.7 asks for one
/// before the connection is dropped); `None` when the connection itself is gone. warp hides
/// the protocol library's error type, so its message is all there is to tell them apart.
fn broken_input(e: &warp::Error) -> Option<(u16, String)> {
    let text = e.to_string();
    let (code, reason) = if text.contains("UTF-8") {
        (1007, "text that is not UTF-8".to_owned())
    } else if text.contains("Space limit exceeded") {
        (
            1009,
            format!("frame or message too large (max {MAX_INCOMING} bytes)"),
        )
    } else if text.contains("protocol error") {
        (1002, "protocol error".to_owned())
    } else {
        return None;
    };
    tracing::debug!(error = %text, code, "closing a live client that broke the protocol");
    Some((code, reason))
}

pub fn routes(app: App) -> warp::filters::BoxedFilter<(Response,)> {
    let ticket = warp::path!("events" / "ticket")
        .and(warp::post())
        .and(with_app(app.clone()))
        .and(actor(app.clone()))
        .and_then(|app: App, actor: Actor| async move {
            ok(tickets::issue_ticket(&app.store, &actor).await)
        });
    let socket = warp::path!("events")
        .and(warp::get())
        .and(warp::ws())
        .and(with_app(app))
        .and(query())
        .and(token())
        .and_then(open);
    let not_a_handshake = warp::path!("events")
        .and(warp::get())
        .and(warp::header::headers_cloned())
        .map(|headers: HeaderMap| refuse_handshake(&headers));
    ticket
        .or(socket)
        .unify()
        .or(not_a_handshake)
        .unify()
        .boxed()
}

/// The answer to a `GET /events` that is not a WebSocket handshake warp accepts: 426 with
/// the version we speak for a plain GET or another version (RFC 6455 §4.2.2), 400 for a
/// handshake missing its parts.
fn refuse_handshake(headers: &HeaderMap) -> Response {
    let has = |name: header::HeaderName, value: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains(value))
    };
    let (status, code, message) = if !has(header::UPGRADE, "websocket") {
        (
            StatusCode::UPGRADE_REQUIRED,
            "upgrade_required",
            "this is the live event stream: open it as a WebSocket",
        )
    } else if !has(header::SEC_WEBSOCKET_VERSION, "13") {
        (
            StatusCode::UPGRADE_REQUIRED,
            "upgrade_required",
            "this server speaks WebSocket version 13 only",
        )
    } else {
        (
            StatusCode::BAD_REQUEST,
            "invalid_handshake",
            "the WebSocket handshake is incomplete (Connection: Upgrade and Sec-WebSocket-Key are required)",
        )
    };
    let body = serde_json::json!({"error": {"code": code, "message": message}});
    let mut response = warp::reply::with_status(warp::reply::json(&body), status).into_response();
    let answer = response.headers_mut();
    answer.insert(
        header::SEC_WEBSOCKET_VERSION,
        HeaderValue::from_static("13"),
    );
    if status == StatusCode::UPGRADE_REQUIRED {
        answer.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        answer.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    }
    response
}
