//! The iPaaS.com simulator's webhook delivery reaching the ipaas-webhook Lambda handler end
//! to end over HTTP: a person edits records in the simulator, the handler queues one message
//! per record on the right FROM queue.

use ipaas_webhook::{local, Handler};
use serde_json::json;
use shared::flow::Flow;
use shared::queue::MemoryWorkQueue;
use shared::webhook::{WebhookKey, WebhookPath};
use sim::ipaas::{IpaasSim, IpaasSimConfig};
use std::sync::Arc;

async fn receiver(key: &str) -> (Arc<Handler<MemoryWorkQueue>>, String) {
    let handler = Arc::new(Handler {
        key: WebhookKey::new(key).unwrap(),
        queue: MemoryWorkQueue::new(),
        path: WebhookPath::new("/webhook").unwrap(),
    });
    let url = local::serve(handler.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    (handler, url)
}

#[tokio::test]
async fn edits_in_ipaas_reach_the_from_queues() {
    let (handler, url) = receiver("wh-key-1").await;
    let sim = IpaasSim::start(IpaasSimConfig::default()).await.unwrap();
    sim.register_webhook(&format!("{url}/webhook"), "wh-key-1");

    let company = sim.edit_company_as_person(None, json!({"name": "Analytical Engines Ltd"}));
    let customer = sim.edit_customer_as_person(
        None,
        json!({"first_name": "Ada", "last_name": "Lovelace", "email_address": "ada@example.com", "company_id": company}),
    );
    sim.edit_customer_as_person(Some(customer), json!({"last_name": "King"}));
    sim.deliveries_settled().await;

    let contacts: Vec<_> = handler.queue.take(Flow::ContactFromIpaas, 10);
    let accounts: Vec<_> = handler.queue.take(Flow::AccountFromIpaas, 10);
    assert_eq!(
        contacts
            .iter()
            .map(|m| m.record_id.clone())
            .collect::<Vec<_>>(),
        vec![customer.to_string(); 2]
    );
    assert_eq!(
        accounts
            .iter()
            .map(|m| m.record_id.clone())
            .collect::<Vec<_>>(),
        vec![company.to_string()]
    );
    assert!(
        contacts
            .iter()
            .chain(&accounts)
            .all(|m| m.changed_at.is_some()),
        "the notification's timestamp is carried"
    );
}

#[tokio::test]
async fn a_wrong_webhook_key_is_refused_and_nothing_is_queued() {
    let (handler, url) = receiver("the-real-key").await;
    let sim = IpaasSim::start(IpaasSimConfig {
        webhook_retry_base: std::time::Duration::from_millis(5),
        ..Default::default()
    })
    .await
    .unwrap();
    sim.register_webhook(&format!("{url}/webhook"), "a-stale-key");

    sim.edit_customer_as_person(
        None,
        json!({"last_name": "Hopper", "email_address": "grace@example.com"}),
    );
    sim.deliveries_settled().await;

    assert!(handler.queue.is_empty());
    let deliveries = sim.deliveries();
    assert!(!deliveries.is_empty());
    assert!(format!("{deliveries:?}").contains("401"), "{deliveries:?}");
}
