//! The whole route tree, the security headers, and the single `recover`.

use super::{
    assets, auth, catalog, departments, errors, history, notifications, qr, scrap_reasons, stats,
    task_actions, tasks, work_orders, ws,
};
use crate::App;
use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::{Filter, Reply};

pub fn api(app: App) -> BoxedFilter<(Response,)> {
    warp::path("api")
        .and(warp::path("v1"))
        .and(
            auth::routes(app.clone())
                .or(catalog::routes(app.clone()))
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
        .and(warp::get())
        .map(move || warp::reply::json(&*document).into_response())
        .boxed()
}

fn health(app: App) -> BoxedFilter<(Response,)> {
    warp::path!("healthz")
        .and(warp::get())
        .and(auth::with_app(app))
        .and_then(|app: App| async move {
            let result = crate::service::health::check(&app.store).await;
            super::ok(result)
        })
        .boxed()
}

pub fn routes(app: App) -> BoxedFilter<(Response,)> {
    api(app.clone())
        .or(health(app))
        .unify()
        .or(assets::routes())
        .unify()
        .or(errors::route_miss())
        .unify()
        .recover(errors::recover)
        .unify()
        .map(|r: Response| {
            let r = warp::reply::with_header(r, "x-content-type-options", "nosniff");
            let r = warp::reply::with_header(r, "x-frame-options", "DENY");
            let r = warp::reply::with_header(r, "referrer-policy", "same-origin");
            r.into_response()
        })
        .with(warp::trace::request())
        .map(warp::reply::Reply::into_response)
        .boxed()
}
