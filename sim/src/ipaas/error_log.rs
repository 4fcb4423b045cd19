//! The tenant's Error Log (Integration Monitoring → Error Logs): checked entries with ids,
//! listed newest first.

use super::problem::FieldErrors;
use super::schema::TEXT_MAX;
use super::validate::root_error;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

#[derive(Default)]
pub struct ErrorLog {
    entries: Vec<(DateTime<Utc>, Value)>,
    last_id: u64,
}

impl ErrorLog {
    /// Stores an entry from a request body; answers it with its `id`.
    pub fn add(&mut self, body: &[u8]) -> Result<Value, FieldErrors> {
        let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
            return Err(root_error());
        };
        let (time, entry) = check(&body)?;
        self.last_id += 1;
        let mut entry = entry;
        entry.insert("id".into(), self.last_id.into());
        let entry = Value::Object(entry);
        self.entries.push((time, entry.clone()));
        Ok(entry)
    }

    /// Every entry, newest first (by `time`, then by arrival).
    pub fn newest_first(&self) -> Vec<Value> {
        let mut all: Vec<&(DateTime<Utc>, Value)> = self.entries.iter().collect();
        all.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then(b.1["id"].as_u64().cmp(&a.1["id"].as_u64()))
        });
        all.into_iter().map(|(_, v)| v.clone()).collect()
    }
}

fn check(body: &Map<String, Value>) -> Result<(DateTime<Utc>, Map<String, Value>), FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut err = |k: &str, m: String| errors.entry(k.to_string()).or_default().push(m);
    let text = |k: &str| body.get(k).filter(|v| !v.is_null());
    match text("message").map(|v| v.as_str()) {
        None => err("message", "The message field is required.".into()),
        Some(None) => err(
            "message",
            "The JSON value of message must be a string.".into(),
        ),
        Some(Some(s)) if s.trim().is_empty() => {
            err("message", "The message field is required.".into())
        }
        Some(Some(s)) if s.chars().count() > TEXT_MAX => err("message", too_long("message")),
        Some(Some(_)) => {}
    }
    let severity = text("severity")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    if !matches!(severity.as_deref(), Some("error" | "warning")) {
        err(
            "severity",
            "The severity field must be 'error' or 'warning'.".into(),
        );
    }
    for key in ["flow", "detail"] {
        match text(key) {
            Some(Value::String(s)) if s.chars().count() > TEXT_MAX => err(key, too_long(key)),
            Some(Value::String(_)) | None => {}
            // A structured detail (e.g. Salesforce's own error) is kept as sent.
            Some(_) if key == "detail" => {}
            Some(_) => err(key, format!("The JSON value of {key} must be a string.")),
        }
    }
    match text("record") {
        None => {}
        Some(Value::Object(r)) if r.values().all(|v| !v.is_object() && !v.is_array()) => {}
        Some(_) => err(
            "record",
            "The record field must be {system, kind, id}.".into(),
        ),
    }
    let time = match text("time") {
        None => Utc::now(),
        Some(v) => match v
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        {
            Some(t) => t.with_timezone(&Utc),
            None => {
                err(
                    "time",
                    "The time field must be an RFC 3339 date and time.".into(),
                );
                Utc::now()
            }
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut entry = Map::new();
    for key in ["message", "flow", "record", "detail"] {
        entry.insert(key.into(), body.get(key).cloned().unwrap_or(Value::Null));
    }
    entry.insert("severity".into(), json!(severity));
    let stamp = time.to_rfc3339_opts(SecondsFormat::Millis, true);
    entry.insert("time".into(), stamp.into());
    Ok((time, entry))
}

fn too_long(key: &str) -> String {
    format!("The field {key} must be a string with a maximum length of {TEXT_MAX}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(log: &mut ErrorLog, v: Value) -> Result<Value, FieldErrors> {
        log.add(v.to_string().as_bytes())
    }

    #[test]
    fn stores_with_ids_and_lists_newest_first() {
        let mut log = ErrorLog::default();
        let a = post(&mut log, json!({"message": "old", "severity": "Error",
            "time": "2024-01-01T00:00:00Z", "record": {"system": "salesforce", "kind": "Contact", "id": "003"}}))
        .unwrap();
        assert_eq!(
            (a["id"].as_u64(), a["severity"].as_str()),
            (Some(1), Some("error"))
        );
        assert_eq!(a["time"], "2024-01-01T00:00:00.000Z");
        post(
            &mut log,
            json!({"message": "new", "severity": "warning", "time": "2025-01-01T00:00:00Z"}),
        )
        .unwrap();
        post(
            &mut log,
            json!({"message": "now", "severity": "warning", "detail": {"errorCode": "X"}}),
        )
        .unwrap();
        let all = log.newest_first();
        let order: Vec<&str> = all.iter().filter_map(|e| e["message"].as_str()).collect();
        assert_eq!(order, ["now", "new", "old"]);
    }

    #[test]
    fn rejects_what_it_cannot_store() {
        let mut log = ErrorLog::default();
        let e = post(&mut log, json!({"severity": "fatal", "time": "yesterday"})).unwrap_err();
        assert!(e.contains_key("message") && e.contains_key("severity") && e.contains_key("time"));
        let e = post(
            &mut log,
            json!({"message": "m".repeat(1001), "severity": "error"}),
        )
        .unwrap_err();
        assert!(e["message"][0].contains("1000"));
        assert!(log.add(b"[]").unwrap_err().contains_key("$"));
        assert!(log.newest_first().is_empty());
    }
}
