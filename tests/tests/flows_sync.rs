//! The four flows end to end on the local stack: records made by people on either side
//! reach the other side linked, once, and the integration's own writes never come back.

use e2e::link_of;
use serde_json::json;
use sfsync::stack::{LocalStack, StackOptions};
use shared::flow::Flow;

async fn stack() -> LocalStack {
    LocalStack::start(StackOptions::default()).await.unwrap()
}

#[tokio::test]
async fn salesforce_records_reach_ipaas_linked_and_do_not_come_back() {
    let s = stack().await;
    let acme = s.person_creates(
        "Account",
        json!({"Name": "Acme", "Phone": "555-0100", "BillingStreet": "1 Main St", "BillingCity": "Springfield",
               "ShippingStreet": "9 Dock Rd", "ShippingCity": "Shelbyville"}),
    );
    let ada = s.person_creates(
        "Contact",
        json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@acme.example", "AccountId": acme.as_str(),
               "MailingStreet": "12 Analytical Way", "MailingCity": "London"}),
    );
    let orphan = s.person_creates(
        "Contact",
        json!({"LastName": "Orphan", "Email": "o@x.example"}),
    );
    s.sync().await.unwrap();

    let companies = s.ipaas.companies();
    assert_eq!(companies.len(), 1);
    let company = &companies[0];
    assert_eq!(company["name"], "Acme");
    assert_eq!(link_of(company).as_deref(), Some(acme.as_str()));
    let addresses = company["addresses"].as_array().unwrap();
    assert!(addresses
        .iter()
        .any(|a| a["is_primary_billing"] == true && a["city"] == "Springfield"));
    assert!(addresses
        .iter()
        .any(|a| a["is_primary_shipping"] == true && a["city"] == "Shelbyville"));

    let customers = s.ipaas.customers();
    assert_eq!(
        customers.len(),
        1,
        "the Contact without AccountId is skipped"
    );
    let customer = &customers[0];
    assert_eq!(customer["customer_number"], ada.as_str());
    assert_eq!(customer["company_id"], company["id"]);
    assert_eq!(link_of(customer).as_deref(), Some(ada.as_str()));
    assert!(customers.iter().all(|c| c["last_name"] != "Orphan"));
    assert!(customers
        .iter()
        .all(|c| c["customer_number"] != orphan.as_str()));

    // Our writes to iPaaS.com notified the webhook; the FROM flows found nothing to write.
    let c = s.salesforce.counters();
    assert_eq!(
        c.get("create")
            + c.get("update")
            + c.get("collections_create")
            + c.get("collections_update"),
        0
    );
    let tally = s.tally();
    assert_eq!(tally[&Flow::AccountToIpaas]["created"], 1);
    assert_eq!(tally[&Flow::ContactToIpaas]["created"], 1);
    assert!(s.error_log().is_empty(), "{:?}", s.error_log());

    // A second pass finds nothing new.
    let before = s.ipaas.counters();
    s.sync().await.unwrap();
    let after = s.ipaas.counters();
    assert_eq!(before.get("company_update"), after.get("company_update"));
    assert_eq!(before.get("customer_update"), after.get("customer_update"));
}

#[tokio::test]
async fn ipaas_records_reach_salesforce_linked_and_do_not_come_back() {
    let s = stack().await;
    let company = s.ipaas.edit_company_as_person(
        None,
        json!({"name": "Globex", "phone_number": "555-0199",
               "addresses": [{"address_1": "5 Elm St", "city": "Cypress Creek", "is_primary_billing": true, "is_primary_shipping": true}]}),
    );
    s.drain().await;
    let customer = s.ipaas.edit_customer_as_person(
        None,
        json!({"first_name": "Hank", "last_name": "Scorpio", "email_address": "hank@globex.example", "company_id": company,
               "addresses": [
                   {"address_1": "1 Volcano Rd", "city": "Cypress Creek", "is_primary_shipping": true},
                   {"address_1": "PO Box 9", "city": "Elsewhere", "is_primary_billing": true}
               ]}),
    );
    s.drain().await;

    let accounts = s.salesforce.records("Account");
    assert_eq!(accounts.len(), 1);
    let account = &accounts[0];
    assert_eq!(account["Name"], "Globex");
    assert_eq!(account["BillingCity"], "Cypress Creek");
    assert_eq!(account["ShippingStreet"], "5 Elm St");
    let contacts = s.salesforce.records("Contact");
    assert_eq!(contacts.len(), 1);
    let contact = &contacts[0];
    assert_eq!(contact["Email"], "hank@globex.example");
    assert_eq!(contact["AccountId"], account["Id"]);
    assert_eq!(
        contact["MailingStreet"], "1 Volcano Rd",
        "only the primary shipping address"
    );
    assert_eq!(contact["MailingCity"], "Cypress Creek");

    let company_record = s
        .ipaas
        .companies()
        .into_iter()
        .find(|c| c["id"] == company)
        .unwrap();
    assert_eq!(link_of(&company_record).as_deref(), account["Id"].as_str());
    let customer_record = s
        .ipaas
        .customers()
        .into_iter()
        .find(|c| c["id"] == customer)
        .unwrap();
    assert_eq!(link_of(&customer_record).as_deref(), contact["Id"].as_str());

    // The poller leaves the integration user's writes alone: nothing goes back.
    let before = (
        s.ipaas.counters().get("company_update"),
        s.ipaas.counters().get("customer_update"),
    );
    s.sync().await.unwrap();
    let after = (
        s.ipaas.counters().get("company_update"),
        s.ipaas.counters().get("customer_update"),
    );
    assert_eq!(before, after);
    assert_eq!(s.ipaas.companies().len(), 1);
    assert_eq!(s.ipaas.customers().len(), 1);
    assert!(s.error_log().is_empty(), "{:?}", s.error_log());

    // A person's edit in iPaaS.com is one write in Salesforce.
    s.salesforce.reset_counters();
    s.ipaas
        .edit_company_as_person(Some(company), json!({"phone_number": "555-0000"}));
    s.drain().await;
    let account = s
        .salesforce
        .record("Account", account["Id"].as_str().unwrap())
        .unwrap();
    assert_eq!(account["Phone"], "555-0000");
    assert_eq!(account["Name"], "Globex", "partial write keeps the rest");
    assert_eq!(s.salesforce.counters().get("collections_update"), 1);
}
