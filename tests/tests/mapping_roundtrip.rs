//! The mapping engine between the two simulated systems with the real clients: a Salesforce
//! custom picklist and standard picklist reach iPaaS.com custom fields through a value
//! table, and come back; the Contact's custom field with its transforms; what iPaaS.com
//! keeps (other custom fields, addresses, fields the mapping does not name) survives.

use serde_json::{json, Value};
use sfsync::dataset::Dataset;
use sfsync::stack::{LocalStack, StackOptions};
use shared::ipaas::{Company, Customer};
use shared::mapping::document::{Direction, Mapping, MappingError};
use shared::salesforce::SalesforceId;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

async fn stack() -> (LocalStack, Mapping) {
    let stack = LocalStack::start(StackOptions::default()).await.unwrap();
    Dataset::load(&example("custom-fields.json"))
        .unwrap()
        .declare_fields(&stack.salesforce)
        .unwrap();
    (
        stack,
        Mapping::from_file(&example("mapping-custom.toml")).unwrap(),
    )
}

async fn row(
    stack: &LocalStack,
    object: &str,
    fields: &[String],
    id: &SalesforceId,
) -> serde_json::Map<String, Value> {
    let mut rows = stack
        .ctx
        .salesforce
        .query_by_ids(object, fields, &[id])
        .await
        .unwrap();
    rows.remove(id.as_str()).expect("the record is there")
}

#[tokio::test]
async fn custom_fields_travel_both_ways() {
    let (stack, mapping) = stack().await;
    let pair = mapping.account();
    let id = stack.person_creates(
        "Account",
        json!({"Name": "Tiered Goods", "Customer_Tier__c": "Silver", "Industry": "Retail", "BillingCity": "Oslo"}),
    );
    // Salesforce → iPaaS.com.
    let account = row(&stack, "Account", &pair.soql_fields(), &id).await;
    let values = pair.salesforce_values(&account, Direction::ToIpaas);
    let body: Company =
        serde_json::from_value(pair.write_ipaas(None, &values, None).unwrap()).unwrap();
    let created = stack.ctx.ipaas.create_company(&body).await.unwrap();
    let company_id = created.id.unwrap();
    let stored = stack.ipaas.company(company_id).unwrap();
    assert_eq!(
        stored["custom_fields"],
        json!([{"name": "Tier", "value": "B"}, {"name": "Industry", "value": "Retail"}, {"name": "Source", "value": "Salesforce"}])
    );
    assert_eq!(stored["addresses"][0]["city"], "Oslo");
    // What iPaaS.com now holds reads back as what Salesforce has: nothing to write.
    let back = pair.ipaas_values(&stored, Direction::ToIpaas).unwrap();
    assert_eq!(back, values);

    // A person in iPaaS.com changes the tier code and the industry, and adds a field of
    // their own; iPaaS.com → Salesforce writes only the changed fields.
    stack.ipaas.edit_company_as_person(
        Some(company_id),
        json!({"custom_fields": [{"name": "Tier", "value": "C"}, {"name": "Industry", "value": "Banking"},
                                 {"name": "Source", "value": "Salesforce"}, {"name": "Notes", "value": "keep me"}]}),
    );
    let company = stack
        .ctx
        .ipaas
        .get_company(company_id)
        .await
        .unwrap()
        .unwrap();
    let record = serde_json::to_value(&company).unwrap();
    let source = pair.ipaas_values(&record, Direction::FromIpaas).unwrap();
    assert_eq!(source["Customer_Tier__c"], "Bronze");
    assert_eq!(source["Industry"], "Banking");
    let only: BTreeSet<String> = ["Customer_Tier__c".to_string(), "Industry".to_string()].into();
    let fields = pair.write_salesforce(&source, Some(&only)).unwrap();
    let results = stack
        .ctx
        .salesforce
        .update_many("Account", &[(id.clone(), fields)], None)
        .await
        .unwrap();
    assert!(results.iter().all(|r| r.success), "{results:?}");
    let now = stack.salesforce.record("Account", id.as_str()).unwrap();
    assert_eq!(
        (now["Customer_Tier__c"].as_str(), now["Industry"].as_str()),
        (Some("Bronze"), Some("Banking"))
    );
    assert_eq!(now["Name"], "Tiered Goods");

    // The next TO write lays the Salesforce values over the Company and keeps its own.
    let account = row(&stack, "Account", &pair.soql_fields(), &id).await;
    let values = pair.salesforce_values(&account, Direction::ToIpaas);
    let body = pair.write_ipaas(Some(&record), &values, None).unwrap();
    let body: Company = serde_json::from_value(body).unwrap();
    stack
        .ctx
        .ipaas
        .update_company(company_id, &body)
        .await
        .unwrap();
    let stored = stack.ipaas.company(company_id).unwrap();
    let notes = stored["custom_fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Notes");
    assert_eq!(notes.map(|n| n["value"].clone()), Some(json!("keep me")));

    // An iPaaS.com code the table does not list: the document's default for that direction.
    stack.ipaas.edit_company_as_person(
        Some(company_id),
        json!({"custom_fields": [{"name": "Tier", "value": "Z"}]}),
    );
    let record = serde_json::to_value(
        stack
            .ctx
            .ipaas
            .get_company(company_id)
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        pair.ipaas_values(&record, Direction::FromIpaas).unwrap()["Customer_Tier__c"],
        "Bronze"
    );
}

#[tokio::test]
async fn the_contacts_custom_field_and_its_limits() {
    let (stack, mapping) = stack().await;
    let pair = mapping.contact();
    let account = stack.person_creates("Account", json!({"Name": "Parent"}));
    let id = stack.person_creates(
        "Contact",
        json!({"LastName": "Nakamura", "Email": "Aiko@Tiered.Example", "AccountId": account.as_str(),
               "Title": "Buyer", "Loyalty_Number__c": " ln-0042 "}),
    );
    let contact = row(&stack, "Contact", &pair.soql_fields(), &id).await;
    let values = pair.salesforce_values(&contact, Direction::ToIpaas);
    assert_eq!(values["AccountId"], account.as_str());
    let mut body = pair.write_ipaas(None, &values, None).unwrap();
    body["customer_number"] = json!(id.as_str());
    let body: Customer = serde_json::from_value(body).unwrap();
    let created = stack.ctx.ipaas.create_customer(&body).await.unwrap();
    let stored = stack.ipaas.customer(created.id.unwrap()).unwrap();
    assert_eq!(stored["email_address"], "aiko@tiered.example");
    assert_eq!(
        stored["custom_fields"],
        json!([{"name": "LoyaltyNumber", "value": "LN-0042"}, {"name": "JobTitle", "value": "Buyer"}])
    );

    // From iPaaS.com: upper case into Salesforce; the to_ipaas-only Title is not written.
    let mut record = stored.clone();
    record["custom_fields"] =
        json!([{"name": "LoyaltyNumber", "value": "zz-9"}, {"name": "JobTitle", "value": "Chief"}]);
    let source = pair.ipaas_values(&record, Direction::FromIpaas).unwrap();
    let fields = pair.write_salesforce(&source, None).unwrap();
    assert_eq!(fields["Loyalty_Number__c"], "ZZ-9");
    assert!(!fields.contains_key("Title"));
    let results = stack
        .ctx
        .salesforce
        .update_many("Contact", &[(id.clone(), fields)], None)
        .await
        .unwrap();
    assert!(results.iter().all(|r| r.success), "{results:?}");
    assert_eq!(
        stack.salesforce.record("Contact", id.as_str()).unwrap()["Loyalty_Number__c"],
        "ZZ-9"
    );

    // Longer than the Salesforce field: the record fails, naming the field, before any call.
    record["custom_fields"] = json!([{"name": "LoyaltyNumber", "value": "x".repeat(21)}]);
    let e = pair
        .ipaas_values(&record, Direction::FromIpaas)
        .unwrap_err();
    assert!(
        matches!(&e, MappingError::TooLong { field, length: 21, max: 20, .. } if field == "Loyalty_Number__c"),
        "{e:?}"
    );
}
