//! The iPaaS.com client against the iPaaS.com simulator, over HTTP: records with addresses,
//! searches with awkward values, links, paging, the API key, retries and error reporting,
//! exactly as docs/ipaas-api.md defines them.

use serde_json::json;
use shared::ipaas::{Address, Company, Customer, IpaasClient, IpaasConfig, LinkTable, RetryPolicy};
use shared::secrets::InMemorySecretStore;
use sim::faults::Faults;
use sim::ipaas::{IpaasSim, IpaasSimConfig};
use std::sync::Arc;
use std::time::Duration;

/// The Salesforce subscription's system id used for links in these tests.
const SYSTEM_ID: u64 = 31;

fn client(sim: &IpaasSim, api_key: &str) -> IpaasClient {
    let secret = json!({"api_key": api_key, "webhook_key": "wh"}).to_string();
    let secrets = Arc::new(InMemorySecretStore::with("ipaas-secret", &secret));
    let mut config = IpaasConfig::new(sim.url(), "ipaas-secret", SYSTEM_ID);
    // Quick retries (the simulator's Retry-After is capped by max_delay) and enough of them
    // that 30% injected failures almost never exhaust the budget.
    config.retry = RetryPolicy {
        max_attempts: 10,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(20),
    };
    config.request_timeout = Duration::from_secs(10);
    IpaasClient::new(secrets, config).expect("valid client configuration")
}

async fn start() -> (IpaasSim, IpaasClient) {
    let sim = IpaasSim::start(IpaasSimConfig::default())
        .await
        .expect("simulator starts");
    let key = sim.config().api_key.clone();
    let c = client(&sim, &key);
    (sim, c)
}

fn address(city: &str, billing: bool, shipping: bool) -> Address {
    Address {
        address_1: Some(format!("1 {city} Street")),
        city: Some(city.to_string()),
        region: Some("CA".into()),
        country: Some("US".into()),
        postal_code: Some("94105".into()),
        is_primary_billing: Some(billing),
        is_primary_shipping: Some(shipping),
        ..Default::default()
    }
}

#[tokio::test]
async fn companies_and_customers_with_addresses_round_trip() {
    let (_sim, c) = start().await;
    let company = c
        .create_company(&Company {
            name: Some("Analytical Engines Ltd".into()),
            phone_number: Some("+44 20 7946 0000".into()),
            addresses: vec![
                address("Billton", true, false),
                address("Shipton", false, true),
            ],
            ..Default::default()
        })
        .await
        .unwrap();
    let company_id = company.id.expect("created company has an id");
    assert!(company.last_modified_date.is_some());

    let got = c.get_company(company_id).await.unwrap().unwrap();
    assert_eq!(got.name.as_deref(), Some("Analytical Engines Ltd"));
    assert_eq!(
        got.primary_billing().unwrap().city.as_deref(),
        Some("Billton")
    );
    assert_eq!(
        got.primary_shipping().unwrap().city.as_deref(),
        Some("Shipton")
    );

    let mut changed = got.clone();
    changed.description = Some("Engines, analytical".into());
    changed.addresses = vec![address("Bothville", true, true)];
    let updated = c.update_company(company_id, &changed).await.unwrap();
    assert_eq!(updated.description.as_deref(), Some("Engines, analytical"));
    let got = c.get_company(company_id).await.unwrap().unwrap();
    assert_eq!(
        got.addresses.len(),
        1,
        "an update replaces the address list"
    );
    assert_eq!(got.primary_billing(), got.primary_shipping());

    let customer = c
        .create_customer(&Customer {
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            email_address: Some("ada@example.com".into()),
            customer_number: Some("003000000000001AAA".into()),
            company_id: Some(company_id),
            addresses: vec![address("Marylebone", false, true)],
            ..Default::default()
        })
        .await
        .unwrap();
    let customer_id = customer.id.expect("created customer has an id");
    let mut got = c.get_customer(customer_id).await.unwrap().unwrap();
    assert_eq!(got.company_id, Some(company_id));
    assert_eq!(got.email_address.as_deref(), Some("ada@example.com"));
    assert_eq!(
        got.primary_shipping().unwrap().city.as_deref(),
        Some("Marylebone")
    );
    got.last_name = Some("King".into());
    c.update_customer(customer_id, &got).await.unwrap();
    let got = c.get_customer(customer_id).await.unwrap().unwrap();
    assert_eq!(got.last_name.as_deref(), Some("King"));
    assert_eq!(got.first_name.as_deref(), Some("Ada"));

    assert!(c.get_customer(999_999).await.unwrap().is_none());
    assert!(c.get_company(999_999).await.unwrap().is_none());
}

#[tokio::test]
async fn searches_encode_awkward_values_and_ignore_case() {
    let (sim, c) = start().await;
    let odd_email = "o'brien+tag@exämple.com";
    let odd_name = "Smith & Sons #1 + Co — Ünïcødé";
    let a = sim.insert_customer(json!({"last_name": "O'Brien", "email_address": odd_email}));
    sim.insert_customer(json!({"last_name": "Other", "email_address": "other@example.com"}));
    let company = c
        .create_company(&Company {
            name: Some(odd_name.into()),
            ..Default::default()
        })
        .await
        .unwrap();
    c.create_company(&Company {
        name: Some("Smith".into()),
        ..Default::default()
    })
    .await
    .unwrap();

    let found = c.find_customers_by_email(odd_email).await.unwrap();
    assert_eq!(found.iter().map(|x| x.id).collect::<Vec<_>>(), [Some(a)]);
    let found = c
        .find_customers_by_email(&odd_email.to_uppercase())
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "equals is case-insensitive");
    assert!(c
        .find_customers_by_email("nobody@example.com")
        .await
        .unwrap()
        .is_empty());

    let found = c.find_companies_by_name(odd_name).await.unwrap();
    assert_eq!(found.iter().map(|x| x.id).collect::<Vec<_>>(), [company.id]);
}

#[tokio::test]
async fn links_are_looked_up_written_and_shown_on_the_record() {
    let (_sim, c) = start().await;
    let customer = c
        .create_customer(&Customer {
            last_name: Some("Babbage".into()),
            email_address: Some("charles@example.com".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let id = customer.id.unwrap();
    let sf_id = "003000000000042AAA";

    assert_eq!(
        c.lookup_link(LinkTable::Customer, sf_id).await.unwrap(),
        None
    );
    c.write_link(LinkTable::Customer, sf_id, id).await.unwrap();
    assert_eq!(
        c.lookup_link(LinkTable::Customer, sf_id).await.unwrap(),
        Some(id)
    );
    assert_eq!(
        c.lookup_link(LinkTable::Company, sf_id).await.unwrap(),
        None,
        "links are per table"
    );
    let got = c.get_customer(id).await.unwrap().unwrap();
    assert_eq!(got.link_for(SYSTEM_ID), Some(sf_id));

    let company = c
        .create_company(&Company {
            name: Some("Linked Co".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let company_id = company.id.unwrap();
    c.write_link(LinkTable::Company, "001000000000042AAA", company_id)
        .await
        .unwrap();
    assert_eq!(
        c.lookup_link(LinkTable::Company, "001000000000042AAA")
            .await
            .unwrap(),
        Some(company_id)
    );
    let got = c.get_company(company_id).await.unwrap().unwrap();
    assert_eq!(got.link_for(SYSTEM_ID), Some("001000000000042AAA"));
}

#[tokio::test]
async fn lists_page_through_every_record() {
    let (sim, c) = start().await;
    let before = c.all_customers(100).collect_all().await.unwrap().len();
    for i in 0..8 {
        sim.insert_customer(json!({"last_name": format!("Pager {i}"),
            "email_address": format!("pager{i}@example.com")}));
    }
    let total = before + 8;
    let first = c.list_customers(1, 3).await.unwrap();
    assert_eq!(first.items.len(), 3);
    let p = first.pagination.expect("X-Pagination header");
    assert_eq!(p.total_count as usize, total);
    assert_eq!(p.page_size, 3);
    assert_eq!(p.current_page, 1);
    assert_eq!(p.total_pages as usize, total.div_ceil(3));
    assert!(p.has_next && !p.has_previous);

    let mut pager = c.all_customers(3);
    let mut pages = 0;
    let mut ids = Vec::new();
    while let Some(items) = pager.next_page().await.unwrap() {
        pages += 1;
        ids.extend(items.into_iter().map(|x| x.id.unwrap()));
    }
    assert!(pages >= 3);
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), total, "every record once");

    let past_end = c.list_customers(1000, 3).await.unwrap();
    assert!(past_end.items.is_empty() && !past_end.has_next());

    for i in 0..4 {
        c.create_company(&Company {
            name: Some(format!("Paged Co {i}")),
            ..Default::default()
        })
        .await
        .unwrap();
    }
    let companies = c.all_companies(2).collect_all().await.unwrap();
    assert!(companies.len() >= 4);
    assert_eq!(c.list_companies(1, 2).await.unwrap().items.len(), 2);
}

#[tokio::test]
async fn a_wrong_key_fails_with_401_after_one_reread() {
    let (sim, _) = start().await;
    let c = client(&sim, "not-the-key");
    let e = c.get_customer(1).await.unwrap_err();
    assert_eq!(e.status(), Some(401));
    let raised = e.to_raised();
    assert_eq!(raised.message, "An iPaaS.com API error was returned.");
    let detail = raised.detail.unwrap();
    assert!(
        detail.contains("HTTP 401") && detail.contains("2 attempt(s)"),
        "{detail}"
    );
    assert!(!detail.contains("not-the-key") && !format!("{e:?} {c:?}").contains("not-the-key"));
}

#[tokio::test]
async fn transient_failures_are_retried_until_they_succeed_but_a_create_is_never_sent_twice() {
    let (sim, c) = start().await;
    let mut ids = Vec::new();
    for i in 0..15 {
        let created = c
            .create_customer(&Customer {
                last_name: Some(format!("Retry {i}")),
                email_address: Some(format!("retry{i}@example.com")),
                ..Default::default()
            })
            .await
            .unwrap();
        ids.push(created.id.unwrap());
    }
    // Reads and updates are retried through 503s until they succeed.
    sim.set_faults(Faults {
        rate_503: 0.3,
        seed: Some(3),
        ..Default::default()
    });
    for id in &ids {
        assert!(c.get_customer(*id).await.unwrap().is_some());
    }
    let gets = sim.counters().get("customer_get");
    assert!(
        gets > 15,
        "some reads were answered 503 and retried: {gets}"
    );
    // A create answered 5xx may have been applied: it is not sent again, and says so.
    sim.set_faults(Faults {
        rate_503: 1.0,
        ..Default::default()
    });
    sim.reset_counters();
    let e = c
        .create_customer(&Customer {
            last_name: Some("Once".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(e, shared::ipaas::IpaasError::Ambiguous { attempts: 1, .. }),
        "{e:?}"
    );
    assert_eq!(sim.counters().get("customer_create"), 1);
    sim.set_faults(Faults::default());
}

#[tokio::test]
async fn failures_that_never_recover_raise_the_catalog_message() {
    let (sim, c) = start().await;
    sim.set_faults(Faults {
        rate_503: 1.0,
        ..Default::default()
    });
    let e = c.find_companies_by_name("Anything").await.unwrap_err();
    let raised = e.to_raised();
    assert_eq!(raised.message, "An iPaaS.com API error was returned.");
    let detail = raised.detail.unwrap();
    assert!(
        detail.starts_with(
            "GET /customers/v2/Customer/Companies answered HTTP 503 after 10 attempt(s)"
        ),
        "{detail}"
    );
    sim.set_faults(Faults::default());
}

#[tokio::test]
async fn validation_errors_are_not_retried_and_name_the_field() {
    let (sim, c) = start().await;
    let before = sim.counters().get("customer_create");
    let e = c
        .create_customer(&Customer {
            first_name: Some("No".into()),
            email_address: Some("no-last-name@example.com".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert_eq!(sim.counters().get("customer_create"), before + 1);
    let raised = e.to_raised();
    assert_eq!(raised.message, "An iPaaS.com API error was returned.");
    let detail = raised.detail.unwrap();
    assert!(
        detail.contains("HTTP 400") && detail.contains("last_name"),
        "{detail}"
    );
    assert!(detail.chars().count() < 500, "{detail}");
}
