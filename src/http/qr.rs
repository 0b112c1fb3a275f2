//! Routes for the QR codes printed on job tickets: `GET /work-orders/{id}/qr.svg` and
//! `GET /tasks/{id}/qr.svg`. The origin the code points at is the one the caller reached us by.

use super::auth::{actor, with_app};
use super::errors::error_response;
use crate::service::qr::{qr_svg, Target};
use crate::service::Actor;
use crate::App;
use std::convert::Infallible;
use warp::http::header;
use warp::reply::Response;
use warp::{Filter, Reply};

/// What the server knows about how it is reached, beyond the request itself.
#[derive(Debug, Clone, Copy)]
pub struct Served<'a> {
    /// The server speaks TLS itself (`--tls-cert`/`--tls-key`).
    pub tls: bool,
    /// The configured listen address, the fallback for a missing or odd Host header.
    pub listen: &'a str,
}

/// `scheme://host[:port]` from the request's Host header, so a ticket printed from a tablet on
/// the LAN encodes the address the tablets use. A header that is not a plain host falls back
/// to the address the server listens on. The scheme is https when presswork serves TLS itself
/// or a proxy in front says the caller used https.
pub fn origin(host: Option<&str>, forwarded_proto: Option<&str>, served: Served) -> String {
    let plain = |h: &&str| {
        !h.is_empty()
            && h.len() <= 255
            && h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
    };
    let host = host.filter(plain).unwrap_or(served.listen);
    let https = served.tls || forwarded_proto.is_some_and(|p| p.eq_ignore_ascii_case("https"));
    let scheme = if https { "https" } else { "http" };
    format!("{scheme}://{host}")
}

async fn svg(
    target: Target,
    host: Option<String>,
    proto: Option<String>,
    app: App,
    actor: Actor,
) -> Result<Response, Infallible> {
    let listen = app.config.addr.to_string();
    let served = Served {
        tls: app.config.tls(),
        listen: &listen,
    };
    let origin = origin(host.as_deref(), proto.as_deref(), served);
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
        .and(warp::get())
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

    const PLAIN: Served = Served {
        tls: false,
        listen: "127.0.0.1:80",
    };

    #[test]
    fn the_origin_is_the_host_the_caller_used() {
        assert_eq!(
            origin(Some("10.0.0.5:8080"), None, PLAIN),
            "http://10.0.0.5:8080"
        );
        assert_eq!(
            origin(Some("shop.lan"), Some("https"), PLAIN),
            "https://shop.lan"
        );
        assert_eq!(
            origin(Some("evil/\"><script>"), None, PLAIN),
            "http://127.0.0.1:80"
        );
    }

    #[test]
    fn a_server_serving_tls_itself_gets_https_codes() {
        let tls = Served { tls: true, ..PLAIN };
        assert_eq!(
            origin(Some("10.0.0.5:8443"), None, tls),
            "https://10.0.0.5:8443"
        );
        assert_eq!(
            origin(Some("10.0.0.5:8443"), Some("http"), tls),
            "https://10.0.0.5:8443"
        );
    }
}
