//! The `StateStore` port: the only state outside the two systems. Poll cursors (so no change
//! is lost) and the ledger of what each flow last did for each source record (so redelivery
//! never writes twice and an older change never overwrites a newer one). Production uses
//! DynamoDB with conditional writes; the local demo and unit tests use memory.

mod dynamo;
mod memory;

pub use dynamo::DynamoStateStore;
pub use memory::MemoryStateStore;

use crate::flow::Flow;
use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// Where a poll resumes: the last record handed on, ordered by (SystemModstamp, Id) so ties
/// on the timestamp lose nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub modstamp: DateTime<Utc>,
    pub id: String,
}

impl Cursor {
    /// Fixed-width, so string order is time order (DynamoDB compares strings).
    pub fn key(&self) -> String {
        format!(
            "{}|{}",
            self.modstamp.to_rfc3339_opts(SecondsFormat::Millis, true),
            self.id
        )
    }
}

impl PartialOrd for Cursor {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Cursor {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.modstamp, &self.id).cmp(&(other.modstamp, &other.id))
    }
}

/// What a flow last did for one source record.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// The record in the target system this source record is written to, once known.
    pub target_id: Option<String>,
    /// The source change last applied; older changes are skipped as stale.
    pub applied_change: Option<DateTime<Utc>>,
    /// Fingerprint of the fields last written, so an unchanged record is not written again.
    pub written_hash: Option<String>,
    /// Set before a create is attempted: a redelivery that finds it (and no target) looks
    /// for the record the interrupted attempt may have created instead of creating another.
    pub creating_since: Option<DateTime<Utc>>,
    /// Fingerprint of the last Error Log entry raised for this record, so a redelivery that
    /// fails the same way does not write the same entry again. Cleared on success.
    #[serde(default)]
    pub last_error: Option<String>,
    /// Optimistic-concurrency counter, maintained by the store.
    pub version: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Someone else wrote first; re-read and decide again.
    #[error("the state of {0} changed while it was being updated")]
    Conflict(String),
    #[error("the state store failed: {0}")]
    Backend(String),
}

#[async_trait]
pub trait StateStore: Send + Sync {
    async fn cursor(&self, name: &str) -> Result<Option<Cursor>, StateError>;
    /// Moves the cursor forward only; an older or equal cursor is a `Conflict`.
    async fn advance_cursor(&self, name: &str, to: &Cursor) -> Result<(), StateError>;
    async fn ledger(&self, flow: Flow, source_id: &str) -> Result<Option<LedgerEntry>, StateError>;
    /// Writes `entry` if the stored version is still `entry.version` (0 = absent); the stored
    /// version becomes `entry.version + 1`. Otherwise `Conflict`.
    async fn put_ledger(
        &self,
        flow: Flow,
        source_id: &str,
        entry: &LedgerEntry,
    ) -> Result<u64, StateError>;
}

pub(crate) fn ledger_key(flow: Flow, source_id: &str) -> String {
    format!("ledger#{}#{}", flow.slug(), source_id)
}

pub(crate) fn cursor_key(name: &str) -> String {
    format!("cursor#{name}")
}
