//! DESIGN.md §4 "Ambiguous writes": a create whose answer is lost after the server applied
//! it (a 5xx, a dropped connection, no answer before the client's timeout) is never sent
//! again blindly; the next delivery finds what it made. Each test fails on the code before
//! this rule (which retried every transient failure, creates included, and forgot the claim
//! of a create that ended in an HTTP error): it made duplicates or lost the record.

use e2e::link_of;
use serde_json::{json, Value};
use sfsync::stack::{LocalStack, StackOptions};
use shared::flow::Flow;
use shared::flows::{ExternalIdFields, Outcome};
use sim::faults::{Faults, LostAnswer};
use sim::salesforce::{CustomField, CustomKind};
use std::collections::HashSet;
use std::time::Duration;

/// Every write on `path` is applied, then its answer is lost as `kind`.
fn lost(path: &str, kind: LostAnswer) -> Faults {
    Faults {
        lost_answer_rate: 1.0,
        lost_answer_kinds: vec![kind],
        hang: Duration::from_millis(600),
        only_paths: vec![path.into()],
        ..Default::default()
    }
}

fn linked_ids(records: &[Value]) -> HashSet<String> {
    records.iter().filter_map(link_of).collect()
}

async fn companies(s: &LocalStack, n: usize, prefix: &str) -> Vec<u64> {
    let ids = (0..n)
        .map(|i| {
            s.ipaas
                .edit_company_as_person(None, json!({"name": format!("{prefix} {i}")}))
        })
        .collect();
    s.ipaas.deliveries_settled().await;
    ids
}

#[tokio::test]
async fn a_salesforce_create_whose_answer_is_lost_is_found_not_sent_again() {
    for kind in [
        LostAnswer::Status502,
        LostAnswer::Drop,
        LostAnswer::Status500,
    ] {
        let s = LocalStack::start(StackOptions::default()).await.unwrap();
        // Duplicate rules off: nothing but the integration itself stops a twin.
        s.salesforce.set_duplicate_rule("Account", false);
        companies(&s, 10, "Lost").await;
        s.salesforce.set_faults(lost("/composite/sobjects", kind));
        let batch = s.queue.take(Flow::AccountFromIpaas, 10);
        let first = s.invoke(Flow::AccountFromIpaas, batch).await;
        assert!(
            first.iter().all(|o| matches!(o, Outcome::Postponed { .. })),
            "{kind:?}: an unknown outcome waits for its lease: {first:?}"
        );
        assert_eq!(
            s.salesforce.records("Account").len(),
            10,
            "{kind:?}: applied once"
        );
        s.salesforce.set_faults(Faults::default());
        s.drain().await;
        let accounts = s.salesforce.records("Account");
        assert_eq!(accounts.len(), 10, "{kind:?}: found, not created again");
        let linked = linked_ids(&s.ipaas.companies());
        let made: HashSet<String> = accounts
            .iter()
            .map(|a| a["Id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            linked, made,
            "{kind:?}: every Company linked to its Account"
        );
        assert_eq!(
            s.tally()[&Flow::AccountFromIpaas]["created"],
            10,
            "{kind:?}"
        );
        assert!(s.error_log().is_empty(), "{kind:?}: {:?}", s.error_log());
    }
}

#[tokio::test]
async fn a_slow_collections_create_past_the_client_timeout_is_not_sent_twice() {
    let s = LocalStack::start(StackOptions {
        request_timeout: Duration::from_millis(300),
        ..Default::default()
    })
    .await
    .unwrap();
    s.salesforce.set_duplicate_rule("Account", false);
    companies(&s, 10, "Slow").await;
    // Salesforce commits all ten, but answers only after the client has given up.
    s.salesforce
        .set_faults(lost("/composite/sobjects", LostAnswer::Hang));
    let batch = s.queue.take(Flow::AccountFromIpaas, 10);
    s.invoke(Flow::AccountFromIpaas, batch).await;
    s.salesforce.set_faults(Faults::default());
    s.drain().await;
    assert_eq!(s.salesforce.records("Account").len(), 10);
    assert_eq!(linked_ids(&s.ipaas.companies()).len(), 10);
}

#[tokio::test]
async fn a_person_editing_the_new_record_before_the_redelivery_does_not_hide_it() {
    let s = LocalStack::start(StackOptions::default()).await.unwrap();
    s.salesforce.set_duplicate_rule("Account", false);
    companies(&s, 1, "Edited Early").await;
    s.salesforce
        .set_faults(lost("/composite/sobjects", LostAnswer::Drop));
    let batch = s.queue.take(Flow::AccountFromIpaas, 10);
    s.invoke(Flow::AccountFromIpaas, batch).await;
    s.salesforce.set_faults(Faults::default());
    // An enrichment tool touches the new Account before the redelivery (the recovery must
    // not depend on who modified it last).
    let made = s.salesforce.records("Account")[0]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    s.salesforce
        .edit_as_person("Account", &made, json!({"Description": "enriched"}));
    s.drain().await;
    assert_eq!(s.salesforce.records("Account").len(), 1);
    assert_eq!(linked_ids(&s.ipaas.companies()), HashSet::from([made]));
}

#[tokio::test]
async fn with_an_external_id_field_creates_are_upserts_that_can_be_sent_again() {
    let s = LocalStack::start(StackOptions {
        external_ids: ExternalIdFields {
            account: Some("Ipaas_Id__c".into()),
            contact: None,
        },
        ..Default::default()
    })
    .await
    .unwrap();
    s.salesforce
        .add_custom_field(
            "Account",
            CustomField {
                name: "Ipaas_Id__c".into(),
                label: "iPaaS.com id".into(),
                kind: CustomKind::Text { length: 40 },
                external_id: true,
                unique: true,
                required: false,
            },
        )
        .unwrap();
    s.salesforce.set_duplicate_rule("Account", false);
    let ids = companies(&s, 8, "Upserted").await;
    // Half the answers are lost: the client sends the upsert again, which updates.
    s.salesforce.set_faults(Faults {
        lost_answer_rate: 0.5,
        seed: Some(9),
        only_paths: vec!["/composite/sobjects/Account/Ipaas_Id__c".into()],
        ..Default::default()
    });
    s.drain().await;
    s.salesforce.set_faults(Faults::default());
    s.drain().await;
    let accounts = s.salesforce.records("Account");
    assert_eq!(accounts.len(), 8);
    let keys: HashSet<String> = accounts
        .iter()
        .map(|a| a["Ipaas_Id__c"].as_str().unwrap().to_string())
        .collect();
    let want: HashSet<String> = ids.iter().map(u64::to_string).collect();
    assert_eq!(keys, want, "each Account carries its Company's id");
    let c = s.salesforce.counters();
    assert!(c.get("collections_upsert") > 0);
    assert_eq!(c.get("collections_create"), 0);
    assert_eq!(linked_ids(&s.ipaas.companies()).len(), 8);
}

#[tokio::test]
async fn an_ipaas_company_whose_create_answer_is_lost_is_found_and_gets_no_second_account() {
    let s = LocalStack::start(StackOptions::default()).await.unwrap();
    s.salesforce.set_duplicate_rule("Account", false);
    for i in 0..5 {
        s.person_creates("Account", json!({"Name": format!("Orphan {i}")}));
    }
    s.poll().await.unwrap();
    s.ipaas
        .set_faults(lost("/Customer/Company", LostAnswer::Status502));
    let batch = s.queue.take(Flow::AccountToIpaas, 10);
    s.invoke(Flow::AccountToIpaas, batch).await;
    assert_eq!(s.ipaas.companies().len(), 5, "applied once");
    s.ipaas.set_faults(Faults::default());
    // The Companies' webhooks reach Account FROM iPaaS.com before their links exist.
    s.drain().await;
    s.sync().await.unwrap();
    assert_eq!(s.ipaas.companies().len(), 5, "found, not created again");
    assert_eq!(
        s.salesforce.records("Account").len(),
        5,
        "no Account made for a Company whose link was still on its way"
    );
    assert_eq!(linked_ids(&s.ipaas.companies()).len(), 5);
    assert!(s.error_log().is_empty(), "{:?}", s.error_log());
}

#[tokio::test]
async fn a_contact_without_email_whose_customer_create_was_lost_is_found_by_customer_number() {
    let s = LocalStack::start(StackOptions::default()).await.unwrap();
    let account = s.person_creates("Account", json!({"Name": "Quiet Co"}));
    s.sync().await.unwrap();
    let contact = s.person_creates(
        "Contact",
        json!({"LastName": "Nomail", "AccountId": account.as_str()}),
    );
    s.poll().await.unwrap();
    s.ipaas
        .set_faults(lost("/customers/v2/Customer", LostAnswer::Drop));
    let batch = s.queue.take(Flow::ContactToIpaas, 10);
    s.invoke(Flow::ContactToIpaas, batch).await;
    assert_eq!(s.ipaas.customers().len(), 1, "applied once");
    s.ipaas.set_faults(Faults::default());
    s.drain().await;
    s.sync().await.unwrap();
    let customers = s.ipaas.customers();
    assert_eq!(customers.len(), 1, "{customers:?}");
    assert_eq!(link_of(&customers[0]).as_deref(), Some(contact.as_str()));
    assert_eq!(s.salesforce.records("Contact").len(), 1);
}
