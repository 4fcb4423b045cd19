//! The Lambda handler with real lambda_http requests (as a Function URL delivers them).

use ipaas_webhook::Handler;
use lambda_http::{Body, Request};
use shared::flow::Flow;
use shared::queue::MemoryWorkQueue;
use shared::webhook::WebhookKey;

fn request(auth: Option<&str>, body: &str) -> Request {
    let mut b = lambda_http::http::Request::builder()
        .method("POST")
        .uri("/");
    if let Some(a) = auth {
        b = b.header("authorization", a);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

fn handler() -> Handler<MemoryWorkQueue> {
    Handler {
        key: WebhookKey::new("k-123").unwrap(),
        queue: MemoryWorkQueue::new(),
    }
}

#[tokio::test]
async fn routes_notifications_and_answers_json() {
    let h = handler();
    let body = r#"{"notifications":[{"scope":"customer/updated","id":"42"},{"scope":"customer/company/created","id":"9"}]}"#;
    let resp = h.handle(request(Some("Bearer k-123"), body)).await.unwrap();
    assert_eq!(resp.status(), 202);
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert_eq!(h.queue.take(Flow::ContactFromIpaas, 10)[0].record_id, "42");
    assert_eq!(h.queue.take(Flow::AccountFromIpaas, 10)[0].record_id, "9");
}

#[tokio::test]
async fn wrong_key_and_bad_body() {
    let h = handler();
    let resp = h
        .handle(request(
            Some("Bearer wrong"),
            r#"{"notifications":[{"scope":"customer/updated","id":"1"}]}"#,
        ))
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = h
        .handle(request(Some("Bearer k-123"), "<xml/>"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let text = match resp.body() {
        Body::Text(t) => t.clone(),
        other => String::from_utf8_lossy(other.as_ref()).into_owned(),
    };
    assert!(text.contains("not JSON"), "{text}");
    assert!(h.queue.is_empty());
}
