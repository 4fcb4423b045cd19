use super::*;
use crate::catalog::{MessageId, Raised};
use crate::flow::Flow;
use crate::queue::WorkMessage;
use async_trait::async_trait;
use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};

/// Fails records whose id starts with "f" (retryable) or "p" (permanent).
struct Fake;

#[async_trait]
impl FlowWorker for Fake {
    fn flow(&self) -> Flow {
        Flow::AccountToIpaas
    }
    async fn process(&self, messages: &[WorkMessage]) -> Vec<Outcome> {
        messages
            .iter()
            .map(|m| match &m.record_id[..1] {
                "f" => Outcome::Failed {
                    raised: Raised::with(MessageId::SalesforceHttpError, &[("code", "503")]),
                    retry: true,
                },
                "p" => Outcome::Failed {
                    raised: Raised::new(MessageId::AccountRejected),
                    retry: false,
                },
                _ => Outcome::Created { target: "1".into() },
            })
            .collect()
    }
}

fn event(bodies: &[(&str, String)]) -> SqsEvent {
    let mut e = SqsEvent::default();
    for (id, body) in bodies {
        let mut m = SqsMessage::default();
        m.message_id = Some(id.to_string());
        m.body = Some(body.clone());
        e.records.push(m);
    }
    e
}

fn msg(flow: Flow, id: &str) -> String {
    WorkMessage::new(flow, id, None).to_json()
}

#[tokio::test]
async fn only_the_records_that_must_come_back_are_reported() {
    let ev = event(&[
        ("m1", msg(Flow::AccountToIpaas, "ok1")),
        ("m2", msg(Flow::AccountToIpaas, "f1")),
        ("m3", "garbage".into()),
        ("m4", msg(Flow::ContactToIpaas, "ok2")),
        ("m5", msg(Flow::AccountToIpaas, "p1")),
        ("m6", msg(Flow::AccountToIpaas, "ok3")),
    ]);
    let (resp, report) = run_batch(&Fake, ev).await;
    let failed: Vec<_> = resp
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect();
    assert_eq!(failed, ["m3", "m4", "m2", "m5"]);
    assert_eq!(report.malformed, 2);
    assert_eq!(report.counts["created"], 2);
    assert_eq!(report.counts["failed"], 2);
}

/// Records what it was handed.
struct Recorder(std::sync::Mutex<Vec<WorkMessage>>);

#[async_trait]
impl FlowWorker for Recorder {
    fn flow(&self) -> Flow {
        Flow::AccountToIpaas
    }
    async fn process(&self, messages: &[WorkMessage]) -> Vec<Outcome> {
        self.0.lock().unwrap().extend(messages.iter().cloned());
        messages
            .iter()
            .map(|_| Outcome::Updated { target: "1".into() })
            .collect()
    }
}

#[tokio::test]
async fn the_newest_of_two_changes_of_one_record_in_a_batch_is_the_one_worked() {
    // Two changes polled apart land in one batch, older second: the older one's snapshot
    // must not be what is written while the newer is acknowledged with it.
    let t = chrono::Utc::now();
    let id = "001000000000001AAA";
    let newer = WorkMessage::new(Flow::AccountToIpaas, id, Some(t)).with_row(
        serde_json::json!({"Id": id, "Name": "new"})
            .as_object()
            .unwrap()
            .clone(),
    );
    let older = WorkMessage::new(
        Flow::AccountToIpaas,
        id,
        Some(t - chrono::Duration::seconds(5)),
    )
    .with_row(
        serde_json::json!({"Id": id, "Name": "old"})
            .as_object()
            .unwrap()
            .clone(),
    );
    let worker = Recorder(Default::default());
    let ev = event(&[("m1", older.to_json()), ("m2", newer.to_json())]);
    let (resp, report) = run_batch(&worker, ev).await;
    let handed = worker.0.lock().unwrap().clone();
    assert_eq!(handed.len(), 1, "one record, worked once");
    assert_eq!(handed[0].row.as_ref().unwrap()["Name"], "new");
    assert!(resp.batch_item_failures.is_empty());
    assert_eq!(
        report.counts["updated"], 2,
        "both messages share the outcome"
    );
}
