//! The live hub: tails the `events` table by id, woken by the store after each commit (never
//! by a timer), and hands each new event to every subscriber whose `Scope` it reaches, in id
//! order, through a bounded queue per subscriber. It keeps no visibility rules of its own
//! (that is `Scope`) and knows nothing of WebSockets (that is `http::ws`).

use super::subscription::Subscription;
use crate::config::{env_or, Config, DEFAULT_WS_MAX};
use crate::domain::actions::{self, Facts};
use crate::domain::scope::Scope;
use crate::domain::scope::{without_prices, Reach};
use crate::domain::TaskStatus;
use crate::store::event_log::{self as log, Event};
use crate::store::{Store, StoreError};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{mpsc, watch, Semaphore};

/// Rows read from the table at a time, live or replaying.
pub const PAGE: i64 = 500;
/// Replays reading the table at once; the rest wait their turn, so a crowd reconnecting
/// after a restart cannot empty the read pool.
const CONCURRENT_REPLAYS: usize = 8;

#[derive(Debug, Clone)]
pub struct HubSettings {
    /// Live connections allowed at once (`live.ws_max` in the configuration).
    pub max_connections: usize,
    /// Events a client may have waiting before it is dropped (`PRESSWORK_WS_QUEUE`).
    pub queue_bound: usize,
    /// Under bursts a client gets one message per window; windows grow while bursts fill
    /// them, up to this (`PRESSWORK_WS_WINDOW_MS`, at most 100).
    pub max_window: Duration,
    /// Heartbeat ping interval (`PRESSWORK_WS_PING_SECS`).
    pub ping_every: Duration,
}

impl Default for HubSettings {
    fn default() -> HubSettings {
        HubSettings {
            max_connections: DEFAULT_WS_MAX,
            queue_bound: 4096,
            max_window: Duration::from_millis(100),
            ping_every: Duration::from_secs(20),
        }
    }
}

impl HubSettings {
    /// The cap from the layered configuration; the finer knobs from the environment only.
    pub fn from_config(config: &Config) -> HubSettings {
        let d = HubSettings::default();
        HubSettings {
            max_connections: config.ws_max.max(1),
            queue_bound: env_or("PRESSWORK_WS_QUEUE", d.queue_bound).max(16),
            // The contract is "one message per window of at most 100 ms" under bursts.
            max_window: Duration::from_millis(
                env_or("PRESSWORK_WS_WINDOW_MS", 100u64).clamp(1, 100),
            ),
            ping_every: Duration::from_secs_f64(
                env_or("PRESSWORK_WS_PING_SECS", d.ping_every.as_secs_f64()).max(0.05),
            ),
        }
    }
}

/// One logged event, read and serialized once, shared by every subscriber it reaches.
#[derive(Debug)]
pub struct Outgoing {
    pub id: i64,
    reach: Reach,
    json: Box<str>,
    /// The same without prices; `None` when the event carries none.
    priceless: Option<Box<str>>,
    /// The task the event carries a snapshot of, as the action rules see it: each reader
    /// gets the snapshot with the actions they may take (`actions` is empty as stored).
    task: Option<(i64, Facts)>,
}

impl Outgoing {
    pub fn of(event: &Event) -> Outgoing {
        let value = serde_json::to_value(event).unwrap_or_default();
        Outgoing {
            id: event.id,
            reach: Reach::of(event),
            priceless: without_prices(&value).map(|v| v.to_string().into()),
            json: value.to_string().into(),
            task: task_facts(&value["data"]["task"]),
        }
    }

    pub fn reaches(&self, scope: &Scope) -> bool {
        scope.reaches(&self.reach)
    }

    /// The event as this scope may read it, its task snapshot listing the reader's actions.
    pub fn text_for(&self, scope: &Scope) -> Cow<'_, str> {
        let text: &str = match &self.priceless {
            Some(priceless) if !scope.sees_prices() => priceless,
            _ => &self.json,
        };
        let Some((department_id, facts)) = &self.task else {
            return Cow::Borrowed(text);
        };
        let allowed = actions::available(facts, &scope.reader(*department_id));
        if allowed.is_empty() {
            return Cow::Borrowed(text);
        }
        let list = serde_json::to_string(&allowed).unwrap_or_else(|_| "[]".into());
        Cow::Owned(text.replacen("\"actions\":[]", &format!("\"actions\":{list}"), 1))
    }
}

/// The department and action facts of a task snapshot in an event.
fn task_facts(task: &serde_json::Value) -> Option<(i64, Facts)> {
    let department_id = task["department_id"].as_i64()?;
    let status: TaskStatus = task["status"].as_str()?.parse().ok()?;
    Some((
        department_id,
        Facts {
            status,
            operator_id: task["operator_id"].as_i64(),
            ready: task["ready"].as_bool().unwrap_or(false),
            has_notice: !task["target_notice"].is_null(),
        },
    ))
}

struct Subscriber {
    scope: Scope,
    /// The credential the socket opened with (a session's token hash), when it had one.
    session: Option<Vec<u8>>,
    queue: mpsc::Sender<Arc<Outgoing>>,
    overflowed: Arc<AtomicBool>,
    ended: Arc<AtomicBool>,
}

/// Whose live connections end because their credential did.
#[derive(Debug, Clone, Copy)]
pub enum Ending<'a> {
    /// Deactivated, or the password reset: every socket of the user.
    User(i64),
    /// One session signed out: sockets opened with it, and those opened by ticket (which
    /// cannot say which session asked for it; they reconnect if theirs lives on).
    Session { user_id: i64, token_hash: &'a [u8] },
}

impl Ending<'_> {
    fn ends(&self, sub: &Subscriber) -> bool {
        match *self {
            Ending::User(id) => sub.scope.user_id() == id,
            Ending::Session {
                user_id,
                token_hash,
            } => {
                sub.scope.user_id() == user_id
                    && sub.session.as_deref().is_none_or(|s| s == token_hash)
            }
        }
    }
}

struct Registry {
    /// The newest event handed to subscribers.
    head: i64,
    next_key: u64,
    subscribers: HashMap<u64, Subscriber>,
}

/// A subscriber's end, as registered: it gets every reaching event newer than `head`.
pub(super) struct Registration {
    pub key: u64,
    pub queue: mpsc::Receiver<Arc<Outgoing>>,
    pub overflowed: Arc<AtomicBool>,
    pub ended: Arc<AtomicBool>,
    pub head: i64,
}

pub(super) struct Shared {
    pub store: Store,
    pub settings: HubSettings,
    closing: watch::Receiver<bool>,
    /// Set once on shutdown. Subscribers learn of it by their queue closing, so a thousand of
    /// them do not all wait on one shared notifier for every event.
    closed: AtomicBool,
    pub replays: Semaphore,
    registry: Mutex<Registry>,
    connections: watch::Sender<usize>,
}

impl Shared {
    fn registry(&self) -> MutexGuard<'_, Registry> {
        // Nothing panics while holding the lock; if something did, the data is still whole.
        self.registry.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn is_closing(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Stops the fan-out: every queue closes, and each subscriber says goodbye.
    fn close_all(&self) {
        let mut registry = self.registry();
        self.closed.store(true, Ordering::Release);
        registry.subscribers.clear();
    }

    pub fn register(&self, scope: Scope, session: Option<Vec<u8>>) -> Registration {
        let (tx, queue) = mpsc::channel(self.settings.queue_bound);
        let overflowed = Arc::new(AtomicBool::new(false));
        let ended = Arc::new(AtomicBool::new(false));
        let mut registry = self.registry();
        let key = registry.next_key;
        registry.next_key += 1;
        if self.is_closing() {
            // Too late: the queue is born closed.
            drop(tx);
            return Registration {
                key,
                queue,
                overflowed,
                ended,
                head: registry.head,
            };
        }
        registry.subscribers.insert(
            key,
            Subscriber {
                scope,
                session,
                queue: tx,
                overflowed: overflowed.clone(),
                ended: ended.clone(),
            },
        );
        Registration {
            key,
            queue,
            overflowed,
            ended,
            head: registry.head,
        }
    }

    /// Ends the sockets `ending` names: each is flagged and its queue closed, so it says
    /// goodbye at once. Returns how many.
    fn end(&self, ending: Ending<'_>) -> usize {
        let mut registry = self.registry();
        let before = registry.subscribers.len();
        registry.subscribers.retain(|_, sub| {
            let ends = ending.ends(sub);
            if ends {
                sub.ended.store(true, Ordering::Release);
            }
            !ends
        });
        before - registry.subscribers.len()
    }

    pub fn unregister(&self, key: u64) {
        self.registry().subscribers.remove(&key);
    }

    /// With nobody connected there is nothing to fan out: the head moves past the new events
    /// without reading them (a client that connects later replays them from the log). Checked
    /// and moved under the registry lock, so a client registering meanwhile either is seen
    /// here or starts from the moved head.
    fn skip_if_unwatched(&self, target: i64) -> bool {
        let mut registry = self.registry();
        if !registry.subscribers.is_empty() {
            return false;
        }
        registry.head = registry.head.max(target);
        true
    }

    /// Queues each event for every subscriber it reaches. A subscriber whose queue is full is
    /// flagged and dropped here; it tells its client where to resume.
    fn publish(&self, events: &[Arc<Outgoing>]) {
        let Some(last) = events.last() else { return };
        let mut registry = self.registry();
        registry.subscribers.retain(|_, sub| {
            for event in events.iter().filter(|e| e.reaches(&sub.scope)) {
                if let Err(e) = sub.queue.try_send(event.clone()) {
                    if matches!(e, mpsc::error::TrySendError::Full(_)) {
                        sub.overflowed.store(true, Ordering::Release);
                    }
                    return false;
                }
            }
            true
        });
        registry.head = last.id;
    }
}

pub(super) async fn read_page(store: &Store, after: i64) -> Result<Vec<Event>, StoreError> {
    store
        .read(move |conn| log::after(conn, after, PAGE).map_err(StoreError::from))
        .await
}

/// A place among the live connections; gives it back when dropped.
pub struct Admission {
    shared: Arc<Shared>,
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.shared
            .connections
            .send_modify(|n| *n = n.saturating_sub(1));
    }
}

/// Cheap to clone; every clone is the same hub.
#[derive(Clone)]
pub struct Hub {
    shared: Arc<Shared>,
}

impl Hub {
    /// Starts tailing the store's events (from the newest committed one) until `closing`
    /// turns true. Must be called inside the tokio runtime.
    pub fn start(store: Store, settings: HubSettings, closing: watch::Receiver<bool>) -> Hub {
        let woken = store.subscribe_events();
        let head = *woken.borrow();
        let shared = Arc::new(Shared {
            store,
            settings,
            closing,
            closed: AtomicBool::new(false),
            replays: Semaphore::new(CONCURRENT_REPLAYS),
            registry: Mutex::new(Registry {
                head,
                next_key: 0,
                subscribers: HashMap::new(),
            }),
            connections: watch::channel(0).0,
        });
        tokio::spawn(tail(shared.clone(), woken));
        Hub { shared }
    }

    pub fn settings(&self) -> &HubSettings {
        &self.shared.settings
    }

    /// Takes a place among the live connections, or says how many are allowed.
    pub fn admit(&self) -> Result<Admission, usize> {
        let max = self.shared.settings.max_connections;
        let admitted = self.shared.connections.send_if_modified(|n| {
            let room = *n < max;
            if room {
                *n += 1;
            }
            room
        });
        match admitted {
            true => Ok(Admission {
                shared: self.shared.clone(),
            }),
            false => Err(max),
        }
    }

    /// The newest event handed to subscribers.
    pub fn head(&self) -> i64 {
        self.shared.registry().head
    }

    pub fn connections(&self) -> usize {
        *self.shared.connections.borrow()
    }

    /// A new subscriber seeing what `scope` may see: from `after` (replayed from the table,
    /// then live), or from now on when `after` is `None`.
    pub fn subscribe(
        &self,
        scope: Scope,
        session: Option<Vec<u8>>,
        after: Option<i64>,
    ) -> Subscription {
        Subscription::new(self.shared.clone(), scope, session, after)
    }

    /// Closes the live connections whose credential ended (sign-out, deactivation, a reset
    /// password); returns how many.
    pub fn end(&self, ending: Ending<'_>) -> usize {
        self.shared.end(ending)
    }

    /// Waits until every connection has closed, at most `within`; says whether they did.
    pub async fn drained(&self, within: Duration) -> bool {
        let mut count = self.shared.connections.subscribe();
        let drained = tokio::time::timeout(within, count.wait_for(|n| *n == 0)).await;
        drained.is_ok()
    }
}

async fn tail(shared: Arc<Shared>, woken: watch::Receiver<i64>) {
    let mut closing = shared.closing.clone();
    tokio::select! {
        _ = follow(&shared, woken) => {}
        _ = closing.wait_for(|c| *c) => {}
    }
    shared.close_all();
}

/// Reads and publishes new events each time the store says it committed some.
async fn follow(shared: &Shared, mut woken: watch::Receiver<i64>) {
    let mut cursor = shared.registry().head;
    loop {
        let target = *woken.borrow_and_update();
        if shared.skip_if_unwatched(target) {
            cursor = cursor.max(target);
        }
        while cursor < target {
            match read_page(&shared.store, cursor).await {
                Ok(events) if events.is_empty() => break,
                Ok(events) => {
                    cursor = events.last().map_or(cursor, |e| e.id);
                    let outgoing: Vec<Arc<Outgoing>> =
                        events.iter().map(|e| Arc::new(Outgoing::of(e))).collect();
                    shared.publish(&outgoing);
                }
                Err(e) => {
                    // Clients stay connected; they get the events once the store reads again.
                    tracing::error!(error = %e, "the live hub could not read new events");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
        if woken.changed().await.is_err() {
            return;
        }
    }
}
