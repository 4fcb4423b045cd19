//! Issue 10, "Wrong message today", sixth bullet, as decided in docs/flows.md ("Contact FROM
//! iPaaS.com"): with sync type `Update`, a Customer with no linked Contact is skipped —
//! counted as skipped, no Error Log entry — and nothing is done for it, not even an Account
//! for its Company.
//!
//! Fails on the old code: `plan` (372bab0:shared/src/flows/contact_from_ipaas.rs) brought the
//! Customer's Company to Salesforce (`account_of(…, target.is_none())`, which runs Account FROM
//! iPaaS.com and creates the Account) before `run` looked at the sync type and skipped.

use super::*;
use shared::flows::SyncType;

#[tokio::test]
async fn an_unlinked_customer_under_sync_type_update_is_skipped_and_makes_no_account() {
    let mut settings = AllSettings::default();
    settings.contact_from_ipaas.sync_type = SyncType::Update;
    let s = stack_with(settings).await;
    // A Company no webhook announced (seeded), so only the Customer's sync could bring it to
    // Salesforce.
    let company = s.ipaas.insert_company(json!({"name": "Never Synced Ltd"}));
    let customer = s.ipaas.edit_customer_as_person(
        None,
        json!({"first_name": "Ursula", "last_name": "Update", "email_address": "ursula@update.example", "company_id": company}),
    );
    s.drain().await;

    assert!(s.error_log().is_empty(), "{:#?}", s.error_log());
    assert!(
        s.salesforce.records("Account").is_empty(),
        "no Account for the Company"
    );
    assert!(s.salesforce.records("Contact").is_empty());
    let tally = s.tally();
    assert_eq!(
        tally[&Flow::ContactFromIpaas].get("skipped"),
        Some(&1),
        "{tally:?}"
    );
    assert!(s.dead_letters().is_empty());
    assert_eq!(e2e::link_of(&s.ipaas.customer(customer).unwrap()), None);
    assert_eq!(e2e::link_of(&s.ipaas.company(company).unwrap()), None);
}
