//! The iPaaS.com webhook receiver's domain: check the webhook key, read the notifications,
//! and put one message per record on the right FROM queue. The Lambda (functions/ipaas-webhook)
//! only translates its HTTP event into a call to [`receive`].

mod key;
mod notifications;

pub use key::{load_key, WebhookKey};
pub use notifications::{parse, BodyRefused, Notification, Parsed, Rejected, MAX_BODY_BYTES};

use crate::queue::{WorkMessage, WorkQueue};
use serde_json::json;

/// What the receiver answers: an HTTP status and a JSON body a person can read.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookResponse {
    pub status: u16,
    pub body: serde_json::Value,
}

impl WebhookResponse {
    fn new(status: u16, body: serde_json::Value) -> Self {
        WebhookResponse { status, body }
    }
}

/// Handles one delivery. Valid notifications are enqueued even when others in the same body
/// are not (nothing good is lost); the answer is then 400 naming each bad one, and the bad
/// ones are logged. A queue failure answers 503 so iPaaS.com delivers again.
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
    if let Err(e) = queue.enqueue(&messages).await {
        tracing::error!(error = %e, "webhook notifications could not be queued");
        return WebhookResponse::new(
            503,
            json!({"error": "unavailable", "reason": "the notifications could not be queued; deliver again"}),
        );
    }
    for r in &parsed.rejected {
        tracing::warn!(reason = %r, "webhook notification refused");
    }
    tracing::info!(
        accepted = messages.len(),
        refused = parsed.rejected.len(),
        "webhook delivery handled"
    );
    if parsed.rejected.is_empty() {
        WebhookResponse::new(202, json!({"accepted": messages.len()}))
    } else {
        WebhookResponse::new(
            400,
            json!({"error": "bad request", "accepted": messages.len(), "refused": parsed.rejected}),
        )
    }
}
