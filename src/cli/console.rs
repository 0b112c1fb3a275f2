//! What `serve` tells the person who started it: the URL (on every LAN address when bound to
//! all of them), the data dir and the log file; and, like an appliance, it opens the browser
//! at the UI when there is a screen to show it on.

use crate::config::Config;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;

pub fn announce(config: &Config, addr: SocketAddr, log_file: Option<&Path>) {
    let scheme = if config.tls() { "https" } else { "http" };
    // Tests and scripts parse this exact line.
    println!("presswork listening on {scheme}://{addr}");
    if addr.ip().is_unspecified() {
        for ip in lan_addresses(addr.ip()) {
            println!(
                "  open on this network: {scheme}://{}",
                SocketAddr::new(ip, addr.port())
            );
        }
    }
    println!("data directory: {}", config.data_dir.display());
    match log_file {
        Some(file) => println!("log file: {}", file.display()),
        None => println!("log file: none (console only)"),
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

/// The machine's non-loopback addresses of the bound family, for the URLs a tablet can use.
fn lan_addresses(bound: IpAddr) -> Vec<IpAddr> {
    let mut ips: Vec<IpAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| !i.is_loopback())
        .map(|i| i.ip())
        // An IPv4 socket is reached on IPv4 addresses only; an IPv6 one usually on both.
        .filter(|ip| bound.is_ipv6() || ip.is_ipv4())
        .filter(|ip| !matches!(ip, IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80))
        .collect();
    ips.sort();
    ips.dedup();
    ips
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
