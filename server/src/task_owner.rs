//! Each request keeps its own "current reactive owner".
//!
//! Leptos keeps the current owner in a thread-local, and Tokio polls many
//! requests on one worker thread in turn. A page render sets its root owner
//! there (`Owner::new_root`) and leaves it set when it waits for the
//! database; the next request polled on that thread then finds it.
//! leptos_axum's server-function handler makes its owner with `Owner::new()`,
//! a child of whatever is current, so a server function could become a
//! child of another learner's page: it saw that page's context, and when the
//! page was sent its owner was cleaned up, disposing the server function's
//! reactive values mid-request ("Tried to access a reactive value that has
//! already been disposed", "no services in the request's context"). Code
//! that runs when a render resumes is exposed the same way.
//!
//! [`OwnPerTask`] wraps every request into the Leptos routes and every task
//! Leptos spawns: before each poll it puts back the owner that future left
//! set at the end of its previous poll (none at first), and after the poll
//! it takes it off the thread again. A future sees what it would see alone
//! on a thread, and never another request's owner.
//!
//! And each request into the routes runs to its end as a task of its own
//! ([`OwnTaskService`]). A browser that navigates away drops its request
//! half-rendered; the page's owner was then cleaned up while tasks its
//! render had spawned (a `<Transition>`'s effect, resource loads) still
//! ran, reading context and values that were gone: panics in those tasks
//! and "no services" errors, measured under client aborts. A render of a
//! page is milliseconds, bounded by the request timeout's database limits;
//! finishing it for nobody costs less than tearing it down midway, and a
//! server function (a save) is never cut off halfway by a closed tab.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use leptos::reactive::owner::{Owner, WeakOwner};
use tracing::{Instrument, Span};

/// Runs each call as a task of its own, with its own owner.
#[derive(Clone, Copy, Default)]
pub struct OwnTaskLayer;

impl<S> tower::Layer<S> for OwnTaskLayer {
    type Service = OwnTaskService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        OwnTaskService { inner }
    }
}

#[derive(Clone)]
pub struct OwnTaskService<S> {
    inner: S,
}

impl<S, R> tower::Service<R> for OwnTaskService<S>
where
    S: tower::Service<R>,
    S::Future: Send + 'static,
    S::Response: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = OwnTask<S::Response, S::Error>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: R) -> Self::Future {
        OwnTask {
            // In the request's span, so its log lines keep the request id.
            task: tokio::spawn(
                OwnPerTask::new(self.inner.call(request)).instrument(Span::current()),
            ),
        }
    }
}

/// The answer of a request running as its own task.
pub struct OwnTask<T, E> {
    task: tokio::task::JoinHandle<Result<T, E>>,
}

impl<T, E> Future for OwnTask<T, E> {
    type Output = Result<T, E>;

    fn poll(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        match std::task::ready!(Pin::new(&mut self.task).poll(context)) {
            Ok(answer) => Poll::Ready(answer),
            // A panic goes on to the panic catcher, as it would have
            // without the task; the task is never aborted (its handle is
            // only dropped, which detaches it).
            Err(failed) => std::panic::resume_unwind(failed.into_panic()),
        }
    }
}

pin_project_lite::pin_project! {
    /// A future polled with its own current owner (see the module's notes).
    pub struct OwnPerTask<F> {
        #[pin]
        inner: F,
        left_set: Option<WeakOwner>,
    }
}

impl<F> OwnPerTask<F> {
    pub fn new(inner: F) -> Self {
        Self {
            inner,
            left_set: None,
        }
    }
}

impl<F: Future> Future for OwnPerTask<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        match this.left_set.as_ref().and_then(WeakOwner::upgrade) {
            Some(owner) => owner.set(),
            None => forget_current_owner(),
        }
        let polled = this.inner.poll(context);
        *this.left_set = Owner::current().map(|owner| owner.downgrade());
        forget_current_owner();
        polled
    }
}

/// Leaves the thread with no current owner.
fn forget_current_owner() {
    if let Some(owner) = Owner::current() {
        owner.unset();
    }
}

#[cfg(test)]
mod tests;
