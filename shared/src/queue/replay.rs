//! Moving messages from a flow's dead-letter queue back to its queue (`sfsync replay`), all
//! of them or only those of chosen records. A message leaves the DLQ only after the queue has
//! accepted its copy, so a failure half-way loses nothing (at worst one is sent twice, which
//! the flows absorb).

use aws_sdk_sqs::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry, QueueAttributeName,
    SendMessageBatchRequestEntry,
};
use aws_sdk_sqs::Client;
use std::collections::HashSet;

use super::WorkMessage;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReplayReport {
    pub moved: usize,
    /// Messages left in the DLQ because they did not match the record filter.
    pub left: usize,
    /// The record ids of the moved messages that could be read (a malformed body has none).
    pub records: HashSet<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("replay stopped after moving {moved} message(s): {reason}")]
pub struct ReplayError {
    pub moved: usize,
    pub reason: String,
}

/// Why a replay cannot start: one sentence each, never an SDK dump.
#[derive(Debug, thiserror::Error)]
pub enum ReplayRefused {
    #[error("the queue and the dead-letter queue are the same queue ({0}); messages would go round in a loop")]
    SameQueue(String),
    #[error("there is no {what} at {url} (check the URL: the stack outputs list each flow's)")]
    NoSuchQueue { what: &'static str, url: String },
    #[error("cannot read the {what} at {url}: {reason}")]
    Unreadable {
        what: &'static str,
        url: String,
        reason: String,
    },
}

/// Checks both queues exist and differ before anything moves. Returns a warning when the
/// queue does not send its dead letters to this DLQ (probably another flow's).
pub async fn check_queues(
    client: &Client,
    dlq_url: &str,
    queue_url: &str,
) -> Result<Option<String>, ReplayRefused> {
    if dlq_url.trim_end_matches('/') == queue_url.trim_end_matches('/') {
        return Err(ReplayRefused::SameQueue(queue_url.to_string()));
    }
    let (queue_arn, redrive) = attributes(client, queue_url, "queue").await?;
    let (dlq_arn, _) = attributes(client, dlq_url, "dead-letter queue").await?;
    if queue_arn == dlq_arn {
        return Err(ReplayRefused::SameQueue(queue_arn));
    }
    let target = redrive
        .as_deref()
        .and_then(|r| serde_json::from_str::<serde_json::Value>(r).ok())
        .and_then(|r| r["deadLetterTargetArn"].as_str().map(str::to_string));
    Ok(match target {
        Some(t) if t == dlq_arn => None,
        Some(t) => Some(format!(
            "the queue sends its dead letters to {t}, not to {dlq_arn}; check that both URLs are of the same flow"
        )),
        None => Some("the queue has no redrive policy; check that both URLs are of the same flow".into()),
    })
}

/// A queue's ARN and redrive policy.
async fn attributes(
    client: &Client,
    url: &str,
    what: &'static str,
) -> Result<(String, Option<String>), ReplayRefused> {
    let got = client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .attribute_names(QueueAttributeName::RedrivePolicy)
        .send()
        .await
        .map_err(|e| {
            let missing = e
                .code()
                .is_some_and(|c| c.contains("NonExistentQueue") || c.contains("QueueDoesNotExist"));
            if missing {
                ReplayRefused::NoSuchQueue {
                    what,
                    url: url.to_string(),
                }
            } else {
                ReplayRefused::Unreadable {
                    what,
                    url: url.to_string(),
                    reason: one_line(&e),
                }
            }
        })?;
    let attrs = got.attributes.unwrap_or_default();
    Ok((
        attrs
            .get(&QueueAttributeName::QueueArn)
            .cloned()
            .unwrap_or_else(|| url.to_string()),
        attrs.get(&QueueAttributeName::RedrivePolicy).cloned(),
    ))
}

/// An SDK error in one line: the service's code and message, or the chain of causes of a
/// failure to reach it (never the SDK's debug dump of the request).
pub fn one_line<E, R>(e: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    if let Some(code) = e.code() {
        return format!("{code}: {}", e.message().unwrap_or("no message"));
    }
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = err.source();
    }
    parts.join(": ")
}

/// Replays messages from `dlq_url` to `queue_url`. `records` empty = every message.
pub async fn replay(
    client: &Client,
    dlq_url: &str,
    queue_url: &str,
    records: &HashSet<String>,
) -> Result<ReplayReport, ReplayError> {
    let mut report = ReplayReport::default();
    // Non-matching messages stay invisible while we scan, then are released at the end.
    let mut held: Vec<String> = Vec::new();
    let result = scan(client, dlq_url, queue_url, records, &mut report, &mut held).await;
    release(client, dlq_url, &held).await;
    report.left = held.len();
    result
        .map(|_| report.clone())
        .map_err(|reason| ReplayError {
            moved: report.moved,
            reason,
        })
}

async fn scan(
    client: &Client,
    dlq_url: &str,
    queue_url: &str,
    records: &HashSet<String>,
    report: &mut ReplayReport,
    held: &mut Vec<String>,
) -> Result<(), String> {
    loop {
        let got = client
            .receive_message()
            .queue_url(dlq_url)
            .max_number_of_messages(10)
            .visibility_timeout(300)
            .wait_time_seconds(0)
            .send()
            .await
            .map_err(|e| one_line(&e))?;
        let messages = got.messages.unwrap_or_default();
        if messages.is_empty() {
            return Ok(());
        }
        let mut to_move = Vec::new();
        for m in messages {
            let body = m.body.clone().unwrap_or_default();
            let wanted = records.is_empty()
                || WorkMessage::parse(&body).is_ok_and(|w| records.contains(&w.record_id));
            match (wanted, m.receipt_handle) {
                (true, Some(handle)) => to_move.push((body, handle)),
                (false, Some(handle)) => held.push(handle),
                _ => {}
            }
        }
        if to_move.is_empty() {
            continue;
        }
        let entries: Vec<_> = to_move
            .iter()
            .enumerate()
            .filter_map(|(i, (body, _))| {
                SendMessageBatchRequestEntry::builder()
                    .id(format!("r{i}"))
                    .message_body(body)
                    .build()
                    .ok()
            })
            .collect();
        let sent = client
            .send_message_batch()
            .queue_url(queue_url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| one_line(&e))?;
        let ok: HashSet<String> = sent
            .successful()
            .iter()
            .map(|s| s.id().to_string())
            .collect();
        let deletes: Vec<_> = to_move
            .iter()
            .enumerate()
            .filter(|(i, _)| ok.contains(&format!("r{i}")))
            .filter_map(|(i, (_, handle))| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(format!("r{i}"))
                    .receipt_handle(handle)
                    .build()
                    .ok()
            })
            .collect();
        let sent_now = deletes.len();
        if !deletes.is_empty() {
            client
                .delete_message_batch()
                .queue_url(dlq_url)
                .set_entries(Some(deletes))
                .send()
                .await
                .map_err(|e| one_line(&e))?;
        }
        report.moved += sent_now;
        report.records.extend(
            to_move
                .iter()
                .enumerate()
                .filter(|(i, _)| ok.contains(&format!("r{i}")))
                .filter_map(|(_, (body, _))| WorkMessage::parse(body).ok().map(|w| w.record_id)),
        );
        if let Some(f) = sent.failed().first() {
            return Err(format!(
                "the queue refused a message: {} {}",
                f.code(),
                f.message().unwrap_or("")
            ));
        }
    }
}

async fn release(client: &Client, dlq_url: &str, held: &[String]) {
    for chunk in held.chunks(10) {
        let entries: Vec<_> = chunk
            .iter()
            .enumerate()
            .filter_map(|(i, h)| {
                ChangeMessageVisibilityBatchRequestEntry::builder()
                    .id(format!("h{i}"))
                    .receipt_handle(h)
                    .visibility_timeout(0)
                    .build()
                    .ok()
            })
            .collect();
        if let Err(e) = client
            .change_message_visibility_batch()
            .queue_url(dlq_url)
            .set_entries(Some(entries))
            .send()
            .await
        {
            // Not fatal: they become visible again when the 5-minute hold ends.
            tracing::warn!(error = %one_line(&e), "could not release held dead-letter messages early");
        }
    }
}
