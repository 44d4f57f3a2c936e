//! Stopping the real app on a real socket while a slow request is in flight.

use std::time::Instant;

use axum::routing::get;
use sqlx::PgPool;
use tokio::sync::{mpsc, oneshot};

use super::*;
use crate::serve::{BuiltApp, build};

/// What a test sees of a running server.
struct Running {
    address: SocketAddr,
    stop: oneshot::Sender<()>,
    /// Told when the slow request has arrived.
    slow_arrived: mpsc::Receiver<()>,
    served: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// The real app, plus `/slow`, which answers after `slowness`.
async fn start(pool: PgPool, slowness: Duration, deadlines: Deadlines) -> Running {
    let config = crate::serve::tests::test_config("127.0.0.1:0".parse().unwrap(), None);
    let BuiltApp {
        router,
        readiness,
        profile_writer,
        ..
    } = build(pool, &config).await.unwrap();
    let (arrived, slow_arrived) = mpsc::channel(4);
    let router = Router::new()
        .route(
            "/slow",
            get(move || {
                let arrived = arrived.clone();
                async move {
                    let _ = arrived.send(()).await;
                    tokio::time::sleep(slowness).await;
                    "finished"
                }
            }),
        )
        .fallback_service(router);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(serve_until(
        listener,
        router,
        readiness,
        profile_writer,
        deadlines,
        async move {
            let _ = stopped.await;
        },
    ));
    Running {
        address,
        stop,
        slow_arrived,
        served,
    }
}

/// A client that opens a new connection per request, like a health checker.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn a_request_in_flight_finishes_after_the_stop_and_readyz_turns_unready(pool: PgPool) {
    let deadlines = Deadlines {
        drain_delay: Duration::from_millis(600),
        timeout: Duration::from_secs(10),
    };
    let mut server = start(pool, Duration::from_millis(1500), deadlines).await;
    let base = format!("http://{}", server.address);
    let ready = client().get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);

    let slow = tokio::spawn(client().get(format!("{base}/slow")).send());
    server.slow_arrived.recv().await.unwrap();
    let stopped_at = Instant::now();
    server.stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    // Draining: still accepting, but unready.
    let draining = client().get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(draining.status(), 503);
    assert!(draining.text().await.unwrap().contains("shutting down"));
    let page = client()
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.status(),
        200,
        "requests are still served while draining"
    );

    // After the drain delay the listener is closed.
    tokio::time::sleep(deadlines.drain_delay).await;
    assert!(
        tokio::net::TcpStream::connect(server.address)
            .await
            .is_err(),
        "new connections are refused"
    );

    let slow = slow.await.unwrap().expect("the slow request was answered");
    assert_eq!(slow.status(), 200);
    assert_eq!(slow.text().await.unwrap(), "finished");
    server.served.await.unwrap().unwrap();
    assert!(
        stopped_at.elapsed() < Duration::from_secs(5),
        "stopped once the request was done, not at the deadline"
    );
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn a_request_outliving_the_deadline_is_cut_off(pool: PgPool) {
    let deadlines = Deadlines {
        drain_delay: Duration::ZERO,
        timeout: Duration::from_millis(500),
    };
    let mut server = start(pool, Duration::from_secs(60), deadlines).await;
    let slow = tokio::spawn(
        client()
            .get(format!("http://{}/slow", server.address))
            .send(),
    );
    server.slow_arrived.recv().await.unwrap();
    let stopped_at = Instant::now();
    server.stop.send(()).unwrap();
    server.served.await.unwrap().unwrap();
    let took = stopped_at.elapsed();
    assert!(
        took >= deadlines.timeout && took < Duration::from_secs(5),
        "stopped at the deadline: {took:?}"
    );
    drop(server.slow_arrived);
    // The cut-off request's connection is dropped with the runtime's tasks
    // at exit; here, it simply never got its answer in time.
    assert!(!slow.is_finished() || slow.await.unwrap().is_err());
}
