//! Starting the appliance: a bare start (as a double-click) and HTTPS with the user's own
//! certificate.

mod common;
mod support_ops;

use common::*;
use std::process::Command;
use support_ops::{command, spawn_listening};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

#[test]
fn tls_serves_https_with_hsts_and_a_bad_key_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl (Debian package openssl) makes the test certificate");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let data = dir.path().join("data");
    let mut cmd = command(
        &data,
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    cmd.env("PRESSWORK_ADMIN_PASSWORD", ADMIN_PASSWORD);
    let started = spawn_listening(cmd);
    let (mut child, url) = (started.child, started.url);
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let out = Command::new("curl")
        .args(["-sk", "-D", "-", &format!("{url}/healthz")])
        .output()
        .expect("curl");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .next()
            .unwrap_or("")
            .trim_end()
            .ends_with(" 200"),
        "{text}"
    );
    assert!(
        text.to_ascii_lowercase()
            .contains("strict-transport-security"),
        "{text}"
    );
    assert!(text.contains("\"status\":\"ok\""), "{text}");
    // A browser over HTTPS speaks HTTP/2, which names the host in `:authority`, not in a Host
    // header: its cookie-authenticated changes must still count as coming from this server.
    let jar = dir.path().join("cookies");
    let curl = |args: &[&str]| {
        let out = Command::new("curl")
            .args(["-sk", "--http2", "-w", "\n%{http_version} %{http_code}"])
            .args(["-c", jar.to_str().unwrap(), "-b", jar.to_str().unwrap()])
            .args(["-H", "Content-Type: application/json"])
            .args(args)
            .output()
            .expect("curl");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let login = format!("{{\"username\":\"admin\",\"password\":\"{ADMIN_PASSWORD}\"}}");
    let out = curl(&["-d", &login, &format!("{url}/api/v1/auth/login")]);
    assert!(out.ends_with("\n2 200"), "{out}");
    // Over HTTPS the session cookie is never sent in the clear.
    let cookie = std::fs::read_to_string(&jar).unwrap();
    assert!(
        cookie
            .lines()
            .any(|l| l.contains("presswork_session") && l.split('\t').nth(3) == Some("TRUE")),
        "the cookie jar marks it Secure: {cookie}"
    );
    let out = curl(&[
        "-H",
        &format!("Origin: {url}"),
        "-d",
        "{}",
        &format!("{url}/api/v1/notifications/read-all"),
    ]);
    assert!(
        out.ends_with("\n2 200"),
        "a same-origin change over HTTP/2: {out}"
    );
    let _ = child.kill();
    let _ = child.wait();

    let out = command(
        &data,
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            cert.to_str().unwrap(),
        ],
    )
    .output()
    .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("serving HTTPS"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = command(&data, &["serve", "--tls-cert", cert.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("TLS needs both"));
}

#[test]
fn a_bare_start_serves_the_default_way_and_tells_where_things_are() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(support_ops::bin());
    for (k, _) in std::env::vars() {
        if k.starts_with("PRESSWORK_") {
            cmd.env_remove(k);
        }
    }
    // No arguments at all, as a double-click runs it; no display, so no browser either.
    cmd.env("PRESSWORK_DATA_DIR", dir.path())
        .env("PRESSWORK_ADDR", "127.0.0.1:0")
        .env("PRESSWORK_LOG", "info")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
    let started = spawn_listening(cmd);
    let mut resp = agent()
        .get(format!("{}/healthz", started.url))
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp
        .body_mut()
        .read_to_string()
        .unwrap()
        .contains("\"status\":\"ok\""));
    Command::new("kill")
        .arg("-TERM")
        .arg(started.child.id().to_string())
        .status()
        .unwrap();
    let out = started.child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("no display; not opening a browser"), "{log}");
    let printed: Vec<String> = started.lines.iter().collect();
    let printed = printed.join("\n");
    assert!(
        printed.contains("First run: created user 'admin' with password: "),
        "{printed}"
    );
    assert!(
        printed.contains(&format!("data directory: {}", dir.path().display())),
        "{printed}"
    );
    assert!(
        printed.contains(&format!("log file: {}", dir.path().join("logs").display())),
        "{printed}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("presswork.lock")).unwrap(),
        ""
    );
}

#[test]
fn a_first_start_that_cannot_listen_creates_no_admin_so_no_password_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = command(dir.path(), &["serve", "--addr", &addr])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(!printed.contains("password"), "{printed}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("in use"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(taken);

    // The next start that gets its port creates the admin and shows the password that works.
    let started = spawn_listening(command(dir.path(), &["serve", "--addr", "127.0.0.1:0"]));
    let mut child = started.child;
    let password = started
        .lines
        .iter()
        .take_while(|l| !l.contains("listening on"))
        .find_map(|l| {
            l.split("created user 'admin' with password: ")
                .nth(1)
                .map(str::to_owned)
        });
    let Some(password) = password else {
        let _ = child.kill();
        panic!("no first-run password printed");
    };
    let admin = Client::login(&started.url, "admin", password.trim());
    assert_eq!(admin.get("/api/v1/auth/me").0, 200);
    let _ = child.kill();
    let _ = child.wait();
}
