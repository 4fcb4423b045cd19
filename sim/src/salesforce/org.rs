//! The in-memory org: records, rules, API allowance and query cursors, and the API write path
//! that single-record and collection writes share.

use super::errors::SfError;
use super::query::Cursors;
use super::rules::{DuplicateOptions, Operation, Rules};
use super::store::{is_deleted, Record, Store, Ticket, Writer};
use super::validate;
use shared::salesforce::SalesforceId;
use std::collections::HashMap;
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct Org {
    pub store: Store,
    pub rules: Rules,
    pub api_used: u64,
    pub cursors: Cursors,
    /// Account Id -> the Contacts its delete sent to the recycle bin with it.
    pub recycled_with: HashMap<String, Vec<SalesforceId>>,
}

/// One record to write through the API: create when `id` is None.
pub struct WriteRequest<'a> {
    pub object: &'static str,
    pub id: Option<&'a SalesforceId>,
    pub body: &'a Record,
    pub dup: DuplicateOptions,
}

/// When a write's transaction commits: now, or late (one due time for one transaction).
#[derive(Debug, Clone, Copy, Default)]
pub struct Commit {
    pub delay: Option<Duration>,
    pub due: Option<Instant>,
}

impl Commit {
    pub fn after(delay: Option<Duration>) -> Self {
        Commit {
            delay,
            due: delay.map(|d| Instant::now() + d),
        }
    }
}

/// A saved write: its Id, and the ticket to wait on when it commits late.
#[derive(Debug, Clone)]
pub struct Written {
    pub id: SalesforceId,
    pub ticket: Option<Ticket>,
}

impl Org {
    /// The record an update or delete targets: locked, missing and deleted rows refused.
    pub fn target(&self, object: &'static str, id: &SalesforceId) -> Result<&Record, SfError> {
        if self.store.locked(object, id.as_str()) {
            return Err(SfError::unable_to_lock(id.as_str()));
        }
        match self.store.get(object, id.as_str()) {
            None => Err(SfError::not_found()),
            Some(r) if is_deleted(r) => Err(SfError::entity_is_deleted()),
            Some(r) => Ok(r),
        }
    }

    /// Runs every check of an API write without saving; returns the validated changes.
    pub fn check_write(&self, w: &WriteRequest<'_>) -> Result<Record, SfError> {
        let op = if w.id.is_some() {
            Operation::Update
        } else {
            Operation::Create
        };
        self.rules.check_access(w.object, op)?;
        let existing = match w.id {
            Some(id) => Some(self.target(w.object, id)?),
            None => None,
        };
        let changes = validate::fields(&self.store, w.object, w.body, op)?;
        let mut merged = existing.cloned().unwrap_or_default();
        for (k, v) in &changes {
            merged.insert(k.clone(), v.clone());
        }
        self.rules
            .check_record(&self.store, w.object, &merged, &changes, w.dup)?;
        Ok(changes)
    }

    /// Checks and saves one record as the integration user.
    pub fn write(
        &mut self,
        w: &WriteRequest<'_>,
        user: &str,
        commit: Commit,
    ) -> Result<Written, SfError> {
        let changes = self.check_write(w)?;
        Ok(self.save(w.object, w.id, &changes, user, commit))
    }

    /// Saves already checked changes.
    pub fn save(
        &mut self,
        object: &'static str,
        id: Option<&SalesforceId>,
        changes: &Record,
        user: &str,
        commit: Commit,
    ) -> Written {
        let (id, rec) = self.store.stage(object, id, changes, Writer::User(user));
        let ticket = self.store.save(object, rec, commit.delay, commit.due);
        Written { id, ticket }
    }
}
