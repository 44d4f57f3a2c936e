use leptos::reactive::owner::Owner;

use tower::{Layer, Service};

use super::*;

/// A page render that has set its root and is waiting, and a server
/// function polled next on the same thread, as Tokio does.
async fn page_then_server_function(
    wrap: impl Fn(
        Pin<Box<dyn Future<Output = Option<Owner>>>>,
    ) -> Pin<Box<dyn Future<Output = Option<Owner>>>>,
) -> (Owner, Option<Owner>, Option<Owner>) {
    let root = Owner::new_root(None);
    let page = {
        let root = root.clone();
        wrap(Box::pin(async move {
            root.set();
            tokio::task::yield_now().await;
            // What the render finds current when it resumes.
            Owner::current()
        }))
    };
    let server_function = wrap(Box::pin(async { Owner::new().parent() }));
    forget_current_owner();
    let (resumed_with, parent) = tokio::join!(page, server_function);
    (root, resumed_with, parent)
}

#[tokio::test]
async fn without_it_a_server_function_becomes_a_child_of_another_page() {
    // Leptos as it is: the hazard this module exists for. Should Leptos stop
    // leaving owners set, this fails and the module can go.
    let (root, _, parent) = page_then_server_function(|future| future).await;
    assert_eq!(parent, Some(root));
}

#[tokio::test]
async fn a_server_function_never_finds_the_owner_a_page_left_set() {
    let (_, _, parent) =
        page_then_server_function(|future| Box::pin(OwnPerTask::new(future))).await;
    assert_eq!(parent, None);
}

#[tokio::test]
async fn a_render_resumes_with_the_owner_it_left_set() {
    let (root, resumed_with, _) =
        page_then_server_function(|future| Box::pin(OwnPerTask::new(future))).await;
    assert_eq!(resumed_with, Some(root));
}

#[tokio::test]
async fn no_owner_is_left_on_the_thread_after_a_poll() {
    let root = Owner::new_root(None);
    let set_inside = root.clone();
    OwnPerTask::new(async move { set_inside.set() }).await;
    assert_eq!(Owner::current(), None);
    drop(root);
}

#[tokio::test]
async fn a_request_whose_caller_went_away_still_runs_to_its_end() {
    let (finish, finished) = tokio::sync::oneshot::channel::<()>();
    let (done, was_done) = tokio::sync::oneshot::channel::<()>();
    let mut parts = Some((finished, done));
    let mut service = OwnTaskLayer.layer(tower::service_fn(move |(): ()| {
        let (finished, done) = parts.take().expect("called once");
        async move {
            let _ = finished.await;
            let _ = done.send(());
            Ok::<_, std::convert::Infallible>(())
        }
    }));
    // As hyper does when the browser closes the connection.
    drop(service.call(()));
    let _ = finish.send(());
    assert!(was_done.await.is_ok(), "the request was torn down halfway");
}

#[tokio::test]
async fn a_panic_reaches_the_caller_as_a_panic() {
    let mut service = OwnTaskLayer.layer(tower::service_fn(|(): ()| async {
        if true {
            panic!("a bug");
        }
        Ok::<_, std::convert::Infallible>(())
    }));
    let answer = tokio::spawn(service.call(())).await;
    assert!(answer.is_err_and(|failed| failed.is_panic()));
}
