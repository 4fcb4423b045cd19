//! The queue message: one record, one flow, versioned JSON. It names the record and the
//! change (and, from the poller, the record as it was read), never carries a secret, and is
//! parsed strictly so bad input is explained, not guessed at.

use crate::flow::{Flow, System};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub const ENVELOPE_VERSION: u8 = 1;
/// Longest record id accepted (Salesforce Ids are 18, iPaaS.com ids are integers).
const MAX_RECORD_ID: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkMessage {
    /// Envelope version; readers refuse versions they do not know.
    pub v: u8,
    pub flow: Flow,
    /// The source record's id in the flow's source system.
    pub record_id: String,
    pub source: System,
    /// When the source system says the record changed (SystemModstamp, last_modified_date,
    /// or the webhook's timestamp); used to refuse stale overwrites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_at: Option<DateTime<Utc>>,
    /// Correlates the log lines of one change across functions.
    pub trace_id: String,
    /// The Salesforce row as the poller read it (the flow's fields by API name), so the
    /// worker need not read it again. A snapshot is as good as a fresh read: every later
    /// change has its own message, and an older one never overwrites a newer (the
    /// ledger's applied change). Absent from webhook messages and hand-made ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<Map<String, Value>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("the queue message is not valid JSON for this integration: {0}")]
    Malformed(String),
    #[error(
        "the queue message has envelope version {0}; this build reads version {ENVELOPE_VERSION}"
    )]
    Version(u8),
    #[error("the queue message names no record id")]
    MissingRecordId,
    #[error("the queue message's record id is not usable: {0}")]
    BadRecordId(String),
    #[error("the queue message's flow {flow} does not read from {system}")]
    SourceMismatch { flow: Flow, system: System },
    #[error("the queue message's row is not the record it names ({0})")]
    RowMismatch(String),
}

impl WorkMessage {
    pub fn new(
        flow: Flow,
        record_id: impl Into<String>,
        changed_at: Option<DateTime<Utc>>,
    ) -> Self {
        WorkMessage {
            v: ENVELOPE_VERSION,
            flow,
            record_id: record_id.into(),
            source: flow.source(),
            changed_at,
            trace_id: uuid_like(),
            row: None,
        }
    }

    /// The message with the record as it was read (its `attributes` left out).
    pub fn with_row(mut self, mut row: Map<String, Value>) -> Self {
        row.remove("attributes");
        self.row = Some(row);
        self
    }

    pub fn with_trace(mut self, trace_id: impl Into<String>) -> Self {
        self.trace_id = trace_id.into();
        self
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses and checks a message body. Every failure says what is wrong in words.
    pub fn parse(body: &str) -> Result<Self, EnvelopeError> {
        let msg: WorkMessage = serde_json::from_str(body).map_err(|e| {
            // serde's message names the field and position, never echoes the whole body.
            EnvelopeError::Malformed(e.to_string())
        })?;
        msg.check()?;
        Ok(msg)
    }

    fn check(&self) -> Result<(), EnvelopeError> {
        if self.v != ENVELOPE_VERSION {
            return Err(EnvelopeError::Version(self.v));
        }
        let id = self.record_id.trim();
        if id.is_empty() {
            return Err(EnvelopeError::MissingRecordId);
        }
        if id.len() > MAX_RECORD_ID || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            let shown: String = id.chars().take(40).collect();
            return Err(EnvelopeError::BadRecordId(format!(
                "{shown:?} (letters, digits and '-' only, at most {MAX_RECORD_ID})"
            )));
        }
        if self.source != self.flow.source() {
            return Err(EnvelopeError::SourceMismatch {
                flow: self.flow,
                system: self.source,
            });
        }
        if let Some(row) = &self.row {
            let row_id = row.get("Id").and_then(Value::as_str).unwrap_or("");
            if self.source != System::Salesforce || !same_record(row_id, id) {
                let shown: String = row_id.chars().take(40).collect();
                return Err(EnvelopeError::RowMismatch(format!(
                    "row Id {shown:?}, record id {id:?}"
                )));
            }
        }
        Ok(())
    }
}

/// Two Salesforce Ids name the same record (the 15- and 18-character forms compare equal).
fn same_record(a: &str, b: &str) -> bool {
    use crate::salesforce::SalesforceId;
    matches!((SalesforceId::parse(a), SalesforceId::parse(b)), (Ok(a), Ok(b)) if a == b)
}

/// A random 128-bit hex id; enough to correlate log lines.
fn uuid_like() -> String {
    let n: u128 = rand::random();
    format!("{n:032x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let m = WorkMessage::new(Flow::ContactFromIpaas, "42", Some(Utc::now()));
        assert_eq!(WorkMessage::parse(&m.to_json()).unwrap(), m);
    }

    #[test]
    fn carries_the_row_as_read() {
        let row = serde_json::json!({"attributes": {"type": "Account"}, "Id": "001000000000001AAA", "Name": "Acme"});
        let m = WorkMessage::new(Flow::AccountToIpaas, "001000000000001AAA", Some(Utc::now()))
            .with_row(row.as_object().unwrap().clone());
        let back = WorkMessage::parse(&m.to_json()).unwrap();
        assert_eq!(back, m);
        let kept = back.row.unwrap();
        assert_eq!(kept["Name"], "Acme");
        assert!(!kept.contains_key("attributes"));
    }

    #[test]
    fn refuses_bad_messages_with_reasons() {
        let cases = [
            ("", "not valid JSON"),
            ("{", "not valid JSON"),
            ("[]", "not valid JSON"),
            (
                r#"{"v":2,"flow":"account-to-ipaas","record_id":"1","source":"salesforce","trace_id":"t"}"#,
                "version 2",
            ),
            (
                r#"{"v":1,"flow":"lead-to-ipaas","record_id":"1","source":"salesforce","trace_id":"t"}"#,
                "not valid JSON",
            ),
            (
                r#"{"v":1,"flow":"account-to-ipaas","record_id":" ","source":"salesforce","trace_id":"t"}"#,
                "no record id",
            ),
            (
                r#"{"v":1,"flow":"account-to-ipaas","record_id":"1' OR 1=1","source":"salesforce","trace_id":"t"}"#,
                "not usable",
            ),
            (
                r#"{"v":1,"flow":"account-to-ipaas","record_id":"1","source":"ipaas","trace_id":"t"}"#,
                "does not read from",
            ),
            (
                r#"{"v":1,"flow":"account-to-ipaas","record_id":7,"source":"salesforce","trace_id":"t"}"#,
                "not valid JSON",
            ),
            (
                r#"{"v":1,"flow":"account-to-ipaas","record_id":"001000000000001AAA","source":"salesforce","trace_id":"t","row":{"Id":"001000000000002AAA"}}"#,
                "not the record",
            ),
            (
                r#"{"v":1,"flow":"account-to-ipaas","record_id":"001000000000001AAA","source":"salesforce","trace_id":"t","row":[]}"#,
                "not valid JSON",
            ),
            (
                r#"{"v":1,"flow":"account-from-ipaas","record_id":"4","source":"ipaas","trace_id":"t","row":{"Id":"4"}}"#,
                "not the record",
            ),
        ];
        for (body, want) in cases {
            let err = WorkMessage::parse(body).unwrap_err().to_string();
            assert!(err.contains(want), "{body:?} -> {err}");
        }
    }
}
