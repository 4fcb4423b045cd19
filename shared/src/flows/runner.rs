//! The SQS side of every worker Lambda: read each record of the batch, hand the good ones to
//! the flow as one batch (so Salesforce work can be batched too), and answer
//! `batchItemFailures` for exactly the records that must come back. One bad record never
//! fails its neighbours; a malformed one is explained in the log and sent on towards the DLQ.

use super::Outcome;
use crate::flow::Flow;
use crate::queue::WorkMessage;
use async_trait::async_trait;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};

/// One flow's processing of a batch of messages, outcome per message in the same order.
#[async_trait]
pub trait FlowWorker: Send + Sync {
    fn flow(&self) -> Flow;
    async fn process(&self, messages: &[WorkMessage]) -> Vec<Outcome>;
}

/// Per-outcome counts of one batch, for logs and the demo report.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct BatchReport {
    pub counts: std::collections::BTreeMap<&'static str, usize>,
    pub malformed: usize,
    /// Each well-formed message's outcome, by SQS message id.
    pub outcomes: Vec<(String, Outcome)>,
}

pub async fn run_batch(
    worker: &dyn FlowWorker,
    event: SqsEvent,
) -> (SqsBatchResponse, BatchReport) {
    let mut response = SqsBatchResponse::default();
    let mut report = BatchReport::default();
    let mut ids = Vec::new();
    let mut messages = Vec::new();
    for record in event.records {
        let id = record.message_id.clone().unwrap_or_default();
        let body = record.body.as_deref().unwrap_or("");
        match WorkMessage::parse(body) {
            Ok(m) if m.flow == worker.flow() => {
                ids.push(id);
                messages.push(m);
            }
            Ok(m) => {
                tracing::error!(message_id = %id, flow = %worker.flow(), message_flow = %m.flow,
                    "queue message belongs to another flow; it goes back to the queue and on to the dead-letter queue");
                report.malformed += 1;
                response.add_failure(id);
            }
            Err(e) => {
                tracing::error!(message_id = %id, flow = %worker.flow(), error = %e,
                    "queue message refused; it goes back to the queue and on to the dead-letter queue");
                report.malformed += 1;
                response.add_failure(id);
            }
        }
    }
    // The same record twice in one batch (SQS at-least-once, or two changes polled apart) is
    // worked once: two creates in one Collections call could not see each other. The newest
    // change is the one worked (a message may carry the record as it was read); both
    // messages share its outcome.
    let mut first_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut unique: Vec<WorkMessage> = Vec::new();
    let mut slot = Vec::with_capacity(messages.len());
    for m in &messages {
        let next = unique.len();
        let at = *first_of.entry(m.record_id.as_str()).or_insert(next);
        if at == next {
            unique.push(m.clone());
        } else if m.changed_at > unique[at].changed_at {
            unique[at] = m.clone();
        }
        slot.push(at);
    }
    let worked = worker.process(&unique).await;
    for (i, id) in ids.into_iter().enumerate() {
        let outcome = worked.get(slot[i]);
        // A flow that returned fewer outcomes than messages must not lose the rest.
        let redeliver = outcome.is_none_or(Outcome::redeliver);
        let label = outcome.map_or("failed", Outcome::label);
        *report.counts.entry(label).or_default() += 1;
        if redeliver {
            response.add_failure(id.clone());
        }
        if let Some(o) = outcome {
            report.outcomes.push((id, o.clone()));
        }
    }
    (response, report)
}
