//! Test and demo controls over the org, shared by the Rust handle and the `/__sim` routes.
//! None of them is counted, faulted or limited; a person's edit may still commit late.

use super::oauth::new_refresh_token;
use super::org::Commit;
use super::schema;
use super::state::SimState;
use super::store::{is_deleted, Record, Writer};
use serde_json::Value;
use shared::salesforce::SalesforceId;

/// The human user whose edits in the Salesforce UI the sync must pick up; also the owner of
/// seeded records that name none.
pub fn person_user_id() -> String {
    SalesforceId::from_parts("005", "8M0", 2).to_string()
}

impl SimState {
    pub fn issue_refresh_token(&self) -> String {
        let token = new_refresh_token();
        self.sessions().add_refresh(token.clone());
        token
    }

    /// Seeds a record, bypassing rules and limits; honours explicit Id, SystemModstamp,
    /// LastModifiedById, CreatedById, CreatedDate. Without them the record is a person's
    /// (as data loaded by people is). `None` for an object the simulator does not know.
    pub fn seed(&self, object: &str, fields: &Value) -> Option<SalesforceId> {
        let object = schema::object(object)?;
        let mut rec: Record = fields.as_object().cloned().unwrap_or_default();
        let explicit = rec
            .remove("Id")
            .and_then(|v| v.as_str().and_then(|s| SalesforceId::parse(s).ok()))
            .filter(|id| id.key_prefix() == schema::key_prefix(object));
        let person = person_user_id();
        let mut org = self.org();
        if let Some(id) = &explicit {
            org.store.force(object, id.as_str());
        }
        let id = org
            .store
            .put(object, explicit.as_ref(), &rec, Writer::Seed(&person));
        drop(org);
        self.wake_writers();
        Some(id)
    }

    /// An edit by a person in the UI: another LastModifiedById, a fresh SystemModstamp. It
    /// waits for a pending commit of the row first, and may itself commit late (the
    /// slow-commit dice, at the path `/__sim/records/{object}/{id}`). Returns false when
    /// there is no such record, or it is in the recycle bin.
    pub fn edit_as_person(&self, object: &str, id: &str, fields: &Value) -> bool {
        let Some(object) = schema::object(object) else {
            return false;
        };
        let Ok(id) = SalesforceId::parse(id) else {
            return false;
        };
        let commit = self.slow_commit(&format!("/__sim/records/{object}/{id}"));
        let mut org = self.org();
        org.store.force(object, id.as_str());
        if org.store.live(object, id.as_str()).is_none() {
            return false;
        }
        let rec: Record = fields.as_object().cloned().unwrap_or_default();
        let person = person_user_id();
        let (_, staged) = org
            .store
            .stage(object, Some(&id), &rec, Writer::User(&person));
        org.store.save(object, staged, commit.delay, commit.due);
        drop(org);
        self.wake_writers();
        true
    }

    /// A person deletes (or undeletes) a record in the UI, at once. False when there is no
    /// such record or it already is where it was asked to go.
    pub fn set_deleted_as_person(&self, object: &str, id: &str, deleted: bool) -> bool {
        let Some(object) = schema::object(object) else {
            return false;
        };
        let Ok(id) = SalesforceId::parse(id) else {
            return false;
        };
        let mut org = self.org();
        org.store.force(object, id.as_str());
        match org.store.get(object, id.as_str()) {
            Some(r) if is_deleted(r) != deleted => {}
            _ => return false,
        }
        org.set_deleted(object, &id, deleted, &person_user_id(), Commit::default());
        drop(org);
        self.wake_writers();
        true
    }

    /// The committed record (what every reader sees), deleted or not.
    pub fn record(&self, object: &str, id: &str) -> Option<Value> {
        let object = schema::object(object)?;
        let org = self.org();
        org.store.get(object, id).cloned().map(Value::Object)
    }

    /// Every committed record of `object`, the recycle bin included.
    pub fn records(&self, object: &str) -> Vec<Value> {
        let Some(object) = schema::object(object) else {
            return Vec::new();
        };
        let org = self.org();
        org.store.all(object).cloned().map(Value::Object).collect()
    }
}
