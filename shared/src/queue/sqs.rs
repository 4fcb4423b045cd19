use super::{QueueError, WorkMessage, WorkQueue};
use crate::flow::Flow;
use async_trait::async_trait;
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use aws_sdk_sqs::Client;
use rand::Rng;
use std::collections::HashMap;
use std::time::Duration;

/// SQS accepts at most ten entries per SendMessageBatch.
const BATCH: usize = 10;

#[derive(Default)]
struct BatchOutcome {
    transient: Vec<WorkMessage>,
    permanent: Vec<WorkMessage>,
    reason: Option<String>,
}

/// The queue URL of each flow.
#[derive(Debug, Clone, Default)]
pub struct QueueUrls(HashMap<Flow, String>);

impl QueueUrls {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, flow: Flow, url: impl Into<String>) -> Self {
        self.0.insert(flow, url.into());
        self
    }

    pub fn get(&self, flow: Flow) -> Option<&str> {
        self.0.get(&flow).map(String::as_str)
    }
}

/// SQS adapter: SendMessageBatch in tens; entries SQS reports as failed (or whole calls that
/// fail) are sent again with capped, jittered backoff; whatever still fails is returned by
/// record id, never dropped.
#[derive(Clone)]
pub struct SqsWorkQueue {
    client: Client,
    urls: QueueUrls,
    max_attempts: u32,
    base_delay: Duration,
}

impl SqsWorkQueue {
    pub fn new(client: Client, urls: QueueUrls) -> Self {
        SqsWorkQueue {
            client,
            urls,
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
        }
    }

    pub fn with_retry(mut self, max_attempts: u32, base_delay: Duration) -> Self {
        self.max_attempts = max_attempts.max(1);
        self.base_delay = base_delay;
        self
    }

    /// Sends one batch (≤ 10); returns what SQS did not accept and why.
    async fn send_batch(
        &self,
        flow: Flow,
        url: &str,
        batch: &[WorkMessage],
        delay: Duration,
    ) -> BatchOutcome {
        // SQS holds a message back for at most 15 minutes.
        let delay_secs = delay.as_secs().min(900) as i32;
        let entries: Vec<SendMessageBatchRequestEntry> = batch
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                SendMessageBatchRequestEntry::builder()
                    .id(format!("m{i}"))
                    .message_body(m.to_json())
                    .delay_seconds(delay_secs)
                    .build()
                    .ok()
            })
            .collect();
        match self
            .client
            .send_message_batch()
            .queue_url(url)
            .set_entries(Some(entries))
            .send()
            .await
        {
            Ok(out) => {
                let mut outcome = BatchOutcome::default();
                for f in out.failed() {
                    let idx = f.id().trim_start_matches('m').parse::<usize>().ok();
                    let Some(m) = idx.and_then(|i| batch.get(i)) else {
                        continue;
                    };
                    // A sender fault (e.g. a body SQS refuses) will fail the same way again.
                    if f.sender_fault() {
                        outcome.permanent.push(m.clone());
                    } else {
                        outcome.transient.push(m.clone());
                    }
                    outcome.reason = Some(format!("{}: {}", f.code(), f.message().unwrap_or("")));
                }
                outcome
            }
            // A queue that does not exist will not appear by retrying: say which setting
            // holds its URL.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_queue_does_not_exist()) =>
            {
                BatchOutcome {
                    transient: Vec::new(),
                    permanent: batch.to_vec(),
                    reason: Some(format!(
                        "SQS has no queue {url}; check {}",
                        crate::lambda::queue_variable(flow)
                    )),
                }
            }
            Err(e) => BatchOutcome {
                transient: batch.to_vec(),
                permanent: Vec::new(),
                reason: Some(DisplayErrorContext(&e).to_string()),
            },
        }
    }

    async fn enqueue_flow(
        &self,
        flow: Flow,
        url: &str,
        messages: &[WorkMessage],
        delay: Duration,
    ) -> Result<(), QueueError> {
        let mut pending: Vec<WorkMessage> = messages.to_vec();
        let mut given_up: Vec<WorkMessage> = Vec::new();
        let mut last_reason = String::new();
        for attempt in 0..self.max_attempts {
            if attempt > 0 {
                tokio::time::sleep(self.backoff(attempt)).await;
            }
            let mut still = Vec::new();
            for batch in pending.chunks(BATCH) {
                let outcome = self.send_batch(flow, url, batch, delay).await;
                if let Some(r) = outcome.reason {
                    last_reason = r;
                }
                given_up.extend(outcome.permanent);
                still.extend(outcome.transient);
            }
            pending = still;
            if pending.is_empty() {
                break;
            }
            tracing::warn!(
                failed = pending.len(),
                attempt = attempt + 1,
                reason = %last_reason,
                "some queue messages were not accepted; sending them again"
            );
        }
        given_up.extend(pending);
        if given_up.is_empty() {
            return Ok(());
        }
        Err(QueueError::NotEnqueued {
            failed: given_up.into_iter().map(|m| m.record_id).collect(),
            reason: last_reason,
        })
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let cap = Duration::from_secs(5);
        let exp = self
            .base_delay
            .saturating_mul(1 << attempt.min(10))
            .min(cap);
        let ms = exp.as_millis().max(1) as u64;
        Duration::from_millis(rand::thread_rng().gen_range(ms / 2..=ms))
    }
}

#[async_trait]
impl WorkQueue for SqsWorkQueue {
    async fn enqueue(&self, messages: &[WorkMessage]) -> Result<(), QueueError> {
        self.enqueue_after(messages, Duration::ZERO).await
    }

    async fn enqueue_after(
        &self,
        messages: &[WorkMessage],
        delay: Duration,
    ) -> Result<(), QueueError> {
        // Group by flow, keeping each flow's order.
        let mut by_flow: Vec<(Flow, Vec<WorkMessage>)> = Vec::new();
        for m in messages {
            match by_flow.iter_mut().find(|(f, _)| *f == m.flow) {
                Some((_, v)) => v.push(m.clone()),
                None => by_flow.push((m.flow, vec![m.clone()])),
            }
        }
        let mut failed = Vec::new();
        let mut reason = String::new();
        for (flow, msgs) in by_flow {
            let url = self.urls.get(flow).ok_or(QueueError::NoQueue(flow))?;
            if let Err(QueueError::NotEnqueued {
                failed: f,
                reason: r,
            }) = self.enqueue_flow(flow, url, &msgs, delay).await
            {
                failed.extend(f);
                reason = r;
            }
        }
        if failed.is_empty() {
            Ok(())
        } else {
            Err(QueueError::NotEnqueued { failed, reason })
        }
    }
}
