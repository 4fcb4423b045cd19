//! `sfsync replay`'s engine against moto server: messages move from a DLQ back to the queue,
//! all or by record id, and none is lost or left behind unintentionally.

use e2e::{aws_config, unique};
use shared::flow::Flow;
use shared::queue::{replay, WorkMessage};
use std::collections::HashSet;

async fn setup() -> (aws_sdk_sqs::Client, String, String) {
    let client = aws_sdk_sqs::Client::new(&aws_config().await);
    let mut urls = Vec::new();
    for name in ["contact-from-ipaas", "contact-from-ipaas-dlq"] {
        urls.push(
            client
                .create_queue()
                .queue_name(unique(name))
                .send()
                .await
                .unwrap()
                .queue_url
                .unwrap(),
        );
    }
    (client, urls.remove(0), urls.remove(0))
}

async fn put(client: &aws_sdk_sqs::Client, url: &str, bodies: &[String]) {
    for b in bodies {
        client
            .send_message()
            .queue_url(url)
            .message_body(b)
            .send()
            .await
            .unwrap();
    }
}

async fn bodies(client: &aws_sdk_sqs::Client, url: &str) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        let got = client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .visibility_timeout(60)
            .send()
            .await
            .unwrap();
        let msgs = got.messages.unwrap_or_default();
        if msgs.is_empty() {
            return out;
        }
        out.extend(msgs.into_iter().filter_map(|m| m.body));
    }
}

fn messages(n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| WorkMessage::new(Flow::ContactFromIpaas, i.to_string(), None).to_json())
        .collect()
}

#[tokio::test]
async fn replays_everything_and_loses_nothing() {
    let (client, queue, dlq) = setup().await;
    let mut sent = messages(23);
    sent.push("a malformed body that failed on every delivery".into());
    put(&client, &dlq, &sent).await;

    let report = replay(&client, &dlq, &queue, &HashSet::new())
        .await
        .unwrap();
    assert_eq!(report.moved, 24);
    assert_eq!(report.left, 0);

    let mut got = bodies(&client, &queue).await;
    got.sort();
    sent.sort();
    assert_eq!(got, sent, "every body arrives once, unchanged");
    assert!(bodies(&client, &dlq).await.is_empty());
}

#[tokio::test]
async fn replays_only_the_chosen_records_and_leaves_the_rest_visible() {
    let (client, queue, dlq) = setup().await;
    put(&client, &dlq, &messages(12)).await;

    let wanted: HashSet<String> = ["3", "7", "12"].into_iter().map(String::from).collect();
    let report = replay(&client, &dlq, &queue, &wanted).await.unwrap();
    assert_eq!(report.moved, 3);
    assert_eq!(report.left, 9);

    let moved: HashSet<String> = bodies(&client, &queue)
        .await
        .iter()
        .map(|b| WorkMessage::parse(b).unwrap().record_id)
        .collect();
    assert_eq!(moved, wanted);
    // The others were released at once, not after the scan's hold expired.
    assert_eq!(bodies(&client, &dlq).await.len(), 9);
}
