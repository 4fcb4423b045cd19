//! What every flow works with: both clients, the state store, the Error Log and the flow's
//! settings, plus the few steps all four share (reporting a failure, reading and writing the
//! ledger, claiming a create).

use super::merge::Base;
use super::{CollisionMethod, Outcome, SyncType};
use crate::catalog::Raised;
use crate::error_log::{ErrorLog, ErrorLogEntry};
use crate::flow::{Flow, RecordRef};
use crate::ipaas::{IpaasClient, IpaasError};
use crate::salesforce::{SalesforceClient, SalesforceError};
use crate::state::{LedgerEntry, StateError, StateStore};
use chrono::{DateTime, Utc};
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
    /// A create noted in the ledger this recently may still be running in another delivery
    /// (or its answer may still be on its way); a second delivery waits instead of looking
    /// for it or creating a twin.
    pub create_lease: Duration,
    /// Share (0–1) of the daily Salesforce allowance above which work is put off.
    pub budget_share: f64,
    /// How long work put off for the budget waits (SQS allows at most 15 minutes).
    pub budget_delay: Duration,
    /// How long a record the integration itself created is assumed to be on its way to being
    /// linked by the flow that made it (the other direction leaves it alone meanwhile).
    pub origin_horizon: Duration,
    /// Records of one batch worked at once (iPaaS.com has no batch endpoints, so its round
    /// trips are overlapped instead).
    pub concurrency: usize,
}

impl Default for Pacing {
    fn default() -> Self {
        Pacing {
            create_lease: Duration::from_secs(120),
            budget_share: 0.9,
            budget_delay: Duration::from_secs(900),
            origin_horizon: Duration::from_secs(3600),
            concurrency: 10,
        }
    }
}

/// The Salesforce External ID fields the FROM flows create through (upsert, safe to send
/// again), holding the iPaaS.com id; without one, creates are claimed and recovered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExternalIdFields {
    pub account: Option<String>,
    pub contact: Option<String>,
}

impl ExternalIdFields {
    pub fn of(&self, object: &str) -> Option<&str> {
        match object {
            "Account" => self.account.as_deref(),
            "Contact" => self.contact.as_deref(),
            _ => None,
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
    pub external_ids: ExternalIdFields,
    /// The field mapping (the document, or the built-in default), checked against the org
    /// before any record is touched.
    pub mapping: Arc<crate::mapping::document::Mapping>,
    /// When this deployment first polled (read once per container): see `known_unlinked`.
    pub epoch: Arc<tokio::sync::OnceCell<Option<DateTime<Utc>>>>,
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
        let mut entry = self
            .state
            .ledger(flow, &record.id)
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        self.log_on(flow, record, raised, &mut entry).await;
    }

    /// `log` for a caller that holds the record's ledger entry: the entry is noted in place
    /// (its version moves on), so the caller's next write of it does not conflict.
    pub async fn log_on(
        &self,
        flow: Flow,
        record: RecordRef,
        raised: Raised,
        entry: &mut LedgerEntry,
    ) {
        let key = super::merge::hash(&raised.message);
        let seen = entry.last_error.clone().unwrap_or_default();
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
        let next = LedgerEntry {
            last_error: Some(noted),
            ..entry.clone()
        };
        match self.state.put_ledger(flow, &record.id, &next).await {
            Ok(version) => {
                *entry = LedgerEntry { version, ..next };
            }
            Err(e) => tracing::debug!(error = %e, "could not note the entry in the ledger"),
        }
    }

    pub async fn ledger(&self, flow: Flow, source_id: &str) -> Result<LedgerEntry, StateError> {
        Ok(self
            .state
            .ledger(flow, source_id)
            .await?
            .unwrap_or_default())
    }

    /// Changes the entry with `change`: first on the version the caller holds, and when
    /// another delivery wrote meanwhile, on a fresh read (a few times).
    pub async fn update_ledger(
        &self,
        flow: Flow,
        source_id: &str,
        held: LedgerEntry,
        change: impl Fn(&mut LedgerEntry),
    ) -> Result<LedgerEntry, StateError> {
        let mut entry = held;
        for _ in 0..4 {
            let mut next = entry.clone();
            change(&mut next);
            match self.state.put_ledger(flow, source_id, &next).await {
                Ok(version) => return Ok(LedgerEntry { version, ..next }),
                Err(StateError::Conflict(_)) => entry = self.ledger(flow, source_id).await?,
                Err(e) => return Err(e),
            }
        }
        Err(StateError::Conflict(format!(
            "{} {source_id}: too many concurrent writers",
            flow.slug()
        )))
    }

    /// After a write (or a confirmed no-op) of a linked pair: this flow's entry remembers the
    /// target, the values both sides now agree on and the newest change applied, and forgets
    /// the pending create and the noted errors; the other direction's entry for the target
    /// learns the same pair and values, so its echo of this write costs nothing.
    pub async fn settle(
        &self,
        flow: Flow,
        source_id: &str,
        held: LedgerEntry,
        target: &str,
        base: &Base,
        version: Option<DateTime<Utc>>,
    ) -> Result<(), StateError> {
        let mine = self.update_ledger(flow, source_id, held, |e| {
            e.target_id = Some(target.to_string());
            e.creating_since = None;
            e.last_error = None;
            e.synced = Some(base.clone());
            e.applied_change = match (e.applied_change, version) {
                (Some(a), Some(v)) => Some(a.max(v)),
                (a, v) => v.or(a),
            };
        });
        // Two items, written at once: the write is done, so the other half is true whether
        // or not this half's write has to be tried again.
        let (mine, ()) = tokio::join!(mine, self.note_other_half(flow, source_id, target, base));
        mine.map(|_| ())
    }

    /// Pairs this flow's record `source_id` with `target` in both directions' ledgers at
    /// once, before the link is written: unless `target` is already paired with another
    /// record, or the other direction is creating a record for it. Two records whose creates
    /// or lookups lead to the same target (twins with the same values, two people with one
    /// email) can never both take it. `None`: taken. The values both sides agree on are
    /// noted later, by `settle`, once the link is written.
    pub async fn pair_up(
        &self,
        flow: Flow,
        source_id: &str,
        held: LedgerEntry,
        target: &str,
    ) -> Result<Option<LedgerEntry>, StateError> {
        let mut held = held;
        for _ in 0..4 {
            let theirs = self.ledger(flow.opposite(), target).await?;
            let paired_elsewhere = theirs
                .target_id
                .as_deref()
                .is_some_and(|t| !same_id(t, source_id));
            let being_created = theirs.target_id.is_none() && theirs.creating_since.is_some();
            if paired_elsewhere || being_created {
                return Ok(None);
            }
            let mine = LedgerEntry {
                target_id: Some(target.to_string()),
                ..held.clone()
            };
            let other = LedgerEntry {
                target_id: Some(source_id.to_string()),
                ..theirs
            };
            let pair = [(flow, source_id, &mine), (flow.opposite(), target, &other)];
            match self.state.put_ledgers(&pair).await {
                Ok(()) => {
                    return Ok(Some(LedgerEntry {
                        version: mine.version + 1,
                        ..mine
                    }))
                }
                Err(StateError::Conflict(_)) => held = self.ledger(flow, source_id).await?,
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// Notes the pair in the other direction's ledger (keyed by `target`).
    pub async fn note_other_half(&self, flow: Flow, source_id: &str, target: &str, base: &Base) {
        if let Err(e) = self
            .state
            .note_pair(flow.opposite(), target, source_id, base)
            .await
        {
            // Only costs a little: the other flow then judges its next change without it.
            tracing::warn!(%flow, source_id, target, error = %e, "could not note the pair for the other direction");
        }
    }

    /// Before a create: the ledger notes the attempt, so a redelivery after a crash or a
    /// lost answer looks for the record this attempt may have made instead of making another.
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

    /// A create noted less than a lease ago and not linked yet: it may still be running in
    /// another delivery (or its answer may be late); wait out the lease rather than look for
    /// it too early or risk a twin.
    pub fn pending_create(&self, entry: &LedgerEntry) -> Option<Outcome> {
        let since = entry.creating_since?;
        let age = (chrono::Utc::now() - since).to_std().unwrap_or_default();
        let left = self.pacing.create_lease.checked_sub(age)?;
        Some(Outcome::Postponed {
            delay: left.max(Duration::from_millis(10)),
            reason: "a create of this record started recently and may still be running".into(),
        })
    }

    /// A create whose outcome is unknown (the answer was lost): the claim stays, and the next
    /// delivery, once the lease has passed, looks for the record before creating anything.
    pub fn create_unconfirmed(&self, what: &str, detail: &str) -> Outcome {
        tracing::warn!(
            what,
            detail,
            "create outcome unknown; the record will be looked for before any second create"
        );
        Outcome::Postponed {
            delay: self.pacing.create_lease,
            reason: format!("the create of {what} may have been applied ({detail}); it is looked for before creating again"),
        }
    }

    /// The create was refused with an answer, so nothing was made: forget the claim.
    pub async fn abandon_create(&self, flow: Flow, source_id: &str, entry: &mut LedgerEntry) {
        if entry.creating_since.is_none() {
            return;
        }
        match self
            .update_ledger(flow, source_id, entry.clone(), |e| e.creating_since = None)
            .await
        {
            Ok(e) => *entry = e,
            Err(e) => {
                tracing::warn!(%flow, source_id, error = %e, "could not clear a pending create")
            }
        }
    }

    /// Whether a record created at `created` by `creator` was made by the integration
    /// recently: it belongs to the record it was made from, whose flow links it.
    pub async fn made_by_us_recently(
        &self,
        creator: Option<&str>,
        created: Option<DateTime<Utc>>,
    ) -> Result<bool, SalesforceError> {
        let (Some(creator), Some(created)) = (creator, created) else {
            return Ok(false);
        };
        let me = self.salesforce.integration_user_id().await?;
        let age = (chrono::Utc::now() - created).to_std().unwrap_or_default();
        Ok(same_id(creator, &me) && age < self.pacing.origin_horizon)
    }

    /// Whether a Salesforce record the ledger has never seen is certainly not linked: it
    /// was created after this deployment first polled, by someone else than the integration
    /// (every link made since is in the ledger), so its first sync needs no link lookup. A
    /// record from before may carry a link made elsewhere (another installation).
    pub async fn known_unlinked(
        &self,
        entry: &LedgerEntry,
        creator: Option<&str>,
        created: Option<DateTime<Utc>>,
    ) -> bool {
        if entry.version != 0 {
            return false;
        }
        let epoch = self
            .epoch
            .get_or_init(|| async {
                match self.state.cursor(crate::poller::EPOCH).await {
                    Ok(c) => c.map(|c| c.modstamp),
                    Err(_) => None,
                }
            })
            .await;
        let (Some(epoch), Some(created)) = (epoch, created) else {
            return false;
        };
        // A second of slack for the two systems' clocks.
        if created <= *epoch + chrono::Duration::seconds(1) {
            return false;
        }
        match (creator, self.salesforce.integration_user_id().await) {
            (Some(c), Ok(me)) => !same_id(c, &me),
            _ => false,
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

/// Two Salesforce Ids name the same record (15- and 18-character forms compare equal).
pub fn same_id(a: &str, b: &str) -> bool {
    use crate::salesforce::SalesforceId;
    match (SalesforceId::parse(a), SalesforceId::parse(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Whether a change is older than the newest one already applied.
pub fn is_stale(entry: &LedgerEntry, version: Option<chrono::DateTime<chrono::Utc>>) -> bool {
    matches!((entry.applied_change, version), (Some(applied), Some(v)) if v < applied)
}

/// Whether an iPaaS.com failure may pass on its own.
pub fn ipaas_transient(e: &IpaasError) -> bool {
    e.is_transient()
}

/// Whether a Salesforce failure may pass on its own.
pub fn salesforce_transient(e: &SalesforceError) -> bool {
    e.is_transient()
}

/// The state store failing is an outage of our own: retried and logged, no catalog message.
pub fn state_failure(flow: Flow, source_id: &str, e: StateError) -> Outcome {
    tracing::error!(%flow, source_id, error = %e, "state store failed; the message will be retried");
    Outcome::Deferred {
        reason: format!("state store: {e}"),
    }
}
