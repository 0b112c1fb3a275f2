//! Effective configuration: defaults, then `PRESSWORK_*` environment variables and flags
//! (clap reads both). Passed around in an `Arc`; there is no global config.

use std::net::SocketAddr;
use std::path::PathBuf;

pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const DB_FILE: &str = "presswork.db";

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub addr: SocketAddr,
}

impl Config {
    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join(DB_FILE)
    }
}

/// The platform's data directory for presswork (e.g. `~/.local/share/presswork` on Linux,
/// `%LOCALAPPDATA%\presswork\data` on Windows).
pub fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "presswork")
        .map(|d| d.data_local_dir().to_owned())
        .unwrap_or_else(|| PathBuf::from("presswork-data"))
}

/// A tuning knob from the environment (`PRESSWORK_*`), or `default` when unset. A value that
/// does not parse is reported and ignored, so a typo never keeps the server from starting.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(text) if !text.trim().is_empty() => text.trim().parse().unwrap_or_else(|_| {
            tracing::warn!(name, value = %text, "ignoring an unreadable setting");
            default
        }),
        _ => default,
    }
}
