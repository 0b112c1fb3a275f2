use super::*;
use std::collections::HashMap;

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| map.get(k).cloned()
}

#[test]
fn layers_apply_in_order_and_remember_their_source() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(CONFIG_FILE),
        "addr = \"0.0.0.0:9000\"\n[backup]\nkeep = 3\nevery = \"12h\"\n[log]\nformat = \"json\"\n",
    )
    .unwrap();
    let env = env_of(&[
        ("PRESSWORK_BACKUP_KEEP", "5"),
        ("PRESSWORK_LOG_FORMAT", "text"),
    ]);
    let flags = [("log.format", "json".to_string())];
    let loaded = load_with(Some(dir.path().to_owned()), &env, &flags).unwrap();
    let c = &loaded.config;
    assert_eq!(c.addr.to_string(), "0.0.0.0:9000");
    assert_eq!(c.backup_every, Some(Duration::from_secs(12 * 3600)));
    assert_eq!(c.backup_keep, 5, "env beats the file");
    assert_eq!(c.log_format, LogFormat::Json, "a flag beats env");
    assert!(matches!(loaded.sources["addr"], Source::File(_)));
    assert_eq!(
        loaded.sources["backup.keep"],
        Source::Env("PRESSWORK_BACKUP_KEEP")
    );
    assert_eq!(loaded.sources["log.format"], Source::Flag("--log-format"));
    assert!(!loaded.sources.contains_key("ws_max"));
}

#[test]
fn unknown_keys_warn_and_bad_values_fail_naming_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(CONFIG_FILE);
    std::fs::write(&file, "adr = \"x\"\n[backup]\nkeeep = 1\n").unwrap();
    let loaded = load_with(Some(dir.path().to_owned()), &env_of(&[]), &[]).unwrap();
    assert_eq!(loaded.warnings.len(), 2, "{:?}", loaded.warnings);
    assert!(loaded.warnings[1].contains("backup.keeep"));

    std::fs::write(&file, "[backup]\nkeep = 0\n").unwrap();
    let err = load_with(Some(dir.path().to_owned()), &env_of(&[]), &[]).unwrap_err();
    assert!(err.0.contains("backup.keep"), "{err}");
    let env = env_of(&[("PRESSWORK_ADDR", "nowhere")]);
    std::fs::remove_file(&file).unwrap();
    let err = load_with(Some(dir.path().to_owned()), &env, &[]).unwrap_err();
    assert!(err.0.starts_with("PRESSWORK_ADDR"), "{err}");
}

#[test]
fn secrets_are_redacted_when_described() {
    let env = env_of(&[
        ("PRESSWORK_ADMIN_PASSWORD", "hunter22"),
        ("PRESSWORK_DATA_DIR", "/tmp/pw"),
    ]);
    let loaded = load_with(None, &env, &[]).unwrap();
    assert_eq!(loaded.config.data_dir, PathBuf::from("/tmp/pw"));
    let rows = loaded.describe();
    let pw = rows.iter().find(|r| r.0 == "admin_password").unwrap();
    assert_eq!(pw.1, "<redacted>");
    assert!(!format!("{rows:?}").contains("hunter22"));
}

#[test]
fn periods_parse_and_print_back() {
    use keys::{parse_every, show_every};
    assert_eq!(parse_every("off").unwrap(), None);
    assert_eq!(parse_every("0").unwrap(), None);
    for text in ["30s", "15m", "12h", "1d"] {
        assert_eq!(show_every(parse_every(text).unwrap()), text);
    }
    assert!(parse_every("12").is_err());
    assert!(parse_every("h").is_err());
    assert!(parse_every("3w").is_err());
}

#[test]
fn tls_needs_both_halves() {
    let env = env_of(&[("PRESSWORK_TLS_CERT", "/etc/cert.pem")]);
    let dir = tempfile::tempdir().unwrap();
    assert!(load_with(Some(dir.path().to_owned()), &env, &[]).is_err());
}

#[test]
fn live_and_alert_settings_come_from_the_file_and_env_wins() {
    let dir = tempfile::tempdir().unwrap();
    let defaults = load_with(Some(dir.path().to_owned()), &env_of(&[]), &[]).unwrap();
    assert_eq!(defaults.config.ws_max, DEFAULT_WS_MAX);
    assert_eq!(
        crate::events::hub::HubSettings::from_config(&defaults.config).max_connections,
        crate::events::hub::HubSettings::default().max_connections,
        "one default"
    );
    std::fs::write(
        dir.path().join(CONFIG_FILE),
        "[live]\nws_max = 5\n[alerts]\nurgent_unclaimed_minutes = 0.5\n",
    )
    .unwrap();
    let loaded = load_with(Some(dir.path().to_owned()), &env_of(&[]), &[]).unwrap();
    assert_eq!(loaded.config.ws_max, 5);
    assert_eq!(loaded.config.urgent_unclaimed_minutes, 0.5);
    let env = env_of(&[("PRESSWORK_WS_MAX", "7")]);
    let loaded = load_with(Some(dir.path().to_owned()), &env, &[]).unwrap();
    assert_eq!(loaded.config.ws_max, 7);
    assert_eq!(
        loaded.sources["live.ws_max"],
        Source::Env("PRESSWORK_WS_MAX")
    );
}

#[test]
fn public_url_is_an_origin_without_a_trailing_slash() {
    let dir = tempfile::tempdir().unwrap();
    let with = |url: &str| {
        let env = env_of(&[("PRESSWORK_PUBLIC_URL", url)]);
        load_with(Some(dir.path().to_owned()), &env, &[]).map(|l| l.config.public_url)
    };
    assert_eq!(
        with("https://print.example.com/").unwrap().as_deref(),
        Some("https://print.example.com")
    );
    assert_eq!(
        with("http://192.168.1.20:8080").unwrap().as_deref(),
        Some("http://192.168.1.20:8080")
    );
    assert_eq!(with("").unwrap(), None);
    for bad in [
        "192.168.1.20:8080",
        "http://",
        "http://a b",
        "ftp://x",
        "http://x/y",
    ] {
        let err = with(bad).unwrap_err();
        assert!(err.0.starts_with("PRESSWORK_PUBLIC_URL"), "{bad}: {err}");
    }
}
