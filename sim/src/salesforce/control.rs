//! Test and demo controls over the org, shared by the Rust handle and the `/__sim` routes.
//! None of them is counted, faulted or limited.

use super::oauth::new_refresh_token;
use super::schema;
use super::state::SimState;
use super::store::{Record, Writer};
use serde_json::Value;
use shared::salesforce::SalesforceId;

/// The human user whose edits in the Salesforce UI the sync must pick up.
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
    /// LastModifiedById, CreatedDate. `None` for an object the simulator does not know.
    pub fn seed(&self, object: &str, fields: &Value) -> Option<SalesforceId> {
        let object = schema::object(object)?;
        let mut rec: Record = fields.as_object().cloned().unwrap_or_default();
        let explicit = rec
            .remove("Id")
            .and_then(|v| v.as_str().and_then(|s| SalesforceId::parse(s).ok()))
            .filter(|id| id.key_prefix() == schema::key_prefix(object));
        let user = self.config.integration_user_id.clone();
        Some(
            self.org()
                .store
                .put(object, explicit.as_ref(), &rec, Writer::Seed(&user)),
        )
    }

    /// An edit by a person in the UI: another LastModifiedById, a fresh SystemModstamp.
    /// Returns false when there is no such record.
    pub fn edit_as_person(&self, object: &str, id: &str, fields: &Value) -> bool {
        let Some(object) = schema::object(object) else {
            return false;
        };
        let Ok(id) = SalesforceId::parse(id) else {
            return false;
        };
        let mut org = self.org();
        if org.store.get(object, id.as_str()).is_none() {
            return false;
        }
        let rec: Record = fields.as_object().cloned().unwrap_or_default();
        let person = person_user_id();
        org.store
            .put(object, Some(&id), &rec, Writer::User(&person));
        true
    }

    pub fn record(&self, object: &str, id: &str) -> Option<Value> {
        let object = schema::object(object)?;
        let org = self.org();
        org.store.get(object, id).cloned().map(Value::Object)
    }

    pub fn records(&self, object: &str) -> Vec<Value> {
        let Some(object) = schema::object(object) else {
            return Vec::new();
        };
        let org = self.org();
        org.store.all(object).cloned().map(Value::Object).collect()
    }
}
