//! The login rate limit: attempts per minute from one address, and failed attempts per
//! minute for one username (so guessing one person's password is slow from anywhere).
//! In memory only: a restart forgets, which costs an attacker nothing they could not get
//! by waiting a minute.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);
/// Past this many tracked keys, idle ones are swept so memory stays bounded.
const SWEEP_AT: usize = 10_000;

struct Window<K> {
    limit: u32,
    hits: Mutex<HashMap<K, VecDeque<Instant>>>,
}

impl<K: Hash + Eq + Clone> Window<K> {
    fn new(limit: u32) -> Self {
        Window {
            limit,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(wait)` when `key` is at its limit; otherwise `Ok`, recording a hit if `record`.
    fn check(&self, key: &K, now: Instant, record: bool) -> Result<(), Duration> {
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        if hits.len() > SWEEP_AT {
            hits.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < WINDOW));
        }
        let q = hits.entry(key.clone()).or_default();
        while q.front().is_some_and(|t| now.duration_since(*t) >= WINDOW) {
            q.pop_front();
        }
        if q.len() >= self.limit as usize {
            let oldest = *q.front().expect("a full window has entries");
            return Err(WINDOW.saturating_sub(now.duration_since(oldest)));
        }
        if record {
            q.push_back(now);
        }
        Ok(())
    }

    fn clear(&self, key: &K) {
        self.hits
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

pub struct LoginLimiter {
    per_ip: Window<IpAddr>,
    per_user: Window<String>,
}

impl LoginLimiter {
    pub fn new(per_ip: u32, per_user: u32) -> LoginLimiter {
        LoginLimiter {
            per_ip: Window::new(per_ip),
            per_user: Window::new(per_user),
        }
    }

    /// Admits a login attempt, or says how long to wait.
    pub fn admit(&self, ip: Option<IpAddr>, username: &str) -> Result<(), Duration> {
        let now = Instant::now();
        self.per_user.check(&username.to_lowercase(), now, false)?;
        match ip {
            Some(ip) => self.per_ip.check(&ip, now, true),
            None => Ok(()),
        }
    }

    pub fn failed(&self, username: &str) {
        let _ = self
            .per_user
            .check(&username.to_lowercase(), Instant::now(), true);
    }

    pub fn succeeded(&self, username: &str) {
        self.per_user.clear(&username.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_lock_one_user_and_attempts_lock_one_address() {
        let limiter = LoginLimiter::new(5, 2);
        let ip: IpAddr = "10.0.0.9".parse().unwrap();
        for _ in 0..2 {
            limiter.admit(Some(ip), "Li").unwrap();
            limiter.failed("Li");
        }
        let wait = limiter.admit(Some(ip), "li").unwrap_err();
        assert!(wait <= WINDOW && wait > Duration::from_secs(50));
        for _ in 0..3 {
            limiter.admit(Some(ip), "wang").unwrap();
        }
        limiter.admit(Some(ip), "wang").unwrap_err();
        let other: IpAddr = "10.0.0.10".parse().unwrap();
        limiter.admit(Some(other), "wang").unwrap();
    }

    #[test]
    fn a_success_forgives_earlier_failures() {
        let limiter = LoginLimiter::new(100, 2);
        limiter.failed("li");
        limiter.succeeded("li");
        limiter.failed("li");
        limiter.admit(None, "li").unwrap();
    }
}
