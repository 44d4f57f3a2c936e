//! Profile saves from concurrent requests, written together. Server-only.
//!
//! Each save is one statement with its own commit; most of a save's cost in
//! PostgreSQL is per statement (starting the executor, the commit, the round
//! trip), not per row. The writer takes the saves waiting when it is free and
//! writes them with one statement (`service::save_each`): a lone save goes
//! straight through, and under load the batches grow by themselves, with no
//! timer. Every save keeps its own answer (saved, unchanged, stale form,
//! unknown tag), and its version and snapshot still commit together.
//!
//! One writer task, so two batches never wait on each other's row locks; a
//! learner's second save waits for the next batch, so one statement never
//! updates the same profile twice.
//!
//! On shutdown the server asks the writer to [`flush`](ProfileWriter::flush):
//! a save whose request was abandoned (the client went away, the request
//! timed out) is still in the queue, and is written before the process ends.

use std::collections::{HashSet, VecDeque};

use sqlx::PgPool;
use tokio::sync::{mpsc, oneshot};

use super::SaveOutcome;
use super::service::{self, SaveRequest};
use crate::AppError;

/// The most saves written by one statement.
const BATCH_LIMIT: usize = 64;
/// Saves waiting beyond this make new requests wait to queue (back-pressure).
const QUEUE_LIMIT: usize = 4096;

/// The handle request handlers save through; cheap to clone.
#[derive(Clone)]
pub struct ProfileWriter {
    pool: PgPool,
    queue: mpsc::Sender<Queued>,
}

/// What the writer task is sent: a save, or a request to say when every save
/// queued before it is written.
enum Queued {
    Save(PendingSave),
    Flush(oneshot::Sender<()>),
}

struct PendingSave {
    request: SaveRequest,
    reply: oneshot::Sender<Result<SaveOutcome, AppError>>,
}

impl ProfileWriter {
    /// Starts the writer task on the current Tokio runtime.
    pub fn start(pool: PgPool) -> Self {
        let (queue, waiting) = mpsc::channel(QUEUE_LIMIT);
        tokio::spawn(write_batches(pool.clone(), waiting));
        Self { pool, queue }
    }

    pub async fn save(&self, request: SaveRequest) -> Result<SaveOutcome, AppError> {
        let (reply, answer) = oneshot::channel();
        let pending = Queued::Save(PendingSave { request, reply });
        if let Err(mpsc::error::SendError(Queued::Save(pending))) = self.queue.send(pending).await {
            // The writer is gone (it never should be); save on our own.
            tracing::error!("the profile writer has stopped; saving directly");
            return service::save_one(&self.pool, &pending.request).await;
        }
        answer.await.unwrap_or_else(|_| {
            tracing::error!("the profile writer dropped a save without answering");
            Err(AppError::Internal)
        })
    }

    /// Returns once every save queued before this call is written (or the
    /// writer is gone). Saves queued meanwhile may be written too.
    pub async fn flush(&self) {
        let (done, written) = oneshot::channel();
        if self.queue.send(Queued::Flush(done)).await.is_ok() {
            // An error here means the writer task ended: nothing is left to write.
            let _ = written.await;
        }
    }
}

async fn write_batches(pool: PgPool, mut queue: mpsc::Receiver<Queued>) {
    // Saves taken off the queue but held back for a later batch, because the
    // batch already had one of that learner's saves.
    let mut held_back: VecDeque<PendingSave> = VecDeque::new();
    // Flushes waiting for the saves taken before them: answered once nothing
    // is held back, which covers every save queued before each of them.
    let mut flushes: Vec<oneshot::Sender<()>> = Vec::new();
    loop {
        if held_back.is_empty() {
            for done in flushes.drain(..) {
                let _ = done.send(());
            }
            match queue.recv().await {
                Some(Queued::Save(pending)) => held_back.push_back(pending),
                Some(Queued::Flush(done)) => {
                    let _ = done.send(());
                    continue;
                }
                None => return,
            }
        }
        while held_back.len() < BATCH_LIMIT {
            match queue.try_recv() {
                Ok(Queued::Save(pending)) => held_back.push_back(pending),
                Ok(Queued::Flush(done)) => flushes.push(done),
                Err(_) => break,
            }
        }
        let mut batch = Vec::with_capacity(held_back.len().min(BATCH_LIMIT));
        let mut learners = HashSet::new();
        let mut next = VecDeque::new();
        for pending in held_back.drain(..) {
            if batch.len() < BATCH_LIMIT && learners.insert(pending.request.user_id) {
                batch.push(pending);
            } else {
                next.push_back(pending);
            }
        }
        held_back = next;
        write(&pool, batch).await;
    }
}

async fn write(pool: &PgPool, batch: Vec<PendingSave>) {
    let (requests, replies): (Vec<SaveRequest>, Vec<_>) = batch
        .into_iter()
        .map(|pending| (pending.request, pending.reply))
        .unzip();
    metrics::histogram!("profile_writer_batch_size").record(requests.len() as f64);
    match service::save_each(pool, &requests).await {
        Ok(outcomes) => {
            for (reply, outcome) in replies.into_iter().zip(outcomes) {
                // The requester may have gone (a closed connection): nothing to tell.
                let _ = reply.send(outcome);
            }
        }
        Err(error) if requests.len() > 1 => {
            // One save's failure (a lost connection, a refused commit) must
            // not become everyone's: each is tried again on its own.
            tracing::warn!(%error, saves = requests.len(), "a batch of profile saves failed; saving one by one");
            for (request, reply) in requests.into_iter().zip(replies) {
                let _ = reply.send(service::save_one(pool, &request).await);
            }
        }
        Err(error) => {
            if let Some(reply) = replies.into_iter().next() {
                let _ = reply.send(Err(error));
            }
        }
    }
}

#[cfg(test)]
mod tests;
