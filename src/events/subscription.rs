//! One live client's stream: first it replays what the client missed from the `events` table,
//! then it takes live events from its hub queue, switching by id (never by time), so nothing is
//! lost or repeated, across restarts too. An event for an idle client goes out at once; under
//! bursts, events are coalesced into one message per window, the window growing (up to the
//! configured maximum) while bursts fill it and shrinking when they stop.
//! All state lives in the struct, so `next()` is cancel-safe inside a `select!`.

use super::hub::{read_page, Outgoing, Registration, Shared, PAGE};
use crate::domain::scope::Reach;
use crate::domain::scope::Scope;
use crate::store::StoreError;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Events in one message at most, so one message stays a few hundred kilobytes.
pub const MAX_MESSAGE_EVENTS: usize = 500;
/// The first window after a quiet spell: short enough that a steady trickle of events is not
/// held back, long enough to gather a sudden burst.
const MIN_WINDOW: Duration = Duration::from_millis(10);
/// A window that gathered more events than this was a burst: the next one is twice as long.
const GROW_AT: usize = 8;
/// A window that gathered this few was not: the next one is half as long.
const SHRINK_AT: usize = 2;

/// What to send the client next.
#[derive(Debug)]
pub enum Next {
    /// A JSON array of `count` events; `position` is the id to resume after.
    Batch {
        text: String,
        count: usize,
        position: i64,
    },
    /// The client fell too far behind; it should reconnect with `after`.
    Overflowed { after: i64 },
    /// The server is shutting down; reconnect with `after` once it is back.
    Closing { after: i64 },
    /// The table could not be read; reconnect with `after`.
    Failed { after: i64 },
    /// `after` was newer than any event (the database was replaced): reload, resume at `head`.
    Reset { head: i64 },
    /// The credential the socket opened with ended (signed out, deactivated, password reset).
    SignedOut,
}

pub struct Subscription {
    shared: Arc<Shared>,
    scope: Scope,
    key: u64,
    queue: mpsc::Receiver<Arc<Outgoing>>,
    overflowed: Arc<AtomicBool>,
    ended: Arc<AtomicBool>,
    session: Option<Vec<u8>>,
    /// The newest event id handed out or passed over as invisible: the client's resume point.
    position: i64,
    replaying: bool,
    reset: Option<i64>,
    pending: VecDeque<Arc<Outgoing>>,
    /// When the last message went out, and how long after it the next may not go.
    last_send: Instant,
    window: Duration,
}

impl Subscription {
    pub(super) fn new(
        shared: Arc<Shared>,
        scope: Scope,
        session: Option<Vec<u8>>,
        after: Option<i64>,
    ) -> Subscription {
        // Registering before reading the table is what closes the gap: anything published
        // after this moment is queued, anything before it is already in the table.
        let Registration {
            key,
            queue,
            overflowed,
            ended,
            head,
        } = shared.register(scope.clone(), session.clone());
        let committed = *shared.store.subscribe_events().borrow();
        let (position, replaying, reset) = match after {
            None => (head, false, None),
            Some(after) if after > committed.max(head) => (head, false, Some(head)),
            Some(after) => (after.max(0), true, None),
        };
        Subscription {
            shared,
            scope,
            key,
            queue,
            overflowed,
            ended,
            session,
            position,
            replaying,
            reset,
            pending: VecDeque::new(),
            last_send: Instant::now(),
            window: Duration::ZERO,
        }
    }

    pub fn position(&self) -> i64 {
        self.position
    }

    fn is_closing(&self) -> bool {
        self.shared.is_closing()
    }

    /// The queue closed: the hub is shutting down, or it dropped this slow subscriber.
    fn queue_closed(&self) -> Next {
        if self.ended.load(Ordering::Acquire) {
            return Next::SignedOut;
        }
        match self.is_closing() {
            true => Next::Closing {
                after: self.position,
            },
            false => Next::Overflowed {
                after: self.position,
            },
        }
    }

    pub async fn next(&mut self) -> Next {
        loop {
            if self.ended.load(Ordering::Acquire) {
                return Next::SignedOut;
            }
            if self.is_closing() {
                return Next::Closing {
                    after: self.position,
                };
            }
            if let Some(head) = self.reset.take() {
                return Next::Reset { head };
            }
            if self.replaying {
                match self.replay_page().await {
                    Ok(Some(next)) => return next,
                    Ok(None) => continue,
                    Err(e) => {
                        tracing::warn!(error = %e, "replaying events for a live client failed");
                        return Next::Failed {
                            after: self.position,
                        };
                    }
                }
            }
            if self.overflowed.load(Ordering::Acquire) {
                return Next::Overflowed {
                    after: self.position,
                };
            }
            if self.pending.is_empty() {
                match self.queue.recv().await {
                    Some(event) => self.hold(event),
                    None => return self.queue_closed(),
                }
                continue;
            }
            self.drain();
            // Idle clients get an event at once; a client that got a message within the
            // window waits for its end, and everything that came meanwhile goes in one message.
            let window_end = self.last_send + self.window;
            let waited = Instant::now() < window_end;
            if waited {
                tokio::time::sleep_until(window_end).await;
                if self.is_closing() {
                    continue;
                }
                self.drain();
            }
            return self.batch(waited);
        }
    }

    /// Keeps a live event unless replay already covered it.
    fn hold(&mut self, event: Arc<Outgoing>) {
        let newest = self.pending.back().map_or(self.position, |e| e.id);
        if event.id > newest {
            self.pending.push_back(event);
        }
    }

    fn drain(&mut self) {
        while self.pending.len() < MAX_MESSAGE_EVENTS {
            match self.queue.try_recv() {
                Ok(event) => self.hold(event),
                Err(_) => break,
            }
        }
    }

    fn batch(&mut self, waited: bool) -> Next {
        let take = self.pending.len().min(MAX_MESSAGE_EVENTS);
        let events: Vec<Arc<Outgoing>> = self.pending.drain(..take).collect();
        let text = json_array(events.iter().map(|e| e.text_for(&self.scope)));
        self.position = events.last().map_or(self.position, |e| e.id);
        let max = self.shared.settings.max_window;
        self.window = if !waited {
            MIN_WINDOW.min(max)
        } else if events.len() > GROW_AT {
            (self.window * 2).min(max)
        } else if events.len() <= SHRINK_AT {
            (self.window / 2).max(MIN_WINDOW.min(max))
        } else {
            self.window
        };
        self.last_send = Instant::now();
        Next::Batch {
            text,
            count: events.len(),
            position: self.position,
        }
    }

    /// One page of missed events from the table; `None` when none of them is visible.
    async fn replay_page(&mut self) -> Result<Option<Next>, StoreError> {
        let from = self.position;
        let events = {
            let _turn = self.shared.replays.acquire().await;
            read_page(&self.shared.store, from).await?
        };
        if (events.len() as i64) < PAGE {
            if self.overflowed.load(Ordering::Acquire) {
                // Live events piled up past the bound while the table was read: they are all
                // in the table too, so take a fresh queue and read on.
                self.reregister();
            } else {
                self.replaying = false;
            }
        }
        let Some(last) = events.last() else {
            return Ok(None);
        };
        self.position = last.id;
        let visible: Vec<String> = events
            .iter()
            .filter(|e| self.scope.reaches(&Reach::of(e)))
            .map(|e| {
                let mut value = serde_json::to_value(e).unwrap_or_default();
                self.scope.mask(&mut value);
                value.to_string()
            })
            .collect();
        if visible.is_empty() {
            return Ok(None);
        }
        Ok(Some(Next::Batch {
            count: visible.len(),
            text: json_array(visible.iter().map(String::as_str)),
            position: self.position,
        }))
    }

    fn reregister(&mut self) {
        self.shared.unregister(self.key);
        let registration = self
            .shared
            .register(self.scope.clone(), self.session.clone());
        self.key = registration.key;
        self.queue = registration.queue;
        self.overflowed = registration.overflowed;
        // Ended meanwhile: the flag stays, the new registration goes.
        if self.ended.load(Ordering::Acquire) {
            self.shared.unregister(self.key);
        } else {
            self.ended = registration.ended;
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.shared.unregister(self.key);
    }
}

fn json_array<T: AsRef<str>>(items: impl Iterator<Item = T>) -> String {
    let mut text = String::from("[");
    for (i, item) in items.enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(item.as_ref());
    }
    text.push(']');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;
    use crate::events::hub::{Hub, HubSettings};
    use crate::service::Error;
    use crate::store::event_log::{append, NewEvent};
    use crate::store::Store;
    use futures_util::FutureExt;
    use serde_json::json;
    use tokio::sync::watch;

    async fn add_events(store: &Store, department_id: i64, n: usize) {
        store
            .write(move |conn| {
                for _ in 0..n {
                    let event = NewEvent {
                        kind: "task.test",
                        department_id: Some(department_id),
                        data: json!({"amount": 12.5}),
                        ..Default::default()
                    };
                    append(conn, 1, &event)?;
                }
                Ok::<_, Error>(())
            })
            .await
            .unwrap();
    }

    fn scope(role: Role, departments: Vec<i64>) -> Scope {
        Scope::new(role, 1, departments)
    }

    /// The ids of the next batch; its events must carry no price unless `scope` sees them.
    async fn ids(sub: &mut Subscription) -> Vec<i64> {
        match tokio::time::timeout(Duration::from_secs(10), sub.next()).await {
            Ok(Next::Batch { text, .. }) => {
                assert_eq!(text.contains("amount"), sub.scope.sees_prices(), "{text}");
                serde_json::from_str::<Vec<serde_json::Value>>(&text)
                    .unwrap()
                    .iter()
                    .map(|e| e["id"].as_i64().unwrap())
                    .collect()
            }
            other => panic!("expected a batch, got {other:?}"),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn replay_meets_live_without_gap_or_repeat_and_masks_prices() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        let (_stop, closing) = watch::channel(false);
        let hub = Hub::start(store.clone(), HubSettings::default(), closing);
        add_events(&store, 1, 3).await;
        let mut operator = hub.subscribe(scope(Role::Operator, vec![1]), None, Some(0));
        let mut outsider = hub.subscribe(scope(Role::Operator, vec![2]), None, Some(0));
        // Events 4..6 reach the live queue AND are in the table when the replay reads it.
        add_events(&store, 1, 3).await;
        while hub.head() < 6 {
            tokio::task::yield_now().await;
        }
        let mut got = Vec::new();
        while got.last() != Some(&6) {
            got.extend(ids(&mut operator).await);
        }
        add_events(&store, 1, 1).await;
        got.extend(ids(&mut operator).await);
        assert_eq!(got, [1, 2, 3, 4, 5, 6, 7]);
        // The other department saw none of it; a later event of its own is its first.
        add_events(&store, 2, 1).await;
        assert_eq!(ids(&mut outsider).await, [8]);
        match operator.next().now_or_never() {
            None => {}
            Some(next) => panic!("nothing more for the operator, got {next:?}"),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn shutdown_and_a_future_position_are_said_plainly() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        let (stop, closing) = watch::channel(false);
        let hub = Hub::start(store.clone(), HubSettings::default(), closing);
        add_events(&store, 1, 2).await;
        while hub.head() < 2 {
            tokio::task::yield_now().await;
        }
        let mut ahead = hub.subscribe(scope(Role::Manager, vec![]), None, Some(99));
        assert!(matches!(ahead.next().await, Next::Reset { head: 2 }));
        let mut manager = hub.subscribe(scope(Role::Manager, vec![]), None, Some(0));
        let text = match manager.next().await {
            Next::Batch { text, .. } => text,
            other => panic!("{other:?}"),
        };
        assert!(
            text.contains("\"amount\":12.5"),
            "managers see prices: {text}"
        );
        stop.send(true).unwrap();
        assert!(matches!(manager.next().await, Next::Closing { after: 2 }));
    }
}
