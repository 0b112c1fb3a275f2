//! The whole route tree, the security headers, and the single `recover`.

use super::{assets, auth, catalog, dashboard, errors, qr, tasks, work_orders};
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
                .or(tasks::routes(app.clone()))
                .unify()
                .or(qr::routes(app.clone()))
                .unify()
                .or(dashboard::routes(app))
                .unify(),
        )
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
        .recover(errors::recover)
        .unify()
        .map(|r: Response| {
            let r = warp::reply::with_header(r, "x-content-type-options", "nosniff");
            let r = warp::reply::with_header(r, "x-frame-options", "DENY");
            let r = warp::reply::with_header(r, "referrer-policy", "same-origin");
            r.into_response()
        })
        .with(warp::trace::request())
        .map(|r| warp::reply::Reply::into_response(r))
        .boxed()
}
