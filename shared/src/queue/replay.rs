//! Moving messages from a flow's dead-letter queue back to its queue (`sfsync replay`), all
//! of them or only those of chosen records. A message leaves the DLQ only after the queue has
//! accepted its copy, so a failure half-way loses nothing (at worst one is sent twice, which
//! the flows absorb).

use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry,
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
}

#[derive(Debug, thiserror::Error)]
#[error("replay stopped after moving {moved} message(s): {reason}")]
pub struct ReplayError {
    pub moved: usize,
    pub reason: String,
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
    let err = |e: &dyn std::error::Error| DisplayErrorContext(e).to_string();
    loop {
        let got = client
            .receive_message()
            .queue_url(dlq_url)
            .max_number_of_messages(10)
            .visibility_timeout(300)
            .wait_time_seconds(0)
            .send()
            .await
            .map_err(|e| err(&e))?;
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
            .map_err(|e| err(&e))?;
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
                .map_err(|e| err(&e))?;
        }
        report.moved += sent_now;
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
            tracing::warn!(error = %DisplayErrorContext(&e), "could not release held dead-letter messages early");
        }
    }
}
