//! One live client's stream: first it replays what the client missed from the `events` table,
//! then it takes live events from its hub queue, switching by id (never by time), so nothing is
//! lost or repeated, across restarts too. Bursts are coalesced into one message per window.
//! All state lives in the struct, so `next()` is cancel-safe inside a `select!`.

use super::hub::{read_page, Outgoing, Registration, Shared, PAGE};
use crate::service::scope::Reach;
use crate::service::Scope;
use crate::store::StoreError;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

/// Events in one message at most, so one message stays a few hundred kilobytes.
pub const MAX_MESSAGE_EVENTS: usize = 500;

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
}

pub struct Subscription {
    shared: Arc<Shared>,
    scope: Scope,
    key: u64,
    queue: mpsc::Receiver<Arc<Outgoing>>,
    overflowed: Arc<AtomicBool>,
    /// The newest event id handed out or passed over as invisible: the client's resume point.
    position: i64,
    replaying: bool,
    reset: Option<i64>,
    pending: VecDeque<Arc<Outgoing>>,
    window_end: Instant,
    closing: watch::Receiver<bool>,
}

impl Subscription {
    pub(super) fn new(shared: Arc<Shared>, scope: Scope, after: Option<i64>) -> Subscription {
        // Registering before reading the table is what closes the gap: anything published
        // after this moment is queued, anything before it is already in the table.
        let Registration {
            key,
            queue,
            overflowed,
            head,
        } = shared.register(scope.clone());
        let committed = *shared.store.subscribe_events().borrow();
        let (position, replaying, reset) = match after {
            None => (head, false, None),
            Some(after) if after > committed.max(head) => (head, false, Some(head)),
            Some(after) => (after.max(0), true, None),
        };
        let closing = shared.closing.clone();
        Subscription {
            shared,
            scope,
            key,
            queue,
            overflowed,
            position,
            replaying,
            reset,
            pending: VecDeque::new(),
            window_end: Instant::now(),
            closing,
        }
    }

    pub fn position(&self) -> i64 {
        self.position
    }

    fn is_closing(&self) -> bool {
        // A dropped sender means the server is going away just the same.
        *self.closing.borrow() || self.closing.has_changed().is_err()
    }

    pub async fn next(&mut self) -> Next {
        loop {
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
                tokio::select! {
                    got = self.queue.recv() => match got {
                        Some(event) => self.hold(event),
                        None => return Next::Overflowed { after: self.position },
                    },
                    _ = self.closing.changed() => {}
                }
                continue;
            }
            self.drain();
            // Idle clients get an event at once; a client that just got a message waits for
            // the end of its window, and everything that came meanwhile goes in one message.
            if Instant::now() < self.window_end {
                tokio::select! {
                    _ = tokio::time::sleep_until(self.window_end) => {}
                    _ = self.closing.changed() => continue,
                }
                self.drain();
            }
            return self.batch();
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

    fn batch(&mut self) -> Next {
        let take = self.pending.len().min(MAX_MESSAGE_EVENTS);
        let events: Vec<Arc<Outgoing>> = self.pending.drain(..take).collect();
        let text = json_array(events.iter().map(|e| e.text_for(&self.scope)));
        self.position = events.last().map_or(self.position, |e| e.id);
        self.window_end = Instant::now() + self.shared.settings.window;
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
        let registration = self.shared.register(self.scope.clone());
        self.key = registration.key;
        self.queue = registration.queue;
        self.overflowed = registration.overflowed;
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.shared.unregister(self.key);
    }
}

fn json_array<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut text = String::from("[");
    for (i, item) in items.enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(item);
    }
    text.push(']');
    text
}
