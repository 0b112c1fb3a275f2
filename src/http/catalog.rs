//! Routes for the catalogue and people: processes, departments, users.

use super::auth::{actor, with_app};
use super::input::{body, parse_json};
use super::{ok, respond};
use crate::service::{catalog, users, Actor};
use crate::App;
use bytes::Bytes;
use std::convert::Infallible;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

async fn create_user(app: App, body: Bytes, actor: Actor) -> Result<Response, Infallible> {
    let result = match parse_json(&body) {
        Ok(user) => users::create_user(&app.store, &actor, user).await,
        Err(e) => Err(e),
    };
    Ok(respond(StatusCode::CREATED, result))
}

pub fn routes(app: App) -> warp::filters::BoxedFilter<(Response,)> {
    let processes = warp::path!("processes")
        .and(super::get_or_head())
        .and(with_app(app.clone()))
        .and(actor(app.clone()))
        .and_then(|app: App, actor: Actor| async move {
            ok(catalog::list_processes(&app.store, &actor).await)
        });
    let departments = warp::path!("departments")
        .and(super::get_or_head())
        .and(with_app(app.clone()))
        .and(actor(app.clone()))
        .and_then(|app: App, actor: Actor| async move {
            ok(catalog::list_departments(&app.store, &actor).await)
        });
    let list_users = warp::path!("users")
        .and(super::get_or_head())
        .and(with_app(app.clone()))
        .and(actor(app.clone()))
        .and_then(|app: App, actor: Actor| async move {
            ok(users::list_users(&app.store, &actor).await)
        });
    let create_user = warp::path!("users")
        .and(warp::post())
        .and(with_app(app.clone()))
        .and(body())
        .and(actor(app))
        .and_then(create_user);
    processes
        .or(departments)
        .unify()
        .or(list_users)
        .unify()
        .or(create_user)
        .unify()
        .boxed()
}
