//! Routes that change a task: the operator's start, pause, resume, progress, complete,
//! release and acknowledge (a changed target); the supervisor's assign, unassign, split and
//! cancel; and the all-or-nothing batch.

use super::auth::{actor, with_app};
use super::input::{body, optional_json, parse_json};
use super::ok;
use crate::service::{task_batch, task_control, task_work, Actor, Error};
use crate::App;
use bytes::Bytes;
use std::convert::Infallible;
use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::Filter;

async fn act(
    id: i64,
    name: String,
    app: App,
    body: Bytes,
    actor: Actor,
) -> Result<Response, Infallible> {
    let store = &app.store;
    let actor = &actor;
    // A split answers with both tasks.
    if name == "split" {
        return ok(match parse_json(&body) {
            Ok(input) => task_control::split_task(store, actor, id, input).await,
            Err(e) => Err(e),
        });
    }
    ok(match name.as_str() {
        "start" => task_work::start_task(store, actor, id).await,
        "pause" => task_work::pause_task(store, actor, id).await,
        "resume" => task_work::resume_task(store, actor, id).await,
        "release" => task_work::release_task(store, actor, id).await,
        "acknowledge" => task_work::acknowledge_task(store, actor, id).await,
        "progress" => match parse_json(&body) {
            Ok(input) => task_work::report_progress(store, actor, id, input).await,
            Err(e) => Err(e),
        },
        // A completion states the task's final totals.
        "complete" => match parse_json(&body) {
            Ok(input) => task_work::complete_task(store, actor, id, input).await,
            Err(e) => Err(e),
        },
        "handover" => match parse_json(&body) {
            Ok(input) => task_control::handover_task(store, actor, id, input).await,
            Err(e) => Err(e),
        },
        "assign" => match parse_json(&body) {
            Ok(input) => task_control::assign_task(store, actor, id, input).await,
            Err(e) => Err(e),
        },
        "unassign" => match optional_json(&body) {
            Ok(input) => task_control::unassign_task(store, actor, id, input).await,
            Err(e) => Err(e),
        },
        "cancel" => match optional_json(&body) {
            Ok(input) => task_control::cancel_task(store, actor, id, input).await,
            Err(e) => Err(e),
        },
        other => Err(Error::not_found(format!("task action '{other}'"))),
    })
}

pub fn routes(app: App) -> BoxedFilter<(Response,)> {
    let batch = warp::path!("tasks" / "batch")
        .and(warp::post())
        .and(with_app(app.clone()))
        .and(body())
        .and(actor(app.clone()))
        .and_then(|app: App, body: Bytes, actor: Actor| async move {
            ok(match parse_json(&body) {
                Ok(input) => task_batch::run_batch(&app.store, &actor, input).await,
                Err(e) => Err(e),
            })
        })
        .boxed();
    let act = warp::path!("tasks" / i64 / String)
        .and(warp::post())
        .and(with_app(app.clone()))
        .and(body())
        .and(actor(app))
        .and_then(act);
    batch.or(act).unify().boxed()
}
