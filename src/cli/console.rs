//! What `serve` tells the person who started it: the URL (on every LAN address when bound to
//! all of them), the data dir and the log file; and, like an appliance, it opens the browser
//! at the UI when there is a screen to show it on.

use crate::config::Config;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;

pub fn announce(config: &Config, addr: SocketAddr, log_file: Option<&Path>) {
    let scheme = if config.tls() { "https" } else { "http" };
    // The server runs on without a console to print to.
    if let Err(e) = print_where(config, scheme, addr, log_file) {
        tracing::warn!("could not print the server's addresses: {e}");
    }
    let local = if addr.ip().is_unspecified() {
        SocketAddr::new(IpAddr::from([127, 0, 0, 1]), addr.port())
    } else {
        addr
    };
    let url = format!("{scheme}://{local}/");
    if config.no_browser {
        return;
    }
    if !has_display() {
        tracing::info!("no display; not opening a browser (open {url} yourself)");
        return;
    }
    std::thread::spawn(move || {
        if let Err(e) = opener::open_browser(&url) {
            tracing::warn!("could not open a browser at {url}: {e}");
        }
    });
}

fn print_where(
    config: &Config,
    scheme: &str,
    addr: SocketAddr,
    log_file: Option<&Path>,
) -> std::io::Result<()> {
    // Tests and scripts parse this exact line.
    say!("presswork listening on {scheme}://{addr}")?;
    if addr.ip().is_unspecified() {
        for ip in crate::net::lan_addresses(addr.ip()) {
            say!(
                "  open on this network: {scheme}://{}",
                SocketAddr::new(ip, addr.port())
            )?;
        }
    }
    say!("data directory: {}", config.data_dir.display())?;
    match log_file {
        Some(file) => say!("log file: {}", file.display()),
        None => say!("log file: none (console only)"),
    }
}

/// On Linux and the BSDs a browser needs X11 or Wayland; a server over SSH has neither.
fn has_display() -> bool {
    if cfg!(any(target_os = "windows", target_os = "macos")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}
