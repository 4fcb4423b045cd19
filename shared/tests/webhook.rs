//! The webhook receiver's domain: keys, routing to the FROM queues, and a corpus of bad bodies.

use shared::flow::Flow;
use shared::queue::MemoryWorkQueue;
use shared::webhook::{receive, WebhookKey, MAX_BODY_BYTES};

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
        (br#"{"notifications":[null]}"#.to_vec(), 400, "must be an object", vec![]),
        (br#"{"notifications":[{"scope":"product/updated","id":"1"}]}"#.to_vec(), 400, "is not one this integration handles", vec![]),
        (br#"{"notifications":[{"scope":"customer/deleted","id":"1"}]}"#.to_vec(), 400, "is not one this integration handles", vec![]),
        (br#"{"notifications":[{"scope":7,"id":"1"}]}"#.to_vec(), 400, "scope must be a string", vec![]),
        (br#"{"notifications":[{"id":"1"}]}"#.to_vec(), 400, "has no scope", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated"}]}"#.to_vec(), 400, "has no id", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":null}]}"#.to_vec(), 400, "has no id", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":"abc"}]}"#.to_vec(), 400, "not a positive whole number", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":-5}]}"#.to_vec(), 400, "not a positive whole number", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":1.5}]}"#.to_vec(), 400, "not a positive whole number", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":"0"}]}"#.to_vec(), 400, "not a positive whole number", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":"1' OR '1'='1"}]}"#.to_vec(), 400, "not a positive whole number", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":"99999999999999999999999"}]}"#.to_vec(), 400, "not a positive whole number", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":["1"]}]}"#.to_vec(), 400, "must be a number or a string", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":"1","timestamp":"yesterday"}]}"#.to_vec(), 400, "RFC 3339", vec![]),
        (br#"{"notifications":[{"scope":"customer/updated","id":"5"},{"scope":"customer/updated","id":"5"}]}"#.to_vec(), 400, "repeats", vec!["5"]),
        (br#"{"notifications":[{"scope":"customer/updated","id":"6"},{"scope":"bogus","id":"9"}]}"#.to_vec(), 400, "bogus", vec!["6"]),
    ]
}

#[tokio::test]
async fn malformed_bodies_are_refused_clearly_and_only_good_parts_are_enqueued() {
    let cases = corpus();
    assert!(cases.len() >= 15);
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
