//! What every flow works with: both clients, the state store, the Error Log and the flow's
//! settings, plus the few steps all four share (reporting a failure, reading and writing the
//! ledger).

use super::{CollisionMethod, Outcome, SyncType};
use crate::catalog::Raised;
use crate::error_log::{ErrorLog, ErrorLogEntry};
use crate::flow::{Flow, RecordRef};
use crate::ipaas::{IpaasClient, IpaasError};
use crate::salesforce::{SalesforceClient, SalesforceError};
use crate::state::{LedgerEntry, StateError, StateStore};
use std::sync::Arc;
use std::time::Duration;

/// A flow's choices (iPaaS.com mapping configuration).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlowSettings {
    pub collision: CollisionMethod,
    pub sync_type: SyncType,
}

/// How work is paced: how long a started create is left to its own delivery, and how much
/// of the org's daily API allowance the integration may use before it puts work off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pacing {
    /// A create noted in the ledger this recently may still be running in another delivery;
    /// a second delivery waits instead of creating a twin.
    pub create_lease: Duration,
    /// Share (0–1) of the daily Salesforce allowance above which work is put off.
    pub budget_share: f64,
    /// How long work put off for the budget waits (SQS allows at most 15 minutes).
    pub budget_delay: Duration,
}

impl Default for Pacing {
    fn default() -> Self {
        Pacing {
            create_lease: Duration::from_secs(120),
            budget_share: 0.9,
            budget_delay: Duration::from_secs(900),
        }
    }
}

/// Everything a flow needs; built once per Lambda container (or once by the demo).
#[derive(Clone)]
pub struct FlowContext {
    pub salesforce: SalesforceClient,
    pub ipaas: IpaasClient,
    pub state: Arc<dyn StateStore>,
    pub errors: Arc<dyn ErrorLog>,
    pub pacing: Pacing,
}

impl FlowContext {
    /// Records `raised` in the Error Log (and the structured log) and returns the failed
    /// outcome. `retry` marks causes that may pass on their own (outages, a prerequisite
    /// still on its way).
    pub async fn fail(
        &self,
        flow: Flow,
        record: RecordRef,
        raised: Raised,
        retry: bool,
    ) -> Outcome {
        self.log(flow, record, raised.clone()).await;
        Outcome::Failed { raised, retry }
    }

    /// Records a message (a warning, or an error) without deciding the outcome. A redelivery
    /// that raises the same message for the same record adds no second entry (SQS retries a
    /// message several times before the dead-letter queue; the detail may differ per try).
    pub async fn log(&self, flow: Flow, record: RecordRef, raised: Raised) {
        let key = crate::mapping::fingerprint(&serde_json::json!([raised.message]));
        let entry = self
            .state
            .ledger(flow, &record.id)
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        let seen = entry.last_error.as_deref().unwrap_or("");
        if seen.split(' ').any(|k| k == key) {
            tracing::info!(%flow, record = %record.id, message = %raised.message, "raised again; already in the Error Log");
            return;
        }
        let log = ErrorLogEntry::from_raised(raised, Some(flow), Some(record.clone()));
        if let Err(e) = self.errors.record(log).await {
            // The entry is in the structured log already; the caller's outcome stands.
            tracing::error!(error = %e, "Error Log entry could not be delivered to iPaaS.com");
        }
        let noted = if seen.is_empty() {
            key
        } else {
            format!("{seen} {key}")
        };
        let entry = LedgerEntry {
            last_error: Some(noted),
            ..entry
        };
        if let Err(e) = self.state.put_ledger(flow, &record.id, &entry).await {
            tracing::debug!(error = %e, "could not note the entry in the ledger");
        }
    }

    pub async fn ledger(&self, flow: Flow, source_id: &str) -> Result<LedgerEntry, StateError> {
        Ok(self
            .state
            .ledger(flow, source_id)
            .await?
            .unwrap_or_default())
    }

    /// Stores `entry` (built on the version read). A conflict means another delivery of the
    /// same record wrote meanwhile; the write to the target is done either way, so it is
    /// logged rather than failed.
    pub async fn save_ledger(
        &self,
        flow: Flow,
        source_id: &str,
        entry: &LedgerEntry,
    ) -> Result<LedgerEntry, StateError> {
        match self.state.put_ledger(flow, source_id, entry).await {
            Ok(version) => Ok(LedgerEntry {
                version,
                ..entry.clone()
            }),
            Err(StateError::Conflict(what)) => {
                tracing::warn!(%flow, source_id, "ledger changed meanwhile ({what}); keeping the newer entry");
                Ok(self.ledger(flow, source_id).await?)
            }
            Err(e) => Err(e),
        }
    }
}

impl FlowContext {
    /// After a successful write (or a confirmed no-op): the ledger remembers the target, the
    /// fingerprint written and the newest change applied, and forgets the pending create.
    pub async fn applied(
        &self,
        flow: Flow,
        source_id: &str,
        mut entry: LedgerEntry,
        target: &str,
        hash: Option<String>,
        version: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<(), StateError> {
        entry.target_id = Some(target.to_string());
        entry.creating_since = None;
        entry.last_error = None;
        if hash.is_some() {
            entry.written_hash = hash;
        }
        entry.applied_change = match (entry.applied_change, version) {
            (Some(a), Some(v)) => Some(a.max(v)),
            (a, v) => v.or(a),
        };
        self.save_ledger(flow, source_id, &entry).await.map(|_| ())
    }

    /// Notes in the opposite flow's ledger that the iPaaS.com record `ipaas_id` and the
    /// Salesforce record `sf_id` now hold the same values (`fields`, as that flow would write
    /// them). When iPaaS.com's webhook for our own write arrives, that flow sees nothing new
    /// without reading Salesforce.
    pub async fn note_in_sync(
        &self,
        flow: Flow,
        ipaas_id: &str,
        sf_id: &str,
        fields: &serde_json::Map<String, serde_json::Value>,
    ) {
        let hash = crate::mapping::fingerprint(&serde_json::Value::Object(fields.clone()));
        let result = async {
            let mut entry = self.ledger(flow, ipaas_id).await?;
            if entry.written_hash.as_deref() == Some(hash.as_str())
                && entry.target_id.as_deref() == Some(sf_id)
            {
                return Ok(());
            }
            entry.written_hash = Some(hash);
            entry.target_id = Some(sf_id.to_string());
            self.state
                .put_ledger(flow, ipaas_id, &entry)
                .await
                .map(|_| ())
        }
        .await;
        if let Err(e) = result {
            // Only an optimisation: the echo is then checked against Salesforce instead.
            tracing::debug!(%flow, ipaas_id, error = %e, "could not note the records in sync");
        }
    }

    /// Before a create: the ledger notes the attempt, so a redelivery after a crash looks
    /// for the record this attempt may have made instead of making another.
    pub async fn creating(
        &self,
        flow: Flow,
        source_id: &str,
        mut entry: LedgerEntry,
    ) -> Result<LedgerEntry, Outcome> {
        entry.creating_since = Some(chrono::Utc::now());
        // A real claim: if another delivery wrote the entry since it was read, it is working
        // on this record now, so this one steps back instead of creating a twin.
        match self.state.put_ledger(flow, source_id, &entry).await {
            Ok(version) => Ok(LedgerEntry { version, ..entry }),
            Err(StateError::Conflict(_)) => Err(Outcome::Postponed {
                delay: Duration::from_secs(1),
                reason: "another delivery of this record is working on it".into(),
            }),
            Err(e) => Err(state_failure(flow, source_id, e)),
        }
    }

    /// A create noted less than a lease ago and not found: it may still be running in
    /// another delivery (or died before creating); wait out the lease rather than risk a twin.
    pub fn pending_create(&self, entry: &LedgerEntry) -> Option<Outcome> {
        let since = entry.creating_since?;
        let age = (chrono::Utc::now() - since).to_std().unwrap_or_default();
        let left = self.pacing.create_lease.checked_sub(age)?;
        Some(Outcome::Postponed {
            delay: left.max(Duration::from_millis(10)),
            reason: "a create of this record started recently and may still be running".into(),
        })
    }

    /// The create was refused or failed with an answer, so nothing was made: forget it.
    pub async fn abandon_create(&self, flow: Flow, source_id: &str, entry: &mut LedgerEntry) {
        if entry.creating_since.take().is_some() {
            match self.save_ledger(flow, source_id, entry).await {
                Ok(e) => *entry = e,
                Err(e) => {
                    tracing::warn!(%flow, source_id, error = %e, "could not clear a pending create")
                }
            }
        }
    }

    /// Work put off while the org's daily API usage is above the budget.
    pub fn over_budget(&self) -> Option<Outcome> {
        // A reading older than the wait itself is not trusted: the next call takes a new one,
        // so work resumes once the allowance has recovered.
        let usage = self.salesforce.recent_api_usage(self.pacing.budget_delay)?;
        (usage.share() >= self.pacing.budget_share).then(|| Outcome::Postponed {
            delay: self.pacing.budget_delay,
            reason: format!(
                "Salesforce API usage {}/{} is above the budget of {:.0}%",
                usage.used,
                usage.max,
                self.pacing.budget_share * 100.0
            ),
        })
    }
}

/// Whether a change is older than the newest one already applied.
pub fn is_stale(entry: &LedgerEntry, version: Option<chrono::DateTime<chrono::Utc>>) -> bool {
    matches!((entry.applied_change, version), (Some(applied), Some(v)) if v < applied)
}

/// Whether an iPaaS.com failure may pass on its own.
pub fn ipaas_transient(e: &IpaasError) -> bool {
    match e {
        IpaasError::Status { status, .. } => crate::http::text::is_transient_status(*status),
        IpaasError::Transport { .. } => true,
        _ => false,
    }
}

/// Whether a Salesforce failure may pass on its own.
pub fn salesforce_transient(e: &SalesforceError) -> bool {
    match e {
        SalesforceError::Http { status, .. } => crate::http::text::is_transient_status(*status),
        SalesforceError::Transport { .. } | SalesforceError::LimitExceeded { .. } => true,
        _ => false,
    }
}

/// The state store failing is an outage of our own: retried and logged, no catalog message.
pub fn state_failure(flow: Flow, source_id: &str, e: StateError) -> Outcome {
    tracing::error!(%flow, source_id, error = %e, "state store failed; the message will be retried");
    Outcome::Deferred {
        reason: format!("state store: {e}"),
    }
}
