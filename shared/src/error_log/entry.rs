//! One Error Log entry (DESIGN.md §5): the catalog message, its severity, the flow, the
//! affected record, when, and the detail of this occurrence. Also how an entry reads on the
//! iPaaS.com wire and in the structured log.

use crate::catalog::{MessageId, Raised, Severity};
use crate::flow::{Flow, RecordRef};
use crate::ipaas::truncate_chars;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// Longest message or detail iPaaS.com accepts (docs/ipaas-api.md: other text ≤ 1,000).
pub const MAX_TEXT_CHARS: usize = 1000;

/// Target of the structured-log events, so they can be filtered and alarmed on.
pub const LOG_TARGET: &str = "error_log";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorLogEntry {
    /// Exact catalog text, placeholders filled.
    pub message: String,
    pub message_id: MessageId,
    pub severity: Severity,
    pub flow: Option<Flow>,
    pub record: Option<RecordRef>,
    pub time: DateTime<Utc>,
    pub detail: Option<String>,
}

impl ErrorLogEntry {
    /// An entry for `raised`, stamped now.
    pub fn from_raised(raised: Raised, flow: Option<Flow>, record: Option<RecordRef>) -> Self {
        ErrorLogEntry {
            message: raised.message,
            message_id: raised.id,
            severity: raised.severity,
            flow,
            record,
            time: Utc::now(),
            detail: raised.detail,
        }
    }

    /// The same entry with another time (replays keep the original failure's time).
    pub fn at(mut self, time: DateTime<Utc>) -> Self {
        self.time = time;
        self
    }

    /// RFC 3339 UTC with milliseconds, e.g. `2024-05-01T10:00:00.123Z`.
    pub fn time_rfc3339(&self) -> String {
        self.time.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// The body of `POST /integrations/v2/ErrorLog`: `{message, severity, flow,
    /// record:{system, kind, id}, time, detail}`, texts cut to what iPaaS.com accepts so
    /// a long Salesforce detail cannot get the entry itself rejected.
    pub fn to_wire(&self) -> serde_json::Value {
        serde_json::json!({
            "message": truncate_chars(&self.message, MAX_TEXT_CHARS),
            "severity": self.severity,
            "flow": self.flow,
            "record": self.record,
            "time": self.time_rfc3339(),
            "detail": self.detail.as_deref().map(|d| truncate_chars(d, MAX_TEXT_CHARS)),
        })
    }

    /// Writes the entry to the structured log: error or warning level, one field per part.
    pub fn emit(&self) {
        let message_id = self.message_id.entry().slug;
        let flow = self.flow.map(Flow::slug);
        let record = self.record.as_ref().map(ToString::to_string);
        let record = record.as_deref();
        let time = self.time_rfc3339();
        let detail = self.detail.as_deref();
        match self.severity {
            Severity::Error => tracing::error!(
                target: LOG_TARGET,
                message_id,
                severity = "error",
                flow,
                record,
                time = %time,
                detail,
                "{}",
                self.message
            ),
            Severity::Warning => tracing::warn!(
                target: LOG_TARGET,
                message_id,
                severity = "warning",
                flow,
                record,
                time = %time,
                detail,
                "{}",
                self.message
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::System;
    use chrono::TimeZone;
    use serde_json::json;

    #[test]
    fn built_from_a_raised_message_and_sent_in_the_documented_shape() {
        let raised = Raised::with(MessageId::SalesforceHttpError, &[("code", "503")])
            .detail("x".repeat(5000));
        let time = Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap();
        let entry = ErrorLogEntry::from_raised(
            raised,
            Some(Flow::ContactFromIpaas),
            Some(RecordRef::new(System::Ipaas, "Customer", "42")),
        )
        .at(time);
        assert_eq!(entry.message, "Error calling SalesForce (Http Code: 503)");
        assert_eq!(entry.severity, Severity::Error);
        let wire = entry.to_wire();
        assert_eq!(wire["message"], "Error calling SalesForce (Http Code: 503)");
        assert_eq!(wire["severity"], "error");
        assert_eq!(wire["flow"], "contact-from-ipaas");
        assert_eq!(
            wire["record"],
            json!({"system": "ipaas", "kind": "Customer", "id": "42"})
        );
        assert_eq!(wire["time"], "2024-05-01T10:00:00.000Z");
        assert_eq!(
            wire["detail"].as_str().unwrap().chars().count(),
            MAX_TEXT_CHARS
        );
    }

    #[test]
    fn entries_without_flow_record_or_detail_send_nulls() {
        let entry = ErrorLogEntry::from_raised(Raised::new(MessageId::EmailLinkFailed), None, None);
        let wire = entry.to_wire();
        assert_eq!(wire["severity"], "warning");
        assert!(wire["flow"].is_null() && wire["record"].is_null() && wire["detail"].is_null());
        assert!(DateTime::parse_from_rfc3339(wire["time"].as_str().unwrap()).is_ok());
    }
}
