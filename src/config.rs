//! Effective configuration, in layers: defaults → `config.toml` in the data dir →
//! `PRESSWORK_*` environment → command-line flags. Remembers where each value came from so
//! `presswork config check` can say it. Passed around in an `Arc`; there is no global config.
//! It reads files and the environment only; it never opens the database.

mod keys;

pub use keys::KEYS;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const DB_FILE: &str = "presswork.db";
pub const CONFIG_FILE: &str = "config.toml";
pub const LOCK_FILE: &str = "presswork.lock";
/// Most live (WebSocket) clients served at once, unless `live.ws_max` says otherwise.
pub const DEFAULT_WS_MAX: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines for a console.
    Text,
    /// One JSON object per line, for a service manager's journal or a log shipper.
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub addr: SocketAddr,
    /// Do not open a browser at start (also when there is no display).
    pub no_browser: bool,
    pub log_format: LogFormat,
    /// A `tracing` filter such as `info` or `presswork=debug,warn`.
    pub log_level: String,
    /// Write a daily rolling log file under `<data dir>/logs`.
    pub log_file: bool,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// How often the server takes a scheduled backup; `None` turns them off.
    pub backup_every: Option<Duration>,
    /// How many scheduled backups to keep (older ones are deleted, manual ones never).
    pub backup_keep: usize,
    /// Where backups go; relative paths are inside the data dir.
    pub backup_dir: PathBuf,
    /// Login attempts per minute from one address.
    pub login_limit_ip: u32,
    /// Failed logins per minute for one username.
    pub login_limit_user: u32,
    /// Extra origins (scheme://host:port) allowed to send cookie-authenticated writes, for a
    /// reverse proxy with another name. The server's own Host is always allowed.
    pub allowed_origins: Vec<String>,
    /// The first admin's password on a fresh data dir (otherwise one is generated).
    pub admin_password: Option<String>,
    /// How often the dispatcher looks for tasks to auto-assign.
    pub dispatch_tick_ms: u64,
    /// Most WebSocket clients served at once.
    pub ws_max: usize,
    /// An urgent task unclaimed this long alerts the supervisors.
    pub urgent_unclaimed_minutes: f64,
    /// The address tablets use (`scheme://host[:port]`), for the QR codes on job tickets;
    /// `None`: the address the printing browser used.
    pub public_url: Option<String>,
}

impl Config {
    /// The defaults for a data dir, before any file, environment or flag.
    pub fn with_data_dir(data_dir: PathBuf) -> Config {
        Config {
            data_dir,
            addr: DEFAULT_ADDR.parse().expect("default address parses"),
            no_browser: false,
            log_format: LogFormat::Text,
            log_level: "info".into(),
            log_file: true,
            tls_cert: None,
            tls_key: None,
            backup_every: Some(Duration::from_secs(24 * 3600)),
            backup_keep: 7,
            backup_dir: PathBuf::from("backups"),
            login_limit_ip: 120,
            login_limit_user: 10,
            allowed_origins: Vec::new(),
            admin_password: None,
            dispatch_tick_ms: 1000,
            ws_max: DEFAULT_WS_MAX,
            urgent_unclaimed_minutes: 30.0,
            public_url: None,
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join(DB_FILE)
    }

    pub fn lock_path(&self) -> PathBuf {
        self.data_dir.join(LOCK_FILE)
    }

    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }

    /// The backup directory, resolved against the data dir.
    pub fn backups(&self) -> PathBuf {
        self.data_dir.join(&self.backup_dir)
    }

    pub fn tls(&self) -> bool {
        self.tls_cert.is_some() && self.tls_key.is_some()
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
/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    File(PathBuf),
    Env(&'static str),
    Flag(&'static str),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Default => write!(f, "default"),
            Source::File(p) => write!(f, "file {}", p.display()),
            Source::Env(var) => write!(f, "env {var}"),
            Source::Flag(flag) => write!(f, "flag {flag}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// The effective configuration and how it was arrived at.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub sources: BTreeMap<&'static str, Source>,
    /// Unknown keys and other things worth telling, already phrased for a person.
    pub warnings: Vec<String>,
    pub file: PathBuf,
    pub file_found: bool,
}

impl Loaded {
    /// Every setting as (key, value with secrets redacted, source), in key order.
    pub fn describe(&self) -> Vec<(&'static str, String, String)> {
        let mut rows = vec![(
            "data_dir",
            self.config.data_dir.display().to_string(),
            self.sources
                .get("data_dir")
                .cloned()
                .unwrap_or(Source::Default)
                .to_string(),
        )];
        for key in KEYS {
            let value = (key.get)(&self.config);
            let shown = if key.secret && !value.is_empty() {
                "<redacted>".to_owned()
            } else {
                value
            };
            let source = self
                .sources
                .get(key.name)
                .cloned()
                .unwrap_or(Source::Default);
            rows.push((key.name, shown, source.to_string()));
        }
        rows
    }
}

/// Loads the configuration from the real environment.
pub fn load(
    data_dir_flag: Option<PathBuf>,
    flags: &[(&'static str, String)],
) -> Result<Loaded, ConfigError> {
    load_with(data_dir_flag, &|var| std::env::var(var).ok(), flags)
}

/// Loads with `env` standing in for the environment (tests pass their own).
pub fn load_with(
    data_dir_flag: Option<PathBuf>,
    env: &dyn Fn(&str) -> Option<String>,
    flags: &[(&'static str, String)],
) -> Result<Loaded, ConfigError> {
    let mut sources = BTreeMap::new();
    let data_dir = match (
        data_dir_flag,
        env("PRESSWORK_DATA_DIR").filter(|v| !v.is_empty()),
    ) {
        (Some(dir), _) => {
            sources.insert("data_dir", Source::Flag("--data-dir"));
            dir
        }
        (None, Some(dir)) => {
            sources.insert("data_dir", Source::Env("PRESSWORK_DATA_DIR"));
            PathBuf::from(dir)
        }
        (None, None) => default_data_dir(),
    };
    let mut config = Config::with_data_dir(data_dir);
    let mut warnings = Vec::new();
    let file = config.data_dir.join(CONFIG_FILE);
    let file_found = file.is_file();
    if file_found {
        for (name, value) in read_file(&file, &mut warnings)? {
            let key = keys::find(&name).expect("read_file keeps known keys only");
            (key.set)(&mut config, &value)
                .map_err(|e| ConfigError(format!("{}: {name}: {e}", file.display())))?;
            sources.insert(key.name, Source::File(file.clone()));
        }
    }
    for key in KEYS {
        if let Some(value) = env(key.env) {
            (key.set)(&mut config, &value).map_err(|e| ConfigError(format!("{}: {e}", key.env)))?;
            sources.insert(key.name, Source::Env(key.env));
        }
    }
    for (name, value) in flags {
        let key = keys::find(name).ok_or_else(|| ConfigError(format!("no setting {name}")))?;
        (key.set)(&mut config, value)
            .map_err(|e| ConfigError(format!("{}: {e}", key.flag.unwrap_or(key.name))))?;
        sources.insert(key.name, Source::Flag(key.flag.unwrap_or(key.name)));
    }
    if config.tls_cert.is_some() != config.tls_key.is_some() {
        return Err(ConfigError(
            "TLS needs both a certificate (--tls-cert) and a key (--tls-key)".into(),
        ));
    }
    Ok(Loaded {
        config,
        sources,
        warnings,
        file,
        file_found,
    })
}

/// Reads `config.toml` as flat `section.key = value` pairs; unknown keys become warnings.
fn read_file(
    path: &Path,
    warnings: &mut Vec<String>,
) -> Result<Vec<(String, String)>, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("reading {}: {e}", path.display())))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
    let mut pairs = Vec::new();
    let mut flatten = |name: String, value: &toml::Value| match keys::find(&name) {
        Some(_) => pairs.push((name, scalar(value))),
        None => warnings.push(format!(
            "{}: unknown setting `{name}` (ignored)",
            path.display()
        )),
    };
    for (name, value) in &table {
        match value {
            toml::Value::Table(section) => {
                for (inner, value) in section {
                    flatten(format!("{name}.{inner}"), value);
                }
            }
            other => flatten(name.clone(), other),
        }
    }
    Ok(pairs)
}

/// A TOML value as the same text an environment variable would carry.
fn scalar(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests;
