//! The table of settings: each one's name in `config.toml`, its environment variable, its
//! flag, and how its text becomes a typed value. Adding a setting is adding a row here.

use super::{Config, LogFormat};
use std::path::PathBuf;
use std::time::Duration;

pub struct Key {
    /// `section.name` as written in config.toml.
    pub name: &'static str,
    pub env: &'static str,
    pub flag: Option<&'static str>,
    /// Shown as `<redacted>` by `config check`.
    pub secret: bool,
    pub set: fn(&mut Config, &str) -> Result<(), String>,
    pub get: fn(&Config) -> String,
}

pub fn find(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.name == name)
}

fn boolean(v: &str) -> Result<bool, String> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => Err(format!("'{v}' is not true or false")),
    }
}

fn number<T>(v: &str, min: T) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    match v.trim().parse::<T>() {
        Ok(n) if n >= min => Ok(n),
        _ => Err(format!("'{v}' is not a whole number of at least {min}")),
    }
}

fn path(v: &str) -> Option<PathBuf> {
    let v = v.trim();
    (!v.is_empty()).then(|| PathBuf::from(v))
}

/// `30s`, `15m`, `24h`, `7d`; `0` or `off` for never.
pub fn parse_every(v: &str) -> Result<Option<Duration>, String> {
    let v = v.trim().to_ascii_lowercase();
    if v == "0" || v == "off" || v == "never" {
        return Ok(None);
    }
    let bad = || format!("'{v}' is not a period like 30m, 12h or 1d (or off)");
    let split = v.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (n, unit) = v.split_at(split);
    let n: u64 = n.parse().map_err(|_| bad())?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86400,
        _ => return Err(bad()),
    };
    if secs == 0 {
        return Ok(None);
    }
    Ok(Some(Duration::from_secs(secs)))
}

pub fn show_every(every: Option<Duration>) -> String {
    match every.map(|d| d.as_secs()) {
        None => "off".into(),
        Some(s) if s % 86400 == 0 => format!("{}d", s / 86400),
        Some(s) if s % 3600 == 0 => format!("{}h", s / 3600),
        Some(s) if s % 60 == 0 => format!("{}m", s / 60),
        Some(s) => format!("{s}s"),
    }
}

/// `http(s)://host[:port]`, without a trailing slash; empty for none.
fn public_url(v: &str) -> Result<Option<String>, String> {
    let v = v.trim().trim_end_matches('/');
    if v.is_empty() {
        return Ok(None);
    }
    let host = v
        .strip_prefix("http://")
        .or_else(|| v.strip_prefix("https://"))
        .unwrap_or("");
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || "/?#@".contains(c)) {
        return Err(format!(
            "'{v}' is not an address like http://192.168.1.20:8080 or https://print.example.com"
        ));
    }
    Ok(Some(v.to_owned()))
}

fn opt_path(p: &Option<PathBuf>) -> String {
    p.as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

pub static KEYS: &[Key] = &[
    Key {
        name: "addr",
        env: "PRESSWORK_ADDR",
        flag: Some("--addr"),
        secret: false,
        set: |c, v| {
            c.addr = v
                .trim()
                .parse()
                .map_err(|_| format!("'{v}' is not an address like 0.0.0.0:8080"))?;
            Ok(())
        },
        get: |c| c.addr.to_string(),
    },
    Key {
        name: "public_url",
        env: "PRESSWORK_PUBLIC_URL",
        flag: None,
        secret: false,
        set: |c, v| {
            c.public_url = public_url(v)?;
            Ok(())
        },
        get: |c| c.public_url.clone().unwrap_or_default(),
    },
    Key {
        name: "no_browser",
        env: "PRESSWORK_NO_BROWSER",
        flag: Some("--no-browser"),
        secret: false,
        set: |c, v| {
            c.no_browser = boolean(v)?;
            Ok(())
        },
        get: |c| c.no_browser.to_string(),
    },
    Key {
        name: "log.format",
        env: "PRESSWORK_LOG_FORMAT",
        flag: Some("--log-format"),
        secret: false,
        set: |c, v| {
            c.log_format = match v.trim() {
                "text" | "console" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => return Err(format!("'{v}' is not text or json")),
            };
            Ok(())
        },
        get: |c| match c.log_format {
            LogFormat::Text => "text".into(),
            LogFormat::Json => "json".into(),
        },
    },
    Key {
        name: "log.level",
        env: "PRESSWORK_LOG",
        flag: None,
        secret: false,
        set: |c, v| {
            v.trim()
                .parse::<tracing_subscriber::filter::Targets>()
                .map_err(|e| format!("'{v}' is not a log filter: {e}"))?;
            c.log_level = v.trim().to_owned();
            Ok(())
        },
        get: |c| c.log_level.clone(),
    },
    Key {
        name: "log.file",
        env: "PRESSWORK_LOG_FILE",
        flag: None,
        secret: false,
        set: |c, v| {
            c.log_file = boolean(v)?;
            Ok(())
        },
        get: |c| c.log_file.to_string(),
    },
    Key {
        name: "tls.cert",
        env: "PRESSWORK_TLS_CERT",
        flag: Some("--tls-cert"),
        secret: false,
        set: |c, v| {
            c.tls_cert = path(v);
            Ok(())
        },
        get: |c| opt_path(&c.tls_cert),
    },
    Key {
        name: "tls.key",
        env: "PRESSWORK_TLS_KEY",
        flag: Some("--tls-key"),
        secret: false,
        set: |c, v| {
            c.tls_key = path(v);
            Ok(())
        },
        get: |c| opt_path(&c.tls_key),
    },
    Key {
        name: "backup.every",
        env: "PRESSWORK_BACKUP_EVERY",
        flag: None,
        secret: false,
        set: |c, v| {
            c.backup_every = parse_every(v)?;
            Ok(())
        },
        get: |c| show_every(c.backup_every),
    },
    Key {
        name: "backup.keep",
        env: "PRESSWORK_BACKUP_KEEP",
        flag: None,
        secret: false,
        set: |c, v| {
            c.backup_keep = number(v, 1usize)?;
            Ok(())
        },
        get: |c| c.backup_keep.to_string(),
    },
    Key {
        name: "backup.dir",
        env: "PRESSWORK_BACKUP_DIR",
        flag: None,
        secret: false,
        set: |c, v| {
            c.backup_dir = path(v).ok_or("must not be empty")?;
            Ok(())
        },
        get: |c| c.backup_dir.display().to_string(),
    },
    Key {
        name: "security.login_limit_ip",
        env: "PRESSWORK_LOGIN_LIMIT_IP",
        flag: None,
        secret: false,
        set: |c, v| {
            c.login_limit_ip = number(v, 1u32)?;
            Ok(())
        },
        get: |c| c.login_limit_ip.to_string(),
    },
    Key {
        name: "security.login_limit_user",
        env: "PRESSWORK_LOGIN_LIMIT_USER",
        flag: None,
        secret: false,
        set: |c, v| {
            c.login_limit_user = number(v, 1u32)?;
            Ok(())
        },
        get: |c| c.login_limit_user.to_string(),
    },
    Key {
        name: "security.allowed_origins",
        env: "PRESSWORK_ALLOWED_ORIGINS",
        flag: None,
        secret: false,
        set: |c, v| {
            c.allowed_origins = v
                .split(',')
                .map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase())
                .filter(|o| !o.is_empty())
                .collect();
            Ok(())
        },
        get: |c| c.allowed_origins.join(","),
    },
    Key {
        name: "admin_password",
        env: "PRESSWORK_ADMIN_PASSWORD",
        flag: None,
        secret: true,
        set: |c, v| {
            c.admin_password = Some(v.to_owned()).filter(|p| !p.is_empty());
            Ok(())
        },
        get: |c| c.admin_password.clone().unwrap_or_default(),
    },
    Key {
        name: "dispatch.tick_ms",
        env: "PRESSWORK_DISPATCH_TICK_MS",
        flag: Some("--dispatch-tick-ms"),
        secret: false,
        set: |c, v| {
            c.dispatch_tick_ms = number(v, 10u64)?;
            Ok(())
        },
        get: |c| c.dispatch_tick_ms.to_string(),
    },
    Key {
        name: "live.ws_max",
        env: "PRESSWORK_WS_MAX",
        flag: None,
        secret: false,
        set: |c, v| {
            c.ws_max = number(v, 1usize)?;
            Ok(())
        },
        get: |c| c.ws_max.to_string(),
    },
    Key {
        name: "alerts.urgent_unclaimed_minutes",
        env: "PRESSWORK_URGENT_UNCLAIMED_MINUTES",
        flag: None,
        secret: false,
        set: |c, v| {
            // Fractions are fine (0.5 = 30 s): tests and impatient shops use them.
            c.urgent_unclaimed_minutes = match v.trim().parse::<f64>() {
                Ok(m) if m.is_finite() && m > 0.0 => m,
                _ => return Err(format!("'{v}' is not a number of minutes above 0")),
            };
            Ok(())
        },
        get: |c| c.urgent_unclaimed_minutes.to_string(),
    },
];
