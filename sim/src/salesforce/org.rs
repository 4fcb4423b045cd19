//! The in-memory org: records, rules, API allowance and query cursors, and the API write path
//! that single-record and collection writes share.

use super::errors::SfError;
use super::query::Cursors;
use super::rules::{DuplicateOptions, Operation, Rules};
use super::store::{Record, Store, Writer};
use super::validate;
use shared::salesforce::SalesforceId;

#[derive(Default)]
pub struct Org {
    pub store: Store,
    pub rules: Rules,
    pub api_used: u64,
    pub cursors: Cursors,
}

/// One record to write through the API: create when `id` is None.
pub struct WriteRequest<'a> {
    pub object: &'static str,
    pub id: Option<&'a SalesforceId>,
    pub body: &'a Record,
    pub dup: DuplicateOptions,
}

impl Org {
    /// Runs every check of an API write without saving; returns the validated changes.
    pub fn check_write(&self, w: &WriteRequest<'_>) -> Result<Record, SfError> {
        let op = if w.id.is_some() {
            Operation::Update
        } else {
            Operation::Create
        };
        self.rules.check_access(w.object, op)?;
        let existing = match w.id {
            Some(id) => Some(
                self.store
                    .get(w.object, id.as_str())
                    .ok_or_else(SfError::not_found)?,
            ),
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

    /// Checks and saves one record as the integration user; returns its Id.
    pub fn write(&mut self, w: &WriteRequest<'_>, user: &str) -> Result<SalesforceId, SfError> {
        let changes = self.check_write(w)?;
        Ok(self.store.put(w.object, w.id, &changes, Writer::User(user)))
    }
}
