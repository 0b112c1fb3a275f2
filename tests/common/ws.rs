//! A blocking WebSocket client for the live event stream (`/api/v1/events`): connects with a
//! token, a cookie or a ticket, collects events and close frames, and waits with timeouts;
//! and the few order helpers the live tests share.

use super::{process_id, Client};
use serde_json::{json, Value};
use std::io::ErrorKind;
use std::net::TcpStream;
use std::time::{Duration, Instant};
use tungstenite::client::IntoClientRequest;
use tungstenite::handshake::HandshakeError;
use tungstenite::{Message, WebSocket};

/// How a connection was asked to authenticate.
pub enum Auth<'a> {
    Bearer(&'a str),
    Cookie(&'a str),
    None,
}

pub struct Live {
    socket: WebSocket<TcpStream>,
    /// Every event received, in arrival order.
    pub events: Vec<Value>,
    /// How many messages (arrays) they came in.
    pub messages: usize,
    /// The close frame, once the server sent one: (code, reason).
    pub closed: Option<(u16, String)>,
}

fn ws_url(base: &str, query: &str) -> String {
    let host = base.trim_start_matches("http://");
    if query.is_empty() {
        format!("ws://{host}/api/v1/events")
    } else {
        format!("ws://{host}/api/v1/events?{query}")
    }
}

impl Live {
    /// Connects, or returns the HTTP status the server refused the upgrade with.
    pub fn try_connect(base: &str, auth: Auth<'_>, query: &str) -> Result<Live, u16> {
        let mut request = ws_url(base, query).into_client_request().expect("request");
        match auth {
            Auth::Bearer(token) => {
                let value = format!("Bearer {token}").parse().expect("header");
                request.headers_mut().insert("authorization", value);
            }
            Auth::Cookie(token) => {
                let value = format!("presswork_session={token}")
                    .parse()
                    .expect("header");
                request.headers_mut().insert("cookie", value);
            }
            Auth::None => {}
        }
        let host = base.trim_start_matches("http://");
        let stream = TcpStream::connect(host).expect("tcp connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        match tungstenite::client(request, stream) {
            Ok((socket, _)) => {
                socket
                    .get_ref()
                    .set_read_timeout(Some(Duration::from_millis(50)))
                    .expect("timeout");
                Ok(Live {
                    socket,
                    events: Vec::new(),
                    messages: 0,
                    closed: None,
                })
            }
            Err(HandshakeError::Failure(tungstenite::Error::Http(response))) => {
                Err(response.status().as_u16())
            }
            Err(e) => panic!("websocket handshake failed: {e}"),
        }
    }

    pub fn connect(base: &str, token: &str, query: &str) -> Live {
        Live::try_connect(base, Auth::Bearer(token), query)
            .unwrap_or_else(|status| panic!("upgrade refused with {status}"))
    }

    /// Reads what arrives for up to `wait`; returns false when the connection is over.
    fn pump(&mut self, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            match self.socket.read() {
                Ok(Message::Text(text)) => {
                    let batch: Value = serde_json::from_str(&text).expect("a JSON message");
                    let batch = batch.as_array().expect("messages are arrays").clone();
                    assert!(!batch.is_empty(), "an empty message was sent");
                    self.events.extend(batch);
                    self.messages += 1;
                }
                Ok(Message::Close(frame)) => {
                    self.closed = Some(
                        frame
                            .map(|f| (u16::from(f.code), f.reason.into_owned()))
                            .unwrap_or((1005, String::new())),
                    );
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
                {
                    return true;
                }
                Err(_) => return false,
            }
        }
        true
    }

    /// Reads until `done(events)` holds or `timeout` passes; returns whether it held.
    pub fn wait_until(&mut self, timeout: Duration, done: impl Fn(&[Value]) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if done(&self.events) {
                return true;
            }
            if Instant::now() >= deadline || !self.pump(Duration::from_millis(200)) {
                return done(&self.events);
            }
        }
    }

    /// Waits for an event with this id.
    pub fn wait_for_id(&mut self, id: i64, timeout: Duration) -> bool {
        self.wait_until(timeout, |events| events.iter().any(|e| e["id"] == id))
    }

    /// Waits for the server's close frame.
    pub fn wait_for_close(&mut self, timeout: Duration) -> Option<(u16, String)> {
        let deadline = Instant::now() + timeout;
        while self.closed.is_none() && Instant::now() < deadline {
            if !self.pump(Duration::from_millis(200)) {
                break;
            }
        }
        self.closed.clone()
    }

    pub fn ids(&self) -> Vec<i64> {
        self.events
            .iter()
            .map(|e| e["id"].as_i64().expect("id"))
            .collect()
    }

    pub fn last_id(&self) -> i64 {
        self.ids().last().copied().unwrap_or(0)
    }

    /// Closes from the client side, as a browser tab going away does.
    pub fn close(mut self) {
        let _ = self.socket.close(None);
        let _ = self.pump(Duration::from_millis(500));
    }
}

/// How long a live test waits for something that should arrive.
pub const WAIT: Duration = Duration::from_secs(20);

/// Creates a draft order with one line per code, due `due`, at `priority`.
pub fn draft(client: &Client, codes: &[&str], priority: &str, due: &str) -> Value {
    let processes: Vec<Value> = codes
        .iter()
        .map(|c| json!({"process_id": process_id(client, c)}))
        .collect();
    let (status, body) = client.post(
        "/api/v1/work-orders",
        &json!({"customer": "华彩包装", "product": "彩盒", "quantity": 1000, "due_date": due,
                "priority": priority, "unit_price": 0.35, "amount": 350.0, "colors_front": 4,
                "processes": processes}),
    );
    assert_eq!(status, 201, "{body}");
    body
}

pub fn approve(client: &Client, order: &Value) -> Value {
    let (status, body) = client.post(
        &format!("/api/v1/work-orders/{}/approve", order["id"]),
        &json!({}),
    );
    assert_eq!(status, 200, "{body}");
    body
}

pub fn task_ids(order: &Value, code: &str) -> Vec<i64> {
    order["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["process_code"] == code)
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
}

pub fn claim(client: &Client, task: i64) {
    let (status, body) = client.post(&format!("/api/v1/tasks/{task}/claim"), &json!({}));
    assert_eq!(status, 200, "{body}");
}

pub fn token(client: &Client) -> &str {
    client.token.as_deref().unwrap()
}

/// The id of the `kind` event about `task` among `events`.
pub fn event_id(events: &[Value], kind: &str, task: i64) -> Option<i64> {
    events
        .iter()
        .find(|e| e["kind"] == kind && e["task_id"] == task)
        .and_then(|e| e["id"].as_i64())
}

pub fn assert_strictly_increasing(ids: &[i64]) {
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids out of order or repeated: {ids:?}"
    );
}
