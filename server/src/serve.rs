//! `serve`: import the catalog, build the router, listen until Ctrl-C.

use axum::Router;
use axum::extract::FromRef;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use sqlx::PgPool;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use app::{App, shell};

use crate::config::ServeConfig;
use crate::{ServerError, health, import_catalog};

/// What handlers and server functions can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
}

pub async fn serve(pool: PgPool, config: ServeConfig) -> Result<(), ServerError> {
    if !config.catalog_file.as_os_str().is_empty() {
        let summary = import_catalog::import_file(
            &pool,
            &config.catalog_file,
            Some(&config.tag_categories_file)
                .filter(|path| path.exists())
                .map(|path| path.as_path()),
        )
        .await?;
        tracing::info!("catalog: {summary}");
    }

    let router = router(pool, &config);
    let listener = tokio::net::TcpListener::bind(config.site_addr)
        .await
        .map_err(|source| ServerError::Bind {
            address: config.site_addr,
            source,
        })?;
    tracing::info!("AcmeLearn is ready at http://{}", config.site_addr);
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(ServerError::Serve)
}

pub fn router(pool: PgPool, config: &ServeConfig) -> Router {
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
    let state = AppState {
        leptos_options: leptos_options.clone(),
        pool: pool.clone(),
    };
    let routes = generate_route_list(App);
    let provide_pool = move || provide_context(pool.clone());

    Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .leptos_routes_with_context(&state, routes, provide_pool.clone(), {
            let leptos_options = leptos_options.clone();
            move || shell(leptos_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide_pool, shell))
        // Static files are served pre-compressed when cargo-leptos made .br/.gz
        // copies; everything else (HTML, server-function JSON) is compressed here.
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests;
