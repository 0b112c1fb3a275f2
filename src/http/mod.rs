//! The warp edge: thin handlers that parse, call one service function and map the result.
//! Nothing below this module knows about warp.

mod admin;
pub mod assets;
pub mod auth;
mod catalog;
mod departments;
pub mod errors;
mod history;
pub mod input;
mod login_limit;
mod notifications;
pub mod openapi;
mod ops;
mod qr;
mod route_table;
pub mod routes;
mod scrap_reasons;
pub mod security;
mod stats;
mod task_actions;
mod tasks;
pub mod work_orders;
mod ws;

pub use routes::routes;

use crate::service::Error;
use serde::Serialize;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Reply;

/// Turns a service result into a response: the value as JSON with `status`, or the error.
pub fn respond<T: Serialize>(status: StatusCode, result: Result<T, Error>) -> Response {
    match result {
        Ok(value) => warp::reply::with_status(warp::reply::json(&value), status).into_response(),
        Err(e) => errors::error_response(&e),
    }
}

pub fn ok<T: Serialize>(result: Result<T, Error>) -> Result<Response, std::convert::Infallible> {
    Ok(respond(StatusCode::OK, result))
}

/// GET, and HEAD wherever GET is served (hyper leaves the body out of a HEAD answer).
pub fn get_or_head() -> impl warp::Filter<Extract = (), Error = warp::Rejection> + Copy {
    use warp::Filter;
    warp::get().or(warp::head()).unify()
}
