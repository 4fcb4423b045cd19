//! Issue 10, "Wrong message today", second bullet: a Contact written under an Account that
//! a person deleted in Salesforce (it sits in the recycle bin; deletes are not synced, so the
//! Company keeps its link) is "Could not locate account by Id: {id}…".
//!
//! Fails on the old code, both tests: Salesforce refuses the lookup with ENTITY_IS_DELETED;
//! the old client read that code as `SalesforceError::NotFound`, and the old
//! `Kind::missing_parent` (372bab0:shared/src/flows/from_ipaas.rs) knew only
//! INVALID_CROSS_REFERENCE_KEY, so the create (`Err(e) => kind.raise(&e)`) and the update
//! (`missing_parent` → `None` → `kind.raise`) both logged "Error calling SalesForce (Http Code:
//! 404)".

use super::*;
use e2e::link_of;

#[tokio::test]
async fn a_contact_created_under_an_account_in_the_recycle_bin() {
    let s = stack().await;
    let (company, account) = linked_company(&s, "Binned Holdings").await;
    assert!(s.salesforce.delete("Account", &account));
    let customer = s.ipaas.edit_customer_as_person(
        None,
        json!({"first_name": "Ada", "last_name": "Bin", "email_address": "ada@binned.example", "company_id": company}),
    );
    s.drain().await;

    let e = the_entry(&s, &customer.to_string(), &account_not_found(&account));
    assert_record(
        &e,
        Flow::ContactFromIpaas,
        System::Ipaas,
        "Customer",
        &customer.to_string(),
    );
    assert!(
        e.detail.unwrap_or_default().contains("ENTITY_IS_DELETED"),
        "Salesforce's own reason is kept"
    );
    assert_none_of(&s, MessageId::SalesforceHttpError);
    assert!(
        s.salesforce.records("Contact").is_empty(),
        "nothing was created"
    );
    let dead = s.dead_letters();
    assert_eq!(dead.len(), 1, "a permanent failure: {dead:?}");
    assert_eq!(dead[0].record_id, customer.to_string());
}

#[tokio::test]
async fn a_contact_moved_to_a_company_whose_account_is_in_the_recycle_bin() {
    let s = stack().await;
    let (kept, kept_account) = linked_company(&s, "Keeper Works").await;
    let (binned, binned_account) = linked_company(&s, "Recycled Goods").await;
    let customer = s.ipaas.edit_customer_as_person(
        None,
        json!({"first_name": "Max", "last_name": "Mover", "email_address": "max@mover.example", "company_id": kept}),
    );
    s.drain().await;
    let record = s.ipaas.customer(customer).unwrap();
    let contact = link_of(&record).expect("the Contact was made and linked");
    assert!(s.error_log().is_empty(), "{:?}", s.error_log());

    // The second Company's Account goes to the recycle bin (its link stays in iPaaS.com);
    // then the Customer is moved to that Company: the update writes the new AccountId.
    assert!(s.salesforce.delete("Account", &binned_account));
    s.ipaas
        .edit_customer_as_person(Some(customer), json!({"company_id": binned}));
    s.drain().await;

    let e = the_entry(
        &s,
        &customer.to_string(),
        &account_not_found(&binned_account),
    );
    assert_record(
        &e,
        Flow::ContactFromIpaas,
        System::Ipaas,
        "Customer",
        &customer.to_string(),
    );
    assert!(e.detail.unwrap_or_default().contains("ENTITY_IS_DELETED"));
    assert_none_of(&s, MessageId::SalesforceHttpError);
    let c = s.salesforce.record("Contact", &contact).unwrap();
    assert_eq!(
        c["AccountId"],
        kept_account.as_str(),
        "the Contact stays where it was"
    );
}
