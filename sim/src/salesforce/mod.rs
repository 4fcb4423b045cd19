//! A simulated Salesforce org served over HTTP on loopback: OAuth (refresh-token and
//! authorization-code grants), sObject create/get/update, SOQL queries with paging, sObject
//! Collections, duplicate and validation rules, permission denials, the daily API allowance,
//! fault injection and per-endpoint counters. Both the login URL and the instance URL are
//! [`SalesforceSim::url`].

mod admin;
mod collections;
mod commits;
mod config;
mod control;
mod describe;
mod duplicates;
mod errors;
mod limits;
mod matching;
mod oauth;
mod org;
mod query;
mod records;
mod recycle;
mod router;
mod rules;
mod schema;
mod sessions;
mod soql;
mod state;
mod store;
mod unique;
mod upsert;
mod validate;

pub use config::{SalesforceSimConfig, ORG_ID};
pub use matching::DuplicateRuleKind;
pub use rules::{Condition, Operation, ValidationRule};
pub use schema::{CustomField, CustomKind, FieldAccess};

use crate::counters::Counters;
use crate::faults::Faults;
use shared::salesforce::SalesforceId;
use state::{Shared, SimState};
use std::net::SocketAddr;

/// The REST API version the simulator writes into the URLs it generates.
pub const API_VERSION: &str = "64.0";

/// A running simulated org; cheap to clone, every clone controls the same org.
#[derive(Clone)]
pub struct SalesforceSim {
    state: Shared,
}

impl SalesforceSim {
    /// Serves a new org on `127.0.0.1` at a free port, in a background tokio task.
    pub async fn start(config: SalesforceSimConfig) -> std::io::Result<SalesforceSim> {
        Self::start_on(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    pub async fn start_on(
        config: SalesforceSimConfig,
        addr: SocketAddr,
    ) -> std::io::Result<SalesforceSim> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let state = SimState::new(config, format!("http://{local}"));
        let app = router::build(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "salesforce simulator stopped");
            }
        });
        Ok(SalesforceSim { state })
    }

    /// `http://127.0.0.1:PORT`: the login URL and the instance URL.
    pub fn url(&self) -> String {
        self.state.url.clone()
    }

    pub fn config(&self) -> &SalesforceSimConfig {
        &self.state.config
    }

    /// A valid refresh token, as if a person had just authorized the connected app.
    pub fn issue_refresh_token(&self) -> String {
        self.state.issue_refresh_token()
    }

    pub fn revoke_refresh_token(&self, token: &str) {
        self.state.sessions().revoke_refresh(token);
    }

    /// Every access and refresh token this org ever issued (for leak checks).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.state.sessions().issued()
    }

    pub fn live_refresh_tokens(&self) -> Vec<String> {
        self.state.sessions().live_refresh()
    }

    /// Every access token issued so far now answers 401 INVALID_SESSION_ID.
    pub fn expire_access_tokens(&self) {
        self.state.sessions().expire_access();
    }

    pub fn set_faults(&self, faults: Faults) {
        self.state.faults.set(faults);
    }

    /// A snapshot of the per-endpoint counters: "token", "authorize", "create", "get",
    /// "update", "delete", "upsert", "query", "query_all", "describe", "limits",
    /// "collections_create", "collections_update", "collections_upsert".
    pub fn counters(&self) -> Counters {
        self.state.counters.snapshot()
    }

    pub fn reset_counters(&self) {
        self.state.counters.reset();
    }

    /// Turns the duplicate rule of "Account", "Contact" or "Lead" to the standard one
    /// (`true`, how every object starts) or off. What the standard rules match is
    /// documented in the `matching` module and docs/simulators.md.
    pub fn set_duplicate_rule(&self, object: &str, enabled: bool) {
        match schema::object(object) {
            Some(o) => self.state.org().rules.set_duplicate_rule(o, enabled),
            None => tracing::warn!(object, "no duplicate rule for an unknown object"),
        }
    }

    /// Sets the duplicate rule of an object: `Standard`, `Custom { fields }` (every field
    /// equal, case-insensitively; e.g. `["Email"]` for the old "email alone") or `Off`.
    pub fn set_duplicate_rule_kind(&self, object: &str, kind: DuplicateRuleKind) {
        match schema::object(object) {
            Some(o) => self.state.org().rules.set_duplicate_rule_kind(o, kind),
            None => tracing::warn!(object, "no duplicate rule for an unknown object"),
        }
    }

    /// Whether the Contact duplicate rule also matches Leads (off at start). When on,
    /// DUPLICATES_DETECTED carries one `matchResults` entry for Contact and one for Lead.
    pub fn set_contact_rule_matches_leads(&self, on: bool) {
        self.state.org().rules.set_contact_matches_leads(on);
    }

    /// Adds a custom field to "Account", "Contact" or "Lead", as Setup would (the name ends
    /// in `__c`); it is then readable in SOQL and GET, writable, validated, and in describe.
    pub fn add_custom_field(&self, object: &str, field: CustomField) -> Result<(), String> {
        let object = schema::object(object).ok_or_else(|| format!("unknown object {object}"))?;
        self.state.org().store.schema.add_custom(object, field)
    }

    /// The integration user's field-level security on one field (read-write by default).
    /// An unknown object or field (or hiding Id) changes nothing and is logged.
    pub fn set_field_access(&self, object: &str, field: &str, access: FieldAccess) {
        let set = schema::object(object)
            .ok_or_else(|| format!("unknown object {object}"))
            .and_then(|o| self.state.org().store.schema.set_access(o, field, access));
        if let Err(e) = set {
            tracing::warn!(object, field, error = %e, "field access not set");
        }
    }

    pub fn add_validation_rule(&self, rule: ValidationRule) {
        self.state.org().rules.add_validation_rule(rule);
    }

    /// From now on the integration user may not do `op` on `object`.
    pub fn deny(&self, object: &str, op: Operation) {
        match schema::object(object) {
            Some(o) => self.state.org().rules.deny(o, op),
            None => tracing::warn!(object, "cannot deny access to an unknown object"),
        }
    }

    /// Seeds a record, bypassing rules, counters and limits; honours explicit Id,
    /// SystemModstamp, LastModifiedById, CreatedById and CreatedDate. Without an explicit
    /// owner the record is the person user's ([`SalesforceSim::person_user_id`]), as data
    /// people load is. For an object the simulator does not know, nothing is stored and the
    /// Id returned names no record.
    pub fn insert(&self, object: &str, fields: serde_json::Value) -> SalesforceId {
        self.state.seed(object, &fields).unwrap_or_else(|| {
            tracing::warn!(object, "cannot seed an unknown object");
            SalesforceId::from_parts("000", "8M0", 0)
        })
    }

    /// An edit by a person in the Salesforce UI: LastModifiedById becomes another 005 user
    /// and SystemModstamp moves on. A pending commit of the row is forced first; the edit
    /// may itself commit late (`Faults::slow_commit_rate`). Does nothing when there is no
    /// such record or it is in the recycle bin.
    pub fn edit_as_person(&self, object: &str, id: &str, fields: serde_json::Value) {
        if !self.state.edit_as_person(object, id, &fields) {
            tracing::warn!(object, id, "no such record to edit");
        }
    }

    /// The 005 Id of the person whose UI edits `edit_as_person` simulates.
    pub fn person_user_id(&self) -> String {
        control::person_user_id()
    }

    /// A person deletes the record in the UI: it goes to the recycle bin (an Account takes
    /// its Contacts along). False when there is no such live record.
    pub fn delete(&self, object: &str, id: &str) -> bool {
        self.state.set_deleted_as_person(object, id, true)
    }

    /// A person restores the record from the recycle bin (an Account brings back the
    /// Contacts its delete took). False when there is no such deleted record.
    pub fn undelete(&self, object: &str, id: &str) -> bool {
        self.state.set_deleted_as_person(object, id, false)
    }

    /// Commits every write waiting for a slow commit now; answers how many there were.
    pub fn commit_pending_now(&self) -> usize {
        self.state.commit_pending_now()
    }

    /// How many writes are waiting for a slow commit (due ones are committed first).
    pub fn pending_commits(&self) -> usize {
        self.state.org().store.pending_len()
    }

    /// The committed record, as every reader sees it (deleted ones carry IsDeleted=true).
    pub fn record(&self, object: &str, id: &str) -> Option<serde_json::Value> {
        self.state.record(object, id)
    }

    /// Every committed record of `object`, the recycle bin included.
    pub fn records(&self, object: &str) -> Vec<serde_json::Value> {
        self.state.records(object)
    }

    pub fn set_api_usage(&self, used: u64) {
        self.state.org().api_used = used;
    }

    /// (used, max) of the daily API allowance.
    pub fn api_usage(&self) -> (u64, u64) {
        (self.state.org().api_used, self.state.config.daily_api_limit)
    }
}
