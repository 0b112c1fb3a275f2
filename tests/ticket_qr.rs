//! The address a job ticket's QR code encodes: the one a tablet on the shop floor can open,
//! whatever machine printed the ticket. Each test compares the served SVG with the drawing of
//! the URL it must encode.

mod common;
mod support_ops;

use common::*;
use presswork::service::qr::{render_svg, ui_url, Target};
use std::path::Path;
use std::process::Command;
use support_ops::{command, spawn_listening};

/// The SVG a code for `url` is drawn as.
fn drawing_of(url: &str) -> String {
    render_svg(url).expect("a QR code")
}

/// A throwaway self-signed certificate and key in `dir`.
fn certificate(dir: &Path) -> (String, String) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=localhost", "-keyout"])
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
    (cert.display().to_string(), key.display().to_string())
}

#[test]
fn a_server_serving_https_itself_prints_https_codes() {
    let mut s = TestServer::start();
    let order = create_order(&s.admin, &["PRT"]);
    let id = order["id"].as_i64().unwrap();
    let token = s.admin.token.clone().unwrap();
    s.stop();

    let (cert, key) = certificate(s.data_dir());
    let mut cmd = command(
        s.data_dir(),
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--tls-cert",
            &cert,
            "--tls-key",
            &key,
        ],
    );
    cmd.env("PRESSWORK_ADMIN_PASSWORD", ADMIN_PASSWORD);
    let mut started = spawn_listening(cmd);
    let origin = started.url.clone();
    assert!(origin.starts_with("https://127.0.0.1:"), "{origin}");
    let out = Command::new("curl")
        .args(["-sk", "-H", &format!("Authorization: Bearer {token}")])
        .arg(format!("{origin}/api/v1/work-orders/{id}/qr.svg"))
        .output()
        .expect("curl");
    let _ = started.child.kill();
    let _ = started.child.wait();
    let svg = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        svg,
        drawing_of(&ui_url(&origin, Target::WorkOrder(id))),
        "the code encodes {origin}"
    );
}
