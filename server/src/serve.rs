//! `serve`: import the catalog, build the router, listen until SIGTERM or
//! Ctrl-C (see `shutdown`).

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::FromRef;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use sqlx::PgPool;
use tower::util::MapRequestLayer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

use app::account::AccountSettings;
use app::account::mail::Mailer;
use app::account::user_checks::{self, UserChecks};
use app::catalog::search_cache;
use app::profile::writer::ProfileWriter;
use app::read_pool::ReadPool;
use app::{App, Services, shell};

use crate::config::ServeConfig;
use crate::csrf::{AllowedOrigin, reject_cross_site};
use crate::form_redirects::{FormRedirects, keep_redirects_on_site};
use crate::page_cache::{PageCache, serve_catalog_pages};
use crate::security_headers::{SecurityHeaders, add_security_headers};
use crate::session_cache::{self, RecentSessions};
use crate::session_store::PostgresSessions;
use crate::shutdown::{self, Deadlines, Readiness};
use crate::signed_in_pages::{SignedInPages, serve_signed_in_pages};
use crate::task_owner;
use crate::telemetry::{self, RouteNames};
use crate::{
    ServerError, admin_export, control_characters, health, import_catalog, offline, read_replica,
    request_id, security_headers,
};

/// How often expired sessions, old login failures and spent reset tokens go,
/// and the analytics are recomputed.
const CLEANUP_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// How often the maintenance loop looks at the age of the analytics: a
/// restart does not recompute figures that are still fresh, and a server
/// that restarts more often than hourly still refreshes them.
const ANALYTICS_CHECK_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// What handlers and server functions can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub read_pool: ReadPool,
    pub readiness: Readiness,
}

/// The router and the parts of it that serving and stopping need.
pub struct BuiltApp {
    pub router: Router,
    pub readiness: Readiness,
    pub profile_writer: ProfileWriter,
    pub read_pool: ReadPool,
}

pub async fn serve(pool: PgPool, config: ServeConfig) -> Result<(), ServerError> {
    if let Some(catalog) = config.catalog_to_import() {
        let summary = import_catalog::import_file(
            &pool,
            catalog,
            Some(&config.tag_categories_file)
                .filter(|path| path.exists())
                .map(|path| path.as_path()),
        )
        .await?;
        tracing::info!("catalog: {summary}");
    }

    let app = build(pool.clone(), &config).await?;
    tokio::spawn(clean_up_periodically(pool));
    if let Some(address) = config.operations.metrics_addr {
        let listener = bind(address).await?;
        let recorder = telemetry::recorder();
        tokio::spawn(telemetry::keep_up(recorder.clone()));
        let metrics = telemetry::metrics_router(recorder, app.read_pool.clone());
        tokio::spawn(async move {
            // Serves until the process ends, so the last figures of a
            // shutdown can still be scraped.
            if let Err(error) = axum::serve(listener, metrics).await {
                tracing::error!(%error, "the metrics listener stopped");
            }
        });
        tracing::info!("metrics at http://{address}/metrics");
    }
    let listener = bind(config.site_addr).await?;
    tracing::info!("AcmeLearn is ready at http://{}", config.site_addr);
    shutdown::serve_until(
        listener,
        app.router,
        app.readiness,
        app.profile_writer,
        Deadlines {
            drain_delay: config.operations.shutdown_drain_delay,
            timeout: config.operations.shutdown_timeout,
        },
        shutdown::signal(),
    )
    .await
    .map_err(ServerError::Serve)
}

async fn bind(address: SocketAddr) -> Result<tokio::net::TcpListener, ServerError> {
    tokio::net::TcpListener::bind(address)
        .await
        .map_err(|source| ServerError::Bind { address, source })
}

/// The app's router alone.
#[cfg(test)]
pub async fn router(pool: PgPool, config: &ServeConfig) -> Result<Router, ServerError> {
    Ok(build(pool, config).await?.router)
}

/// The paths of the app's pages, as route templates (`/courses/{slug}`).
pub fn app_route_paths() -> Vec<String> {
    route_list()
        .iter()
        .map(|route| route.path().to_owned())
        .collect()
}

/// Reads go to the replica when one is configured (see `read_replica`).
fn read_pool(pool: &PgPool, config: &ServeConfig) -> Result<ReadPool, ServerError> {
    let url = config
        .operations
        .database_read_url
        .as_deref()
        .map(str::trim)
        .filter(|url| !url.is_empty());
    let Some(url) = url else {
        return Ok(ReadPool::primary_only(pool.clone()));
    };
    let replica = read_replica::connect(url, pool.options().get_max_connections())?;
    let pools = ReadPool::with_replica(pool.clone(), replica);
    tokio::spawn(read_replica::monitor(
        pools.clone(),
        config.operations.database_read_max_lag,
    ));
    Ok(pools)
}

pub async fn build(pool: PgPool, config: &ServeConfig) -> Result<BuiltApp, ServerError> {
    let mut leptos_options = LeptosOptions::builder()
        .output_name(env!("CARGO_CRATE_NAME"))
        .site_root(config.site_root.as_str())
        .site_addr(config.site_addr)
        .build();
    // cargo-leptos names the bundle after the workspace metadata, and tells
    // the compiler through LEPTOS_OUTPUT_NAME.
    if let Some(name) = option_env!("LEPTOS_OUTPUT_NAME") {
        leptos_options.output_name = name.into();
    }
    // Likewise whether the bundle's file names carry their hashes (a build
    // outside cargo-leptos, such as `cargo test`, has plain names).
    leptos_options.hash_files = option_env!("LEPTOS_HASH_FILES") == Some("true");
    let read_pool = read_pool(&pool, config)?;
    let readiness = Readiness::default();
    let state = AppState {
        leptos_options: leptos_options.clone(),
        pool: pool.clone(),
        read_pool: read_pool.clone(),
        readiness: readiness.clone(),
    };
    let routes = route_list();

    // Sessions live in PostgreSQL, so every server instance shares them.
    let session_store = PostgresSessions::new(pool.clone());
    session_store.migrate().await?;
    // Each signed-in request reads its session; recent ones come from memory.
    let session_store = RecentSessions::new(session_store, session_cache::LIFETIME);
    // A signed-in catalog page checks its user from memory while
    // PostgreSQL's notifications say the user is unchanged.
    let user_checks = UserChecks::new(pool.clone(), user_checks::LIFETIME);
    let signed_in_pages = SignedInPages::new(
        user_checks.clone(),
        session_store.clone(),
        Duration::from_secs(config.catalog_cache_seconds),
        config.page_cache_megabytes.saturating_mul(1024 * 1024),
    );
    if signed_in_pages.is_some() {
        tokio::spawn(user_checks.follow_changes());
    }
    let sessions = SessionManagerLayer::new(session_store)
        .with_name("acmelearn_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.uses_https())
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::days(i64::from(config.session_inactivity_days)),
        ));

    let mailer = Mailer::from_config(
        config.smtp_url.as_deref(),
        config.mail_outbox_dir.clone(),
        &config.mail_from,
    )?;
    tracing::info!("emails go to {}", mailer.describe());
    let account_settings = AccountSettings {
        public_url: config.public_url(),
        trusted_proxies: config.trusted_proxies.clone(),
    };
    let recommend_settings = config
        .recommendations
        .settings()
        .map_err(ServerError::Config)?;
    match &recommend_settings.provider {
        Some(provider) => {
            tracing::info!(models = ?provider.arms, "recommendations: language model, built-in ranker as fallback")
        }
        None => tracing::info!("recommendations: built-in ranker (no LLM_BASE_URL/LLM_MODEL)"),
    }
    let profile_writer = ProfileWriter::start(pool.clone());
    let search_cache = search_cache::new(Duration::from_secs(config.catalog_cache_seconds));
    let form_redirects = FormRedirects::load(&pool, &config.public_url()).await?;
    let built_writer = profile_writer.clone();
    let built_read_pool = read_pool.clone();
    let services = Arc::new(Services {
        pool: pool.clone(),
        read_pool,
        profile_writer,
        search_cache,
        account: account_settings,
        mailer,
        recommend: recommend_settings,
    });
    // What every page render and server function finds in its context.
    let provide_services = move || {
        // A page's inline scripts carry the nonce its policy names (made by
        // security_headers::nonce_pages, which writes the policy).
        if let Some(request) = use_context::<axum::http::request::Parts>()
            && let Some(nonce) = request.extensions.get::<leptos::nonce::Nonce>()
        {
            provide_context(nonce.clone());
        }
        provide_context(services.clone());
    };

    let routes = Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/admin/export/{name}", get(admin_export::admin_export))
        .route("/offline/catalog.json", get(offline::offline_catalog))
        .leptos_routes_with_context(&state, routes, provide_services.clone(), {
            let leptos_options = leptos_options.clone();
            move || shell(leptos_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide_services, shell))
        .with_state(state);
    // The layers wrap the routes as one service. Layered onto the routes
    // themselves they would wrap each route, and every middleware clones the
    // service it wraps on every request: for a page route that is its
    // handler with the whole LeptosOptions, cloned and dropped once per
    // middleware (13 % of the CPU of a cached catalog page).
    let app = Router::new()
        .fallback_service(routes)
        // Innermost: every request into the Leptos routes (pages, server
        // functions, the 404 page) runs to its end as a task of its own,
        // with its own reactive owner.
        .layer(task_owner::OwnTaskLayer)
        // Inside the session layer and nonce_pages: it reads the session and
        // writes the request's nonce.
        .layer(from_fn_with_state(signed_in_pages, serve_signed_in_pages))
        .layer(axum::middleware::from_fn(offline::label_learner_pages))
        .layer(sessions)
        .layer(axum::middleware::map_response(
            unsaved_session_is_unavailable,
        ))
        .layer(from_fn_with_state(
            AllowedOrigin(config.public_url()),
            reject_cross_site,
        ))
        // Static files are served pre-compressed when cargo-leptos made .br/.gz
        // copies; everything else (HTML, server-function JSON) is compressed
        // here, on the fly: at a moderate level (brotli's default, 11, costs
        // milliseconds per page) and only when big enough to be worth it.
        .layer(
            CompressionLayer::new()
                .quality(CompressionLevel::Precise(4))
                .compress_when(
                    SizeAbove::new(1024)
                        .and(NotForContentType::GRPC)
                        .and(NotForContentType::IMAGES)
                        .and(NotForContentType::SSE),
                ),
        )
        .layer(axum::middleware::from_fn(security_headers::nonce_pages))
        // Outside compression, so a page is kept as sent (per encoding), with
        // the policy naming the nonce inside it.
        .layer(from_fn_with_state(
            PageCache::new(
                Duration::from_secs(config.catalog_cache_seconds),
                config.page_cache_megabytes.saturating_mul(1024 * 1024),
            ),
            serve_catalog_pages,
        ))
        .layer(axum::middleware::from_fn(
            offline::render_offline_page_anonymously,
        ))
        // Before anything answers from memory or reads a form.
        .layer(axum::middleware::from_fn(
            control_characters::refuse_control_characters,
        ))
        .layer(from_fn_with_state(form_redirects, keep_redirects_on_site))
        .layer(from_fn_with_state(
            SecurityHeaders {
                https: config.uses_https(),
                hashed_bundle: leptos_options.hash_files,
            },
            add_security_headers,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        // No request holds a connection forever: the language model has its
        // own, shorter timeout, after which the built-in ranker answers.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            request_timeout(config),
        ))
        // A bug that panics answers 500 and leaves the connection and the
        // server to the next request.
        .layer(CatchPanicLayer::custom(answer_panic));
    // Outside the panic catcher and the timeout, so their answers count too.
    let app = match config.operations.metrics_addr {
        Some(_) => {
            // Installed before the first request, so nothing is recorded
            // into the void.
            telemetry::recorder();
            app.layer(telemetry::RecordRequestsLayer::new(RouteNames::get(
                &app_route_paths(),
            )))
        }
        None => app,
    };
    let router = app
        .layer(TraceLayer::new_for_http().make_span_with(request_id::request_span))
        .layer(PropagateRequestIdLayer::new(request_id::REQUEST_ID))
        .layer(SetRequestIdLayer::new(
            request_id::REQUEST_ID,
            request_id::MakeRandomId,
        ))
        .layer(MapRequestLayer::new(request_id::drop_unusable_id));
    Ok(BuiltApp {
        router,
        readiness,
        profile_writer: built_writer,
        read_pool: built_read_pool,
    })
}

/// How long any request may take: the language model's own timeout and
/// then some for the fallback, but never unbounded.
fn request_timeout(config: &ServeConfig) -> Duration {
    Duration::from_secs(
        config
            .recommendations
            .llm_timeout_seconds
            .saturating_add(15),
    )
    .max(REQUEST_TIMEOUT)
}

/// The least time every request gets.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// tower-sessions answers a request whose session it could not write (the
/// database went away mid-request) with an empty 500. What the learner did
/// did not take (a login without its session is no login), and it will once
/// the database is back: a 503 "try again", like every other outage.
async fn unsaved_session_is_unavailable(
    response: axum::response::Response,
) -> axum::response::Response {
    use axum::body::HttpBody;
    let empty_internal_error = response.status() == StatusCode::INTERNAL_SERVER_ERROR
        && response.body().size_hint().exact() == Some(0);
    if !empty_internal_error {
        return response;
    }
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::RETRY_AFTER, HeaderValue::from_static("5")),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(security_headers::PRIVATE),
            ),
        ],
        app::AppError::Unavailable.to_string(),
    )
        .into_response()
}

fn answer_panic(_panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    // The panic itself went to the log through the panic hook.
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(
            header::CACHE_CONTROL,
            HeaderValue::from_static(security_headers::PRIVATE),
        )],
        "Something went wrong on our side. Please try again.",
    )
        .into_response()
}

/// The app's routes, listed once per process, before the first router exists.
/// Listing renders the app with data loading switched off by a flag that is
/// global to the process (leptos_server's `SuppressResourceLoad`), and a page
/// whose data starts loading on another thread meanwhile waits forever
/// (leptos issue #4773). Listing them once, before any router can render a
/// page, leaves no render to overlap it: tests build a router per test on
/// parallel threads, and one in a few dozen runs used to hang that way.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

async fn clean_up_periodically(pool: PgPool) {
    let sessions = PostgresStore::new(pool.clone());
    let mut interval = tokio::time::interval(ANALYTICS_CHECK_INTERVAL);
    let mut last_cleanup: Option<tokio::time::Instant> = None;
    loop {
        interval.tick().await;
        if last_cleanup.is_none_or(|at| at.elapsed() >= CLEANUP_INTERVAL) {
            last_cleanup = Some(tokio::time::Instant::now());
            if let Err(error) = sessions.delete_expired().await {
                tracing::warn!(%error, "could not delete expired sessions");
            }
            if let Err(error) = app::account::service::delete_expired(&pool).await {
                tracing::warn!(%error, "could not delete old login failures and reset tokens");
            }
        }
        // The admin dashboard reads views computed here; hourly keeps them
        // fresh enough for product questions without recomputing per visit.
        match app::admin::service::analytics::refresh_when_older_than(&pool, CLEANUP_INTERVAL).await
        {
            Ok(Some(milliseconds)) => tracing::info!(milliseconds, "analytics refreshed"),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "could not refresh the analytics"),
        }
    }
}

#[cfg(test)]
mod hostile_input;
#[cfg(test)]
pub(crate) mod tests;
