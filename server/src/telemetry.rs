//! Metrics for operators, in Prometheus text format, served on a listen
//! address of their own (`METRICS_ADDR`), never on the public one.
//!
//! Code anywhere records through the `metrics` facade (`counter!`,
//! `histogram!`); with no `METRICS_ADDR` no recorder is installed and those
//! calls do nothing. What is recorded, by whom:
//!
//! - `http_requests_total`, `http_request_duration_seconds` (histogram, time
//!   until the response's head), by `method`, `route` (the route template,
//!   e.g. `/courses/{slug}`, so addresses cannot multiply the series) and
//!   `status`; `http_requests_in_flight` — [`RecordRequestsLayer`] here.
//! - `db_pool_connections` by `pool` (`primary`, `read`) and `state` (`idle`,
//!   `in_use`), `db_pool_max_connections`, `db_read_replica_usable`: sampled
//!   at each scrape. `db_read_replica_lag_seconds`: `read_replica`.
//! - `profile_writer_batch_size` (histogram): `app::profile::writer`.
//! - `recommendation_duration_seconds` by `model` (histogram),
//!   `recommendation_fallbacks_total` by `model` and `reason`,
//!   `recommendation_model_tokens_total` by `model` and `kind`:
//!   `app::recommend::service`.
//! - `throttle_refusals_total` by `action` and `limit`: `app::account::throttle`.
//! - `cache_lookups_total` by `cache` (`page`, `search`, `session`,
//!   `signed_in_page`, `user_check`) and
//!   `result` (`hit`, `miss`).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sqlx::PgPool;

use app::read_pool::ReadPool;

/// Request and recommendation latencies, in seconds: from a cached page
/// (well under a millisecond) to a language model's answer (tens of seconds).
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Saves per statement: 1 up to the writer's limit of 64.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

/// How often recorded histogram samples are folded into their buckets when
/// nobody scrapes (the exporter keeps them until then).
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// The process's recorder, installed on first use. One per process: the
/// `metrics` facade has one global recorder.
pub fn recorder() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(install).clone()
}

fn install() -> PrometheusHandle {
    let recorder = PrometheusBuilder::new()
        .set_buckets(LATENCY_BUCKETS)
        .and_then(|builder| {
            builder.set_buckets_for_metric(
                Matcher::Full("profile_writer_batch_size".to_owned()),
                BATCH_BUCKETS,
            )
        })
        .expect("bucket lists are constants and not empty")
        .build_recorder();
    let handle = recorder.handle();
    if metrics::set_global_recorder(recorder).is_err() {
        tracing::error!("another metrics recorder was installed first; /metrics will stay empty");
    }
    describe();
    handle
}

/// The `# HELP` lines.
fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "http_requests_total",
        "HTTP requests answered, by route template and status"
    );
    describe_histogram!(
        "http_request_duration_seconds",
        Unit::Seconds,
        "Time from a request's arrival to its response's head"
    );
    describe_gauge!("http_requests_in_flight", "HTTP requests being served");
    describe_gauge!(
        "db_pool_connections",
        "Open database connections, idle or in use"
    );
    describe_gauge!(
        "db_pool_max_connections",
        "The most connections the pool opens"
    );
    describe_gauge!(
        "db_read_replica_usable",
        "1 while catalog reads go to the read replica, 0 while they go to the primary"
    );
    describe_gauge!(
        "db_read_replica_lag_seconds",
        Unit::Seconds,
        "How far the read replica's replay is behind the primary, as last measured"
    );
    describe_histogram!(
        "profile_writer_batch_size",
        "Profile saves written by one statement"
    );
    describe_histogram!(
        "recommendation_duration_seconds",
        Unit::Seconds,
        "Time to make a recommendation, by the model that answered"
    );
    describe_counter!(
        "recommendation_fallbacks_total",
        "Recommendations the built-in ranker answered because the model failed, by reason"
    );
    describe_counter!(
        "recommendation_model_tokens_total",
        "Tokens a language model reported using, by model and kind"
    );
    describe_counter!(
        "throttle_refusals_total",
        "Logins, sign-ups and reset requests refused by a limit"
    );
    describe_counter!("cache_lookups_total", "Cache lookups by cache and result");
}

/// Folds histogram samples into buckets now and then, so memory stays flat
/// between scrapes.
pub async fn keep_up(handle: PrometheusHandle) {
    let mut interval = tokio::time::interval(UPKEEP_INTERVAL);
    loop {
        interval.tick().await;
        handle.run_upkeep();
    }
}

/// The route templates requests are counted under.
pub struct RouteNames(matchit::Router<&'static str>);

/// Requests no route matched, and the static files the fallback serves.
const OTHER_ROUTE: &str = "other";

impl RouteNames {
    /// Built once per process from the app's routes (whose list is itself
    /// made once) and every server function's path.
    pub fn get(app_routes: &[String]) -> &'static RouteNames {
        static NAMES: OnceLock<RouteNames> = OnceLock::new();
        NAMES.get_or_init(|| {
            let mut templates: Vec<String> = app_routes.to_vec();
            templates.extend(
                leptos::server_fn::axum::server_fn_paths().map(|(path, _method)| path.to_owned()),
            );
            templates.extend(
                [
                    "/healthz",
                    "/readyz",
                    "/admin/export/{name}",
                    "/offline/catalog.json",
                    "/pkg/{*file}",
                ]
                .map(str::to_owned),
            );
            let mut router = matchit::Router::new();
            for template in templates {
                let name: &'static str = Box::leak(template.into_boxed_str());
                // A path listed twice (a page and its server function may
                // share one) keeps its first name.
                let _ = router.insert(name, name);
            }
            RouteNames(router)
        })
    }

    pub fn name_of(&self, path: &str) -> &'static str {
        self.0.at(path).map_or(OTHER_ROUTE, |found| *found.value)
    }
}

fn method_name(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// Lowers the in-flight gauge however the request ends (a client that goes
/// away drops the future mid-way).
struct InFlight;

impl InFlight {
    /// The gauge's handle, looked up once rather than per request.
    fn gauge() -> &'static metrics::Gauge {
        static GAUGE: OnceLock<metrics::Gauge> = OnceLock::new();
        GAUGE.get_or_init(|| metrics::gauge!("http_requests_in_flight"))
    }

    fn start() -> Self {
        Self::gauge().increment(1.0);
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        Self::gauge().decrement(1.0);
    }
}

/// Counts and times every request. A plain tower layer rather than an axum
/// `from_fn`: that one boxes each request's future and clones the whole
/// stack of services beneath it per request, which showed on cached pages.
#[derive(Clone, Copy)]
pub struct RecordRequestsLayer {
    routes: &'static RouteNames,
}

impl RecordRequestsLayer {
    pub fn new(routes: &'static RouteNames) -> Self {
        Self { routes }
    }
}

impl<S> tower::Layer<S> for RecordRequestsLayer {
    type Service = RecordRequests<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RecordRequests {
            inner,
            routes: self.routes,
        }
    }
}

#[derive(Clone)]
pub struct RecordRequests<S> {
    inner: S,
    routes: &'static RouteNames,
}

impl<S> tower::Service<Request> for RecordRequests<S>
where
    S: tower::Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Recorded<S::Future>;

    fn poll_ready(
        &mut self,
        context: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let started = Instant::now();
        let in_flight = InFlight::start();
        let route = self.routes.name_of(request.uri().path());
        let method = method_name(request.method());
        Recorded {
            answer: self.inner.call(request),
            started,
            route,
            method,
            _in_flight: in_flight,
        }
    }
}

pin_project_lite::pin_project! {
    /// A request being served, recorded when its response's head is ready.
    pub struct Recorded<F> {
        #[pin]
        answer: F,
        started: Instant,
        route: &'static str,
        method: &'static str,
        _in_flight: InFlight,
    }
}

impl<F, E> std::future::Future for Recorded<F>
where
    F: std::future::Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        context: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.project();
        let answered = std::task::ready!(this.answer.poll(context));
        if let Ok(response) = &answered {
            let labels = [
                ("method", (*this.method).into()),
                ("route", (*this.route).into()),
                (
                    "status",
                    metrics::SharedString::from(response.status().as_u16().to_string()),
                ),
            ];
            metrics::counter!("http_requests_total", &labels).increment(1);
            metrics::histogram!("http_request_duration_seconds", &labels)
                .record(this.started.elapsed().as_secs_f64());
        }
        std::task::Poll::Ready(answered)
    }
}

/// The metrics listener's routes: `/metrics` only.
pub fn metrics_router(handle: PrometheusHandle, pools: ReadPool) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state((handle, pools))
}

async fn scrape(State((handle, pools)): State<(PrometheusHandle, ReadPool)>) -> Response {
    sample_pool("primary", pools.primary());
    if let Some(replica) = pools.replica() {
        sample_pool("read", replica);
        metrics::gauge!("db_read_replica_usable").set(f64::from(u8::from(pools.uses_replica())));
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        handle.render(),
    )
        .into_response()
}

fn sample_pool(name: &'static str, pool: &PgPool) {
    let size = f64::from(pool.size());
    let idle = pool.num_idle() as f64;
    metrics::gauge!("db_pool_connections", "pool" => name, "state" => "idle").set(idle);
    metrics::gauge!("db_pool_connections", "pool" => name, "state" => "in_use")
        .set((size - idle).max(0.0));
    metrics::gauge!("db_pool_max_connections", "pool" => name)
        .set(f64::from(pool.options().get_max_connections()));
}

#[cfg(test)]
pub mod prometheus_text;

#[cfg(test)]
mod tests;
