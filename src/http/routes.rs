//! The whole route tree, the security headers, and the single `recover`.

use super::{
    admin, assets, auth, catalog, departments, errors, history, notifications, qr, scrap_reasons,
    stats, task_actions, tasks, work_orders, ws,
};
use crate::App;
use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::{Filter, Reply};

pub fn api(app: App) -> BoxedFilter<(Response,)> {
    let allowed = std::sync::Arc::new(app.config.allowed_origins.clone());
    warp::path("api")
        .and(warp::path("v1"))
        .and(super::security::same_origin(allowed))
        .and(
            auth::routes(app.clone())
                .or(catalog::routes(app.clone()))
                .unify()
                .or(admin::routes(app.clone()))
                .unify()
                .or(work_orders::routes(app.clone()))
                .unify()
                .or(departments::routes(app.clone()))
                .unify()
                .or(stats::routes(app.clone()))
                .unify()
                .or(tasks::routes(app.clone()))
                .unify()
                .or(task_actions::routes(app.clone()))
                .unify()
                .or(history::routes(app.clone()))
                .unify()
                .or(scrap_reasons::routes(app.clone()))
                .unify()
                .or(qr::routes(app.clone()))
                .unify()
                .or(ws::routes(app.clone()))
                .unify()
                .or(notifications::routes(app))
                .unify()
                .or(openapi_route())
                .unify(),
        )
        .boxed()
}

fn openapi_route() -> BoxedFilter<(Response,)> {
    let document = std::sync::Arc::new(super::openapi::document());
    warp::path!("openapi.json")
        .and(super::get_or_head())
        .map(move || warp::reply::json(&*document).into_response())
        .boxed()
}

fn health(app: App) -> BoxedFilter<(Response,)> {
    warp::path!("healthz")
        .and(super::get_or_head())
        .and(auth::with_app(app))
        .and_then(|app: App| async move {
            let result = crate::service::health::check(&app.store).await;
            super::ok(result)
        })
        .boxed()
}

pub fn routes(app: App) -> BoxedFilter<(Response,)> {
    let tls = app.config.tls();
    let metrics = app.metrics.clone();
    api(app.clone())
        .or(health(app.clone()))
        .unify()
        .or(super::ops::metrics(app))
        .unify()
        .or(assets::routes())
        .unify()
        .or(errors::route_miss())
        .unify()
        .recover(errors::recover)
        .unify()
        .map(move |r: Response| super::security::headers(r, tls))
        .with(warp::log::custom(move |info| {
            metrics.observe_request(
                info.method().as_str(),
                super::route_table::template_of(info.path(), info.status().as_u16()),
                info.status().as_u16(),
                info.elapsed(),
            )
        }))
        .with(warp::trace::request())
        .map(warp::reply::Reply::into_response)
        .boxed()
}
