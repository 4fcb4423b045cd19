//! The iPaaS.com webhook receiver's domain: answer only `POST` on the configured path, check
//! the webhook key, read the notifications, and put one message per record on the right
//! FROM queue. The Lambda (functions/ipaas-webhook) only translates its HTTP event into
//! calls to [`route`] and [`receive`]; its settings are read by [`WebhookSettings`].

mod config;
mod key;
mod notifications;
mod strict_json;

pub use config::{WebhookPath, WebhookSettings};
pub use key::{load_key, WebhookKey};
pub use notifications::{
    parse, timestamp, BodyRefused, Notification, Parsed, Rejected, MAX_BODY_BYTES,
};

use crate::queue::{WorkMessage, WorkQueue};
use serde_json::json;

/// What the receiver answers: an HTTP status, extra headers and a JSON body a person can read.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookResponse {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: serde_json::Value,
}

impl WebhookResponse {
    fn new(status: u16, body: serde_json::Value) -> Self {
        WebhookResponse {
            status,
            headers: Vec::new(),
            body,
        }
    }
}

/// The answer for a request that is not a delivery: 404 for another path, 405 (with
/// `Allow: POST`) for another method on the configured path. `None`: go on to [`receive`].
pub fn route(method: &str, path: &str, configured: &WebhookPath) -> Option<WebhookResponse> {
    if !configured.matches(path) {
        tracing::info!(path = %shown(path), "webhook request for another path refused");
        return Some(WebhookResponse::new(
            404,
            json!({"error": "not found", "reason": "deliveries go to the configured webhook path"}),
        ));
    }
    if !method.eq_ignore_ascii_case("POST") {
        tracing::info!(method = %shown(method), "webhook request with another method refused");
        let mut r = WebhookResponse::new(
            405,
            json!({"error": "method not allowed", "reason": "deliveries are POST requests"}),
        );
        r.headers.push(("allow", "POST".into()));
        return Some(r);
    }
    None
}

/// A request line value cut short for a log line.
fn shown(s: &str) -> String {
    s.chars().take(100).collect()
}

/// Handles one delivery. Records are enqueued even when other notifications in the same body
/// are malformed (nothing good is lost); the answer is then 400 naming each malformed one.
/// Scopes this integration does not sync and repeats of one record are acknowledged and
/// counted: iPaaS.com delivers anything but a 2xx again. A queue failure answers 503 so
/// iPaaS.com delivers again.
pub async fn receive(
    authorization: Option<&str>,
    body: &[u8],
    key: &WebhookKey,
    queue: &dyn WorkQueue,
    trace_id: &str,
) -> WebhookResponse {
    if !key.accepts(authorization) {
        tracing::warn!("webhook delivery refused: missing or wrong webhook key");
        return WebhookResponse::new(
            401,
            json!({"error": "unauthorized", "reason": "missing or wrong webhook key"}),
        );
    }
    let parsed = match parse(body) {
        Ok(p) => p,
        Err(rejected) => {
            tracing::warn!(status = rejected.status, reason = %rejected.reason, "webhook body refused");
            return WebhookResponse::new(
                rejected.status,
                json!({"error": "bad request", "reason": rejected.reason}),
            );
        }
    };
    let messages: Vec<WorkMessage> = parsed
        .accepted
        .iter()
        .map(|n| WorkMessage::new(n.flow, n.id.clone(), n.timestamp).with_trace(trace_id))
        .collect();
    if !messages.is_empty() {
        if let Err(e) = queue.enqueue(&messages).await {
            tracing::error!(error = %e, "webhook notifications could not be queued");
            return WebhookResponse::new(
                503,
                json!({"error": "unavailable", "reason": "the notifications could not be queued; deliver again"}),
            );
        }
    }
    for r in &parsed.rejected {
        tracing::warn!(reason = %r, "webhook notification refused");
    }
    for (scope, count) in &parsed.ignored {
        let why = if notifications::ignored_by_design(scope) {
            "not synced by design"
        } else {
            "a scope this integration does not sync"
        };
        tracing::info!(scope = %scope, count, why, "webhook notifications acknowledged and left alone");
    }
    tracing::info!(
        accepted = messages.len(),
        ignored = parsed.ignored_total(),
        repeats = parsed.repeats,
        unreadable_timestamps = parsed.unreadable_timestamps,
        refused = parsed.rejected.len(),
        "webhook delivery handled"
    );
    let mut answer = json!({
        "accepted": messages.len(),
        "ignored": parsed.ignored_total(),
        "ignored_scopes": parsed.ignored,
        "repeats": parsed.repeats,
        "unreadable_timestamps": parsed.unreadable_timestamps,
    });
    if !parsed.rejected.is_empty() {
        answer["error"] = json!("bad request");
        answer["refused"] = json!(parsed.rejected);
        return WebhookResponse::new(400, answer);
    }
    // 202: queued for the flows; 200: nothing to do (every notification left alone).
    WebhookResponse::new(if messages.is_empty() { 200 } else { 202 }, answer)
}
