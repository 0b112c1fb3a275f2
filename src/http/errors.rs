//! The one mapping from errors to HTTP: service errors and warp rejections alike become
//! `{"error":{"code","message","field"?}}` with the right status.

use super::route_table::{is_api, methods_at};
use crate::service::Error;
use serde_json::json;
use std::convert::Infallible;
use warp::http::StatusCode;
use warp::reject::Reject;
use warp::reply::Response;
use warp::{Rejection, Reply};

/// A service error travelling through warp's rejection path (from filters such as auth).
#[derive(Debug)]
pub struct ApiReject(pub Error);
impl Reject for ApiReject {}

/// A refusal decided at the HTTP edge with its own stable code (e.g. `origin_mismatch`).
#[derive(Debug)]
pub struct Refused {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}
impl Reject for Refused {}

pub fn reject(e: Error) -> Rejection {
    warp::reject::custom(ApiReject(e))
}

/// The last filter of the tree rejects with this, so the one `recover` knows the method and
/// path of a request no route took, and can tell "no such route" (404) from "wrong method"
/// (405 with `Allow`) and "not an id" (404) using the route table.
#[derive(Debug)]
pub struct RouteMiss {
    pub method: warp::http::Method,
    pub path: String,
}
impl Reject for RouteMiss {}

pub fn route_miss() -> impl warp::Filter<Extract = (Response,), Error = Rejection> + Clone {
    use warp::Filter;
    warp::method().and(warp::path::full()).and_then(
        |method, path: warp::path::FullPath| async move {
            Err::<Response, _>(warp::reject::custom(RouteMiss {
                method,
                path: path.as_str().to_owned(),
            }))
        },
    )
}

/// An API path no route took: no such route (404), a route that takes other methods (405),
/// or one whose id segment did not parse (404). Misses outside the API never come here.
fn answer_miss(miss: &RouteMiss) -> Response {
    let allowed = methods_at(&miss.path);
    if allowed.is_empty() {
        return plain(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such page or API route",
        );
    }
    if allowed.contains(&miss.method.as_str()) {
        // The route exists for this method, so a segment did not parse as an id.
        return plain(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such record: the id in the path is not a valid id",
        );
    }
    let mut response = plain(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take that method",
    );
    if let Ok(value) = warp::http::HeaderValue::from_str(&allowed.join(", ")) {
        response
            .headers_mut()
            .insert(warp::http::header::ALLOW, value);
    }
    response
}

fn status_and_code(e: &Error) -> (StatusCode, String) {
    match e {
        Error::NotFound(_) => (StatusCode::NOT_FOUND, "not_found".into()),
        Error::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden".into()),
        Error::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized".into()),
        Error::Conflict { code, .. } => (StatusCode::CONFLICT, code.clone()),
        Error::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field".into()),
        Error::Malformed(_) => (StatusCode::BAD_REQUEST, "malformed_json".into()),
        Error::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large".into()),
        Error::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into()),
        Error::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable".into()),
        Error::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal".into()),
        Error::Batch { .. } => (StatusCode::CONFLICT, "batch_failed".into()),
    }
}

fn message_of(e: &Error) -> String {
    match e {
        // The cause was logged where it happened; the client gets a short, safe sentence.
        Error::Internal(_) => "something went wrong on the server; nothing was changed".to_owned(),
        Error::Invalid { field, reason, .. } => format!("{field}: {reason}"),
        other => other.to_string(),
    }
}

pub fn error_response(e: &Error) -> Response {
    let (status, code) = status_and_code(e);
    let mut body = json!({"error": {"code": code, "message": message_of(e)}});
    if let Error::Invalid { field, rule, .. } = e {
        body["error"]["field"] = json!(field);
        body["error"]["details"] = json!(rule);
    }
    if let Error::Conflict {
        details: Some(details),
        ..
    } = e
    {
        body["error"]["details"] = details.clone();
    }
    if let Error::Batch { failures, .. } = e {
        // Each failing item with the code and message it would have had on its own.
        let failures: Vec<_> = failures
            .iter()
            .map(|(id, e)| {
                let mut item =
                    json!({"id": id, "code": status_and_code(e).1, "message": message_of(e)});
                if let Error::Invalid { field, rule, .. } = e {
                    item["field"] = json!(field);
                    item["details"] = json!(rule);
                }
                if let Error::Conflict {
                    details: Some(details),
                    ..
                } = e
                {
                    item["details"] = details.clone();
                }
                item
            })
            .collect();
        body["error"]["details"] = json!({ "failures": failures });
    }
    let mut response = warp::reply::with_status(warp::reply::json(&body), status).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            warp::http::header::WWW_AUTHENTICATE,
            warp::http::HeaderValue::from_static("Bearer"),
        );
    }
    response
}

fn plain(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({"error": {"code": code, "message": message}});
    warp::reply::with_status(warp::reply::json(&body), status).into_response()
}

/// The single `recover`: every rejection leaves as a JSON error.
pub async fn recover(rejection: Rejection) -> Result<Response, Infallible> {
    // Outside the API only the web UI's pages and files are served: anything else is a
    // missing page, whatever an API route made of the path on its way.
    if rejection
        .find::<RouteMiss>()
        .is_some_and(|m| !is_api(&m.path))
    {
        return Ok(plain(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such page or file",
        ));
    }
    if let Some(ApiReject(e)) = rejection.find::<ApiReject>() {
        return Ok(error_response(e));
    }
    if let Some(r) = rejection.find::<Refused>() {
        return Ok(plain(r.status, r.code, &r.message));
    }
    let response = if rejection.find::<warp::reject::PayloadTooLarge>().is_some() {
        plain(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "the request body is too large",
        )
    } else if let Some(miss) = rejection.find::<RouteMiss>() {
        answer_miss(miss)
    } else if rejection.is_not_found() {
        plain(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such page or API route",
        )
    } else if rejection.find::<warp::reject::PayloadTooLarge>().is_some() {
        plain(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "the request body is too large",
        )
    } else if rejection.find::<warp::reject::MethodNotAllowed>().is_some() {
        plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this route does not take that method",
        )
    } else if rejection.find::<warp::reject::LengthRequired>().is_some() {
        plain(
            StatusCode::LENGTH_REQUIRED,
            "length_required",
            "send a Content-Length header",
        )
    } else if rejection
        .find::<warp::reject::UnsupportedMediaType>()
        .is_some()
    {
        plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send application/json",
        )
    } else if rejection.find::<warp::reject::InvalidQuery>().is_some() {
        plain(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "the query string is not valid",
        )
    } else if rejection.find::<warp::reject::MissingHeader>().is_some()
        || rejection.find::<warp::reject::InvalidHeader>().is_some()
    {
        plain(
            StatusCode::BAD_REQUEST,
            "invalid_header",
            "a required header is missing or invalid",
        )
    } else {
        tracing::warn!(?rejection, "unhandled rejection");
        plain(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "the request could not be understood",
        )
    };
    Ok(response)
}
