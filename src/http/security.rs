//! Browser-facing protections: the Origin check on cookie-authenticated writes and live
//! connections (a page on another site cannot make a signed-in browser change or read
//! anything) and on sign-in (nor sign it in as someone else), and the security headers on
//! every response. Bearer-token clients are exempt from the Origin check: a token is never
//! sent by a browser on its own.

use super::auth::SESSION_COOKIE;
use super::errors::Refused;
use std::convert::Infallible;
use std::sync::Arc;
use warp::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; \
                   form-action 'self'; frame-ancestors 'none'";

/// `scheme://host[:port]` → `host[:port]`, lowercased.
fn authority(origin: &str) -> Option<String> {
    let rest = origin.split_once("://")?.1;
    let host = rest.split('/').next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

fn uses_session_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(';')
                .any(|c| c.trim_start().starts_with(SESSION_COOKIE))
        })
}

/// Why a request with these headers must be refused, if it must: a cookie-authenticated
/// write or WebSocket handshake, or a sign-in, from another site's page.
pub fn origin_problem(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    allowed: &[String],
) -> Option<String> {
    let upgrade = headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let login = path == "/api/v1/auth/login";
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) && !upgrade {
        return None;
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "));
    if bearer || !(login || uses_session_cookie(headers)) {
        return None;
    }
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    // Browsers send Origin on every cross-site write; Referer is the fallback for old ones.
    let origin = text(header::ORIGIN).or_else(|| text(header::REFERER))?;
    let host = text(header::HOST).map(str::to_ascii_lowercase);
    let origin_lc = origin.trim_end_matches('/').to_ascii_lowercase();
    let same_host = authority(origin).is_some() && authority(origin) == host;
    let listed = allowed
        .iter()
        .any(|a| origin_lc.starts_with(a.as_str()) && authority(&origin_lc) == authority(a));
    if same_host || listed {
        return None;
    }
    Some(format!(
        "this request came from {origin}, not from this server's own page; sign in here instead"
    ))
}

/// The host the caller used: the Host header, or under HTTP/2 (which browsers speak over
/// TLS) the request's `:authority`, where a Host header is usually absent. A malformed one
/// counts as missing here; it is never a reason to refuse on its own.
pub fn caller_host() -> impl Filter<Extract = (Option<String>,), Error = Infallible> + Clone {
    warp::host::optional()
        .map(|a: Option<warp::host::Authority>| a.map(|a| a.as_str().to_owned()))
        .or(warp::any().map(|| None))
        .unify()
}

/// Refuses cookie-authenticated writes whose Origin is another site.
pub fn same_origin(
    allowed: Arc<Vec<String>>,
) -> impl Filter<Extract = (), Error = Rejection> + Clone {
    warp::method()
        .and(warp::path::full())
        .and(warp::header::headers_cloned())
        .and(caller_host())
        .and_then(
            move |method: Method,
                  path: warp::path::FullPath,
                  mut headers: HeaderMap,
                  host: Option<String>| {
                if !headers.contains_key(header::HOST) {
                    if let Some(value) = host.and_then(|h| HeaderValue::from_str(&h).ok()) {
                        headers.insert(header::HOST, value);
                    }
                }
                let problem = origin_problem(&method, path.as_str(), &headers, &allowed);
                async move {
                    match problem {
                        None => Ok(()),
                        Some(message) => Err(warp::reject::custom(Refused {
                            status: StatusCode::FORBIDDEN,
                            code: "origin_mismatch",
                            message,
                        })),
                    }
                }
            },
        )
        .untuple_one()
}

/// Adds the security headers a response does not already carry.
pub fn headers(mut response: Response, tls: bool) -> Response {
    let h = response.headers_mut();
    let mut set = |name: &'static str, value: &'static str| {
        if !h.contains_key(name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set("x-content-type-options", "nosniff");
    set("x-frame-options", "DENY");
    set("referrer-policy", "same-origin");
    set("content-security-policy", CSP);
    set("cross-origin-opener-policy", "same-origin");
    set("cross-origin-resource-policy", "same-origin");
    set(
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    );
    if tls {
        set("strict-transport-security", "max-age=31536000");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn only_cross_site_cookie_writes_are_refused() {
        let cookie = ("cookie", "presswork_session=abc");
        let host = ("host", "192.168.1.5:8080");
        let post = Method::POST;
        let evil = req(&[cookie, host, ("origin", "http://evil.example")]);
        assert!(origin_problem(&post, "/api/v1/tasks/1/claim", &evil, &[]).is_some());
        assert!(origin_problem(&Method::GET, "/api/v1/tasks/1/claim", &evil, &[]).is_none());
        let same = req(&[cookie, host, ("origin", "http://192.168.1.5:8080")]);
        assert!(origin_problem(&post, "/api/v1/tasks/1/claim", &same, &[]).is_none());
        let bearer = req(&[
            cookie,
            host,
            ("origin", "http://evil.example"),
            ("authorization", "Bearer t"),
        ]);
        assert!(origin_problem(&post, "/api/v1/tasks/1/claim", &bearer, &[]).is_none());
        let no_cookie = req(&[host, ("origin", "http://evil.example")]);
        assert!(origin_problem(&post, "/api/v1/tasks/1/claim", &no_cookie, &[]).is_none());
        let proxy = req(&[cookie, host, ("origin", "https://print.example.com")]);
        let allowed = vec!["https://print.example.com".to_owned()];
        assert!(origin_problem(&post, "/api/v1/tasks/1/claim", &proxy, &allowed).is_none());
        let lookalike = req(&[
            cookie,
            host,
            ("origin", "https://print.example.com.evil.io"),
        ]);
        assert!(origin_problem(&post, "/api/v1/tasks/1/claim", &lookalike, &allowed).is_some());
        let referer = req(&[cookie, host, ("referer", "http://evil.example/page")]);
        assert!(origin_problem(&post, "/api/v1/tasks/1/claim", &referer, &[]).is_some());
    }

    #[test]
    fn sign_in_and_live_connections_need_the_pages_own_origin_too() {
        let host = ("host", "192.168.1.5:8080");
        let login = "/api/v1/auth/login";
        let evil = req(&[host, ("origin", "http://evil.example")]);
        assert!(origin_problem(&Method::POST, login, &evil, &[]).is_some());
        let own = req(&[host, ("origin", "http://192.168.1.5:8080")]);
        assert!(origin_problem(&Method::POST, login, &own, &[]).is_none());
        // curl and scripts send no Origin at all.
        assert!(origin_problem(&Method::POST, login, &req(&[host]), &[]).is_none());
        let events = "/api/v1/events";
        let upgrade = ("upgrade", "websocket");
        let cookie = ("cookie", "presswork_session=abc");
        let foreign = req(&[host, cookie, upgrade, ("origin", "http://evil.example")]);
        assert!(origin_problem(&Method::GET, events, &foreign, &[]).is_some());
        let own = req(&[host, cookie, upgrade, ("origin", "http://192.168.1.5:8080")]);
        assert!(origin_problem(&Method::GET, events, &own, &[]).is_none());
    }
}
