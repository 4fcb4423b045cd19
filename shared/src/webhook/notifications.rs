//! Reading a webhook body: `{"notifications":[{"scope":"customer/updated","id":"42",
//! "timestamp":"…"}]}`. Only a body that is not this shape is refused (400): iPaaS.com
//! delivers a refused body again, so anything it may legitimately send (a scope we do not
//! sync, the same record twice, a timestamp in another form) is acknowledged and counted.

use super::strict_json::{self, StrictJsonError};
use crate::flow::Flow;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Larger bodies are refused before parsing (a real delivery is a few hundred bytes).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// More notifications than this in one delivery is not something iPaaS.com sends.
const MAX_NOTIFICATIONS: usize = 1000;

/// Scopes left alone on purpose: deletes are not synced (as in the product this mirrors).
const IGNORED_SCOPES: [&str; 2] = ["customer/deleted", "customer/company/deleted"];

#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub flow: Flow,
    pub scope: String,
    pub id: String,
    pub timestamp: Option<DateTime<Utc>>,
}

/// A notification that is not the documented shape, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejected {
    pub index: usize,
    pub reason: String,
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "notification {}: {}", self.index, self.reason)
    }
}

#[derive(Debug, Default)]
pub struct Parsed {
    /// One per record: repeats within the delivery are folded into the first.
    pub accepted: Vec<Notification>,
    /// Not the documented shape (the delivery is answered 400; the rest still counts).
    pub rejected: Vec<Rejected>,
    /// Scope → how many notifications of that scope were acknowledged and left alone
    /// (deletes by design, scopes this integration does not know).
    pub ignored: BTreeMap<String, usize>,
    /// Notifications folded into an earlier one for the same record.
    pub repeats: usize,
    /// Timestamps that could not be read and were left out (the record is still synced).
    pub unreadable_timestamps: usize,
}

impl Parsed {
    pub fn ignored_total(&self) -> usize {
        self.ignored.values().sum()
    }
}

/// The whole body was refused.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyRefused {
    pub status: u16,
    pub reason: String,
}

fn refuse(status: u16, reason: impl Into<String>) -> BodyRefused {
    BodyRefused {
        status,
        reason: reason.into(),
    }
}

/// The flow a scope feeds; `None` for a scope this integration does not sync.
fn flow_of(scope: &str) -> Option<Flow> {
    match scope.to_ascii_lowercase().as_str() {
        "customer/created" | "customer/updated" => Some(Flow::ContactFromIpaas),
        "customer/company/created" | "customer/company/updated" => Some(Flow::AccountFromIpaas),
        _ => None,
    }
}

/// iPaaS.com ids are positive integers, sent as a number or a string of digits.
fn record_id(v: &Value) -> Result<String, String> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .filter(|n| *n > 0)
            .map(|n| n.to_string())
            .ok_or_else(|| format!("id {n} is not a positive whole number")),
        Value::String(s) => {
            let t = s.trim();
            if !t.is_empty()
                && t.len() <= 19
                && t.bytes().all(|b| b.is_ascii_digit())
                && !t.trim_start_matches('0').is_empty()
            {
                Ok(t.trim_start_matches('0').to_string())
            } else {
                let shown: String = t.chars().take(30).collect();
                Err(format!("id {shown:?} is not a positive whole number"))
            }
        }
        other => Err(format!(
            "id must be a number or a string, not {}",
            kind(other)
        )),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// RFC 3339, or the .NET form without an offset (`2024-05-01T10:00:00.123`), read as UTC.
pub fn timestamp(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    // `+0000` without a colon, as Salesforce writes it.
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

/// One notification as read: a record to sync, or a scope left alone.
enum Read {
    Sync(Notification, bool),
    Ignored(String),
}

fn one(index: usize, n: &Value) -> Result<Read, Rejected> {
    let bad = |reason: String| Rejected { index, reason };
    let obj = n
        .as_object()
        .ok_or_else(|| bad(format!("must be an object, not {}", kind(n))))?;
    let scope = match obj.get("scope") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        None | Some(Value::Null) => return Err(bad("has no scope".into())),
        Some(Value::String(_)) => return Err(bad("has an empty scope".into())),
        Some(other) => return Err(bad(format!("scope must be a string, not {}", kind(other)))),
    };
    let id = match obj.get("id") {
        None | Some(Value::Null) => return Err(bad("has no id".into())),
        Some(v) => v,
    };
    let Some(flow) = flow_of(&scope) else {
        return Ok(Read::Ignored(scope.chars().take(60).collect()));
    };
    let id = record_id(id).map_err(bad)?;
    let (timestamp, unreadable) = match obj.get("timestamp") {
        Some(Value::String(s)) => match timestamp(s) {
            Some(t) => (Some(t), false),
            None => (None, true),
        },
        None | Some(Value::Null) => (None, false),
        Some(_) => (None, true),
    };
    Ok(Read::Sync(
        Notification {
            flow,
            scope,
            id,
            timestamp,
        },
        unreadable,
    ))
}

/// Parses a delivery body. Whole-body problems refuse everything; a notification that is not
/// the documented shape is listed in `rejected`; everything else is accepted or ignored.
pub fn parse(body: &[u8]) -> Result<Parsed, BodyRefused> {
    if body.len() > MAX_BODY_BYTES {
        return Err(refuse(
            413,
            format!(
                "body is {} bytes; the limit is {MAX_BODY_BYTES}",
                body.len()
            ),
        ));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(refuse(400, "body is empty"));
    }
    let v = strict_json::parse(body).map_err(|e| match e {
        StrictJsonError::Syntax(m) => refuse(400, format!("body is not JSON: {m}")),
        StrictJsonError::DuplicateKey(m) => {
            refuse(400, format!("body is ambiguous: {m} (keys must be unique)"))
        }
    })?;
    let list = match v.get("notifications") {
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(refuse(
                400,
                format!("notifications must be an array, not {}", kind(other)),
            ))
        }
        None if v.is_object() => return Err(refuse(400, "body has no notifications")),
        None => {
            return Err(refuse(
                400,
                format!("body must be a JSON object, not {}", kind(&v)),
            ))
        }
    };
    if list.is_empty() {
        return Err(refuse(400, "notifications is empty"));
    }
    if list.len() > MAX_NOTIFICATIONS {
        return Err(refuse(
            413,
            format!(
                "{} notifications in one delivery; the limit is {MAX_NOTIFICATIONS}",
                list.len()
            ),
        ));
    }
    let mut parsed = Parsed::default();
    for (index, n) in list.iter().enumerate() {
        match one(index, n) {
            Ok(Read::Sync(n, unreadable)) => {
                parsed.unreadable_timestamps += usize::from(unreadable);
                // `customer/created` then `customer/updated` for one record: one message,
                // carrying the latest change time given.
                match parsed
                    .accepted
                    .iter_mut()
                    .find(|a| a.flow == n.flow && a.id == n.id)
                {
                    Some(first) => {
                        parsed.repeats += 1;
                        first.timestamp = first.timestamp.max(n.timestamp);
                    }
                    None => parsed.accepted.push(n),
                }
            }
            Ok(Read::Ignored(scope)) => *parsed.ignored.entry(scope).or_default() += 1,
            Err(r) => parsed.rejected.push(r),
        }
    }
    Ok(parsed)
}

/// Whether a scope is left alone by design (as opposed to unknown).
pub fn ignored_by_design(scope: &str) -> bool {
    IGNORED_SCOPES.contains(&scope.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_with_and_without_offset() {
        let utc = |s: &str| timestamp(s).map(|t| t.to_rfc3339());
        assert_eq!(
            utc("2024-05-01T10:00:00.123").as_deref(),
            Some("2024-05-01T10:00:00.123+00:00")
        );
        assert_eq!(
            utc("2024-05-01T10:00:00").as_deref(),
            Some("2024-05-01T10:00:00+00:00")
        );
        assert_eq!(
            utc("2024-05-01T12:00:00+02:00").as_deref(),
            Some("2024-05-01T10:00:00+00:00")
        );
        assert_eq!(
            utc("2024-05-01T10:00:00.000+0000").as_deref(),
            Some("2024-05-01T10:00:00+00:00")
        );
        assert_eq!(utc("yesterday"), None);
    }
}
