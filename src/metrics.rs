//! The metrics registry and its Prometheus text exposition. Anyone holding the `App` can
//! count into it (`app.metrics.ws_opened()`, `app.metrics.claim(..)`); `/metrics` renders it.
//! Hand-written on purpose: a few counters, one histogram and some gauges are a page of
//! code, while the `prometheus` crate brings a global registry and protobuf, and `metrics`
//! plus an exporter bring a second HTTP stack. It holds numbers only and knows no HTTP.

use crate::store::PoolStats;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Upper bounds (seconds) of the request latency buckets.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [AtomicU64; BUCKETS.len()],
    sum_micros: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    fn observe(&self, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            self.counts[i].fetch_add(1, Relaxed);
        }
        self.sum_micros
            .fetch_add(elapsed.as_micros().min(u64::MAX as u128) as u64, Relaxed);
        self.count.fetch_add(1, Relaxed);
    }
}

#[derive(Default)]
pub struct Metrics {
    /// (method, route template, status) → count.
    requests: Mutex<BTreeMap<(&'static str, &'static str, u16), u64>>,
    latency: Histogram,
    claims_won: AtomicU64,
    claims_lost: AtomicU64,
    ws_open: AtomicI64,
    backups_ok: AtomicU64,
    backups_failed: AtomicU64,
    last_backup_unix: AtomicI64,
}

/// Decrements the open-WebSocket gauge when dropped; keep it for the life of the socket.
pub struct WsGuard(Arc<Metrics>);

impl Drop for WsGuard {
    fn drop(&mut self) {
        self.0.ws_closed();
    }
}

/// Methods are counted by name from a fixed set, anything else as `OTHER`.
fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
    KNOWN.into_iter().find(|m| *m == method).unwrap_or("OTHER")
}

impl Metrics {
    pub fn new() -> Arc<Metrics> {
        Arc::new(Metrics::default())
    }

    /// Counts one finished HTTP request under its route template (`/api/v1/tasks/{id}`,
    /// `static` or `unmatched`: the caller folds the path, so labels stay a fixed set).
    pub fn observe_request(
        &self,
        method: &str,
        route: &'static str,
        status: u16,
        elapsed: Duration,
    ) {
        let method = method_label(method);
        if method == "POST" && route == "/api/v1/tasks/{id}/claim" {
            match status {
                200 => self.claim(true),
                409 => self.claim(false),
                _ => {}
            }
        }
        let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        *requests.entry((method, route, status)).or_default() += 1;
        drop(requests);
        self.latency.observe(elapsed);
    }

    /// A claim attempt: won, or lost to someone faster.
    pub fn claim(&self, won: bool) {
        if won {
            self.claims_won.fetch_add(1, Relaxed);
        } else {
            self.claims_lost.fetch_add(1, Relaxed);
        }
    }

    pub fn ws_opened(&self) {
        self.ws_open.fetch_add(1, Relaxed);
    }

    pub fn ws_closed(&self) {
        self.ws_open.fetch_sub(1, Relaxed);
    }

    /// Counts a WebSocket as open until the returned guard is dropped.
    pub fn ws_connection(self: &Arc<Self>) -> WsGuard {
        self.ws_opened();
        WsGuard(self.clone())
    }

    pub fn backup_taken(&self, ok: bool) {
        if ok {
            self.backups_ok.fetch_add(1, Relaxed);
            self.last_backup_unix
                .store(chrono::Utc::now().timestamp(), Relaxed);
        } else {
            self.backups_failed.fetch_add(1, Relaxed);
        }
    }

    /// A successful backup found on disk (Unix seconds), e.g. at start; never moves the time back.
    pub fn backup_seen(&self, unix: i64) {
        self.last_backup_unix.fetch_max(unix, Relaxed);
    }

    /// The Prometheus text format (version 0.0.4).
    pub fn render(&self, pool: &PoolStats, schema_version: i64) -> String {
        let mut out = String::with_capacity(4096);
        let o = &mut out;
        header(
            o,
            "presswork_build_info",
            "gauge",
            "Version of this presswork.",
        );
        line(
            o,
            &format!(
                "presswork_build_info{{version=\"{}\",schema=\"{schema_version}\"}}",
                env!("CARGO_PKG_VERSION")
            ),
            1.0,
        );
        header(
            o,
            "presswork_http_requests_total",
            "counter",
            "HTTP requests by method, route and status.",
        );
        let requests = self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for ((method, route, status), n) in &requests {
            let name = format!(
                "presswork_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}}",
                escape(method),
                escape(route)
            );
            line(o, &name, *n as f64);
        }
        self.render_latency(o);
        header(
            o,
            "presswork_task_claims_total",
            "counter",
            "Task claims by result (lost = someone else claimed it first).",
        );
        line(
            o,
            "presswork_task_claims_total{result=\"won\"}",
            self.claims_won.load(Relaxed) as f64,
        );
        line(
            o,
            "presswork_task_claims_total{result=\"lost\"}",
            self.claims_lost.load(Relaxed) as f64,
        );
        header(
            o,
            "presswork_websocket_connections",
            "gauge",
            "Open WebSocket connections.",
        );
        line(
            o,
            "presswork_websocket_connections",
            self.ws_open.load(Relaxed) as f64,
        );
        header(
            o,
            "presswork_db_pool_connections",
            "gauge",
            "Read pool connections by state.",
        );
        line(
            o,
            "presswork_db_pool_connections{state=\"idle\"}",
            pool.idle as f64,
        );
        line(
            o,
            "presswork_db_pool_connections{state=\"in_use\"}",
            pool.connections.saturating_sub(pool.idle) as f64,
        );
        header(
            o,
            "presswork_db_pool_checkouts_total",
            "counter",
            "Read connections handed out.",
        );
        line(
            o,
            "presswork_db_pool_checkouts_total",
            pool.checkouts as f64,
        );
        header(
            o,
            "presswork_db_pool_wait_seconds_total",
            "counter",
            "Time spent waiting for a read connection.",
        );
        line(o, "presswork_db_pool_wait_seconds_total", pool.wait_seconds);
        header(
            o,
            "presswork_db_pool_timeouts_total",
            "counter",
            "Waits for a read connection that timed out.",
        );
        line(o, "presswork_db_pool_timeouts_total", pool.timeouts as f64);
        header(
            o,
            "presswork_db_write_transactions_total",
            "counter",
            "Write transactions committed by the writer (each groups the changes queued).",
        );
        line(
            o,
            "presswork_db_write_transactions_total",
            pool.write_transactions as f64,
        );
        header(
            o,
            "presswork_db_write_changes_total",
            "counter",
            "Changes written; divided by transactions, how many each commit grouped.",
        );
        line(
            o,
            "presswork_db_write_changes_total",
            pool.write_changes as f64,
        );
        header(
            o,
            "presswork_db_write_commit_seconds_total",
            "counter",
            "Time spent in COMMIT (the fsync and any WAL checkpoint).",
        );
        line(
            o,
            "presswork_db_write_commit_seconds_total",
            pool.write_commit_seconds,
        );
        header(
            o,
            "presswork_db_writable",
            "gauge",
            "1 while writes work; 0 while the disk refuses them (read-only, full, failing).",
        );
        line(
            o,
            "presswork_db_writable",
            f64::from(u8::from(pool.writable)),
        );
        header(
            o,
            "presswork_backups_total",
            "counter",
            "Scheduled backups by result.",
        );
        line(
            o,
            "presswork_backups_total{result=\"ok\"}",
            self.backups_ok.load(Relaxed) as f64,
        );
        line(
            o,
            "presswork_backups_total{result=\"failed\"}",
            self.backups_failed.load(Relaxed) as f64,
        );
        header(
            o,
            "presswork_last_backup_timestamp_seconds",
            "gauge",
            "When the newest scheduled backup was taken (0: none yet).",
        );
        line(
            o,
            "presswork_last_backup_timestamp_seconds",
            self.last_backup_unix.load(Relaxed) as f64,
        );
        out
    }

    fn render_latency(&self, o: &mut String) {
        let name = "presswork_http_request_duration_seconds";
        header(o, name, "histogram", "HTTP request latency.");
        let mut cumulative = 0;
        for (bound, count) in BUCKETS.iter().zip(&self.latency.counts) {
            cumulative += count.load(Relaxed);
            line(
                o,
                &format!("{name}_bucket{{le=\"{bound}\"}}"),
                cumulative as f64,
            );
        }
        let total = self.latency.count.load(Relaxed);
        line(o, &format!("{name}_bucket{{le=\"+Inf\"}}"), total as f64);
        line(
            o,
            &format!("{name}_sum"),
            self.latency.sum_micros.load(Relaxed) as f64 / 1e6,
        );
        line(o, &format!("{name}_count"), total as f64);
    }
}

fn header(o: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn line(o: &mut String, name: &str, value: f64) {
    let _ = writeln!(o, "{name} {value}");
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_come_from_a_fixed_set() {
        assert_eq!(method_label("PATCH"), "PATCH");
        assert_eq!(method_label("BREW"), "OTHER");
    }

    #[test]
    fn the_exposition_counts_requests_claims_and_latency() {
        let m = Metrics::new();
        m.observe_request(
            "POST",
            "/api/v1/tasks/{id}/claim",
            200,
            Duration::from_millis(3),
        );
        m.observe_request(
            "POST",
            "/api/v1/tasks/{id}/claim",
            409,
            Duration::from_millis(30),
        );
        let ws = m.ws_connection();
        let pool = PoolStats {
            connections: 3,
            idle: 2,
            checkouts: 9,
            wait_seconds: 0.5,
            timeouts: 0,
            write_transactions: 2,
            write_changes: 5,
            write_commit_seconds: 0.25,
            writable: true,
        };
        let text = m.render(&pool, 1);
        assert!(text.contains("presswork_http_requests_total{method=\"POST\",route=\"/api/v1/tasks/{id}/claim\",status=\"409\"} 1"));
        assert!(text.contains("presswork_task_claims_total{result=\"won\"} 1"));
        assert!(text.contains("presswork_websocket_connections 1"));
        assert!(text.contains("presswork_db_write_changes_total 5"));
        assert!(text.contains("presswork_db_writable 1"));
        assert!(text.contains("presswork_http_request_duration_seconds_bucket{le=\"0.005\"} 1"));
        assert!(text.contains("presswork_http_request_duration_seconds_bucket{le=\"+Inf\"} 2"));
        drop(ws);
        assert!(m
            .render(&pool, 1)
            .contains("presswork_websocket_connections 0"));
    }
}
