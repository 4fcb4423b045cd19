//! One end-to-end scenario per message of the spec: the situation is made on the local stack
//! the way it happens for real, and the Error Log (memory and the iPaaS.com simulator's
//! Error Logs) must hold the exact text, naming the record. The expected strings are this
//! file's own copy of spec/messages.txt.

use serde_json::json;
use sfsync::stack::{LocalStack, StackOptions, SALESFORCE_SECRET};
use shared::catalog::Severity;
use shared::error_log::ErrorLogEntry;
use shared::flow::{Flow, System};
use shared::flows::{AllSettings, SyncType};
use shared::ipaas::LinkTable;
use shared::salesforce::SalesforceId;
use sim::faults::Faults;
use sim::salesforce::{Condition, DuplicateRuleKind, ValidationRule};

const REFRESH: &str = "Refresh token value is either null or empty and is required for obtaining an AccessToken. Please re-authenticate from the Subscription Settings page in iPaaS.";
const ACCOUNT_REJECTED: &str = "Salesforce rejected the new account.";
const DUPLICATES: &str = "DUPLICATES_DETECTED. This means that the record sent in the request already exists in Salesforce.";
const ACCOUNT_ID_MISSING: &str =
    "Account Id is null or empty and it is required for the account update.";
const CONTACT_REJECTED: &str = "Salesforce rejected the new contact.";
const COMPANY_MISSING: &str = "AccountId is null or empty on the iPaaS Customer record, and it is required for linking the contact to the account.";
const EMAIL_LINK: &str = "Unable to dynamically link to existing Salesforce customer using email address. This may result in duplicate customer records.";
const IPAAS_ERROR: &str = "An iPaaS.com API error was returned.";

async fn stack_with(settings: AllSettings) -> LocalStack {
    LocalStack::start(StackOptions {
        settings,
        ..Default::default()
    })
    .await
    .unwrap()
}

async fn stack() -> LocalStack {
    stack_with(AllSettings::default()).await
}

/// The one entry with `text`, also shown on the simulator's Error Logs.
fn the_entry(s: &LocalStack, text: &str) -> ErrorLogEntry {
    let all = s.error_log();
    let hits: Vec<&ErrorLogEntry> = all.iter().filter(|e| e.message == text).collect();
    assert_eq!(hits.len(), 1, "exactly one {text:?} in {all:#?}");
    assert!(
        s.ipaas.error_logs().iter().any(|e| e["message"] == text),
        "on the Error Logs page too"
    );
    hits[0].clone()
}

fn assert_record(e: &ErrorLogEntry, flow: Flow, system: System, kind: &str, id: &str) {
    assert_eq!(e.flow, Some(flow), "{e:?}");
    let r = e.record.as_ref().expect("the entry names its record");
    assert_eq!(
        (r.system, r.kind.as_str(), r.id.as_str()),
        (system, kind, id),
        "{e:?}"
    );
}

/// A Company made in iPaaS.com and synced to Salesforce; returns (company id, Account Id).
async fn linked_company(s: &LocalStack, name: &str) -> (u64, String) {
    let company = s.ipaas.edit_company_as_person(None, json!({"name": name}));
    s.drain().await;
    let account = s
        .salesforce
        .records("Account")
        .into_iter()
        .find(|a| a["Name"] == name)
        .expect("the Account was created");
    (company, account["Id"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn refresh_token_missing() {
    let mut s = stack().await;
    s.secrets.insert(
        SALESFORCE_SECRET,
        &json!({"consumer_key": "k", "consumer_secret": "s", "login_url": s.salesforce.url()})
            .to_string(),
    );
    s.restart_clients().unwrap();
    let company = s
        .ipaas
        .edit_company_as_person(None, json!({"name": "Initech"}));
    s.drain().await;
    let e = the_entry(&s, REFRESH);
    assert_record(
        &e,
        Flow::AccountFromIpaas,
        System::Ipaas,
        "Company",
        &company.to_string(),
    );
    assert!(e.detail.unwrap().contains("refresh token"));
    assert!(s.salesforce.records("Account").is_empty());
}

#[tokio::test]
async fn revoked_refresh_token_on_the_poller() {
    let mut s = stack().await;
    for t in s.salesforce.live_refresh_tokens() {
        s.salesforce.revoke_refresh_token(&t);
    }
    s.restart_clients().unwrap();
    s.poll().await.unwrap();
    let entries: Vec<_> = s
        .error_log()
        .into_iter()
        .filter(|e| e.message == REFRESH)
        .collect();
    let flows: Vec<_> = entries.iter().filter_map(|e| e.flow).collect();
    assert_eq!(flows, vec![Flow::AccountToIpaas, Flow::ContactToIpaas]);
}

#[tokio::test]
async fn salesforce_rejected_the_new_account() {
    let s = stack().await;
    s.salesforce.add_validation_rule(ValidationRule {
        object: "Account".into(),
        field: "Name".into(),
        condition: Condition::StartsWith("Bad".into()),
        message: "Account names may not start with Bad".into(),
        error_field: Some("Name".into()),
    });
    let company = s
        .ipaas
        .edit_company_as_person(None, json!({"name": "Bad Corp"}));
    s.drain().await;
    let e = the_entry(&s, ACCOUNT_REJECTED);
    assert_record(
        &e,
        Flow::AccountFromIpaas,
        System::Ipaas,
        "Company",
        &company.to_string(),
    );
    let detail = e.detail.unwrap();
    assert!(
        detail.contains("FIELD_CUSTOM_VALIDATION_EXCEPTION")
            && detail.contains("may not start with Bad"),
        "{detail}"
    );
    assert_eq!(
        s.dead_letters().len(),
        1,
        "a permanent failure ends in the dead-letter queue"
    );
}

#[tokio::test]
async fn duplicates_detected_for_an_account() {
    let s = stack().await;
    // The simulator's standard rule needs more than a name; this story is about a name alone.
    s.salesforce.set_duplicate_rule_kind(
        "Account",
        DuplicateRuleKind::Custom {
            fields: vec!["Name".into()],
        },
    );
    s.salesforce
        .insert("Account", json!({"Name": "Twin Peaks"}));
    let company = s
        .ipaas
        .edit_company_as_person(None, json!({"name": "Twin Peaks"}));
    s.drain().await;
    let e = the_entry(&s, DUPLICATES);
    assert_record(
        &e,
        Flow::AccountFromIpaas,
        System::Ipaas,
        "Company",
        &company.to_string(),
    );
    assert_eq!(s.salesforce.records("Account").len(), 1);
}

#[tokio::test]
async fn duplicates_detected_for_a_contact_after_an_ambiguous_email() {
    let s = stack().await;
    // The simulator's standard rule needs the names to match too; this story is email alone.
    s.salesforce.set_duplicate_rule_kind(
        "Contact",
        DuplicateRuleKind::Custom {
            fields: vec!["Email".into()],
        },
    );
    let (company, account) = linked_company(&s, "Dup Holdings").await;
    for first in ["One", "Two"] {
        s.salesforce.insert("Contact", json!({"FirstName": first, "LastName": "Same", "Email": "same@dup.example", "AccountId": account}));
    }
    let customer = s.ipaas.edit_customer_as_person(
        None,
        json!({"first_name": "Three", "last_name": "Same", "email_address": "same@dup.example", "company_id": company}),
    );
    s.drain().await;
    let warning = the_entry(&s, EMAIL_LINK);
    assert_eq!(warning.severity, Severity::Warning);
    assert!(warning.detail.unwrap().contains("2 Contacts"));
    let e = the_entry(&s, DUPLICATES);
    assert_record(
        &e,
        Flow::ContactFromIpaas,
        System::Ipaas,
        "Customer",
        &customer.to_string(),
    );
    assert_eq!(s.salesforce.records("Contact").len(), 2);
}

#[tokio::test]
async fn account_id_missing_for_an_update_only_flow() {
    let mut settings = AllSettings::default();
    settings.account_from_ipaas.sync_type = SyncType::Update;
    let s = stack_with(settings).await;
    let company = s
        .ipaas
        .edit_company_as_person(None, json!({"name": "Unlinked Ltd"}));
    s.drain().await;
    let e = the_entry(&s, ACCOUNT_ID_MISSING);
    assert_record(
        &e,
        Flow::AccountFromIpaas,
        System::Ipaas,
        "Company",
        &company.to_string(),
    );
    assert!(s.salesforce.records("Account").is_empty());
}

#[tokio::test]
async fn error_calling_salesforce_with_the_real_code() {
    let s = stack().await;
    // A token first, so the 503s hit the data calls.
    s.ctx.salesforce.integration_user_id().await.unwrap();
    s.salesforce.set_faults(Faults {
        rate_503: 1.0,
        ..Default::default()
    });
    let company = s
        .ipaas
        .edit_company_as_person(None, json!({"name": "Outage Inc"}));
    s.drain().await;
    let e = the_entry(&s, "Error calling SalesForce (Http Code: 503)");
    assert_record(
        &e,
        Flow::AccountFromIpaas,
        System::Ipaas,
        "Company",
        &company.to_string(),
    );
    let dead = s.dead_letters();
    assert_eq!(
        dead.len(),
        1,
        "retried up to the receive limit, then dead-lettered"
    );
    assert_eq!(dead[0].record_id, company.to_string());
}

#[tokio::test]
async fn salesforce_rejected_the_new_contact() {
    let s = stack().await;
    let (company, _) = linked_company(&s, "Contacts Co").await;
    s.salesforce.add_validation_rule(ValidationRule {
        object: "Contact".into(),
        field: "LastName".into(),
        condition: Condition::StartsWith("Bad".into()),
        message: "Last names may not start with Bad".into(),
        error_field: Some("LastName".into()),
    });
    let customer = s.ipaas.edit_customer_as_person(
        None,
        json!({"last_name": "Badly", "email_address": "badly@contacts.example", "company_id": company}),
    );
    s.drain().await;
    let e = the_entry(&s, CONTACT_REJECTED);
    assert_record(
        &e,
        Flow::ContactFromIpaas,
        System::Ipaas,
        "Customer",
        &customer.to_string(),
    );
    assert!(e
        .detail
        .unwrap()
        .contains("Last names may not start with Bad"));
}

#[tokio::test]
async fn customer_without_company() {
    let s = stack().await;
    let customer = s.ipaas.edit_customer_as_person(
        None,
        json!({"last_name": "Loner", "email_address": "loner@x.example"}),
    );
    s.drain().await;
    let e = the_entry(&s, COMPANY_MISSING);
    assert_record(
        &e,
        Flow::ContactFromIpaas,
        System::Ipaas,
        "Customer",
        &customer.to_string(),
    );
    assert!(s.salesforce.records("Contact").is_empty());
}

#[tokio::test]
async fn linked_account_that_does_not_exist() {
    let s = stack().await;
    let ghost = SalesforceId::from_parts("001", "8M0", 777_777);
    let company = s.ipaas.insert_company(json!({"name": "Ghost Town"}));
    s.ctx
        .ipaas
        .write_link(LinkTable::Company, ghost.as_str(), company)
        .await
        .unwrap();
    let customer = s.ipaas.edit_customer_as_person(
        None,
        json!({"last_name": "Haunt", "email_address": "haunt@ghost.example", "company_id": company}),
    );
    s.drain().await;
    let text = format!(
        "Could not locate account by Id: {ghost} in Salesforce. Account must exist in Salesforce before attempting to create the contact under it."
    );
    let e = the_entry(&s, &text);
    assert_record(
        &e,
        Flow::ContactFromIpaas,
        System::Ipaas,
        "Customer",
        &customer.to_string(),
    );
}

#[tokio::test]
async fn unable_to_link_by_email_is_a_warning_and_the_contact_is_created() {
    let s = stack().await;
    let (company, account) = linked_company(&s, "No Mail Co").await;
    let customer = s
        .ipaas
        .edit_customer_as_person(None, json!({"last_name": "Silent", "company_id": company}));
    s.drain().await;
    let e = the_entry(&s, EMAIL_LINK);
    assert_eq!(e.severity, Severity::Warning);
    assert_record(
        &e,
        Flow::ContactFromIpaas,
        System::Ipaas,
        "Customer",
        &customer.to_string(),
    );
    let contacts = s.salesforce.records("Contact");
    assert_eq!(contacts.len(), 1, "created anyway");
    assert_eq!(contacts[0]["AccountId"], account.as_str());
}

#[tokio::test]
async fn ipaas_api_error() {
    let s = stack().await;
    // Records endpoints fail; the Error Log endpoint still works.
    s.ipaas.set_faults(Faults {
        rate_503: 1.0,
        only_paths: vec!["/customers/".into()],
        ..Default::default()
    });
    let account = s.person_creates("Account", json!({"Name": "Cloudy"}));
    s.sync().await.unwrap();
    let e = the_entry(&s, IPAAS_ERROR);
    assert_record(
        &e,
        Flow::AccountToIpaas,
        System::Salesforce,
        "Account",
        account.as_str(),
    );
    assert!(e.detail.unwrap().contains("HTTP 503"));
}
