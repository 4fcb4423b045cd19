//! The page a person opens in the iPaaS.com dashboard: Integration Monitoring → Error Logs,
//! newest first. Entries hold text from other systems, so every value is HTML-escaped.

use super::state::Shared;
use axum::extract::State;
use axum::response::Html;
use serde_json::Value;
use std::fmt::Write;

pub async fn error_logs(State(s): State<Shared>) -> Html<String> {
    Html(render(&s.log().newest_first()))
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#222}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.4rem .6rem;\
text-align:left;vertical-align:top}th{background:#f0f3f7}tr.error td.severity{color:#b00020}\
tr.warning td.severity{color:#a15c00}td.detail{font-family:monospace;white-space:pre-wrap;\
word-break:break-word}.empty{color:#666}";

pub fn render(entries: &[Value]) -> String {
    let mut html = String::with_capacity(1024 + entries.len() * 256);
    html.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    html.push_str("<title>Integration Monitoring \u{2192} Error Logs</title>");
    let _ = write!(html, "<style>{STYLE}</style></head><body>");
    html.push_str("<h1>Integration Monitoring \u{2192} Error Logs</h1>");
    let _ = write!(html, "<p>{} entries, newest first.</p>", entries.len());
    html.push_str("<table><thead><tr><th>Time</th><th>Flow</th><th>Record</th>");
    html.push_str("<th>Message</th><th>Severity</th><th>Detail</th></tr></thead><tbody>");
    if entries.is_empty() {
        html.push_str("<tr><td colspan=\"6\" class=\"empty\">No errors logged.</td></tr>");
    }
    for e in entries {
        let severity = text(&e["severity"]);
        let _ = write!(
            html,
            "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"severity\">{}</td><td class=\"detail\">{}</td></tr>",
            escape(&severity),
            escape(&text(&e["time"])),
            escape(&text(&e["flow"])),
            escape(&record(&e["record"])),
            escape(&text(&e["message"])),
            escape(&severity),
            escape(&text(&e["detail"])),
        );
    }
    html.push_str("</tbody></table></body></html>\n");
    html
}

/// `system kind id`, e.g. `salesforce Contact 003…`.
fn record(v: &Value) -> String {
    ["system", "kind", "id"]
        .iter()
        .map(|k| text(&v[*k]))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A value as a person reads it: strings as they are, other JSON as compact JSON.
fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_everything_it_shows() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        let page = render(&[json!({
            "time": "2024-05-01T10:00:00.000Z", "flow": "contact-to-ipaas",
            "record": {"system": "salesforce", "kind": "Contact", "id": "003\"><b>"},
            "message": "<script>alert(1)</script>", "severity": "error\" onclick=\"x",
            "detail": {"errorCode": "<i>"},
        })]);
        assert!(!page.contains("<script>alert"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!page.contains("<b>") && !page.contains("<i>"));
        assert!(!page.contains("onclick=\""));
        assert!(page.contains("salesforce Contact 003&quot;&gt;&lt;b&gt;"));
        assert!(page.contains("<th>Time</th><th>Flow</th><th>Record</th>"));
    }

    #[test]
    fn an_empty_log_says_so() {
        assert!(render(&[]).contains("No errors logged."));
    }
}
