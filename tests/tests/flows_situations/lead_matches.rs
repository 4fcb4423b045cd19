//! Issue 10, "Wrong message today", fifth bullet: a Contact duplicate rule that also matches
//! Leads returns `00Q…` Ids beside the Contacts' `003…`. Remap and Link / Update and Link use
//! only the Contact matches; with only a Lead matched the create is "DUPLICATES_DETECTED…" and
//! the Lead is left as it was.

use super::*;
use e2e::link_of;
use serde_json::Value;
use shared::flows::CollisionMethod;

const LINKING: [CollisionMethod; 2] = [
    CollisionMethod::RemapAndLink,
    CollisionMethod::UpdateAndLink,
];

/// A stack whose Contact FROM flow uses `method`, with the standard Contact rule matching
/// Leads too, and a Company linked to its Account.
async fn stack_matching_leads(method: CollisionMethod) -> (LocalStack, u64, String) {
    let mut settings = AllSettings::default();
    settings.contact_from_ipaas.collision = method;
    let s = stack_with(settings).await;
    s.salesforce.set_contact_rule_matches_leads(true);
    let (company, account) = linked_company(&s, "Lead Country").await;
    (s, company, account)
}

/// Regression guard for the Contact-and-Lead case: the old code took the first matched Id
/// (372bab0:shared/src/flows/from_ipaas.rs, `collide`: `matches.into_iter().find_map(…)`),
/// which is right here only because Salesforce lists the Contact entry before the Lead's.
#[tokio::test]
async fn with_a_contact_and_a_lead_matched_only_the_contact_is_used() {
    for method in LINKING {
        let (s, company, account) = stack_matching_leads(method).await;
        // The Contact matches the new one by name and mailing address (its email is older),
        // the Lead by name and email.
        let contact = s.person_creates(
            "Contact",
            json!({"FirstName": "Lena", "LastName": "Lind", "Email": "lena@old.example",
                   "MailingStreet": "1 Main St", "MailingCity": "Springfield", "AccountId": account}),
        );
        let lead = s.salesforce.insert(
            "Lead",
            json!({"FirstName": "Lena", "LastName": "Lind", "Email": "lena@new.example", "Company": "Lead Country"}),
        );
        let lead_before = s.salesforce.record("Lead", lead.as_str()).unwrap();
        let customer = s.ipaas.edit_customer_as_person(
            None,
            json!({"first_name": "Lena", "last_name": "Lind", "email_address": "lena@new.example", "company_id": company,
                   "addresses": [{"address_1": "1 Main St", "city": "Springfield", "is_primary_shipping": true}]}),
        );
        s.drain().await;

        let record = s.ipaas.customer(customer).unwrap();
        assert_eq!(
            link_of(&record).as_deref(),
            Some(contact.as_str()),
            "{method:?}: linked to the matched Contact: {:#?}",
            s.error_log()
        );
        let c = s.salesforce.record("Contact", contact.as_str()).unwrap();
        assert_eq!(c["Email"], "lena@new.example", "{method:?}: updated");
        assert_eq!(s.salesforce.records("Contact").len(), 1, "{method:?}");
        assert_eq!(
            s.salesforce.record("Lead", lead.as_str()).unwrap(),
            lead_before,
            "{method:?}: the Lead is untouched"
        );
        assert!(s.error_log().is_empty(), "{method:?}: {:#?}", s.error_log());
    }
}

/// Fails on the old code: the Lead's `00Q…` was the first (only) match, so Remap and Link
/// wrote the Customer's link to the Lead's Id and both methods then sent a Contact update to
/// that Id, which Salesforce answers 404: "Error calling SalesForce (Http Code: 404)" instead
/// of DUPLICATES_DETECTED.
#[tokio::test]
async fn with_only_a_lead_matched_the_create_is_duplicates_detected() {
    for method in LINKING {
        let (s, company, _) = stack_matching_leads(method).await;
        let lead = s.salesforce.insert(
            "Lead",
            json!({"FirstName": "Mara", "LastName": "Moss", "Email": "mara@lead.example", "Company": "Lead Country"}),
        );
        let lead_before = s.salesforce.record("Lead", lead.as_str()).unwrap();
        let customer = s.ipaas.edit_customer_as_person(
            None,
            json!({"first_name": "Mara", "last_name": "Moss", "email_address": "mara@lead.example", "company_id": company,
                   "addresses": [{"address_1": "9 Bay Rd", "city": "Harbor", "is_primary_shipping": true}]}),
        );
        s.drain().await;

        let e = the_entry(&s, &customer.to_string(), DUPLICATES);
        assert_record(
            &e,
            Flow::ContactFromIpaas,
            System::Ipaas,
            "Customer",
            &customer.to_string(),
        );
        assert_none_of(&s, MessageId::SalesforceHttpError);
        let record = s.ipaas.customer(customer).unwrap();
        assert_eq!(link_of(&record), None, "{method:?}: not linked to the Lead");
        assert!(
            s.salesforce.records("Contact").is_empty(),
            "{method:?}: no Contact made"
        );
        let lead_after: Value = s.salesforce.record("Lead", lead.as_str()).unwrap();
        assert_eq!(lead_after, lead_before, "{method:?}: the Lead is untouched");
    }
}
