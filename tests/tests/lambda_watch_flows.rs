//! The poller and the four workers as real Lambdas under `cargo lambda watch`, each invoked
//! with its own fixture from `functions/<name>/events/`, against both simulators (in this
//! process, on loopback) and moto server (secrets, queues, the state table). The effects are
//! checked in the simulators, the queues and the table.

use e2e::lambda_watch::{fixture, Watch};
use e2e::link_of;
use e2e::{aws_config, moto_endpoint, unique};
use serde_json::json;
use sfsync::stack::{salesforce_secret, SYSTEM_ID};
use shared::queue::WorkMessage;
use sim::ipaas::{IpaasSim, IpaasSimConfig};
use sim::salesforce::{SalesforceSim, SalesforceSimConfig};

/// The record ids the fixtures name.
const ACCOUNT: &str = "0018M00000Fx001QAB";
const CONTACT: &str = "0038M00000Fx001QAB";
const COMPANY: u64 = 1;
const CUSTOMER: u64 = 2;

async fn received(sqs: &aws_sdk_sqs::Client, url: &str) -> Vec<String> {
    let got = sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    got.messages()
        .iter()
        .map(|m| WorkMessage::parse(m.body().unwrap()).unwrap().record_id)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_function_runs_its_fixture_under_cargo_lambda_watch() {
    let conf = aws_config().await;
    let sf = SalesforceSim::start(SalesforceSimConfig::default())
        .await
        .unwrap();
    let ipaas = IpaasSim::start(IpaasSimConfig::default()).await.unwrap();

    // The records the fixtures name, made by people on each side.
    let person = sf.person_user_id();
    sf.insert(
        "Account",
        json!({"Id": ACCOUNT, "Name": "Fixture Account", "LastModifiedById": person}),
    );
    sf.insert(
        "Contact",
        json!({"Id": CONTACT, "LastName": "Fixture", "Email": "fixture@sf.example", "AccountId": ACCOUNT, "LastModifiedById": person}),
    );
    assert_eq!(
        ipaas.insert_company(json!({"id": COMPANY, "name": "Fixture Company"})),
        COMPANY
    );
    assert_eq!(
        ipaas.insert_customer(json!({"id": CUSTOMER, "last_name": "Customer", "email_address": "fixture@ipaas.example", "company_id": COMPANY})),
        CUSTOMER
    );

    // Secrets, queues and the state table in moto.
    let secrets = aws_sdk_secretsmanager::Client::new(&conf);
    let (sf_secret, ipaas_secret) = (unique("sfsync/salesforce"), unique("sfsync/ipaas"));
    for (name, value) in [
        (
            &sf_secret,
            salesforce_secret(&sf, &sf.issue_refresh_token()),
        ),
        (
            &ipaas_secret,
            json!({"api_key": ipaas.config().api_key, "webhook_key": "k"}).to_string(),
        ),
    ] {
        secrets
            .create_secret()
            .name(name)
            .secret_string(value)
            .send()
            .await
            .unwrap();
    }
    let sqs = aws_sdk_sqs::Client::new(&conf);
    let mut queues = Vec::new();
    for _ in 0..2 {
        queues.push(
            sqs.create_queue()
                .queue_name(unique("to"))
                .send()
                .await
                .unwrap()
                .queue_url
                .unwrap(),
        );
    }
    let dynamo = aws_sdk_dynamodb::Client::new(&conf);
    let table = unique("state");
    shared::state::DynamoStateStore::create_table(dynamo.clone(), &table)
        .await
        .unwrap();

    let watch = Watch::start_all(&[
        ("AWS_ENDPOINT_URL", moto_endpoint()),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("SALESFORCE_SECRET_ID", sf_secret),
        ("IPAAS_SECRET_ID", ipaas_secret),
        ("IPAAS_BASE_URL", ipaas.url()),
        ("IPAAS_SYSTEM_ID", SYSTEM_ID.to_string()),
        ("STATE_TABLE", table.clone()),
        ("ACCOUNT_TO_IPAAS_QUEUE_URL", queues[0].clone()),
        ("CONTACT_TO_IPAAS_QUEUE_URL", queues[1].clone()),
    ]);

    // The poller: one message per changed record on each TO queue.
    let answer = watch
        .invoke(
            "salesforce-poller",
            &fixture("salesforce-poller", "schedule.json"),
        )
        .await;
    assert_eq!(answer["account-to-ipaas"]["enqueued"], 1, "{answer}");
    assert_eq!(answer["contact-to-ipaas"]["enqueued"], 1, "{answer}");
    assert_eq!(received(&sqs, &queues[0]).await, [ACCOUNT]);
    assert_eq!(received(&sqs, &queues[1]).await, [CONTACT]);

    // The TO workers: the Company and the Customer exist in iPaaS.com, linked.
    for name in ["account-to-ipaas", "contact-to-ipaas"] {
        let answer = watch.invoke(name, &fixture(name, "sqs.json")).await;
        assert_eq!(answer["batchItemFailures"], json!([]), "{name}: {answer}");
    }
    let company = ipaas
        .companies()
        .into_iter()
        .find(|c| c["name"] == "Fixture Account")
        .expect("Company created");
    assert_eq!(link_of(&company).as_deref(), Some(ACCOUNT));
    let customer = ipaas
        .customers()
        .into_iter()
        .find(|c| c["customer_number"] == CONTACT)
        .expect("Customer created");
    assert_eq!(customer["company_id"], company["id"]);

    // The FROM workers: the Account and the Contact exist in Salesforce, linked back.
    for name in ["account-from-ipaas", "contact-from-ipaas"] {
        let answer = watch.invoke(name, &fixture(name, "sqs.json")).await;
        assert_eq!(answer["batchItemFailures"], json!([]), "{name}: {answer}");
    }
    let account = sf
        .records("Account")
        .into_iter()
        .find(|a| a["Name"] == "Fixture Company")
        .expect("Account created");
    let contact = sf
        .records("Contact")
        .into_iter()
        .find(|c| c["Email"] == "fixture@ipaas.example")
        .expect("Contact created");
    assert_eq!(contact["AccountId"], account["Id"]);
    let company = ipaas
        .companies()
        .into_iter()
        .find(|c| c["id"] == COMPANY)
        .unwrap();
    assert_eq!(link_of(&company).as_deref(), account["Id"].as_str());

    // The state table: both poll cursors and a ledger entry per record worked.
    let items = dynamo.scan().table_name(&table).send().await.unwrap();
    let keys: Vec<String> = items
        .items()
        .iter()
        .filter_map(|i| i.get("pk")?.as_s().ok().cloned())
        .collect();
    // Both poll cursors, and the moment this deployment first polled (`poller::EPOCH`).
    let mut cursors: Vec<&str> = keys
        .iter()
        .filter(|k| k.starts_with("cursor#"))
        .map(String::as_str)
        .collect();
    cursors.sort();
    assert_eq!(
        cursors,
        ["cursor#epoch", "cursor#poll-account", "cursor#poll-contact"],
        "{keys:?}"
    );
    for flow in [
        "account-to-ipaas",
        "contact-to-ipaas",
        "account-from-ipaas",
        "contact-from-ipaas",
    ] {
        assert!(
            keys.iter()
                .any(|k| k.starts_with(&format!("ledger#{flow}#"))),
            "{flow}: {keys:?}"
        );
    }
}
