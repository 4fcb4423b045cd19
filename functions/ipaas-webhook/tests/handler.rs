//! The Lambda handler with real lambda_http requests (as a Function URL delivers them).

use ipaas_webhook::Handler;
use lambda_http::{Body, Request};
use shared::flow::Flow;
use shared::queue::MemoryWorkQueue;
use shared::webhook::{WebhookKey, WebhookPath};

fn request(method: &str, path: &str, auth: Option<&str>, body: &str) -> Request {
    let mut b = lambda_http::http::Request::builder()
        .method(method)
        .uri(format!("https://abc.lambda-url.us-east-1.on.aws{path}"));
    if let Some(a) = auth {
        b = b.header("authorization", a);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

fn post(auth: Option<&str>, body: &str) -> Request {
    request("POST", "/", auth, body)
}

fn handler() -> Handler<MemoryWorkQueue> {
    Handler {
        key: WebhookKey::new("k-123").unwrap(),
        queue: MemoryWorkQueue::new(),
        path: WebhookPath::default(),
    }
}

fn text(body: &Body) -> String {
    match body {
        Body::Text(t) => t.clone(),
        other => String::from_utf8_lossy(other.as_ref()).into_owned(),
    }
}

#[tokio::test]
async fn routes_notifications_and_answers_json() {
    let h = handler();
    let body = r#"{"notifications":[{"scope":"customer/updated","id":"42"},{"scope":"customer/company/created","id":"9"}]}"#;
    let resp = h.handle(post(Some("Bearer k-123"), body)).await.unwrap();
    assert_eq!(resp.status(), 202);
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert_eq!(h.queue.take(Flow::ContactFromIpaas, 10)[0].record_id, "42");
    assert_eq!(h.queue.take(Flow::AccountFromIpaas, 10)[0].record_id, "9");
}

#[tokio::test]
async fn wrong_key_and_bad_body() {
    let h = handler();
    let resp = h
        .handle(post(
            Some("Bearer wrong"),
            r#"{"notifications":[{"scope":"customer/updated","id":"1"}]}"#,
        ))
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = h
        .handle(post(Some("Bearer k-123"), "<xml/>"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(text(resp.body()).contains("not JSON"));
    assert!(h.queue.is_empty());
}

/// Fails on the old code: every method and every path was processed as a delivery.
#[tokio::test]
async fn only_post_on_the_configured_path_is_processed() {
    let body = r#"{"notifications":[{"scope":"customer/updated","id":"42"}]}"#;
    let mut h = handler();
    h.path = WebhookPath::new("/hooks/ipaas").unwrap();
    for (method, path, status) in [
        ("GET", "/hooks/ipaas", 405),
        ("PUT", "/hooks/ipaas", 405),
        ("POST", "/", 404),
        ("POST", "/hooks", 404),
        ("POST", "/hooks/ipaas/extra", 404),
    ] {
        let resp = h
            .handle(request(method, path, Some("Bearer k-123"), body))
            .await
            .unwrap();
        assert_eq!(resp.status(), status, "{method} {path}");
        if status == 405 {
            assert_eq!(resp.headers()["allow"], "POST");
        }
        assert_eq!(resp.headers()["content-type"], "application/json");
    }
    assert!(h.queue.is_empty());
    let resp = h
        .handle(request("POST", "/hooks/ipaas/", Some("BEARER k-123"), body))
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    assert_eq!(h.queue.take(Flow::ContactFromIpaas, 10).len(), 1);
}
