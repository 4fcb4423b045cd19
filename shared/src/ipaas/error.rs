//! Every way an iPaaS.com call can fail, and how a failure reads in an Error Log entry:
//! the catalog's "An iPaaS.com API error was returned." with a detail naming the call, the
//! status and a short excerpt of what iPaaS.com said. No variant ever holds the API key.

use crate::catalog::{MessageId, Raised};
use serde_json::Value;

/// Longest body excerpt kept in an error (characters).
pub const EXCERPT_CHARS: usize = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IpaasError {
    /// iPaaS.com answered with a non-success status (after retries, if it was transient).
    #[error("{method} {path} answered HTTP {status} after {attempts} attempt(s): {excerpt}")]
    Status {
        method: String,
        path: String,
        status: u16,
        excerpt: String,
        attempts: u32,
    },
    /// No answer: connection refused or dropped, or a timeout (after retries).
    #[error("{method} {path} failed after {attempts} attempt(s): {reason}")]
    Transport {
        method: String,
        path: String,
        reason: String,
        attempts: u32,
    },
    /// A success answer whose body is not the expected JSON.
    #[error(
        "{method} {path} answered HTTP {status} with an unreadable body ({reason}): {excerpt}"
    )]
    Decode {
        method: String,
        path: String,
        status: u16,
        reason: String,
        excerpt: String,
    },
    /// The API key could not be loaded. `reason` never quotes the secret's value.
    #[error("the iPaaS.com API key could not be read from secret {secret_id}: {reason}")]
    Secret { secret_id: String, reason: String },
    /// The request could not be made: bad configuration (base URL, path) or bad input
    /// (an empty external id). Not retried.
    #[error("the iPaaS.com request could not be made: {0}")]
    Invalid(String),
}

impl IpaasError {
    /// The HTTP status iPaaS.com answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            IpaasError::Status { status, .. } | IpaasError::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// The catalog message for this failure, with the call and iPaaS.com's answer as detail.
    pub fn to_raised(&self) -> Raised {
        Raised::new(MessageId::IpaasApiError).detail(self.to_string())
    }
}

/// Whether a status is worth another try: rate limiting and server-side trouble.
pub fn is_transient_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// A short, single-line, human-readable summary of an error body. Problem-details bodies
/// are condensed to their title, detail and field errors (so a validation failure names the
/// field); anything else is the raw text, whitespace collapsed, cut to `EXCERPT_CHARS`.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let summary = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => problem_summary(&map).unwrap_or_else(|| text.to_string()),
        _ => text.to_string(),
    };
    let flat = summary.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        return "(empty body)".to_string();
    }
    truncate_chars(&flat, EXCERPT_CHARS)
}

fn problem_summary(map: &serde_json::Map<String, Value>) -> Option<String> {
    let mut parts = Vec::new();
    for key in ["title", "detail"] {
        if let Some(s) = map.get(key).and_then(Value::as_str) {
            parts.push(s.to_string());
        }
    }
    if let Some(Value::Object(errors)) = map.get("errors") {
        for (field, messages) in errors {
            let text = match messages {
                Value::Array(list) => list
                    .iter()
                    .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(" "),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            parts.push(format!("{field}: {text}"));
        }
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// `s` cut to at most `max` characters (never inside a character), marked with `…` when cut.
pub fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max.saturating_sub(1)) {
        Some((i, _)) if s.chars().count() > max => format!("{}…", &s[..i]),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_name_the_field() {
        let body = br#"{"title":"One or more validation errors occurred.","status":400,
            "errors":{"last_name":["The last_name field is required."]}}"#;
        assert_eq!(
            excerpt(body),
            "One or more validation errors occurred.; last_name: The last_name field is required."
        );
    }

    #[test]
    fn garbage_bodies_become_short_single_line_text() {
        assert_eq!(excerpt(b""), "(empty body)");
        assert_eq!(excerpt(b"  \n "), "(empty body)");
        assert_eq!(
            excerpt(b"<html>\n<b>Bad   Gateway</b></html>"),
            "<html> <b>Bad Gateway</b></html>"
        );
        let invalid_utf8 = [0xff, 0xfe, b'o', b'k'];
        assert_eq!(excerpt(&invalid_utf8), "\u{fffd}\u{fffd}ok");
        let long = "é".repeat(10_000);
        let cut = excerpt(long.as_bytes());
        assert_eq!(cut.chars().count(), EXCERPT_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(excerpt(b"[1,2]"), "[1,2]");
        assert_eq!(excerpt(b"{\"odd\":true}"), "{\"odd\":true}");
    }

    #[test]
    fn truncation_is_character_safe() {
        assert_eq!(truncate_chars("abc", 3), "abc");
        assert_eq!(truncate_chars("abcd", 3), "ab…");
        assert_eq!(truncate_chars("日本語です", 2), "日…");
        assert_eq!(truncate_chars("", 0), "");
        assert_eq!(truncate_chars("ab", 0), "…");
    }

    #[test]
    fn raised_error_is_the_catalog_message_with_the_status_in_the_detail() {
        let e = IpaasError::Status {
            method: "POST".into(),
            path: "/customers/v2/Customer".into(),
            status: 503,
            excerpt: "Service Unavailable".into(),
            attempts: 5,
        };
        let r = e.to_raised();
        assert_eq!(r.message, "An iPaaS.com API error was returned.");
        assert_eq!(
            r.detail.as_deref(),
            Some("POST /customers/v2/Customer answered HTTP 503 after 5 attempt(s): Service Unavailable")
        );
        assert!(e.status() == Some(503) && !e.is_not_found());
    }
}
