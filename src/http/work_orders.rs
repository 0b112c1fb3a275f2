//! Routes for work orders: create, list, read, edit, and the approval flow.

use super::auth::{actor, with_app};
use super::input::{body, optional_json, parse_json, parse_query, query};
use super::{ok, respond};
use crate::service::{gates, work_order_flow as flow, work_orders, Actor, Error};
use crate::App;
use bytes::Bytes;
use serde::Deserialize;
use std::convert::Infallible;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

async fn create(app: App, body: Bytes, actor: Actor) -> Result<Response, Infallible> {
    let result = match parse_json(&body) {
        Ok(input) => work_orders::create_work_order(&app.store, &actor, input).await,
        Err(e) => Err(e),
    };
    Ok(respond(StatusCode::CREATED, result))
}

async fn list(app: App, actor: Actor, query: String) -> Result<Response, Infallible> {
    ok(match parse_query(&query) {
        Ok(filter) => work_orders::list_work_orders(&app.store, &actor, filter).await,
        Err(e) => Err(e),
    })
}

async fn edit(id: i64, app: App, body: Bytes, actor: Actor) -> Result<Response, Infallible> {
    ok(match parse_json(&body) {
        Ok(patch) => work_orders::edit_work_order(&app.store, &actor, id, patch).await,
        Err(e) => Err(e),
    })
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    #[schemars(length(min = 1, max = 4000), regex(pattern = crate::domain::work_order::REQUIRED_TEXT_PATTERN))]
    reason: String,
}

fn reason(body: &[u8]) -> Result<String, Error> {
    parse_json::<Reason>(body).map(|r| r.reason)
}

async fn act(
    id: i64,
    action: String,
    app: App,
    body: Bytes,
    actor: Actor,
) -> Result<Response, Infallible> {
    let store = &app.store;
    ok(match action.as_str() {
        "submit" => flow::submit_work_order(store, &actor, id).await,
        "approve" => flow::approve_work_order(store, &actor, id).await,
        "reject" => match reason(&body) {
            Ok(r) => flow::reject_work_order(store, &actor, id, r).await,
            Err(e) => Err(e),
        },
        "cancel" => match reason(&body) {
            Ok(r) => flow::cancel_work_order(store, &actor, id, r).await,
            Err(e) => Err(e),
        },
        other => Err(Error::not_found(format!("work order action '{other}'"))),
    })
}

async fn tick(
    id: i64,
    code: String,
    app: App,
    body: Bytes,
    actor: Actor,
) -> Result<Response, Infallible> {
    ok(match optional_json(&body) {
        Ok(tick) => gates::tick_gate(&app.store, &actor, id, code, tick).await,
        Err(e) => Err(e),
    })
}

async fn new_gate(app: App, body: Bytes, actor: Actor) -> Result<Response, Infallible> {
    let result = match parse_json(&body) {
        Ok(input) => gates::create_gate(&app.store, &actor, input).await,
        Err(e) => Err(e),
    };
    Ok(respond(StatusCode::CREATED, result))
}

pub fn routes(app: App) -> warp::filters::BoxedFilter<(Response,)> {
    let tick = warp::path!("work-orders" / i64 / "gates" / String)
        .and(warp::post())
        .and(with_app(app.clone()))
        .and(body())
        .and(actor(app.clone()))
        .and_then(tick);
    let list_gates = warp::path!("gates")
        .and(super::get_or_head())
        .and(with_app(app.clone()))
        .and(actor(app.clone()))
        .and_then(|app: App, actor: Actor| async move {
            ok(gates::list_gates(&app.store, &actor).await)
        });
    let new_gate = warp::path!("gates")
        .and(warp::post())
        .and(with_app(app.clone()))
        .and(body())
        .and(actor(app.clone()))
        .and_then(new_gate);
    let create = warp::path!("work-orders")
        .and(warp::post())
        .and(with_app(app.clone()))
        .and(body())
        .and(actor(app.clone()))
        .and_then(create);
    let list = warp::path!("work-orders")
        .and(super::get_or_head())
        .and(with_app(app.clone()))
        .and(actor(app.clone()))
        .and(query())
        .and_then(list);
    let get = warp::path!("work-orders" / i64)
        .and(super::get_or_head())
        .and(with_app(app.clone()))
        .and(actor(app.clone()))
        .and_then(|id, app: App, actor: Actor| async move {
            ok(work_orders::get_work_order(&app.store, &actor, id).await)
        });
    let edit = warp::path!("work-orders" / i64)
        .and(warp::patch())
        .and(with_app(app.clone()))
        .and(body())
        .and(actor(app.clone()))
        .and_then(edit);
    let act = warp::path!("work-orders" / i64 / String)
        .and(warp::post())
        .and(with_app(app.clone()))
        .and(body())
        .and(actor(app))
        .and_then(act);
    tick.or(list_gates)
        .unify()
        .or(new_gate)
        .unify()
        .or(create)
        .unify()
        .or(list)
        .unify()
        .or(get)
        .unify()
        .or(edit)
        .unify()
        .or(act)
        .unify()
        .boxed()
}
