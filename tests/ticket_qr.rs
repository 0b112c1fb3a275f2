//! The address a job ticket's QR code encodes: the one a tablet on the shop floor can open,
//! whatever machine printed the ticket. Each test compares the served SVG with the drawing of
//! the URL it must encode.

mod common;
mod support_ops;

use common::*;
use presswork::service::qr::{render_svg, ui_url, Target};
use std::path::Path;
use std::process::{Child, Command};
use support_ops::{command, spawn_listening};

/// Kills the server when the test ends, passed or not.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

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

#[test]
fn public_url_is_what_every_code_encodes() {
    let s = TestServer::start_with(&[("PRESSWORK_PUBLIC_URL", "http://print.shop.lan:8080/")]);
    let order = published_order(&s.admin, &["PRT"]);
    let task = task_of(&order, "PRT")["id"].as_i64().unwrap();
    let (status, svg) = s.admin.get(&format!("/api/v1/tasks/{task}/qr.svg"));
    assert_eq!(status, 200);
    assert_eq!(
        svg.as_str().unwrap(),
        drawing_of(&format!("http://print.shop.lan:8080/#/tasks/{task}"))
    );
}

#[test]
fn a_ticket_printed_on_the_server_pc_encodes_its_first_lan_address() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = command(dir.path(), &["serve", "--addr", "0.0.0.0:0"]);
    cmd.env("PRESSWORK_ADMIN_PASSWORD", ADMIN_PASSWORD);
    let started = spawn_listening(cmd);
    let _server = Running(started.child);
    let port = started.url.rsplit(':').next().unwrap().to_owned();
    // What `serve` printed: the first "open on this network" address, if the PC has one.
    let mut listed = None;
    for line in started.lines.iter() {
        if line.starts_with("data directory:") {
            break;
        }
        if let Some(url) = line.split("open on this network: ").nth(1) {
            listed.get_or_insert(url.trim().to_owned());
        }
    }
    // The browser presswork opens on the server PC uses the loopback address.
    let here = Client::login(&format!("http://127.0.0.1:{port}"), "admin", ADMIN_PASSWORD);
    let order = create_order(&here, &["PRT"]);
    let id = order["id"].as_i64().unwrap();
    let expected = listed.unwrap_or_else(|| format!("http://127.0.0.1:{port}"));
    let (status, svg) = here.get(&format!("/api/v1/work-orders/{id}/qr.svg"));
    assert_eq!(status, 200);
    assert_eq!(
        svg.as_str().unwrap(),
        drawing_of(&ui_url(&expected, Target::WorkOrder(id))),
        "the code encodes {expected}"
    );
    // `localhost` reaches this PC only too.
    let mut local = here.clone();
    local.base = format!("http://localhost:{port}");
    let (_, svg) = local.get(&format!("/api/v1/work-orders/{id}/qr.svg"));
    assert_eq!(
        svg.as_str().unwrap(),
        drawing_of(&ui_url(&expected, Target::WorkOrder(id))),
        "the code encodes {expected}"
    );
}
