//! Reading a webhook body: `{"notifications":[{"scope":"customer/updated","id":"42",
//! "timestamp":"…"}]}`. Each notification is checked on its own so one bad entry is named
//! precisely and the good ones still count.

use crate::flow::Flow;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;

/// Larger bodies are refused before parsing (a real delivery is a few hundred bytes).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// More notifications than this in one delivery is not something iPaaS.com sends.
const MAX_NOTIFICATIONS: usize = 1000;

#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub flow: Flow,
    pub scope: String,
    pub id: String,
    pub timestamp: Option<DateTime<Utc>>,
}

/// A notification that was refused, and why.
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
    pub accepted: Vec<Notification>,
    pub rejected: Vec<Rejected>,
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

fn flow_of(scope: &str) -> Option<Flow> {
    match scope {
        "customer/created" | "customer/updated" => Some(Flow::ContactFromIpaas),
        "customer/company/created" | "customer/company/updated" => Some(Flow::AccountFromIpaas),
        _ => None,
    }
}

/// iPaaS.com ids are positive integers, sent as a number or a string of digits.
fn record_id(v: Option<&Value>) -> Result<String, String> {
    match v {
        None | Some(Value::Null) => Err("has no id".into()),
        Some(Value::Number(n)) => n
            .as_u64()
            .filter(|n| *n > 0)
            .map(|n| n.to_string())
            .ok_or_else(|| format!("id {n} is not a positive whole number")),
        Some(Value::String(s)) => {
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
        Some(other) => Err(format!(
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

fn one(index: usize, n: &Value) -> Result<Notification, Rejected> {
    let bad = |reason: String| Rejected { index, reason };
    let obj = n
        .as_object()
        .ok_or_else(|| bad(format!("must be an object, not {}", kind(n))))?;
    let scope = match obj.get("scope") {
        Some(Value::String(s)) => s.trim().to_string(),
        None | Some(Value::Null) => return Err(bad("has no scope".into())),
        Some(other) => return Err(bad(format!("scope must be a string, not {}", kind(other)))),
    };
    let flow = flow_of(&scope).ok_or_else(|| {
        let shown: String = scope.chars().take(60).collect();
        bad(format!(
            "scope {shown:?} is not one this integration handles (customer/created, customer/updated, customer/company/created, customer/company/updated)"
        ))
    })?;
    let id = record_id(obj.get("id")).map_err(bad)?;
    let timestamp = match obj.get("timestamp") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(
            DateTime::parse_from_rfc3339(s)
                .map_err(|_| bad("timestamp is not an RFC 3339 date-time".into()))?
                .with_timezone(&Utc),
        ),
        Some(other) => {
            return Err(bad(format!(
                "timestamp must be a string, not {}",
                kind(other)
            )))
        }
    };
    Ok(Notification {
        flow,
        scope,
        id,
        timestamp,
    })
}

/// Parses a delivery body. Whole-body problems refuse everything; per-notification problems
/// (and repeats of the same record in one delivery) are listed in `rejected`.
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
    let v: Value =
        serde_json::from_slice(body).map_err(|e| refuse(400, format!("body is not JSON: {e}")))?;
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
    let mut seen = HashSet::new();
    for (index, n) in list.iter().enumerate() {
        match one(index, n) {
            Ok(n) if !seen.insert((n.flow, n.id.clone())) => parsed.rejected.push(Rejected {
                index,
                reason: format!("repeats {} {} from earlier in this delivery", n.scope, n.id),
            }),
            Ok(n) => parsed.accepted.push(n),
            Err(r) => parsed.rejected.push(r),
        }
    }
    Ok(parsed)
}
