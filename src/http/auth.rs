//! Who is calling: bearer tokens and the session cookie become an `Actor`; login and logout.

use super::errors::reject;
use super::input::{body, parse_json};
use super::login_limit::LoginLimiter;
use super::respond;
use crate::service::{users, Actor, Error};
use crate::App;
use bytes::Bytes;
use serde::Deserialize;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

pub const SESSION_COOKIE: &str = "presswork_session";

pub fn with_app(app: App) -> impl Filter<Extract = (App,), Error = Infallible> + Clone {
    warp::any().map(move || app.clone())
}

fn bearer(header: Option<String>) -> Option<String> {
    header.and_then(|h| h.strip_prefix("Bearer ").map(|t| t.trim().to_owned()))
}

/// The token of this request: the `Authorization` header first, then the session cookie.
pub fn token() -> impl Filter<Extract = (Option<String>,), Error = Infallible> + Clone {
    warp::header::optional::<String>("authorization")
        .and(warp::cookie::optional::<String>(SESSION_COOKIE))
        .map(|header, cookie: Option<String>| bearer(header).or(cookie))
        .or(warp::any().map(|| None))
        .unify()
}

/// Requires a signed-in user and yields them as an `Actor`.
pub fn actor(app: App) -> impl Filter<Extract = (Actor,), Error = Rejection> + Clone {
    token()
        .and(with_app(app))
        .and_then(|token: Option<String>, app: App| async move {
            let token = token.ok_or_else(|| reject(Error::Unauthorized("sign in first".into())))?;
            users::authenticate(&app.store, token).await.map_err(reject)
        })
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    #[schemars(length(min = 1, max = 200))]
    username: String,
    #[schemars(length(min = 1, max = 200))]
    password: String,
}

/// The session cookie; `Secure` whenever presswork serves HTTPS, so it never travels in
/// the clear.
fn session_cookie(token: &str, max_age_s: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{secure}"
    )
}

async fn login(
    app: App,
    limiter: Arc<LoginLimiter>,
    remote: Option<SocketAddr>,
    body: Bytes,
) -> Result<Response, Infallible> {
    let result = match parse_json::<Credentials>(&body) {
        Ok(c) => {
            // The slot is taken before the password is checked, so attempts sent together
            // cannot pass the limit; a failure keeps it, a success gives it back.
            let attempt = match limiter.admit(remote.map(|a| a.ip()), &c.username) {
                Ok(attempt) => attempt,
                Err(wait) => return Ok(rate_limited(wait)),
            };
            let result = users::login(&app.store, c.username, c.password).await;
            if result.is_ok() {
                limiter.succeeded(attempt);
            }
            result
        }
        Err(e) => Err(e),
    };
    let cookie = result
        .as_ref()
        .ok()
        .map(|r| session_cookie(&r.token, users::SESSION_TTL_MS / 1000, app.config.tls()));
    let response = respond(StatusCode::OK, result);
    Ok(match cookie {
        Some(c) => warp::reply::with_header(response, "set-cookie", c).into_response(),
        None => response,
    })
}

fn rate_limited(wait: std::time::Duration) -> Response {
    let seconds = wait.as_secs().max(1);
    let e = Error::TooManyRequests(format!(
        "too many sign-in attempts; try again in {seconds} seconds"
    ));
    let response = super::errors::error_response(&e);
    warp::reply::with_header(response, "retry-after", seconds.to_string()).into_response()
}

async fn logout(app: App, token: Option<String>) -> Result<Response, Infallible> {
    if let Some(token) = token {
        if let Err(e) = users::logout(&app.store, &app.hub, token).await {
            return Ok(super::errors::error_response(&e));
        }
    }
    let response = respond(StatusCode::OK, Ok(serde_json::json!({"ok": true})));
    Ok(warp::reply::with_header(
        response,
        "set-cookie",
        session_cookie("", 0, app.config.tls()),
    )
    .into_response())
}

pub fn routes(app: App) -> warp::filters::BoxedFilter<(Response,)> {
    let limiter = Arc::new(LoginLimiter::new(
        app.config.login_limit_ip,
        app.config.login_limit_user,
    ));
    let login = warp::path!("auth" / "login")
        .and(warp::post())
        .and(with_app(app.clone()))
        .and(warp::any().map(move || limiter.clone()))
        .and(warp::addr::remote())
        .and(body())
        .and_then(login);
    let logout = warp::path!("auth" / "logout")
        .and(warp::post())
        .and(with_app(app.clone()))
        .and(token())
        .and_then(logout);
    // Asking who one is renews the browser's cookie, whose end moves with the session's.
    let tls = app.config.tls();
    let me = warp::path!("auth" / "me")
        .and(super::get_or_head())
        .and(actor(app))
        .and(warp::header::optional::<String>("authorization"))
        .and(warp::cookie::optional::<String>(SESSION_COOKIE))
        .map(
            move |actor: Actor, header: Option<String>, cookie: Option<String>| {
                let response = warp::reply::json(&actor).into_response();
                match cookie.filter(|_| bearer(header).is_none()) {
                    Some(token) => warp::reply::with_header(
                        response,
                        "set-cookie",
                        session_cookie(&token, users::SESSION_TTL_MS / 1000, tls),
                    )
                    .into_response(),
                    None => response,
                }
            },
        );
    login.or(logout).unify().or(me).unify().boxed()
}
