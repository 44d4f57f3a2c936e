//! Stopping without dropping anyone's request.
//!
//! On SIGTERM or Ctrl-C: `/readyz` answers 503 at once, so a load balancer's
//! health check takes the instance out of rotation; after
//! `SHUTDOWN_DRAIN_DELAY` (time for that check to notice; requests are still
//! served meanwhile) the listener closes and idle keep-alive connections are
//! closed; requests in flight get `SHUTDOWN_TIMEOUT` to finish, after which
//! they are cut off; then the profile writer writes whatever is still queued,
//! and the process exits with status 0.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use app::profile::writer::ProfileWriter;

/// The longest wait for the profile writer's queue at the end (the database
/// may be the reason for stopping).
const FLUSH_LIMIT: Duration = Duration::from_secs(10);

/// Whether this instance should be sent new work; `/readyz` reads it.
#[derive(Clone, Debug, Default)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    pub fn start_draining(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_draining(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// How a stop goes.
#[derive(Clone, Copy, Debug)]
pub struct Deadlines {
    /// Between turning unready and closing the listener.
    pub drain_delay: Duration,
    /// For requests in flight once the listener is closed.
    pub timeout: Duration,
}

/// Resolves at SIGTERM or Ctrl-C.
pub async fn signal() {
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
}

/// Serves `router` until `stop` resolves, then stops as described above.
pub async fn serve_until(
    listener: TcpListener,
    router: Router,
    readiness: Readiness,
    profile_writer: ProfileWriter,
    deadlines: Deadlines,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener_closing = Arc::new(Notify::new());
    let graceful = {
        let listener_closing = listener_closing.clone();
        async move {
            stop.await;
            readiness.start_draining();
            tracing::info!(
                drain_delay_seconds = deadlines.drain_delay.as_secs_f64(),
                "shutting down: /readyz is now unready"
            );
            tokio::time::sleep(deadlines.drain_delay).await;
            tracing::info!(
                timeout_seconds = deadlines.timeout.as_secs_f64(),
                "listener closed; waiting for the requests in flight"
            );
            listener_closing.notify_one();
        }
    };
    // Client addresses feed the login throttle.
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(graceful)
    .into_future();
    let cut_off = async {
        listener_closing.notified().await;
        tokio::time::sleep(deadlines.timeout).await;
    };
    tokio::select! {
        served = server => served?,
        () = cut_off => tracing::warn!(
            "requests still in flight after SHUTDOWN_TIMEOUT were cut off"
        ),
    }
    if tokio::time::timeout(FLUSH_LIMIT, profile_writer.flush())
        .await
        .is_err()
    {
        tracing::error!("the profile writer did not finish its queue in time");
    }
    tracing::info!("stopped");
    Ok(())
}

#[cfg(test)]
mod tests;
