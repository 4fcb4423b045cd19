//! `sfsync replay` as an operator meets it, against moto server: a wrong or repeated queue
//! URL is one clear sentence before anything moves, and a `--record` that is not in the
//! dead-letter queue is named and fails the command.

use e2e::{aws_config, unique};
use sfsync::replay_cmd::{run, ReplayOptions};
use shared::flow::Flow;
use shared::queue::WorkMessage;

/// A flow queue whose redrive policy names its dead-letter queue, as the template makes them.
async fn queues() -> (aws_sdk_sqs::Client, String, String) {
    let sqs = aws_sdk_sqs::Client::new(&aws_config().await);
    let dlq = sqs
        .create_queue()
        .queue_name(unique("replay-dlq"))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let dlq_arn = sqs
        .get_queue_attributes()
        .queue_url(&dlq)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
        .clone();
    let queue = sqs
        .create_queue()
        .queue_name(unique("replay-queue"))
        .attributes(
            aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy,
            serde_json::json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"}).to_string(),
        )
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    (sqs, queue, dlq)
}

fn options(queue: &str, dlq: &str, records: &[&str]) -> ReplayOptions {
    ReplayOptions {
        flow: Flow::ContactFromIpaas,
        records: records.iter().map(|r| r.to_string()).collect(),
        queue_url: Some(queue.to_string()),
        dlq_url: Some(dlq.to_string()),
    }
}

async fn dead_letter(sqs: &aws_sdk_sqs::Client, dlq: &str, record: &str) {
    sqs.send_message()
        .queue_url(dlq)
        .message_body(WorkMessage::new(Flow::ContactFromIpaas, record.to_string(), None).to_json())
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_wrong_dlq_url_is_one_sentence_and_nothing_moves() {
    let (sqs, queue, dlq) = queues().await;
    dead_letter(&sqs, &dlq, "42").await;
    let wrong = format!("{}-typo", dlq);

    let err = run(options(&queue, &wrong, &[]))
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.contains("no dead-letter queue at") && err.contains(&wrong),
        "{err}"
    );
    assert!(
        !err.contains('\n') && err.len() < 300,
        "one short line: {err}"
    );
    assert!(!err.contains("run it again"), "{err}");

    let done = run(options(&queue, &dlq, &[])).await.unwrap();
    assert!(
        done.summary.contains("moved 1 message(s)"),
        "{}",
        done.summary
    );
    assert!(done.warnings.is_empty(), "{:?}", done.warnings);
}

#[tokio::test]
async fn the_same_queue_as_queue_and_dlq_is_refused() {
    let (sqs, queue, _) = queues().await;
    dead_letter(&sqs, &queue, "7").await;
    let err = run(options(&queue, &queue, &[]))
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("same queue") && err.contains("loop"), "{err}");
}

#[tokio::test]
async fn a_record_not_in_the_dlq_is_named_and_fails_the_command() {
    let (sqs, queue, dlq) = queues().await;
    dead_letter(&sqs, &dlq, "42").await;

    let err = run(options(&queue, &dlq, &["42", "99"]))
        .await
        .err()
        .expect("a missing record fails the command")
        .to_string();
    assert!(err.contains("moved 1 message(s)"), "{err}");
    assert!(
        err.contains("Not in the dead-letter queue: record(s) 99"),
        "{err}"
    );
    let moved = sqs
        .receive_message()
        .queue_url(&queue)
        .send()
        .await
        .unwrap()
        .messages
        .unwrap_or_default();
    assert_eq!(moved.len(), 1, "the record that was there still moved");
}

#[tokio::test]
async fn a_queue_that_sends_its_dead_letters_elsewhere_is_warned_about() {
    let (_, queue, _) = queues().await;
    let (_, _, other_dlq) = queues().await;
    let done = run(options(&queue, &other_dlq, &[])).await.unwrap();
    assert!(
        done.warnings.iter().any(|w| w.contains("same flow")),
        "{:?}",
        done.warnings
    );
}
