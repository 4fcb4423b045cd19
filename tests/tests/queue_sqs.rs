//! The SQS adapter against moto server (real aws-sdk-sqs over loopback HTTP).

use e2e::aws_proxy::AwsProxy;
use e2e::{moto_endpoint, unique};
use shared::flow::Flow;
use shared::queue::{QueueError, QueueUrls, SqsWorkQueue, WorkMessage, WorkQueue};
use std::collections::HashSet;
use std::time::Duration;

async fn sqs(endpoint: &str) -> aws_sdk_sqs::Client {
    let conf = e2e::aws_loader()
        .endpoint_url(endpoint)
        .region("us-east-1")
        .test_credentials()
        .load()
        .await;
    aws_sdk_sqs::Client::new(&conf)
}

async fn new_queue(client: &aws_sdk_sqs::Client) -> String {
    client
        .create_queue()
        .queue_name(unique("account-to-ipaas"))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap()
}

/// Reads every message on the queue (deleting them) and returns their parsed bodies.
async fn drain(client: &aws_sdk_sqs::Client, url: &str) -> Vec<WorkMessage> {
    let mut out = Vec::new();
    loop {
        let got = client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        let msgs = got.messages();
        if msgs.is_empty() {
            return out;
        }
        for m in msgs {
            out.push(WorkMessage::parse(m.body().unwrap()).unwrap());
            client
                .delete_message()
                .queue_url(url)
                .receipt_handle(m.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
    }
}

fn messages(n: usize) -> Vec<WorkMessage> {
    (0..n)
        .map(|i| WorkMessage::new(Flow::AccountToIpaas, format!("001000000000{i:03}AAA"), None))
        .collect()
}

#[tokio::test]
async fn twenty_five_records_go_out_as_twenty_five_messages_in_three_batches() {
    let proxy = AwsProxy::start(moto_endpoint()).await;
    let client = sqs(proxy.url()).await;
    let url = new_queue(&client).await;
    let queue = SqsWorkQueue::new(
        client.clone(),
        QueueUrls::new().with(Flow::AccountToIpaas, &url),
    );

    let sent = messages(25);
    queue.enqueue(&sent).await.unwrap();
    assert_eq!(proxy.calls("SendMessageBatch"), 3);

    let got = drain(&client, &url).await;
    assert_eq!(got.len(), 25);
    let want: HashSet<_> = sent.iter().map(|m| m.record_id.clone()).collect();
    let have: HashSet<_> = got.iter().map(|m| m.record_id.clone()).collect();
    assert_eq!(have, want);
}

#[tokio::test]
async fn partially_failed_batches_are_retried_to_completion() {
    let proxy = AwsProxy::start(moto_endpoint()).await;
    let client = sqs(proxy.url()).await;
    let url = new_queue(&client).await;
    let queue = SqsWorkQueue::new(
        client.clone(),
        QueueUrls::new().with(Flow::AccountToIpaas, &url),
    )
    .with_retry(5, Duration::from_millis(5));

    // The first three batch calls each lose every other entry.
    proxy.fail_batch_entries(3);
    let sent = messages(25);
    queue.enqueue(&sent).await.unwrap();
    assert!(
        proxy.calls("SendMessageBatch") > 3,
        "failed entries must be sent again"
    );

    let got = drain(&client, &url).await;
    let ids: Vec<_> = got.iter().map(|m| m.record_id.clone()).collect();
    let unique_ids: HashSet<_> = ids.iter().cloned().collect();
    assert_eq!(ids.len(), 25, "each record exactly once");
    assert_eq!(unique_ids.len(), 25);
}

#[tokio::test]
async fn entries_that_never_go_through_are_named_not_dropped() {
    let proxy = AwsProxy::start(moto_endpoint()).await;
    let client = sqs(proxy.url()).await;
    let url = new_queue(&client).await;
    let queue = SqsWorkQueue::new(
        client.clone(),
        QueueUrls::new().with(Flow::AccountToIpaas, &url),
    )
    .with_retry(2, Duration::from_millis(5));

    proxy.fail_batch_entries(100);
    let sent = messages(4);
    let err = queue.enqueue(&sent).await.unwrap_err();
    match err {
        QueueError::NotEnqueued { failed, .. } => {
            // Attempt 1 withholds records 1 and 3; attempt 2 resends [1, 3] and withholds
            // the second again: record 3 is the one that never arrived.
            assert_eq!(failed, vec![sent[3].record_id.clone()]);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(drain(&client, &url).await.len(), 3);
}

#[tokio::test]
async fn a_flow_without_a_queue_is_a_configuration_error() {
    let client = sqs(&moto_endpoint()).await;
    let queue = SqsWorkQueue::new(client, QueueUrls::new());
    let err = queue.enqueue(&messages(1)).await.unwrap_err();
    assert!(err
        .to_string()
        .contains("no queue is configured for flow Account TO iPaaS.com"));
}
