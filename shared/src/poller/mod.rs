//! The Salesforce poller: finds Accounts and Contacts changed since the stored cursor and
//! puts one message per record on the right TO queue. The cursor is `(SystemModstamp, Id)`
//! and moves only after the messages are accepted, so a crash re-sends rather than loses.
//!
//! Every tick re-reads an overlap window behind the cursor: a row whose transaction
//! committed late carries a SystemModstamp earlier than rows already read, and would
//! otherwise never be seen. Rows already handed on are remembered (by Id and SystemModstamp)
//! so the overlap costs queries, not messages. Nothing is left out by who wrote it: the
//! integration's own writes come back too and are recognised by content in the flows, so a
//! person's edit made between two of the integration's writes is never lost.

mod source;

pub use source::{changes_soql, ChangeSource, ChangedRecord, ChangesPage, SoqlChangeSource};

use crate::catalog::{MessageId, Raised};
use crate::flow::{Flow, RecordRef, System};
use crate::queue::{QueueError, WorkMessage, WorkQueue};
use crate::state::{Cursor, Seen, StateError, StateStore};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashSet;

#[derive(Debug, Clone)]
pub struct PollSettings {
    /// First run looks back this many days (iPaaS.com's "Poll Days").
    pub poll_days: i64,
    /// Rows per query page (Salesforce answers at most 2,000).
    pub page_size: usize,
    /// Most records handed on per object per invocation; a larger backlog continues on the
    /// next tick from the saved cursor.
    pub max_per_tick: usize,
    /// How far behind the cursor each tick looks again for rows that committed late.
    pub overlap: Duration,
    /// Most rows remembered in the overlap window (the newest are kept; an older row beyond
    /// the cap may be sent twice, which the flows see as nothing new).
    pub recent_cap: usize,
}

impl Default for PollSettings {
    fn default() -> Self {
        PollSettings {
            poll_days: 7,
            page_size: 2000,
            max_per_tick: 20_000,
            overlap: Duration::seconds(300),
            recent_cap: 15_000,
        }
    }
}

/// What one object's poll did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollReport {
    pub enqueued: usize,
    /// Contacts without an AccountId: skipped by design, not errors.
    pub skipped_no_account: usize,
    /// Rows of the overlap window that had been handed on already.
    pub already_sent: usize,
    /// Rows found behind the cursor that had not been handed on (late commits).
    pub late: usize,
    /// Rows Salesforce returned that could not be read (each is an Error Log entry).
    pub unreadable: Vec<String>,
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
    let stored = state.cursor(&cursor_name).await?;
    // Where the query starts: the overlap window behind the stored cursor, or the first
    // run's look-back. An empty Id starts at the time itself.
    let (mut saved, mut page_from) = match stored {
        Some(c) => {
            let mut from = back(c.modstamp, settings.overlap);
            if let Some(floor) = c.recent_from {
                from = from.max(floor.min(c.modstamp));
            }
            (c, Cursor::at(from, ""))
        }
        None => {
            // Checked: no setting may panic a tick; a look-back past the epoch starts there.
            let from = Duration::try_days(settings.poll_days)
                .and_then(|d| now.checked_sub_signed(d))
                .unwrap_or(DateTime::UNIX_EPOCH);
            let start = Cursor::at(from, "");
            (start.clone(), start)
        }
    };
    let mut seen: HashSet<u64> = saved.recent.iter().map(|s| s.key).collect();
    let mut report = PollReport::default();
    let page_size = settings.page_size.clamp(1, 2000);
    while report.enqueued + report.skipped_no_account < settings.max_per_tick.max(1) {
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
            .changed_after(object, &page_from, page_size)
            .await
            .map_err(PollError::Source)?;
        report.pages += 1;
        report.unreadable.extend(page.unreadable.iter().cloned());
        let Some(last) = page.rows.last() else {
            // A full page of rows none of which could be read cannot be paged past.
            report.backlog = page.full;
            return Ok(report);
        };
        let last = Cursor::at(last.modstamp, last.id.clone());
        let mut messages = Vec::with_capacity(page.rows.len());
        let mut handed = Vec::with_capacity(page.rows.len());
        for r in &page.rows {
            let mark = Seen::of(&r.id, &r.modstamp);
            if seen.contains(&mark.key) {
                report.already_sent += 1;
                continue;
            }
            if (r.modstamp, r.id.as_str()) <= (saved.modstamp, saved.id.as_str()) {
                report.late += 1;
                tracing::info!(object, id = %r.id, "a change committed late; handing it on");
            }
            handed.push(mark);
            if object == "Contact" && !r.has_account {
                report.skipped_no_account += 1;
                tracing::info!(contact = %r.id, "skipped: contact has no AccountId (by design, not an error)");
                continue;
            }
            let message = WorkMessage::new(flow, r.id.clone(), Some(r.modstamp));
            messages.push(match &r.row {
                Some(row) => message.with_row(row.clone()),
                None => message,
            });
        }
        // Accepted first, cursor second: a crash in between re-sends, never loses.
        queue.enqueue(&messages).await?;
        report.enqueued += messages.len();
        seen.extend(handed.iter().map(|s| s.key));
        let position = if last > saved {
            last.clone()
        } else {
            saved.clone()
        };
        let mut recent = std::mem::take(&mut saved.recent);
        recent.extend(handed);
        let (recent, cut_at) = remembered(recent, &position, settings);
        saved = Cursor {
            recent,
            recent_from: cut_at.or(saved.recent_from).filter(|t| {
                // A cut older than the window is of no more use.
                *t > back(position.modstamp, settings.overlap)
            }),
            ..position
        };
        state.advance_cursor(&cursor_name, &saved).await?;
        page_from = last;
        if !page.full {
            return Ok(report);
        }
    }
    report.backlog = true;
    Ok(report)
}

/// `t - d`, or the earliest time when that does not exist (a huge look-back never panics).
fn back(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    t.checked_sub_signed(d).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The rows worth remembering: inside the overlap window behind `position`. Beyond the cap
/// the oldest are dropped, whole milliseconds at a time, and the time from which all rows
/// are still remembered is returned (the next window starts there).
fn remembered(
    mut recent: Vec<Seen>,
    position: &Cursor,
    settings: &PollSettings,
) -> (Vec<Seen>, Option<DateTime<Utc>>) {
    let horizon = back(position.modstamp, settings.overlap).timestamp_millis();
    recent.retain(|s| s.modstamp_ms >= horizon);
    recent.sort_by_key(|s| (s.modstamp_ms, s.key));
    recent.dedup();
    if recent.len() <= settings.recent_cap {
        return (recent, None);
    }
    let boundary = recent[recent.len() - settings.recent_cap].modstamp_ms;
    recent.retain(|s| s.modstamp_ms >= boundary);
    (recent, DateTime::from_timestamp_millis(boundary))
}

/// One tick: every polled object in turn. A failure to read Salesforce is an Error Log entry
/// (e.g. the refresh-token message) for that object's flow; the other object still polls.
/// A row that could not be read is an Error Log entry too, never a silent skip.
pub async fn poll_all(
    source: &dyn ChangeSource,
    queue: &dyn WorkQueue,
    state: &dyn StateStore,
    errors: &dyn crate::error_log::ErrorLog,
    settings: &PollSettings,
    now: DateTime<Utc>,
) -> Vec<(Flow, Result<PollReport, PollError>)> {
    use crate::error_log::ErrorLogEntry;
    note_epoch(state, now).await;
    let mut out = Vec::new();
    for (object, flow) in POLLED {
        let result = poll_object(object, flow, source, queue, state, settings, now).await;
        match &result {
            Ok(r) => {
                tracing::info!(%flow, enqueued = r.enqueued, skipped_no_account = r.skipped_no_account,
                    late = r.late, already_sent = r.already_sent, backlog = r.backlog, "poll done");
                for what in &r.unreadable {
                    let raised = Raised::with(MessageId::SalesforceHttpError, &[("code", "200")])
                        .detail(format!(
                            "the poller could not read a changed {object}: {what}"
                        ));
                    let record = RecordRef::new(System::Salesforce, object, unreadable_id(what));
                    let entry = ErrorLogEntry::from_raised(raised, Some(flow), Some(record));
                    if let Err(e) = errors.record(entry).await {
                        tracing::error!(error = %e, "Error Log entry could not be delivered");
                    }
                }
            }
            Err(PollError::Source(raised)) => {
                let entry = ErrorLogEntry::from_raised(raised.clone(), Some(flow), None);
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

/// The name under which the state store keeps when this deployment first polled.
pub const EPOCH: &str = "epoch";

/// Notes, once, when this deployment's poller first ran: every link made since is in the
/// ledger (the flows write both), so a record created after it that the ledger does not
/// know cannot be linked, and its first sync needs no link lookup. A record older than
/// that may carry a link from before (another installation) and is looked up.
async fn note_epoch(state: &dyn StateStore, now: DateTime<Utc>) {
    match state.cursor(EPOCH).await {
        Ok(Some(_)) => {}
        Ok(None) => {
            if let Err(e) = state.advance_cursor(EPOCH, &Cursor::at(now, "")).await {
                tracing::debug!(error = %e, "the epoch was noted by another tick");
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not read the epoch"),
    }
}

/// The record id an unreadable row's description starts with (`"<Id>: why"`), if any.
fn unreadable_id(what: &str) -> String {
    what.split(':').next().unwrap_or("").trim().to_string()
}
