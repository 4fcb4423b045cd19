//! The Salesforce poller: finds Accounts and Contacts changed since the stored cursor and
//! puts one message per record on the right TO queue. The cursor is `(SystemModstamp, Id)`
//! and moves only after the messages are accepted, so a crash re-sends rather than loses;
//! records last modified by the integration's own user are left out (no ping-pong).

mod source;

pub use source::{ChangeSource, ChangedRecord, SoqlChangeSource};

use crate::flow::Flow;
use crate::queue::{QueueError, WorkMessage, WorkQueue};
use crate::state::{Cursor, StateError, StateStore};
use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone)]
pub struct PollSettings {
    /// First run looks back this many days (iPaaS.com's "Poll Days").
    pub poll_days: i64,
    /// Rows per query page (Salesforce answers at most 2,000).
    pub page_size: usize,
    /// Most records handed on per object per invocation; a larger backlog continues on the
    /// next tick from the saved cursor.
    pub max_per_tick: usize,
}

impl Default for PollSettings {
    fn default() -> Self {
        PollSettings {
            poll_days: 7,
            page_size: 2000,
            max_per_tick: 20_000,
        }
    }
}

/// What one object's poll did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollReport {
    pub enqueued: usize,
    /// Contacts without an AccountId: skipped by design, not errors.
    pub skipped_no_account: usize,
    pub pages: usize,
    /// More changes are waiting; the next tick continues.
    pub backlog: bool,
    /// Stopped because the org's API usage is above the budget; the next tick continues.
    pub paused: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error("Salesforce could not be read: {0}")]
    Source(crate::catalog::Raised),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    State(#[from] StateError),
}

/// The two polled objects and the flow each feeds.
pub const POLLED: [(&str, Flow); 2] = [
    ("Account", Flow::AccountToIpaas),
    ("Contact", Flow::ContactToIpaas),
];

/// Polls one object once. `now` is passed in so the first-run window is testable.
pub async fn poll_object(
    object: &str,
    flow: Flow,
    source: &dyn ChangeSource,
    queue: &dyn WorkQueue,
    state: &dyn StateStore,
    settings: &PollSettings,
    now: DateTime<Utc>,
) -> Result<PollReport, PollError> {
    let cursor_name = format!("poll-{}", object.to_ascii_lowercase());
    let mut cursor = match state.cursor(&cursor_name).await? {
        Some(c) => c,
        None => Cursor {
            // Checked: no setting may panic a tick; a look-back past the epoch starts there.
            modstamp: Duration::try_days(settings.poll_days)
                .and_then(|d| now.checked_sub_signed(d))
                .unwrap_or(DateTime::UNIX_EPOCH),
            id: String::new(),
        },
    };
    let mut report = PollReport::default();
    let page_size = settings.page_size.clamp(1, 2000);
    while report.enqueued + report.skipped_no_account < settings.max_per_tick {
        if source.over_budget() {
            tracing::warn!(
                object,
                "Salesforce API usage is above the budget; polling pauses until the next tick"
            );
            report.paused = true;
            report.backlog = true;
            return Ok(report);
        }
        let page = source
            .changed_after(object, &cursor, page_size)
            .await
            .map_err(PollError::Source)?;
        report.pages += 1;
        let Some(last) = page.last() else {
            return Ok(report);
        };
        let next = Cursor {
            modstamp: last.modstamp,
            id: last.id.clone(),
        };
        let mut messages = Vec::with_capacity(page.len());
        for r in &page {
            if object == "Contact" && !r.has_account {
                report.skipped_no_account += 1;
                tracing::info!(contact = %r.id, "skipped: contact has no AccountId (by design, not an error)");
                continue;
            }
            messages.push(WorkMessage::new(flow, r.id.clone(), Some(r.modstamp)));
        }
        // Accepted first, cursor second: a crash in between re-sends, never loses.
        queue.enqueue(&messages).await?;
        report.enqueued += messages.len();
        state.advance_cursor(&cursor_name, &next).await?;
        cursor = next;
        if page.len() < page_size {
            return Ok(report);
        }
    }
    report.backlog = true;
    Ok(report)
}

/// One tick: every polled object in turn. A failure to read Salesforce is an Error Log entry
/// (e.g. the refresh-token message) for that object's flow; the other object still polls.
pub async fn poll_all(
    source: &dyn ChangeSource,
    queue: &dyn WorkQueue,
    state: &dyn StateStore,
    errors: &dyn crate::error_log::ErrorLog,
    settings: &PollSettings,
    now: DateTime<Utc>,
) -> Vec<(Flow, Result<PollReport, PollError>)> {
    let mut out = Vec::new();
    for (object, flow) in POLLED {
        let result = poll_object(object, flow, source, queue, state, settings, now).await;
        match &result {
            Ok(r) => {
                tracing::info!(%flow, enqueued = r.enqueued, skipped_no_account = r.skipped_no_account,
                backlog = r.backlog, "poll done")
            }
            Err(PollError::Source(raised)) => {
                let entry =
                    crate::error_log::ErrorLogEntry::from_raised(raised.clone(), Some(flow), None);
                if let Err(e) = errors.record(entry).await {
                    tracing::error!(error = %e, "Error Log entry could not be delivered");
                }
            }
            Err(e) => tracing::error!(%flow, error = %e, "poll failed; the cursor did not move"),
        }
        out.push((flow, result));
    }
    out
}
