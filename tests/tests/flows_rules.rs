//! The flow rules of DESIGN.md §3 on the local stack: the four collision-handling methods on
//! both record kinds, sync types, and linking by email in both directions.

use e2e::link_of;
use serde_json::json;
use sfsync::stack::{LocalStack, StackOptions};
use shared::flows::{AllSettings, CollisionMethod, SyncType};
use sim::salesforce::DuplicateRuleKind;

async fn stack_with(settings: AllSettings) -> LocalStack {
    LocalStack::start(StackOptions {
        settings,
        ..Default::default()
    })
    .await
    .unwrap()
}

/// A Company that meets an existing Account of the same name under `method`.
async fn account_collision(method: CollisionMethod) -> (LocalStack, String, serde_json::Value) {
    let mut settings = AllSettings::default();
    settings.account_from_ipaas.collision = method;
    let s = stack_with(settings).await;
    // A name alone collides here (the simulator's standard rule needs more).
    s.salesforce.set_duplicate_rule_kind(
        "Account",
        DuplicateRuleKind::Custom {
            fields: vec!["Name".into()],
        },
    );
    let existing = s.person_creates("Account", json!({"Name": "Collide Co", "Phone": "old"}));
    let company = s
        .ipaas
        .edit_company_as_person(None, json!({"name": "Collide Co", "phone_number": "new"}));
    s.drain().await;
    let record = s
        .ipaas
        .companies()
        .into_iter()
        .find(|c| c["id"] == company)
        .unwrap();
    (s, existing.to_string(), record)
}

#[tokio::test]
async fn account_collision_methods() {
    for method in [
        CollisionMethod::RemapAndLink,
        CollisionMethod::UpdateAndLink,
        CollisionMethod::UpdateAndNoLink,
    ] {
        let (s, existing, company) = account_collision(method).await;
        let accounts = s.salesforce.records("Account");
        assert_eq!(accounts.len(), 1, "{method:?}: no second Account");
        assert_eq!(
            accounts[0]["Phone"], "new",
            "{method:?}: the matched Account is updated"
        );
        let linked = link_of(&company);
        if method == CollisionMethod::UpdateAndNoLink {
            assert_eq!(linked, None, "{method:?}");
        } else {
            assert_eq!(linked.as_deref(), Some(existing.as_str()), "{method:?}");
        }
        assert!(s.error_log().is_empty(), "{method:?}: {:?}", s.error_log());
    }
    let (s, _, company) = account_collision(CollisionMethod::Error).await;
    assert_eq!(s.error_log()[0].message, "DUPLICATES_DETECTED. This means that the record sent in the request already exists in Salesforce.");
    assert_eq!(s.salesforce.records("Account")[0]["Phone"], "old");
    assert_eq!(link_of(&company), None);
}

#[tokio::test]
async fn contact_collision_methods() {
    for method in [
        CollisionMethod::Error,
        CollisionMethod::RemapAndLink,
        CollisionMethod::UpdateAndLink,
        CollisionMethod::UpdateAndNoLink,
    ] {
        let mut settings = AllSettings::default();
        settings.contact_from_ipaas.collision = method;
        let s = stack_with(settings).await;
        // An email alone collides here (the simulator's standard rule needs the names too).
        s.salesforce.set_duplicate_rule_kind(
            "Contact",
            DuplicateRuleKind::Custom {
                fields: vec!["Email".into()],
            },
        );
        let company = s
            .ipaas
            .edit_company_as_person(None, json!({"name": "Parent"}));
        s.drain().await;
        let account = s.salesforce.records("Account")[0]["Id"]
            .as_str()
            .unwrap()
            .to_string();
        // Two Contacts share the email, so linking by email is ambiguous and the create meets
        // the duplicate rule.
        let first = s.person_creates(
            "Contact",
            json!({"LastName": "A", "Email": "x@dup.example", "AccountId": account}),
        );
        s.person_creates(
            "Contact",
            json!({"LastName": "B", "Email": "x@dup.example", "AccountId": account}),
        );
        let customer = s.ipaas.edit_customer_as_person(
            None,
            json!({"first_name": "New", "last_name": "C", "email_address": "x@dup.example", "company_id": company}),
        );
        s.drain().await;
        assert_eq!(
            s.salesforce.records("Contact").len(),
            2,
            "{method:?}: no third Contact"
        );
        let record = s
            .ipaas
            .customers()
            .into_iter()
            .find(|c| c["id"] == customer)
            .unwrap();
        let messages: Vec<String> = s.error_log().iter().map(|e| e.message.clone()).collect();
        match method {
            CollisionMethod::Error => {
                assert!(
                    messages
                        .iter()
                        .any(|m| m.starts_with("DUPLICATES_DETECTED")),
                    "{messages:?}"
                );
                assert_eq!(link_of(&record), None);
            }
            CollisionMethod::UpdateAndNoLink => {
                assert_eq!(link_of(&record), None);
                assert_eq!(
                    s.salesforce.record("Contact", first.as_str()).unwrap()["FirstName"],
                    "New"
                );
            }
            _ => {
                assert_eq!(
                    link_of(&record).as_deref(),
                    Some(first.as_str()),
                    "{method:?} {:?}",
                    s.error_log()
                );
                assert_eq!(
                    s.salesforce.record("Contact", first.as_str()).unwrap()["FirstName"],
                    "New"
                );
            }
        }
    }
}

#[tokio::test]
async fn sync_type_add_creates_but_never_updates() {
    let mut settings = AllSettings::default();
    settings.account_from_ipaas.sync_type = SyncType::Add;
    let s = stack_with(settings).await;
    let company = s
        .ipaas
        .edit_company_as_person(None, json!({"name": "Add Only", "phone_number": "1"}));
    s.drain().await;
    s.ipaas
        .edit_company_as_person(Some(company), json!({"phone_number": "2"}));
    s.drain().await;
    let accounts = s.salesforce.records("Account");
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["Phone"], "1");
    assert!(s.error_log().is_empty());
}

#[tokio::test]
async fn sync_type_update_updates_linked_records_only() {
    let mut settings = AllSettings::default();
    settings.account_to_ipaas.sync_type = SyncType::Update;
    let s = stack_with(settings).await;
    s.person_creates("Account", json!({"Name": "Never Created"}));
    s.sync().await.unwrap();
    assert!(s.ipaas.companies().is_empty(), "Update does not create");
    assert!(
        s.error_log().is_empty(),
        "a TO flow with no link just skips"
    );
}

#[tokio::test]
async fn contacts_link_by_email_in_both_directions() {
    let s = stack_with(AllSettings::default()).await;
    // TO: a Customer with the Contact's email already exists in iPaaS.com.
    let account = s.person_creates("Account", json!({"Name": "Mail Co"}));
    let existing_customer = s
        .ipaas
        .insert_customer(json!({"last_name": "Known", "email_address": "known@mail.example"}));
    let contact = s.person_creates(
        "Contact",
        json!({"LastName": "Known", "FirstName": "Kay", "Email": "known@mail.example", "AccountId": account.as_str()}),
    );
    s.sync().await.unwrap();
    assert_eq!(s.ipaas.customers().len(), 1, "linked, not duplicated");
    let customer = s
        .ipaas
        .customers()
        .into_iter()
        .find(|c| c["id"] == existing_customer)
        .unwrap();
    assert_eq!(link_of(&customer).as_deref(), Some(contact.as_str()));
    assert_eq!(customer["first_name"], "Kay");

    // FROM: a Contact with the Customer's email already exists in Salesforce.
    let company = s.ipaas.companies()[0]["id"].as_u64().unwrap();
    let sf_contact = s.salesforce.insert(
        "Contact",
        json!({"LastName": "Other", "Email": "other@mail.example", "AccountId": account.as_str()}),
    );
    let new_customer = s.ipaas.edit_customer_as_person(
        None,
        json!({"first_name": "Otto", "last_name": "Other", "email_address": "OTHER@mail.example", "company_id": company}),
    );
    s.drain().await;
    assert_eq!(
        s.salesforce.records("Contact").len(),
        2,
        "linked, not duplicated"
    );
    let record = s
        .ipaas
        .customers()
        .into_iter()
        .find(|c| c["id"] == new_customer)
        .unwrap();
    assert_eq!(link_of(&record).as_deref(), Some(sf_contact.as_str()));
    assert_eq!(
        s.salesforce.record("Contact", sf_contact.as_str()).unwrap()["FirstName"],
        "Otto"
    );
    assert!(s.error_log().is_empty(), "{:?}", s.error_log());
}

#[tokio::test]
async fn a_contact_whose_account_is_not_synced_yet_brings_it_along() {
    let s = stack_with(AllSettings::default()).await;
    // TO: the Contact's message is worked before its Account's.
    let account = s.person_creates("Account", json!({"Name": "Late Parent"}));
    let contact = s.person_creates(
        "Contact",
        json!({"LastName": "Early", "Email": "early@late.example", "AccountId": account.as_str()}),
    );
    s.poll().await.unwrap();
    let contacts = s.queue.take(shared::flow::Flow::ContactToIpaas, 10);
    let outcomes = s.invoke(shared::flow::Flow::ContactToIpaas, contacts).await;
    assert!(
        matches!(outcomes[0], shared::flows::Outcome::Created { .. }),
        "{outcomes:?}"
    );
    let company = s
        .ipaas
        .companies()
        .into_iter()
        .find(|c| c["name"] == "Late Parent")
        .expect("the Account came along");
    assert_eq!(link_of(&company).as_deref(), Some(account.as_str()));
    let customer = s
        .ipaas
        .customers()
        .into_iter()
        .find(|c| c["customer_number"] == contact.as_str())
        .unwrap();
    assert_eq!(customer["company_id"], company["id"]);
    s.drain().await;
    assert_eq!(
        s.ipaas.companies().len(),
        1,
        "the Account's own message made no second Company"
    );

    // FROM: the Customer's message is worked before its Company's.
    let company = s.ipaas.insert_company(json!({"name": "Late Company"}));
    s.ipaas.edit_customer_as_person(
        None,
        json!({"last_name": "Eager", "email_address": "eager@late.example", "company_id": company}),
    );
    s.drain().await;
    let account = s
        .salesforce
        .records("Account")
        .into_iter()
        .find(|a| a["Name"] == "Late Company")
        .expect("the Company came along");
    let contact = s
        .salesforce
        .records("Contact")
        .into_iter()
        .find(|c| c["LastName"] == "Eager")
        .unwrap();
    assert_eq!(contact["AccountId"], account["Id"]);
    assert!(s.error_log().is_empty(), "{:?}", s.error_log());
}
