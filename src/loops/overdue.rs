//! The overdue watch: every tick, asks the alerts service to raise what became due. It only
//! keeps time; what counts as overdue, who is told, and "only once" are `service::alerts`.

use crate::config::{env_or, Config};
use crate::service::alerts::{raise_alerts, AlertRules};
use crate::service::now_ms;
use crate::App;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// How often to look (`PRESSWORK_OVERDUE_TICK_SECS`, default 60).
    pub tick: Duration,
    pub rules: AlertRules,
}

impl Settings {
    /// The rule from the layered configuration (`alerts.urgent_unclaimed_minutes`); the tick
    /// from the environment only, as a test knob.
    pub fn from_config(config: &Config) -> Settings {
        let tick = env_or("PRESSWORK_OVERDUE_TICK_SECS", 60.0f64).max(0.05);
        // Fractions are allowed so tests need not wait half an hour.
        let minutes = config.urgent_unclaimed_minutes.max(0.0);
        Settings {
            tick: Duration::from_secs_f64(tick),
            rules: AlertRules {
                urgent_unclaimed_ms: (minutes * 60_000.0) as i64,
            },
        }
    }
}

pub async fn run(app: App, mut shutdown: watch::Receiver<bool>) {
    let settings = Settings::from_config(&app.config);
    let mut tick = tokio::time::interval(settings.tick);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failures = super::Failures::new("the overdue watch");
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
        // Due dates are the shop's calendar days, so "today" is local.
        let today = chrono::Local::now().date_naive().to_string();
        match raise_alerts(&app.store, settings.rules, now_ms(), today).await {
            Ok(n) => {
                failures.worked();
                if n > 0 {
                    tracing::info!(alerts = n, "raised overdue alerts");
                }
            }
            Err(e) => failures.failed(&e),
        }
    }
}
