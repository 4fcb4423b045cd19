//! Issue 10, "Wrong message today", third bullet: a create refused because the integration
//! user cannot see or write a mapped field is "Salesforce rejected the new account/contact.";
//! a row locked by another transaction (UNABLE_TO_LOCK_ROW) is passing trouble, retried, never
//! "rejected".

use super::*;
use shared::flows::Outcome;
use sim::faults::Faults;
use sim::salesforce::FieldAccess;
use std::time::Duration;

/// The entry about `id`, which must be `text`, with Salesforce's `code` in its detail.
fn rejected(s: &LocalStack, id: u64, text: &str, code: &str, flow: Flow, kind: &str) {
    let e = the_entry(s, &id.to_string(), text);
    assert_record(&e, flow, System::Ipaas, kind, &id.to_string());
    let detail = e.detail.unwrap_or_default();
    assert!(detail.contains(code), "{code} in {detail}");
}

/// Regression guard, not a failure of the old code: the simulator refuses a field the user
/// cannot see (INVALID_FIELD) or write (INVALID_FIELD_FOR_INSERT_UPDATE) per record inside
/// the sObject Collections answer, and the old per-record arm already said "rejected"
/// (372bab0:shared/src/flows/from_ipaas.rs, `Err(e @ SalesforceError::Rejected { .. })`).
/// The old code was wrong for the same refusal of the whole request (HTTP 400: its
/// `Err(e) => kind.raise(&e)` logged "Error calling SalesForce (Http Code: 400)"), which the
/// simulator never answers for a Collections create, so no test here can reach it.
#[tokio::test]
async fn a_new_account_with_a_field_the_integration_user_cannot_see_or_write_is_rejected() {
    let s = stack().await;
    s.salesforce
        .set_field_access("Account", "Phone", FieldAccess::Hidden);
    s.salesforce
        .set_field_access("Account", "Fax", FieldAccess::ReadOnly);
    let hidden = s.ipaas.edit_company_as_person(
        None,
        json!({"name": "Hidden Phone Co", "phone_number": "555-0101"}),
    );
    let read_only = s.ipaas.edit_company_as_person(
        None,
        json!({"name": "Read Only Fax Co", "fax_number": "555-0102"}),
    );
    s.drain().await;
    let flow = Flow::AccountFromIpaas;
    rejected(
        &s,
        hidden,
        ACCOUNT_REJECTED,
        "INVALID_FIELD",
        flow,
        "Company",
    );
    rejected(
        &s,
        read_only,
        ACCOUNT_REJECTED,
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        flow,
        "Company",
    );
    assert_none_of(&s, MessageId::SalesforceHttpError);
    assert!(s.salesforce.records("Account").is_empty());
    assert_eq!(s.dead_letters().len(), 2);
}

/// As above for Contacts (a regression guard for the same reason).
#[tokio::test]
async fn a_new_contact_with_a_field_the_integration_user_cannot_see_or_write_is_rejected() {
    let s = stack().await;
    let (company, _) = linked_company(&s, "Field Security Inc").await;
    s.salesforce
        .set_field_access("Contact", "MailingCity", FieldAccess::Hidden);
    s.salesforce
        .set_field_access("Contact", "FirstName", FieldAccess::ReadOnly);
    let hidden = s.ipaas.edit_customer_as_person(
        None,
        json!({"last_name": "Hidden", "email_address": "hidden@fls.example", "company_id": company,
               "addresses": [{"address_1": "1 Secret Way", "city": "Nowhere", "is_primary_shipping": true}]}),
    );
    let read_only = s.ipaas.edit_customer_as_person(
        None,
        json!({"first_name": "Rhoda", "last_name": "Only", "email_address": "rhoda@fls.example", "company_id": company}),
    );
    s.drain().await;
    let flow = Flow::ContactFromIpaas;
    rejected(
        &s,
        hidden,
        CONTACT_REJECTED,
        "INVALID_FIELD",
        flow,
        "Customer",
    );
    rejected(
        &s,
        read_only,
        CONTACT_REJECTED,
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        flow,
        "Customer",
    );
    assert_none_of(&s, MessageId::SalesforceHttpError);
    assert!(s.salesforce.records("Contact").is_empty());
}

/// Fails on the old code: its sObject Collections result reader had no UNABLE_TO_LOCK_ROW
/// (372bab0:shared/src/salesforce/collections.rs, `into_result`), so the lock was a
/// `Rejected` refusal, not transient: the update failed with `retry: false`.
#[tokio::test]
async fn an_update_that_meets_a_row_locked_by_a_person_is_retried_and_ends_synced() {
    let s = stack().await;
    let (company, account) = linked_company(&s, "Locked Row Co").await;
    // A person's edit whose transaction commits late holds the row until it commits; the
    // commit is released by the test (below), never by the clock.
    s.salesforce.set_faults(Faults {
        slow_commit_rate: 1.0,
        slow_commit_delay: Duration::from_secs(3600),
        ..Default::default()
    });
    s.salesforce
        .edit_as_person("Account", &account, json!({"Phone": "555-0199"}));
    s.salesforce.set_faults(Faults::default());
    assert_eq!(s.salesforce.pending_commits(), 1);
    s.ipaas
        .edit_company_as_person(Some(company), json!({"fax_number": "555-0198"}));
    s.ipaas.deliveries_settled().await;

    let batch = s.queue.take(Flow::AccountFromIpaas, 10);
    let first = s.invoke(Flow::AccountFromIpaas, batch).await;
    match first.as_slice() {
        [Outcome::Failed { raised, retry }] => {
            assert!(*retry, "a locked row is passing trouble: {raised:?}");
            let detail = raised.detail.clone().unwrap_or_default();
            assert!(detail.contains("UNABLE_TO_LOCK_ROW"), "{detail}");
        }
        other => panic!("the write met the lock: {other:?}"),
    }
    assert_none_of(&s, MessageId::AccountRejected);

    s.salesforce.commit_pending_now();
    s.drain().await;
    let a = s.salesforce.record("Account", &account).unwrap();
    assert_eq!(
        (a["Phone"].as_str(), a["Fax"].as_str()),
        (Some("555-0199"), Some("555-0198")),
        "the person's edit and the iPaaS.com edit both landed"
    );
    assert_none_of(&s, MessageId::AccountRejected);
    assert!(s.dead_letters().is_empty(), "{:?}", s.dead_letters());
}
