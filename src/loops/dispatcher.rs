//! The dispatcher: hands pending tasks to operators in departments with an automatic
//! strategy. It wakes on every committed event (a publish, a release, a completion, a
//! settings change) and when the next auto-assign delay runs out, at the latest every tick.
//! It owns the timing only: what is due and who gets it is `service::dispatch`'s.

use super::Shutdown;
use crate::service::{dispatch, now_ms};
use crate::App;
use std::time::Duration;

/// How often the loop looks even when nothing happened (users added, clocks moving).
pub const DEFAULT_TICK: Duration = Duration::from_millis(1000);

pub async fn run(app: App, tick: Duration, mut shutdown: Shutdown) {
    let mut events = app.store.subscribe_events();
    tracing::debug!(?tick, "dispatcher started");
    let mut failures = super::Failures::new("a dispatch pass");
    while !shutdown.is_set() {
        // Mark what we have seen first: events committed during the pass wake the next one.
        events.borrow_and_update();
        let wait = match pass(&app).await {
            Ok(next) => {
                failures.worked();
                match next {
                    Some(next_due_at) => {
                        let until = u64::try_from(next_due_at - now_ms()).unwrap_or(0);
                        tick.min(Duration::from_millis(until))
                    }
                    None => tick,
                }
            }
            Err(e) => {
                failures.failed(&e);
                tick
            }
        };
        tokio::select! {
            _ = shutdown.wait() => break,
            changed = events.changed() => if changed.is_err() { break },
            _ = tokio::time::sleep(wait) => {}
        }
    }
    tracing::debug!("dispatcher stopped");
}

/// One look at the pools: assigns what is due and returns when the next delay runs out.
/// A pass whose assignments all failed for the disk (read-only, full) fails as a whole, so
/// the loop tells it once rather than once per task per tick.
async fn pass(app: &App) -> Result<Option<i64>, crate::service::Error> {
    let now = now_ms();
    let scan = dispatch::scan(&app.store, now).await?;
    if !scan.due.is_empty() {
        for result in dispatch::assign_all(&app.store, scan.due, now).await {
            match result {
                Ok(Some(a)) => tracing::info!(
                    task = a.task_id,
                    operator = a.operator_id,
                    why = %a.why,
                    "auto-assigned"
                ),
                Ok(None) => {}
                Err(e @ crate::service::Error::Unavailable(_)) => return Err(e),
                Err(e) => tracing::warn!(error = %e, "auto-assignment failed"),
            }
        }
    }
    Ok(scan.next_due_at)
}
