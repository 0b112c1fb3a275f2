//! The login rate limit. Every attempt takes a slot *before* its password is checked, so a
//! hundred wrong passwords sent at once cannot slip past the count; a success gives its
//! username's slots back.
//!
//! - attempts per minute from one address (`login_limit_ip`);
//! - failures per minute for one username from one address (`login_limit_user`): that host
//!   is refused for the rest of the minute;
//! - failures per minute for one username from anywhere, past a ceiling of
//!   [`USER_CEILING`] × `login_limit_user`: further attempts are slowed, each waiting twice as
//!   long as the one before (1 s, 2 s, 4 s… at most [`MAX_BACKOFF`]) rather than locked, so
//!   one host cannot lock an operator out of every tablet.
//!
//! In memory only: a restart forgets, which costs an attacker nothing they could not get by
//! waiting a minute.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);
/// The per-username ceiling from all addresses, as a multiple of the per-address limit.
pub const USER_CEILING: u32 = 5;
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Past this many tracked keys, idle ones are swept so memory stays bounded.
const SWEEP_AT: usize = 10_000;

type Hits<K> = HashMap<K, VecDeque<Instant>>;

#[derive(Default)]
struct State {
    per_ip: Hits<IpAddr>,
    per_pair: Hits<(String, Option<IpAddr>)>,
    per_user: Hits<String>,
}

/// The hits of `key` still inside the window.
fn recent<'a, K: Hash + Eq + Clone>(
    hits: &'a mut Hits<K>,
    key: &K,
    now: Instant,
) -> &'a mut VecDeque<Instant> {
    if hits.len() > SWEEP_AT {
        hits.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < WINDOW));
    }
    let q = hits.entry(key.clone()).or_default();
    while q.front().is_some_and(|t| now.duration_since(*t) >= WINDOW) {
        q.pop_front();
    }
    q
}

/// How long until the oldest of a full window leaves it.
fn until_free(q: &VecDeque<Instant>, now: Instant) -> Duration {
    q.front()
        .map_or(Duration::ZERO, |t| {
            WINDOW.saturating_sub(now.duration_since(*t))
        })
        .max(Duration::from_secs(1))
}

pub struct LoginLimiter {
    ip_limit: usize,
    pair_limit: usize,
    user_ceiling: usize,
    state: Mutex<State>,
}

/// An admitted attempt; tell the limiter when it succeeded.
pub struct Attempt {
    user: String,
}

impl LoginLimiter {
    pub fn new(per_ip: u32, per_user: u32) -> LoginLimiter {
        LoginLimiter {
            ip_limit: per_ip as usize,
            pair_limit: per_user as usize,
            user_ceiling: (per_user * USER_CEILING) as usize,
            state: Mutex::new(State::default()),
        }
    }

    /// Admits a login attempt, taking its slots, or says how long to wait.
    pub fn admit(&self, ip: Option<IpAddr>, username: &str) -> Result<Attempt, Duration> {
        let now = Instant::now();
        let user = username.to_lowercase();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(ip) = ip {
            let q = recent(&mut state.per_ip, &ip, now);
            if q.len() >= self.ip_limit {
                return Err(until_free(q, now));
            }
        }
        let q = recent(&mut state.per_pair, &(user.clone(), ip), now);
        if q.len() >= self.pair_limit {
            return Err(until_free(q, now));
        }
        let q = recent(&mut state.per_user, &user, now);
        if q.len() >= self.user_ceiling {
            let over = (q.len() - self.user_ceiling).min(5) as u32;
            let gap = Duration::from_secs(1 << over).min(MAX_BACKOFF);
            let since = q.back().map_or(gap, |t| now.duration_since(*t));
            if since < gap {
                return Err((gap - since).max(Duration::from_secs(1)));
            }
        }
        q.push_back(now);
        recent(&mut state.per_pair, &(user.clone(), ip), now).push_back(now);
        if let Some(ip) = ip {
            recent(&mut state.per_ip, &ip, now).push_back(now);
        }
        Ok(Attempt { user })
    }

    /// The attempt signed in: its username's failures are forgiven.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.per_user.remove(&attempt.user);
        state.per_pair.retain(|(u, _), _| *u != attempt.user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    #[test]
    fn slots_are_taken_before_the_password_is_checked() {
        let limiter = LoginLimiter::new(100, 3);
        // Three attempts in flight at once use the three slots; the fourth waits.
        let held: Vec<Attempt> = (0..3)
            .map(|_| limiter.admit(ip(9), "Li").unwrap())
            .collect();
        let wait = limiter.admit(ip(9), "li").err().unwrap();
        assert!(wait <= WINDOW && wait > Duration::from_secs(50), "{wait:?}");
        drop(held);
    }

    #[test]
    fn one_host_cannot_lock_a_user_out_of_every_tablet() {
        let limiter = LoginLimiter::new(1000, 2);
        // The attacker's host is locked for the minute...
        for _ in 0..2 {
            limiter.admit(ip(66), "li").unwrap();
        }
        assert!(limiter.admit(ip(66), "li").is_err());
        // ...while the operator's own tablet still gets in, and a success forgives.
        let attempt = limiter.admit(ip(20), "li").unwrap();
        limiter.succeeded(attempt);
        limiter.admit(ip(66), "li").unwrap();
    }

    #[test]
    fn many_hosts_guessing_one_user_are_slowed_not_locked() {
        let limiter = LoginLimiter::new(1000, 2);
        // The ceiling is 2 × 5 = 10 failures from anywhere.
        for host in 0..10 {
            limiter.admit(ip(host), "li").unwrap();
        }
        let wait = limiter.admit(ip(50), "li").err().unwrap();
        assert!(
            wait <= Duration::from_secs(1),
            "a short backoff, not a minute: {wait:?}"
        );
        assert!(
            limiter.admit(ip(51), "wang").is_ok(),
            "other users are untouched"
        );
    }

    #[test]
    fn attempts_from_one_address_are_limited_across_usernames() {
        let limiter = LoginLimiter::new(3, 100);
        for name in ["a", "b", "c"] {
            limiter.admit(ip(9), name).unwrap();
        }
        assert!(limiter.admit(ip(9), "d").is_err());
        assert!(limiter.admit(ip(10), "d").is_ok());
    }
}
