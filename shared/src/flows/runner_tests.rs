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
