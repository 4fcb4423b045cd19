//! The recycle bin: deleting and undeleting records. Deleting an Account takes its Contacts
//! along (as Salesforce does); undeleting it brings back those same Contacts.

use super::org::{Commit, Org};
use super::store::{is_deleted, Ticket};
use serde_json::Value;
use shared::salesforce::SalesforceId;

impl Org {
    /// Moves a record (and, for an Account, its Contacts) into or out of the recycle bin in
    /// one transaction. The caller has checked that the record exists and is not locked.
    pub fn set_deleted(
        &mut self,
        object: &'static str,
        id: &SalesforceId,
        deleted: bool,
        user: &str,
        commit: Commit,
    ) -> Option<Ticket> {
        let mut rows = vec![(object, id.clone())];
        if object == "Account" {
            if deleted {
                let children: Vec<SalesforceId> = self
                    .store
                    .all_live("Contact")
                    .filter(|c| c.get("AccountId").and_then(Value::as_str) == Some(id.as_str()))
                    .filter_map(|c| c.get("Id").and_then(Value::as_str))
                    .filter_map(|c| SalesforceId::parse(c).ok())
                    .filter(|c| !self.store.locked("Contact", c.as_str()))
                    .collect();
                self.recycled_with.insert(id.to_string(), children.clone());
                rows.extend(children.into_iter().map(|c| ("Contact", c)));
            } else {
                let children = self.recycled_with.remove(id.as_str()).unwrap_or_default();
                rows.extend(
                    children
                        .into_iter()
                        .filter(|c| {
                            self.store
                                .get("Contact", c.as_str())
                                .is_some_and(is_deleted)
                                && !self.store.locked("Contact", c.as_str())
                        })
                        .map(|c| ("Contact", c)),
                );
            }
        }
        let mut first = None;
        for (object, row) in rows {
            let Some(rec) = self.store.stage_deleted(object, &row, deleted, user) else {
                continue;
            };
            let ticket = self.store.save(object, rec, commit.delay, commit.due);
            first = first.or(ticket);
        }
        first
    }
}
