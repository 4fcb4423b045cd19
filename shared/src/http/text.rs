//! Short, safe text from HTTP answers for error details: bodies condensed to one line and
//! cut to a length, and which statuses are worth another try. Shared by both clients.

use serde_json::Value;

/// Longest body excerpt kept in an error (characters).
pub const EXCERPT_CHARS: usize = 300;

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

/// What a failed send tells about the request: whether trying again may help, and whether
/// the server may have received (and applied) it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportFailure {
    /// The failure, without the URL (whose query may hold personal data).
    pub reason: String,
    /// Timeouts, refused or dropped connections may pass on their own.
    pub transient: bool,
    /// False only when the connection was never made: nothing reached the server. A timeout
    /// or a connection dropped after sending leaves a write's outcome unknown.
    pub maybe_applied: bool,
}

/// Describes a failed send without its URL and says whether it is worth retrying and
/// whether the request may have been applied.
pub fn transport_failure(e: reqwest::Error) -> TransportFailure {
    let transient =
        e.is_timeout() || e.is_connect() || e.is_request() || e.is_body() || e.is_decode();
    let maybe_applied = !e.is_connect();
    let e = e.without_url();
    let mut reason = e.to_string();
    // reqwest's own text is generic ("error sending request"); the causes say what happened.
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        reason.push_str(": ");
        reason.push_str(&c.to_string());
        cause = c.source();
    }
    TransportFailure {
        reason: truncate_chars(&reason, EXCERPT_CHARS),
        transient,
        maybe_applied,
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
}
