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

/// `http://host[:port]` from the request's Host header, so a ticket printed from a tablet on
/// the LAN encodes the address the tablets use. A header that is not a plain host falls back
/// to the address the server listens on.
pub fn origin(host: Option<&str>, forwarded_proto: Option<&str>, listen: &str) -> String {
    let plain = |h: &&str| {
        !h.is_empty()
            && h.len() <= 255
            && h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
    };
    let host = host.filter(plain).unwrap_or(listen);
    let scheme = match forwarded_proto {
        Some(p) if p.eq_ignore_ascii_case("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

async fn svg(
    target: Target,
    host: Option<String>,
    proto: Option<String>,
    app: App,
    actor: Actor,
) -> Result<Response, Infallible> {
    let origin = origin(
        host.as_deref(),
        proto.as_deref(),
        &app.config.addr.to_string(),
    );
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
        .and(warp::header::optional::<String>("host"))
        .and(warp::header::optional::<String>("x-forwarded-proto"))
        .and(with_app(app.clone()))
        .and(actor(app))
        .and_then(svg)
        .boxed()
}

#[cfg(test)]
mod tests {
    use super::origin;

    #[test]
    fn the_origin_is_the_host_the_caller_used() {
        assert_eq!(
            origin(Some("10.0.0.5:8080"), None, "0.0.0.0:8080"),
            "http://10.0.0.5:8080"
        );
        assert_eq!(
            origin(Some("shop.lan"), Some("https"), "x"),
            "https://shop.lan"
        );
        assert_eq!(
            origin(Some("evil/\"><script>"), None, "127.0.0.1:80"),
            "http://127.0.0.1:80"
        );
    }
}
