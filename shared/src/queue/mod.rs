//! The `WorkQueue` port: one message per record, one queue per flow. Production uses SQS;
//! the local demo and unit tests use memory.

mod envelope;
mod memory;
mod replay;
mod sqs;

pub use envelope::{EnvelopeError, WorkMessage, ENVELOPE_VERSION};
pub use memory::MemoryWorkQueue;
pub use replay::{check_queues, one_line, replay, ReplayError, ReplayRefused, ReplayReport};
pub use sqs::{QueueUrls, SqsWorkQueue};

use async_trait::async_trait;

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// Some messages could not be enqueued even after retries; they are named so the caller
    /// can fail its own input (and be redelivered) instead of dropping them.
    #[error("{} message(s) could not be enqueued ({reason}); record ids: {}", failed.len(), failed.join(", "))]
    NotEnqueued { failed: Vec<String>, reason: String },
    #[error("no queue is configured for flow {0}")]
    NoQueue(crate::flow::Flow),
}

#[async_trait]
pub trait WorkQueue: Send + Sync {
    /// Enqueues every message on its flow's queue. Either all are accepted, or the error
    /// names each record that was not.
    async fn enqueue(&self, messages: &[WorkMessage]) -> Result<(), QueueError>;

    /// Enqueues messages that become visible only after `delay` (SQS DelaySeconds, at most
    /// 15 minutes): work put off, not failed. Adapters without delays enqueue at once.
    async fn enqueue_after(
        &self,
        messages: &[WorkMessage],
        delay: std::time::Duration,
    ) -> Result<(), QueueError> {
        let _ = delay;
        self.enqueue(messages).await
    }
}

/// A shared queue is a queue (the local stack hands one to the webhook receiver and the
/// poller at once).
#[async_trait]
impl<T: WorkQueue + ?Sized> WorkQueue for std::sync::Arc<T> {
    async fn enqueue(&self, messages: &[WorkMessage]) -> Result<(), QueueError> {
        (**self).enqueue(messages).await
    }

    async fn enqueue_after(
        &self,
        messages: &[WorkMessage],
        delay: std::time::Duration,
    ) -> Result<(), QueueError> {
        (**self).enqueue_after(messages, delay).await
    }
}
