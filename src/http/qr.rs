//! Routes for the QR codes printed on job tickets: `GET /work-orders/{id}/qr.svg` and
//! `GET /tasks/{id}/qr.svg`. The origin the code points at is `public_url` when set, otherwise
//! the one the caller reached us by, made usable from a tablet when that was this PC's loopback.

use super::auth::{actor, with_app};
use super::errors::error_response;
use crate::service::qr::{qr_svg, Target};
use crate::service::Actor;
use crate::App;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use warp::http::header;
use warp::reply::Response;
use warp::{Filter, Reply};

/// What the server knows about how it is reached, beyond the request itself.
#[derive(Debug, Clone, Copy)]
pub struct Served<'a> {
    /// The server speaks TLS itself (`--tls-cert`/`--tls-key`).
    pub tls: bool,
    /// The configured listen address: the fallback for a missing or odd Host header, and
    /// whether tablets can reach this PC at all (bound to every interface).
    pub listen: SocketAddr,
    /// `public_url` from the configuration, which wins over everything else.
    pub public_url: Option<&'a str>,
}

/// `scheme://host[:port]` for a ticket's code. With `public_url` set, that. Otherwise the
/// host the caller used, so a ticket printed from a tablet encodes the address the tablets
/// use; but a loopback host (the browser presswork opened on the server PC) on a server bound
/// to every interface becomes `first_lan()`, the first address `serve` lists, same port. A
/// Host that is not a plain host falls back to the listen address. The scheme is https when
/// presswork serves TLS itself or a proxy in front says the caller used https.
pub fn origin(
    host: Option<&str>,
    forwarded_proto: Option<&str>,
    served: Served,
    first_lan: impl FnOnce() -> Option<IpAddr>,
) -> String {
    if let Some(url) = served.public_url {
        return url.to_owned();
    }
    let plain = |h: &&str| {
        !h.is_empty()
            && h.len() <= 255
            && h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
    };
    let listen = served.listen.to_string();
    let mut host = host.filter(plain).unwrap_or(&listen).to_owned();
    if served.listen.ip().is_unspecified() {
        if let (Some(port), Some(ip)) = (this_pc_only(&host), first_lan()) {
            host = match port {
                Some(port) => format!("{}:{port}", bracketed(ip)),
                None => bracketed(ip),
            };
        }
    }
    let https = served.tls || forwarded_proto.is_some_and(|p| p.eq_ignore_ascii_case("https"));
    let scheme = if https { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// For a host only this PC can use (loopback, `localhost`, or the unspecified address),
/// `Some(its port, if it names one)`; `None` for any other host.
fn this_pc_only(host: &str) -> Option<Option<&str>> {
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => {
            let (name, after) = rest.split_once(']')?;
            (name, after.strip_prefix(':'))
        }
        None => match host.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        },
    };
    let local = name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified());
    local.then_some(port)
}

fn bracketed(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

async fn svg(
    target: Target,
    host: Option<String>,
    proto: Option<String>,
    app: App,
    actor: Actor,
) -> Result<Response, Infallible> {
    let served = Served {
        tls: app.config.tls(),
        listen: app.config.addr,
        public_url: app.config.public_url.as_deref(),
    };
    let first_lan = || {
        crate::net::lan_addresses(app.config.addr.ip())
            .first()
            .copied()
    };
    let origin = origin(host.as_deref(), proto.as_deref(), served, first_lan);
    Ok(match qr_svg(&app.store, &actor, target, &origin).await {
        Ok(svg) => {
            let r = warp::reply::with_header(svg, header::CONTENT_TYPE, "image/svg+xml");
            warp::reply::with_header(r, header::CACHE_CONTROL, "private, max-age=300")
                .into_response()
        }
        Err(e) => error_response(&e),
    })
}

pub fn routes(app: App) -> warp::filters::BoxedFilter<(Response,)> {
    let target = warp::path!("work-orders" / i64 / "qr.svg")
        .map(Target::WorkOrder)
        .or(warp::path!("tasks" / i64 / "qr.svg").map(Target::Task))
        .unify();
    target
        .and(super::get_or_head())
        .and(super::security::caller_host())
        .and(warp::header::optional::<String>("x-forwarded-proto"))
        .and(with_app(app.clone()))
        .and(actor(app))
        .and_then(svg)
        .boxed()
}

#[cfg(test)]
mod tests {
    use super::{origin, Served};
    use std::net::IpAddr;

    const LAN: [u8; 4] = [192, 168, 1, 20];

    fn served(listen: &str) -> Served<'static> {
        Served {
            tls: false,
            listen: listen.parse().unwrap(),
            public_url: None,
        }
    }

    fn lan() -> Option<IpAddr> {
        Some(IpAddr::from(LAN))
    }

    fn no_lan() -> Option<IpAddr> {
        None
    }

    #[test]
    fn the_origin_is_the_host_the_caller_used() {
        let plain = served("127.0.0.1:80");
        assert_eq!(
            origin(Some("10.0.0.5:8080"), None, plain, lan),
            "http://10.0.0.5:8080"
        );
        assert_eq!(
            origin(Some("shop.lan"), Some("https"), plain, lan),
            "https://shop.lan"
        );
        assert_eq!(
            origin(Some("evil/\"><script>"), None, plain, lan),
            "http://127.0.0.1:80",
            "a server on loopback only keeps its loopback address"
        );
    }

    #[test]
    fn a_server_serving_tls_itself_gets_https_codes() {
        let tls = Served {
            tls: true,
            ..served("0.0.0.0:8443")
        };
        assert_eq!(
            origin(Some("10.0.0.5:8443"), None, tls, lan),
            "https://10.0.0.5:8443"
        );
        assert_eq!(
            origin(Some("10.0.0.5:8443"), Some("http"), tls, lan),
            "https://10.0.0.5:8443"
        );
    }

    #[test]
    fn loopback_on_a_lan_server_becomes_the_first_lan_address() {
        let all = served("0.0.0.0:8080");
        for host in [
            "127.0.0.1:8080",
            "localhost:8080",
            "[::1]:8080",
            "LOCALHOST:8080",
        ] {
            assert_eq!(
                origin(Some(host), None, all, lan),
                "http://192.168.1.20:8080",
                "{host}"
            );
        }
        assert_eq!(
            origin(Some("localhost"), None, all, lan),
            "http://192.168.1.20"
        );
        assert_eq!(origin(None, None, all, lan), "http://192.168.1.20:8080");
        let v6 = || Some("fd00::2".parse().unwrap());
        assert_eq!(
            origin(Some("[::1]:8080"), None, served("[::]:8080"), v6),
            "http://[fd00::2]:8080"
        );
        // Another name is what the caller chose; no LAN address leaves loopback as it was.
        assert_eq!(
            origin(Some("print.lan:8080"), None, all, lan),
            "http://print.lan:8080"
        );
        assert_eq!(
            origin(Some("127.0.0.1:8080"), None, all, no_lan),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            origin(Some("127.0.0.1:8080"), None, served("127.0.0.1:8080"), lan),
            "http://127.0.0.1:8080",
            "a server on loopback only cannot be reached from the LAN anyway"
        );
    }

    #[test]
    fn public_url_wins_over_everything() {
        let configured = Served {
            public_url: Some("https://print.example.com"),
            ..served("0.0.0.0:8080")
        };
        for host in [Some("127.0.0.1:8080"), Some("10.0.0.5:8080"), None] {
            assert_eq!(
                origin(host, None, configured, lan),
                "https://print.example.com"
            );
        }
    }
}
