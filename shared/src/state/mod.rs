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
/// on the timestamp lose nothing. `recent` remembers the rows handed on inside the overlap
/// window behind the cursor (each tick re-reads that window for rows that committed late),
/// so a row already sent costs no second message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub modstamp: DateTime<Utc>,
    pub id: String,
    #[serde(default)]
    pub recent: Vec<Seen>,
    /// When `recent` had to be cut to its cap: the oldest time it still covers. The overlap
    /// window does not reach back past it (older rows would all look new again).
    #[serde(default)]
    pub recent_from: Option<DateTime<Utc>>,
}

/// A row the poller handed on: its SystemModstamp (milliseconds) and a hash of (Id,
/// SystemModstamp). 16 bytes each, so thousands fit in one DynamoDB item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Seen {
    pub modstamp_ms: i64,
    pub key: u64,
}

impl Seen {
    pub fn of(id: &str, modstamp: &DateTime<Utc>) -> Seen {
        use sha2::{Digest, Sha256};
        let ms = modstamp.timestamp_millis();
        let digest = Sha256::digest(format!("{id}|{ms}").as_bytes());
        let mut key = [0u8; 8];
        key.copy_from_slice(&digest[..8]);
        Seen {
            modstamp_ms: ms,
            key: u64::from_be_bytes(key),
        }
    }

    /// The list as bytes (for DynamoDB's binary type): big-endian pairs.
    pub fn encode(list: &[Seen]) -> Vec<u8> {
        let mut out = Vec::with_capacity(list.len() * 16);
        for s in list {
            out.extend_from_slice(&s.modstamp_ms.to_be_bytes());
            out.extend_from_slice(&s.key.to_be_bytes());
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> Vec<Seen> {
        bytes
            .chunks_exact(16)
            .map(|c| Seen {
                modstamp_ms: i64::from_be_bytes(c[..8].try_into().unwrap_or_default()),
                key: u64::from_be_bytes(c[8..].try_into().unwrap_or_default()),
            })
            .collect()
    }
}

impl Cursor {
    pub fn at(modstamp: DateTime<Utc>, id: impl Into<String>) -> Cursor {
        Cursor {
            modstamp,
            id: id.into(),
            recent: Vec::new(),
            recent_from: None,
        }
    }

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
    /// Per mapped field (Salesforce field names), a short hash of the value both systems
    /// last agreed on: the base of the three-way merge. A change whose fields all equal it is
    /// nothing new (an echo of the integration's own write, whoever made it).
    #[serde(default)]
    pub synced: Option<std::collections::BTreeMap<String, String>>,
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
    /// Stores the cursor (with its `recent` rows). It never moves back: an older position is
    /// a `Conflict`; the same position may be stored again with a new `recent` list.
    async fn advance_cursor(&self, name: &str, to: &Cursor) -> Result<(), StateError>;
    /// Writes several entries at once, all or none, each only if its stored version is still
    /// `entry.version` (as `put_ledger`). Linking two records found by email writes both
    /// halves of the pair this way, so two deliveries can never link one record twice.
    async fn put_ledgers(&self, entries: &[(Flow, &str, &LedgerEntry)]) -> Result<(), StateError>;
    /// Notes in an entry, whatever its version, the record its source is now linked to and
    /// the values both sides agreed on, and bumps the version (so a writer that read before
    /// fails its condition and reads again). One call: the other half of a pair is kept up to
    /// date without reading it.
    async fn note_pair(
        &self,
        flow: Flow,
        source_id: &str,
        target_id: &str,
        synced: &std::collections::BTreeMap<String, String>,
    ) -> Result<(), StateError>;
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
