//! Soak: 2,000 accounts and 6,000 contacts through the whole local stack (1,500 + 4,500 made
//! in Salesforce, 500 + 1,500 in iPaaS.com, then a tenth of each edited by people) with 10%
//! transient faults on both simulators, 5% of SQS messages delivered twice, 5% of worker
//! invocations killed at a random moment and redelivered, four invocations at a time. At
//! the end nothing is lost, nothing is doubled, both systems agree field by field, and any
//! message that gave up is in the Error Logs. The counts are printed.

use e2e::link_of;
use serde_json::{json, Value};
use sfsync::stack::{LocalStack, StackOptions};
use shared::http::retry::RetryPolicy;
use sim::faults::Faults;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

const SF_ACCOUNTS: usize = 1_500;
const SF_CONTACTS: usize = 4_500;
const IPAAS_COMPANIES: usize = 500;
const IPAAS_CUSTOMERS: usize = 1_500;

fn faults(seed: u64) -> Faults {
    Faults {
        rate_503: 0.04,
        rate_500: 0.02,
        rate_429: 0.02,
        drop_rate: 0.02,
        seed: Some(seed),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_with_faults_duplicates_and_kills() {
    let started = Instant::now();
    let s = LocalStack::start(StackOptions {
        duplicate_rate: 0.05,
        kill_rate: 0.05,
        concurrency: 4,
        max_receives: 10,
        retry: RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(20),
        },
        ..Default::default()
    })
    .await
    .unwrap();
    s.salesforce.set_faults(faults(1));
    s.ipaas.set_faults(faults(2));

    let mut accounts = Vec::new();
    for i in 0..SF_ACCOUNTS {
        accounts.push(s.person_creates(
            "Account",
            json!({"Name": format!("Soak Account {i:05}"), "Phone": format!("555-{i:05}"), "BillingCity": "Springfield"}),
        ));
    }
    for i in 0..SF_CONTACTS {
        s.person_creates(
            "Contact",
            json!({"LastName": format!("Soak Contact {i:05}"), "Email": format!("sf{i}@soak.example"),
                   "AccountId": accounts[i % SF_ACCOUNTS].as_str()}),
        );
    }
    let mut companies = Vec::new();
    for i in 0..IPAAS_COMPANIES {
        companies.push(s.ipaas.edit_company_as_person(
            None,
            json!({"name": format!("Soak Company {i:05}"), "phone_number": format!("777-{i:05}")}),
        ));
    }
    for i in 0..IPAAS_CUSTOMERS {
        s.ipaas.edit_customer_as_person(
            None,
            json!({"last_name": format!("Soak Customer {i:05}"), "email_address": format!("ip{i}@soak.example"),
                   "company_id": companies[i % IPAAS_COMPANIES]}),
        );
    }
    s.sync().await.unwrap();

    // People edit a tenth of the records on each side.
    for (i, id) in accounts.iter().enumerate().filter(|(i, _)| i % 10 == 0) {
        s.salesforce.edit_as_person(
            "Account",
            id.as_str(),
            json!({"Phone": format!("999-{i:05}")}),
        );
    }
    for (i, id) in companies.iter().enumerate().filter(|(i, _)| i % 10 == 0) {
        s.ipaas
            .edit_company_as_person(Some(*id), json!({"phone_number": format!("888-{i:05}")}));
    }
    s.sync().await.unwrap();
    // A last quiet pass: whatever is still owed (nothing, if all went well) is done.
    s.salesforce.set_faults(Faults::default());
    s.ipaas.set_faults(Faults::default());
    s.sync().await.unwrap();

    let sf_accounts = s.salesforce.records("Account");
    let sf_contacts = s.salesforce.records("Contact");
    let ip_companies = s.ipaas.companies();
    let ip_customers = s.ipaas.customers();
    let dead = s.dead_letters();
    let errors = s.error_log();
    println!(
        "soak: {:.1} s; Salesforce {} Accounts, {} Contacts; iPaaS.com {} Companies, {} Customers; \
         {} kills, {} dead letters, {} Error Log entries; Salesforce calls {}, iPaaS.com calls {}; tally {:?}",
        started.elapsed().as_secs_f64(),
        sf_accounts.len(),
        sf_contacts.len(),
        ip_companies.len(),
        ip_customers.len(),
        s.kills(),
        dead.len(),
        errors.len(),
        s.salesforce.counters().total(),
        s.ipaas.counters().total(),
        s.tally()
    );

    // Nothing lost, nothing doubled.
    let total_accounts = SF_ACCOUNTS + IPAAS_COMPANIES;
    let total_contacts = SF_CONTACTS + IPAAS_CUSTOMERS;
    assert_eq!(sf_accounts.len(), total_accounts);
    assert_eq!(ip_companies.len(), total_accounts);
    assert_eq!(sf_contacts.len(), total_contacts);
    assert_eq!(ip_customers.len(), total_contacts);
    let distinct = |v: &[Value], f: &str| {
        v.iter()
            .map(|r| r[f].to_string())
            .collect::<HashSet<_>>()
            .len()
    };
    assert_eq!(distinct(&sf_accounts, "Name"), total_accounts);
    assert_eq!(distinct(&ip_companies, "name"), total_accounts);
    assert_eq!(distinct(&sf_contacts, "Email"), total_contacts);
    assert_eq!(distinct(&ip_customers, "email_address"), total_contacts);

    // Converged: every pair linked, the same values on both sides.
    let by_id: HashMap<String, &Value> = sf_accounts
        .iter()
        .map(|a| (a["Id"].as_str().unwrap().to_string(), a))
        .collect();
    for c in &ip_companies {
        let id = link_of(c).unwrap_or_else(|| panic!("Company not linked: {c}"));
        let a = by_id[&id];
        assert_eq!(a["Name"], c["name"], "{id}");
        assert_eq!(a["Phone"], c["phone_number"], "{id}");
    }
    let by_id: HashMap<String, &Value> = sf_contacts
        .iter()
        .map(|c| (c["Id"].as_str().unwrap().to_string(), c))
        .collect();
    let company_link: HashMap<u64, String> = ip_companies
        .iter()
        .map(|c| (c["id"].as_u64().unwrap(), link_of(c).unwrap()))
        .collect();
    for c in &ip_customers {
        let id = link_of(c).unwrap_or_else(|| panic!("Customer not linked: {c}"));
        let contact = by_id[&id];
        assert_eq!(contact["Email"], c["email_address"], "{id}");
        assert_eq!(contact["LastName"], c["last_name"], "{id}");
        let company = c["company_id"].as_u64().expect("Customer has its company");
        assert_eq!(
            contact["AccountId"].as_str(),
            Some(company_link[&company].as_str()),
            "{id}"
        );
    }

    // Every message that gave up is explained in the Error Logs.
    for m in &dead {
        assert!(
            errors
                .iter()
                .any(|e| e.record.as_ref().is_some_and(|r| r.id == m.record_id)),
            "dead letter without an Error Log entry: {m:?}"
        );
    }
    assert!(
        dead.is_empty(),
        "transient faults alone should never exhaust the retries: {dead:?}"
    );
}
