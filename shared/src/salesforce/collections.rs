//! sObject Collections: up to 200 records created or updated in one API call, with one
//! result per record in the order sent. Larger inputs are split into calls of 200.

use super::client::{Call, SalesforceClient};
use super::error::{ApiError, SalesforceError};
use super::id::SalesforceId;
use super::records::{check_object, DuplicateRuleHeader};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Most records Salesforce takes in one Collections call.
pub const MAX_PER_CALL: usize = 200;

/// The outcome of one record of a Collections call.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SaveResult {
    #[serde(default)]
    pub id: Option<String>,
    pub success: bool,
    #[serde(default)]
    pub errors: Vec<ApiError>,
    /// Upserts only: whether the record was created (else an existing one was updated).
    #[serde(default)]
    pub created: Option<bool>,
}

impl SaveResult {
    /// Another transaction held the record (UNABLE_TO_LOCK_ROW): nothing was written.
    pub fn is_locked(&self) -> bool {
        !self.success
            && self
                .errors
                .first()
                .is_some_and(|e| e.error_code == "UNABLE_TO_LOCK_ROW")
    }

    /// The record's Id on success, else the typed error its `errors` stand for. Collections
    /// results carry no `duplicateResult`, so a duplicate's `matches` is empty here.
    pub fn into_result(self) -> Result<SalesforceId, SalesforceError> {
        if self.success {
            let raw = self.id.unwrap_or_default();
            return SalesforceId::parse(&raw).map_err(|e| SalesforceError::Decode {
                method: "POST".into(),
                path: "composite/sobjects".into(),
                status: 200,
                excerpt: format!("a saved record's Id is not valid: {e}"),
            });
        }
        let code = self
            .errors
            .first()
            .map(|e| e.error_code.as_str())
            .unwrap_or("");
        Err(match code {
            "DUPLICATES_DETECTED" => SalesforceError::Duplicates {
                message: self.errors[0].message.clone(),
                matches: self.errors[0].duplicate_matches(),
            },
            "NOT_FOUND" | "ENTITY_IS_DELETED" => SalesforceError::NotFound {
                errors: self.errors,
            },
            "UNABLE_TO_LOCK_ROW" => SalesforceError::Locked {
                errors: self.errors,
            },
            _ => SalesforceError::Rejected {
                status: 400,
                errors: self.errors,
            },
        })
    }
}

impl SalesforceClient {
    /// Creates records (`allOrNone: false`: one bad record does not fail its neighbours).
    /// Never re-sent once it may have reached Salesforce: an unclear outcome is
    /// `SalesforceError::Ambiguous` for the whole call.
    pub async fn create_many(
        &self,
        object: &str,
        records: &[Map<String, Value>],
        duplicates: Option<DuplicateRuleHeader>,
    ) -> Result<Vec<SaveResult>, SalesforceError> {
        let typed: Vec<Value> = records.iter().map(|r| with_type(object, None, r)).collect();
        let path = self.data_path("composite/sobjects");
        self.save_many(Method::POST, &path, object, typed, duplicates, true)
            .await
    }

    /// Creates or updates records by the External ID field `field` (each record carries its
    /// value): sObject Collections upsert. Safe to send again, so it is retried like a read.
    pub async fn upsert_many(
        &self,
        object: &str,
        field: &str,
        records: &[Map<String, Value>],
        duplicates: Option<DuplicateRuleHeader>,
    ) -> Result<Vec<SaveResult>, SalesforceError> {
        check_object(field)?;
        let typed: Vec<Value> = records.iter().map(|r| with_type(object, None, r)).collect();
        let path = self.data_path(&format!("composite/sobjects/{object}/{field}"));
        self.save_many(Method::PATCH, &path, object, typed, duplicates, false)
            .await
    }

    /// Updates records by Id (partial: fields not named are kept).
    pub async fn update_many(
        &self,
        object: &str,
        records: &[(SalesforceId, Map<String, Value>)],
        duplicates: Option<DuplicateRuleHeader>,
    ) -> Result<Vec<SaveResult>, SalesforceError> {
        let typed: Vec<Value> = records
            .iter()
            .map(|(id, r)| with_type(object, Some(id), r))
            .collect();
        let path = self.data_path("composite/sobjects");
        self.save_many(Method::PATCH, &path, object, typed, duplicates, false)
            .await
    }

    async fn save_many(
        &self,
        method: Method,
        path: &str,
        object: &str,
        records: Vec<Value>,
        duplicates: Option<DuplicateRuleHeader>,
        once: bool,
    ) -> Result<Vec<SaveResult>, SalesforceError> {
        check_object(object)?;
        let mut results = Vec::with_capacity(records.len());
        for chunk in records.chunks(MAX_PER_CALL) {
            let mut answer = self
                .save_chunk(&method, path, chunk, duplicates, once)
                .await?;
            // Records another transaction held (UNABLE_TO_LOCK_ROW) were not written: sent
            // again, alone, after the usual backoff. Never for a create that must not be
            // sent twice: its call as a whole may not be repeated.
            let policy = &self.config().retry;
            let mut tries = 1;
            while !once && policy.should_retry(tries) {
                let locked: Vec<usize> = (0..answer.len())
                    .filter(|&i| answer[i].is_locked())
                    .collect();
                if locked.is_empty() {
                    break;
                }
                tokio::time::sleep(policy.delay(tries, None)).await;
                tries += 1;
                let again: Vec<Value> = locked.iter().map(|&i| chunk[i].clone()).collect();
                let retried = self
                    .save_chunk(&method, path, &again, duplicates, once)
                    .await?;
                for (i, r) in locked.into_iter().zip(retried) {
                    answer[i] = r;
                }
            }
            results.extend(answer);
        }
        Ok(results)
    }

    /// One Collections call of at most 200 records; one result per record, in order.
    async fn save_chunk(
        &self,
        method: &Method,
        path: &str,
        chunk: &[Value],
        duplicates: Option<DuplicateRuleHeader>,
        once: bool,
    ) -> Result<Vec<SaveResult>, SalesforceError> {
        let mut call = Call::new(method.clone(), path.to_string())
            .json(&json!({ "allOrNone": false, "records": chunk }));
        call.once = once;
        if let Some(h) = duplicates {
            let (name, value) = h.header();
            call = call.header(name, value);
        }
        let answer: Vec<SaveResult> = self.json(&call).await?;
        if answer.len() != chunk.len() {
            return Err(SalesforceError::Decode {
                method: method.to_string(),
                path: call.path.clone(),
                status: 200,
                excerpt: format!("{} results for {} records", answer.len(), chunk.len()),
            });
        }
        Ok(answer)
    }
}

fn with_type(object: &str, id: Option<&SalesforceId>, fields: &Map<String, Value>) -> Value {
    let mut record = Map::with_capacity(fields.len() + 2);
    record.insert("attributes".into(), json!({ "type": object }));
    if let Some(id) = id {
        record.insert("id".into(), Value::String(id.to_string()));
    }
    for (k, v) in fields {
        record.insert(k.clone(), v.clone());
    }
    Value::Object(record)
}
