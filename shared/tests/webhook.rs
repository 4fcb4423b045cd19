//! The webhook receiver's domain: keys, routing to the FROM queues, and a corpus of bad bodies.

use shared::flow::Flow;
use shared::queue::MemoryWorkQueue;
use shared::webhook::{receive, route, WebhookKey, WebhookPath, MAX_BODY_BYTES};

const KEY: &str = "webhook-key-for-tests";

fn key() -> WebhookKey {
    WebhookKey::new(KEY).unwrap()
}

async fn deliver(auth: Option<&str>, body: &[u8]) -> (u16, serde_json::Value, MemoryWorkQueue) {
    let q = MemoryWorkQueue::new();
    let r = receive(auth, body, &key(), &q, "trace-1").await;
    (r.status, r.body, q)
}

fn bearer() -> String {
    format!("Bearer {KEY}")
}

#[tokio::test]
async fn good_key_puts_one_message_per_notification_on_the_right_queue() {
    let body = br#"{"notifications":[
        {"scope":"customer/updated","id":"42","timestamp":"2026-11-25T01:02:03Z"},
        {"scope":"customer/created","id":43},
        {"scope":"customer/company/updated","id":"7"},
        {"scope":"customer/company/created","id":"8"}]}"#;
    let (status, answer, q) = deliver(Some(&bearer()), body).await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["accepted"], 4);
    let contacts = q.take(Flow::ContactFromIpaas, 10);
    let accounts = q.take(Flow::AccountFromIpaas, 10);
    let ids = |v: &[shared::queue::WorkMessage]| {
        v.iter().map(|m| m.record_id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&contacts), ["42", "43"]);
    assert_eq!(ids(&accounts), ["7", "8"]);
    assert_eq!(
        contacts[0].changed_at.unwrap().to_rfc3339(),
        "2026-11-25T01:02:03+00:00"
    );
    assert!(contacts
        .iter()
        .chain(&accounts)
        .all(|m| m.trace_id == "trace-1"));
    assert!(q.is_empty());
}

/// Fails on the old code for the last two: only `Bearer ` and `bearer ` were known, though
/// the scheme is case-insensitive (RFC 7235).
#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let body = br#"{"notifications":[{"scope":"customer/updated","id":"42"}]}"#;
    for scheme in ["Bearer", "bearer", "BEARER", "bEARER"] {
        let (status, answer, _) = deliver(Some(&format!("{scheme} {KEY}")), body).await;
        assert_eq!(status, 202, "{scheme}: {answer}");
    }
}

#[tokio::test]
async fn wrong_or_missing_key_is_401_and_nothing_is_enqueued() {
    let body = br#"{"notifications":[{"scope":"customer/updated","id":"42"}]}"#;
    for auth in [
        None,
        Some("Bearer nope"),
        Some(KEY),
        Some("Bearer "),
        Some("Basic d2ViaG9vaw=="),
    ] {
        let (status, answer, q) = deliver(auth, body).await;
        assert_eq!(status, 401, "{auth:?}");
        assert!(!answer.to_string().contains(KEY));
        assert!(q.is_empty());
    }
}

/// (body, expected status, words in the reason, ids that must still be enqueued)
fn corpus() -> Vec<(Vec<u8>, u16, &'static str, Vec<&'static str>)> {
    let huge = format!(
        r#"{{"notifications":[{{"scope":"customer/updated","id":"1","pad":"{}"}}]}}"#,
        "x".repeat(MAX_BODY_BYTES)
    );
    let many = format!(
        r#"{{"notifications":[{}]}}"#,
        vec![r#"{"scope":"customer/updated","id":"1"}"#; 1001].join(",")
    );
    vec![
        (b"".to_vec(), 400, "empty", vec![]),
        (b"   \n".to_vec(), 400, "empty", vec![]),
        (b"not json".to_vec(), 400, "not JSON", vec![]),
        (b"{\"notifications\":[".to_vec(), 400, "not JSON", vec![]),
        (vec![0xff, 0xfe, 0x00], 400, "not JSON", vec![]),
        (huge.into_bytes(), 413, "limit", vec![]),
        (many.into_bytes(), 413, "limit", vec![]),
        (b"[]".to_vec(), 400, "JSON object", vec![]),
        (b"42".to_vec(), 400, "JSON object", vec![]),
        (b"{}".to_vec(), 400, "no notifications", vec![]),
        (br#"{"notifications":{}}"#.to_vec(), 400, "must be an array", vec![]),
        (br#"{"notifications":"customer/updated"}"#.to_vec(), 400, "must be an array", vec![]),
        (br#"{"notifications":[]}"#.to_vec(), 400, "is empty", vec![]),
        // Fails on the old code: the first array was dropped without a word.
        (br#"{"notifications":[{"scope":"customer/updated","id":"1"}],"notifications":[{"scope":"customer/updated","id":"2"}]}"#.to_vec(), 400, "appears twice", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":"1","id":"2"}]}"#.to_vec(), 400, "appears twice", vec![]),
        (br#"{"notifications":[null]}"#.to_vec(), 400, "must be an object", vec![]),
        (br#"{"notifications":[{"scope":7,"id":"1"}]}"#.to_vec(), 400, "scope must be a string", vec![]),
        (br#"{"notifications":[{"id":"1"}]}"#.to_vec(), 400, "has no scope", vec![]),
        (br#"{"notifications":[{"scope":" ","id":"1"}]}"#.to_vec(), 400, "empty scope", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated"}]}"#.to_vec(), 400, "has no id", vec![]),
        (br#"{"notifications":[{"scope":"customer/deleted"}]}"#.to_vec(), 400, "has no id", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":null}]}"#.to_vec(), 400, "has no id", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":"abc"}]}"#.to_vec(), 400, "not a positive whole number", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":-5}]}"#.to_vec(), 400, "not a positive whole number", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":1.5}]}"#.to_vec(), 400, "not a positive whole number", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":"0"}]}"#.to_vec(), 400, "not a positive whole number", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":"1' OR '1'='1"}]}"#.to_vec(), 400, "not a positive whole number", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":"99999999999999999999999"}]}"#.to_vec(), 400, "not a positive whole number", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":["1"]}]}"#.to_vec(), 400, "must be a number or a string", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":"6"},{"scope":"customer/updated"}]}"#.to_vec(), 400, "has no id", vec!["6"]),
    ]
}

#[tokio::test]
async fn malformed_bodies_are_refused_clearly_and_only_good_parts_are_enqueued() {
    let cases = corpus();
    assert!(cases.len() >= 25);
    for (body, want_status, want_words, still_enqueued) in cases {
        let shown = String::from_utf8_lossy(&body)
            .chars()
            .take(80)
            .collect::<String>();
        let (status, answer, q) = deliver(Some(&bearer()), &body).await;
        assert_eq!(status, want_status, "{shown}: {answer}");
        assert!(answer.to_string().contains(want_words), "{shown}: {answer}");
        let mut got: Vec<String> = q
            .take(Flow::ContactFromIpaas, 100)
            .into_iter()
            .map(|m| m.record_id)
            .collect();
        got.extend(
            q.take(Flow::AccountFromIpaas, 100)
                .into_iter()
                .map(|m| m.record_id),
        );
        assert_eq!(got, still_enqueued, "{shown}");
    }
}

/// (body, ids on the Contact queue, ids on the Account queue, words in the answer)
fn acknowledged() -> Vec<(
    &'static str,
    Vec<&'static str>,
    Vec<&'static str>,
    &'static str,
)> {
    vec![
        // Fails on the old code (400 "repeats"): created and updated for one record in one
        // delivery is one message.
        (
            r#"{"notifications":[{"scope":"customer/created","id":"5"},{"scope":"customer/updated","id":"5"}]}"#,
            vec!["5"],
            vec![],
            r#""repeats":1"#,
        ),
        // Fails on the old code (400): a delete is left alone by design, and acknowledged.
        (
            r#"{"notifications":[{"scope":"customer/deleted","id":"5"},{"scope":"customer/company/deleted","id":"9"}]}"#,
            vec![],
            vec![],
            r#""ignored":2"#,
        ),
        // Fails on the old code (400): a scope this integration does not know.
        (
            r#"{"notifications":[{"scope":"customer/updated","id":"6"},{"scope":"product/updated","id":"9"},{"scope":"bogus","id":"x"}]}"#,
            vec!["6"],
            vec![],
            r#""product/updated":1"#,
        ),
        // Fails on the old code (400): the .NET timestamp form, without an offset.
        (
            r#"{"notifications":[{"scope":"customer/company/updated","id":"7","timestamp":"2024-05-01T10:00:00.123"}]}"#,
            vec![],
            vec!["7"],
            r#""unreadable_timestamps":0"#,
        ),
        // A timestamp that cannot be read is left out; the record is still synced.
        (
            r#"{"notifications":[{"scope":"customer/updated","id":"8","timestamp":"yesterday"}]}"#,
            vec!["8"],
            vec![],
            r#""unreadable_timestamps":1"#,
        ),
        // The same id under the two objects is two records.
        (
            r#"{"notifications":[{"scope":"customer/updated","id":"4"},{"scope":"customer/company/updated","id":"4"},{"scope":"Customer/Updated","id":"004"}]}"#,
            vec!["4"],
            vec!["4"],
            r#""repeats":1"#,
        ),
    ]
}

#[tokio::test]
async fn deliveries_ipaas_may_legitimately_send_are_acknowledged_and_counted() {
    for (body, contacts, accounts, words) in acknowledged() {
        let (status, answer, q) = deliver(Some(&bearer()), body.as_bytes()).await;
        assert!((200..300).contains(&status), "{body}: {status} {answer}");
        assert!(answer.to_string().contains(words), "{body}: {answer}");
        let ids = |f| {
            q.take(f, 100)
                .into_iter()
                .map(|m| m.record_id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(Flow::ContactFromIpaas), contacts, "{body}");
        assert_eq!(ids(Flow::AccountFromIpaas), accounts, "{body}");
    }
}

#[tokio::test]
async fn a_repeat_keeps_the_latest_change_time() {
    let body = br#"{"notifications":[
        {"scope":"customer/created","id":"5","timestamp":"2024-05-01T10:00:00Z"},
        {"scope":"customer/updated","id":"5","timestamp":"2024-05-01T10:00:02.5"},
        {"scope":"customer/updated","id":"5","timestamp":"2024-05-01T10:00:01Z"}]}"#;
    let (status, _, q) = deliver(Some(&bearer()), body).await;
    assert_eq!(status, 202);
    let m = q.take(Flow::ContactFromIpaas, 10);
    assert_eq!(m.len(), 1);
    assert_eq!(
        m[0].changed_at.unwrap().to_rfc3339(),
        "2024-05-01T10:00:02.500+00:00"
    );
}

#[tokio::test]
async fn only_post_on_the_configured_path_is_a_delivery() {
    let root = WebhookPath::default();
    let hooks = WebhookPath::new("/hooks/ipaas").unwrap();
    assert_eq!(route("POST", "/", &root), None);
    assert_eq!(route("post", "/", &root), None);
    assert_eq!(route("POST", "/hooks/ipaas/", &hooks), None);
    // Each fails on the old code: any method and any path were processed.
    for (method, path, paths, status) in [
        ("GET", "/", &root, 405),
        ("PUT", "/", &root, 405),
        ("DELETE", "/hooks/ipaas", &hooks, 405),
        ("POST", "/other", &root, 404),
        ("POST", "/", &hooks, 404),
        ("GET", "/admin", &root, 404),
    ] {
        let r = route(method, path, paths).unwrap_or_else(|| panic!("{method} {path}"));
        assert_eq!(r.status, status, "{method} {path}");
        if status == 405 {
            assert_eq!(r.headers, vec![("allow", "POST".to_string())]);
        }
    }
}
