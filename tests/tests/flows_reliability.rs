//! DESIGN.md §4 on the local stack: duplicate deliveries, a crash between a create and its
//! link, no ping-pong, no stale overwrite, and the poller over the simulated org (ties on
//! SystemModstamp across pages).

use chrono::{Duration, Utc};
use e2e::link_of;
use serde_json::json;
use sfsync::stack::{LocalStack, StackOptions};
use shared::flow::Flow;
use shared::flows::{account_to_ipaas, FlowSettings, Outcome};
use shared::poller::PollSettings;
use shared::records::Account;
use sim::faults::Faults;
use sim::ipaas::IpaasSimConfig;
use sim::salesforce::SalesforceSimConfig;
use std::collections::HashSet;

fn distinct(values: impl IntoIterator<Item = serde_json::Value>, field: &str) -> usize {
    values
        .into_iter()
        .map(|v| v[field].to_string())
        .collect::<HashSet<_>>()
        .len()
}

#[tokio::test]
async fn every_message_delivered_twice_makes_no_duplicate() {
    let s = LocalStack::start(StackOptions {
        duplicate_rate: 1.0,
        ..Default::default()
    })
    .await
    .unwrap();
    for i in 0..15 {
        let a = s.person_creates("Account", json!({"Name": format!("Twice {i}")}));
        s.person_creates("Contact", json!({"LastName": format!("Twice {i}"), "Email": format!("t{i}@twice.example"), "AccountId": a.as_str()}));
    }
    for i in 0..10 {
        let c = s
            .ipaas
            .edit_company_as_person(None, json!({"name": format!("Echo {i}")}));
        s.ipaas.edit_customer_as_person(None, json!({"last_name": format!("Echo {i}"), "email_address": format!("e{i}@echo.example"), "company_id": c}));
    }
    s.sync().await.unwrap();
    s.sync().await.unwrap();
    assert_eq!(s.ipaas.companies().len(), 25);
    assert_eq!(s.ipaas.customers().len(), 25);
    assert_eq!(s.salesforce.records("Account").len(), 25);
    assert_eq!(s.salesforce.records("Contact").len(), 25);
    assert_eq!(distinct(s.ipaas.companies(), "name"), 25);
    assert_eq!(distinct(s.salesforce.records("Contact"), "Email"), 25);
    assert!(s.error_log().is_empty(), "{:?}", s.error_log());
}

#[tokio::test]
async fn a_crash_between_create_and_link_is_recovered_without_a_second_record() {
    // A service that does not link a create by the external_ids it carries: the link is
    // its own call, and the worker can die between the two.
    let s = LocalStack::start_with(
        SalesforceSimConfig::default(),
        IpaasSimConfig {
            links_on_create: false,
            ..Default::default()
        },
        StackOptions::default(),
    )
    .await
    .unwrap();
    let link_fails = Faults {
        rate_503: 1.0,
        only_paths: vec!["/External/UpdateExternalId".into()],
        ..Default::default()
    };

    // FROM: the Account is created, then the link write fails (the worker dies there).
    let company = s
        .ipaas
        .edit_company_as_person(None, json!({"name": "Half Done"}));
    s.ipaas.deliveries_settled().await;
    s.ipaas.set_faults(link_fails.clone());
    let batch = s.queue.take(Flow::AccountFromIpaas, 10);
    let first = s.invoke(Flow::AccountFromIpaas, batch).await;
    assert!(matches!(first[0], Outcome::Failed { .. }), "{first:?}");
    assert_eq!(
        s.salesforce.records("Account").len(),
        1,
        "the create happened"
    );
    s.ipaas.set_faults(Faults::default());
    s.drain().await;
    let accounts = s.salesforce.records("Account");
    assert_eq!(
        accounts.len(),
        1,
        "the redelivery found it instead of creating another"
    );
    let record = s
        .ipaas
        .companies()
        .into_iter()
        .find(|c| c["id"] == company)
        .unwrap();
    assert_eq!(link_of(&record).as_deref(), accounts[0]["Id"].as_str());

    // TO: the Company is created, then the link write fails.
    let account = s.person_creates("Account", json!({"Name": "Other Half"}));
    s.poll().await.unwrap();
    s.ipaas.set_faults(link_fails);
    let batch = s.queue.take(Flow::AccountToIpaas, 10);
    let first = s.invoke(Flow::AccountToIpaas, batch).await;
    // The batch also holds the Account FROM made above (every writer's change is polled);
    // our own write comes back as nothing new.
    assert!(
        first.iter().any(|o| matches!(o, Outcome::Failed { .. })),
        "{first:?}"
    );
    s.ipaas.set_faults(Faults::default());
    s.drain().await;
    let named: Vec<_> = s
        .ipaas
        .companies()
        .into_iter()
        .filter(|c| c["name"] == "Other Half")
        .collect();
    assert_eq!(named.len(), 1, "one Company");
    assert_eq!(link_of(&named[0]).as_deref(), Some(account.as_str()));
}

/// Fails on the code before creates carried their link: a Company and a Customer were made
/// unlinked by the create and linked by a second call, which the failing link write refused.
#[tokio::test]
async fn a_create_carries_its_link_so_nothing_is_left_unlinked_between_two_calls() {
    let s = LocalStack::start(StackOptions::default()).await.unwrap();
    s.ipaas.set_faults(Faults {
        rate_503: 1.0,
        only_paths: vec!["/External/UpdateExternalId".into()],
        ..Default::default()
    });
    let account = s.person_creates("Account", json!({"Name": "Linked At Birth"}));
    let contact = s.person_creates(
        "Contact",
        json!({"LastName": "Born", "Email": "born@linked.example", "AccountId": account.as_str()}),
    );
    s.poll().await.unwrap();
    let before = s.ipaas.counters();
    for flow in [Flow::AccountToIpaas, Flow::ContactToIpaas] {
        let batch = s.queue.take(flow, 10);
        let outcomes = s.invoke(flow, batch).await;
        assert!(
            outcomes
                .iter()
                .all(|o| matches!(o, Outcome::Created { .. })),
            "{flow}: {outcomes:?}"
        );
    }
    let company = s
        .ipaas
        .companies()
        .into_iter()
        .find(|c| c["name"] == "Linked At Birth");
    assert_eq!(
        link_of(&company.unwrap()).as_deref(),
        Some(account.as_str())
    );
    let customer = s
        .ipaas
        .customers()
        .into_iter()
        .find(|c| c["last_name"] == "Born");
    assert_eq!(
        link_of(&customer.unwrap()).as_deref(),
        Some(contact.as_str())
    );
    let after = s.ipaas.counters();
    assert_eq!(
        after.get("link") - before.get("link"),
        0,
        "no separate link write"
    );
}

#[tokio::test]
async fn one_change_is_one_write_on_the_other_side_and_none_back() {
    let s = LocalStack::start(StackOptions::default()).await.unwrap();
    let account = s.person_creates("Account", json!({"Name": "Pong", "Phone": "1"}));
    s.sync().await.unwrap();
    let company = s.ipaas.companies()[0]["id"].as_u64().unwrap();

    // Salesforce → iPaaS.com: one Company update, nothing written back to Salesforce.
    s.salesforce.reset_counters();
    let before = s.ipaas.counters().get("company_update");
    s.salesforce
        .edit_as_person("Account", account.as_str(), json!({"Phone": "2"}));
    s.sync().await.unwrap();
    s.sync().await.unwrap();
    assert_eq!(s.ipaas.counters().get("company_update") - before, 1);
    let sf = s.salesforce.counters();
    assert_eq!(
        sf.get("update")
            + sf.get("collections_update")
            + sf.get("create")
            + sf.get("collections_create"),
        0
    );

    // iPaaS.com → Salesforce: one Account update, nothing written back to iPaaS.com.
    let before = s.ipaas.counters().get("company_update");
    s.ipaas
        .edit_company_as_person(Some(company), json!({"phone_number": "3"}));
    s.sync().await.unwrap();
    s.sync().await.unwrap();
    assert_eq!(s.salesforce.counters().get("collections_update"), 1);
    assert_eq!(
        s.ipaas.counters().get("company_update"),
        before,
        "no write back"
    );
    assert_eq!(
        s.salesforce.record("Account", account.as_str()).unwrap()["Phone"],
        "3"
    );
}

#[tokio::test]
async fn an_older_change_never_overwrites_a_newer_one() {
    let s = LocalStack::start(StackOptions::default()).await.unwrap();
    let account = s.person_creates("Account", json!({"Name": "Clock", "Phone": "new"}));
    s.sync().await.unwrap();
    let updates = s.ipaas.counters().get("company_update");

    // The same Account as it was read before the last change (an old snapshot arriving late).
    let mut old = Account::from_fields(
        s.salesforce
            .record("Account", account.as_str())
            .unwrap()
            .as_object()
            .unwrap(),
    );
    old.phone = Some("old".into());
    old.system_modstamp = old.system_modstamp.map(|t| t - Duration::minutes(5));
    let outcome = account_to_ipaas::sync(
        &s.ctx,
        FlowSettings::default(),
        &old,
        Some(Utc::now() - Duration::minutes(5)),
    )
    .await;
    assert_eq!(outcome, Outcome::Stale);
    assert_eq!(s.ipaas.counters().get("company_update"), updates);
    assert_eq!(s.ipaas.companies()[0]["phone_number"], "new");

    // Two changes whose messages arrive newest first: the result is the newest.
    s.salesforce
        .edit_as_person("Account", account.as_str(), json!({"Phone": "A"}));
    s.poll().await.unwrap();
    s.salesforce
        .edit_as_person("Account", account.as_str(), json!({"Phone": "B"}));
    s.poll().await.unwrap();
    let mut batch = s.queue.take(Flow::AccountToIpaas, 10);
    assert_eq!(batch.len(), 2);
    batch.reverse();
    for m in batch {
        s.invoke(Flow::AccountToIpaas, vec![m]).await;
    }
    assert_eq!(s.ipaas.companies()[0]["phone_number"], "B");
}

#[tokio::test]
async fn the_poller_loses_nothing_when_systemmodstamp_ties_across_pages() {
    let options = StackOptions {
        poll: PollSettings {
            page_size: 200,
            max_per_tick: 1_000,
            poll_days: 7,
            ..Default::default()
        },
        ..Default::default()
    };
    let s = LocalStack::start(options).await.unwrap();
    let person = s.salesforce.person_user_id();
    // An hour ago: inside the first poll's look-back whatever day the test runs.
    let tie = (Utc::now() - Duration::hours(1))
        .format("%Y-%m-%dT%H:%M:%S%.3f+0000")
        .to_string();
    let mut ids = HashSet::new();
    for i in 0..1_500 {
        let id = s.salesforce.insert(
            "Account",
            json!({"Name": format!("Tie {i}"), "SystemModstamp": &tie, "LastModifiedById": person}),
        );
        ids.insert(id.to_string());
    }
    // The integration's own change in the same second is polled too: echoes are recognised
    // by content in the flows, so a person's edit between two of ours is never skipped.
    let user = s.salesforce.config().integration_user_id.clone();
    let ours = s.salesforce.insert(
        "Account",
        json!({"Name": "Ours", "SystemModstamp": &tie, "LastModifiedById": user}),
    );
    ids.insert(ours.to_string());
    let mut seen = Vec::new();
    for _ in 0..3 {
        s.poll().await.unwrap();
        seen.extend(
            s.queue
                .take(Flow::AccountToIpaas, usize::MAX)
                .into_iter()
                .map(|m| m.record_id),
        );
    }
    assert_eq!(
        seen.len(),
        1_501,
        "every record once, over two ticks of at most 1,000"
    );
    assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), ids);
}

#[tokio::test]
async fn our_own_writes_echoed_by_webhook_cost_no_salesforce_call() {
    let s = LocalStack::start(StackOptions::default()).await.unwrap();
    let account = s.person_creates("Account", json!({"Name": "Echo", "Phone": "1"}));
    s.person_creates(
        "Contact",
        json!({"LastName": "Echo", "Email": "echo@echo.example", "AccountId": account.as_str()}),
    );
    s.poll().await.unwrap();
    for flow in [Flow::AccountToIpaas, Flow::ContactToIpaas] {
        let batch = s.queue.take(flow, 10);
        s.invoke(flow, batch).await;
    }
    let before = s.salesforce.counters().total();
    // iPaaS.com now notifies the FROM flows of the Company and Customer we just wrote.
    s.drain().await;
    let tally = s.tally();
    assert_eq!(tally[&Flow::AccountFromIpaas]["unchanged"], 1);
    assert_eq!(tally[&Flow::ContactFromIpaas]["unchanged"], 1);
    assert_eq!(
        s.salesforce.counters().total(),
        before,
        "the echo was settled from the ledger"
    );
}
