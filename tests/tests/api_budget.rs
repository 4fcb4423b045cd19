//! The API budget against the simulator's daily limit: above the configured share of the
//! allowance the poller pauses (its cursor kept) and the workers put their messages off
//! (back on the queue with a delay) instead of spending what is left; once the allowance
//! recovers, everything goes through and nothing is lost.

use serde_json::json;
use sfsync::stack::{LocalStack, StackOptions};
use shared::flow::Flow;
use shared::flows::{Outcome, Pacing};
use shared::poller::PollSettings;
use std::time::Duration;

fn options() -> StackOptions {
    StackOptions {
        poll: PollSettings {
            page_size: 200,
            max_per_tick: 10_000,
            poll_days: 7,
            ..Default::default()
        },
        pacing: Pacing {
            create_lease: Duration::from_millis(300),
            budget_share: 0.8,
            budget_delay: Duration::from_millis(300),
            ..Default::default()
        },
        ..Default::default()
    }
}

#[tokio::test]
async fn the_poller_pauses_above_the_budget_and_resumes_where_it_stopped() {
    let s = LocalStack::start(options()).await.unwrap();
    for i in 0..500 {
        s.person_creates("Account", json!({"Name": format!("Budget {i:03}")}));
    }
    let (_, max) = s.salesforce.api_usage();
    s.salesforce.set_api_usage(max * 85 / 100);
    let reports = s.poll().await.unwrap();
    let account = &reports
        .iter()
        .find(|(f, _)| *f == Flow::AccountToIpaas)
        .unwrap()
        .1;
    assert!(account.paused, "{account:?}");
    assert_eq!(
        account.enqueued, 200,
        "one page, then the reading said stop"
    );
    let contact = &reports
        .iter()
        .find(|(f, _)| *f == Flow::ContactToIpaas)
        .unwrap()
        .1;
    assert!(contact.paused && contact.enqueued == 0, "{contact:?}");
    let used_while_paused = s.salesforce.api_usage().0;
    assert_eq!(
        used_while_paused,
        max * 85 / 100 + 1,
        "exactly one query spent"
    );

    // The allowance recovers (the rolling 24 hours moved on); once the reading is old,
    // the next tick looks again and carries on from the cursor.
    s.salesforce.set_api_usage(10);
    tokio::time::sleep(Duration::from_millis(350)).await; // let the 300 ms reading age out
    let reports = s.poll().await.unwrap();
    let account = &reports
        .iter()
        .find(|(f, _)| *f == Flow::AccountToIpaas)
        .unwrap()
        .1;
    assert!(!account.paused);
    assert_eq!(account.enqueued, 300, "the rest, none twice");
}

#[tokio::test]
async fn workers_put_messages_off_above_the_budget_and_lose_none() {
    let s = LocalStack::start(options()).await.unwrap();
    for i in 0..20 {
        s.ipaas
            .edit_company_as_person(None, json!({"name": format!("Budget Co {i:02}")}));
    }
    s.ipaas.deliveries_settled().await;
    let (_, max) = s.salesforce.api_usage();
    s.salesforce.set_api_usage(max * 9 / 10);

    // The first batch runs (the client has no reading yet) and learns the usage.
    let first = s.queue.take(Flow::AccountFromIpaas, 10);
    s.invoke(Flow::AccountFromIpaas, first).await;
    assert_eq!(s.salesforce.records("Account").len(), 10);
    let calls = s.salesforce.counters().total();

    // The second is put off whole: no Salesforce call, nothing failed, nothing dropped.
    let second = s.queue.take(Flow::AccountFromIpaas, 10);
    let outcomes = s.invoke(Flow::AccountFromIpaas, second).await;
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Outcome::Postponed { .. })),
        "{outcomes:?}"
    );
    assert_eq!(
        s.salesforce.counters().total(),
        calls,
        "no call spent above the budget"
    );
    assert!(s.dead_letters().is_empty());
    assert!(s.error_log().is_empty(), "putting work off is not an error");

    // Allowance back: the put-off messages return after their delay and go through.
    s.salesforce.set_api_usage(10);
    s.drain().await;
    assert_eq!(s.salesforce.records("Account").len(), 20);
    assert_eq!(s.tally()[&Flow::AccountFromIpaas]["created"], 20);
}
