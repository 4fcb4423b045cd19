//! Issue 12 through the flows: a mapping document with custom fields on both sides, run by
//! the local stack (the same code as the Lambdas). Custom values travel both ways, and a
//! value table's unknown value follows its policy (skip, default, fail).

use e2e::link_of;
use serde_json::{json, Value};
use sfsync::stack::{LocalStack, StackOptions};
use shared::catalog::MessageId;
use shared::mapping::document::Mapping;
use sim::salesforce::{CustomField, CustomKind};
use std::sync::Arc;

fn tier() -> CustomField {
    CustomField {
        name: "Customer_Tier__c".into(),
        label: "Customer Tier".into(),
        kind: CustomKind::Picklist {
            values: vec!["Gold".into(), "Silver".into(), "Bronze".into()],
            restricted: true,
        },
        external_id: false,
        unique: false,
        required: false,
    }
}

async fn stack(document: &str) -> LocalStack {
    let mapping = Mapping::parse(document).expect("a usable document");
    let s = LocalStack::start(StackOptions {
        mapping: Arc::new(mapping),
        ..Default::default()
    })
    .await
    .unwrap();
    s.salesforce.add_custom_field("Account", tier()).unwrap();
    s
}

fn custom(record: &Value, name: &str) -> Option<String> {
    record["custom_fields"]
        .as_array()?
        .iter()
        .find(|f| f["name"] == name)?
        .get("value")?
        .as_str()
        .map(str::to_string)
}

/// A custom Salesforce picklist ⇄ an iPaaS.com custom field, through a value table.
#[tokio::test]
async fn custom_fields_travel_both_ways_through_the_example_mapping() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/mapping-custom.toml"
    ))
    .unwrap();
    let s = stack(&doc).await;
    s.salesforce
        .add_custom_field(
            "Contact",
            CustomField {
                name: "Loyalty_Number__c".into(),
                label: "Loyalty Number".into(),
                kind: CustomKind::Text { length: 20 },
                external_id: false,
                unique: false,
                required: false,
            },
        )
        .unwrap();
    let account = s.person_creates(
        "Account",
        json!({"Name": "Tiered", "Customer_Tier__c": "Gold", "Industry": "Retail"}),
    );
    s.person_creates(
        "Contact",
        json!({"LastName": "Loyal", "Loyalty_Number__c": "ln-7", "AccountId": account.as_str()}),
    );
    let company = s.ipaas.edit_company_as_person(
        None,
        json!({"name": "Coded", "custom_fields": [{"name": "Tier", "value": "B"}]}),
    );
    s.sync().await.unwrap();
    let companies = s.ipaas.companies();
    let made = companies
        .iter()
        .find(|c| link_of(c).as_deref() == Some(account.as_str()))
        .expect("the Account's Company");
    assert_eq!(custom(made, "Tier").as_deref(), Some("A"), "Gold → A");
    assert_eq!(custom(made, "Industry").as_deref(), Some("Retail"));
    assert_eq!(
        custom(made, "Source").as_deref(),
        Some("Salesforce"),
        "the constant"
    );
    let customer = &s.ipaas.customers()[0];
    assert_eq!(
        custom(customer, "LoyaltyNumber").as_deref(),
        Some("LN-7"),
        "upper"
    );
    let coded = companies.iter().find(|c| c["id"] == company).unwrap();
    let sf = s
        .salesforce
        .record("Account", &link_of(coded).expect("linked"))
        .unwrap();
    assert_eq!(sf["Customer_Tier__c"], "Silver", "B → Silver");
    // An edit of the custom field on one side reaches the other.
    s.salesforce.edit_as_person(
        "Account",
        account.as_str(),
        json!({"Customer_Tier__c": "Bronze"}),
    );
    s.sync().await.unwrap();
    let made = s
        .ipaas
        .companies()
        .into_iter()
        .find(|c| link_of(c).as_deref() == Some(account.as_str()))
        .unwrap();
    assert_eq!(custom(&made, "Tier").as_deref(), Some("C"));
    assert!(s.error_log().is_empty(), "{:?}", s.error_log());
}

fn with_policy(policy: &str) -> String {
    format!(
        r#"version = 1
[[account.fields]]
salesforce = "Name"
ipaas = "name"
[[account.fields]]
salesforce = "Customer_Tier__c"
ipaas = "custom_fields.Tier"
table = {{ Gold = "A", Silver = "B" }}
unknown = "skip"
[account.fields.from_ipaas]
unknown = {policy}
[[contact.fields]]
salesforce = "LastName"
ipaas = "last_name"
"#
    )
}

/// An iPaaS.com value the table does not list: skipped, replaced by the default, or the
/// record fails with an Error Log entry naming the field and the value.
#[tokio::test]
async fn an_unknown_value_follows_its_policy() {
    for (policy, want) in [
        (r#""skip""#, None),
        (r#"{ default = "Silver" }"#, Some("Silver")),
        (r#""fail""#, None),
    ] {
        let s = stack(&with_policy(policy)).await;
        let company = s.ipaas.edit_company_as_person(
            None,
            json!({"name": format!("Odd {policy}"), "custom_fields": [{"name": "Tier", "value": "Z"}]}),
        );
        s.drain().await;
        let accounts = s.salesforce.records("Account");
        if policy == r#""fail""# {
            assert!(accounts.is_empty(), "nothing half-written");
            let e = s
                .error_log()
                .into_iter()
                .find(|e| e.message_id == MessageId::AccountRejected)
                .expect("the entry");
            assert_eq!(e.record.unwrap().id, company.to_string());
            let detail = e.detail.unwrap();
            assert!(
                detail.contains("Customer_Tier__c") && detail.contains("\"Z\""),
                "{detail}"
            );
        } else {
            assert_eq!(accounts.len(), 1, "{policy}");
            assert_eq!(accounts[0]["Customer_Tier__c"].as_str(), want, "{policy}");
            assert!(s.error_log().is_empty(), "{policy}: {:?}", s.error_log());
        }
    }
}
