//! The AWS side of a local run (`sfsync sim --aws-endpoint`, `sfsync cold-start`): on an
//! AWS endpoint such as moto server, the two secrets (the simulators' throw-away
//! credentials), the four flow queues and the state table, and the environment every
//! function needs to use them, as `cargo lambda watch --env-file` reads it.

use crate::stack::{salesforce_secret, SYSTEM_ID, WEBHOOK_KEY};
use anyhow::{anyhow, Context};
use serde_json::json;
use shared::flow::Flow;
use shared::secrets::SecretStore;
use sim::ipaas::IpaasSim;
use sim::salesforce::SalesforceSim;

/// The records the SQS fixtures of `functions/*/events/` name, so invoking a worker with its
/// fixture finds them.
pub const FIXTURE_ACCOUNT: &str = "0018M00000Fx001QAB";
pub const FIXTURE_CONTACT: &str = "0038M00000Fx001QAB";
pub const FIXTURE_COMPANY: u64 = 1;
pub const FIXTURE_CUSTOMER: u64 = 2;

/// Seeds both simulators with the fixtures' records, made by people on each side.
pub fn seed_fixture_records(sf: &SalesforceSim, ipaas: &IpaasSim) {
    let person = sf.person_user_id();
    sf.insert(
        "Account",
        json!({"Id": FIXTURE_ACCOUNT, "Name": "Fixture Account", "LastModifiedById": person}),
    );
    sf.insert(
        "Contact",
        json!({"Id": FIXTURE_CONTACT, "LastName": "Fixture", "Email": "fixture@sf.example",
               "AccountId": FIXTURE_ACCOUNT, "LastModifiedById": person}),
    );
    ipaas.insert_company(json!({"id": FIXTURE_COMPANY, "name": "Fixture Company"}));
    ipaas.insert_customer(json!({"id": FIXTURE_CUSTOMER, "last_name": "Customer",
        "email_address": "fixture@ipaas.example", "company_id": FIXTURE_COMPANY}));
}

/// `aws_config::defaults` on the functions' HTTP client (`shared::aws`): what the CLI, run
/// by people, reads its AWS configuration with (profiles and SSO included).
pub fn loader() -> aws_config::ConfigLoader {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(shared::aws::http_client())
}

/// Waits (up to 10 s, for a moto server that is still starting) until something answers
/// HTTP at `endpoint`, so a wrong address is said before anything else.
pub async fn reachable(endpoint: &str) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let tried = http
            .get(endpoint)
            .timeout(std::time::Duration::from_secs(5))
            .send()
            .await;
        match tried {
            Ok(_) => return Ok(()),
            Err(e) if std::time::Instant::now() >= deadline || e.is_builder() => {
                return Err(anyhow!(
                    "nothing answers at the AWS endpoint {endpoint} ({}); start moto server \
                     (.venv/bin/moto_server -p 5000 &) or pass the endpoint it listens on",
                    e.without_url()
                ))
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
        }
    }
}

/// Creates the secrets, queues and table on `endpoint` (again on a second run: each step
/// replaces or keeps what is there) and returns every function's environment. `prefix`
/// names them all: secrets `{prefix}/salesforce` and `{prefix}/ipaas`, queues
/// `{prefix}-account-to-ipaas`…, table `{prefix}-state`.
pub async fn provision(
    endpoint: &str,
    prefix: &str,
    sf: &SalesforceSim,
    ipaas: &IpaasSim,
) -> anyhow::Result<Vec<(String, String)>> {
    reachable(endpoint).await?;
    let conf = loader()
        .endpoint_url(endpoint)
        .region("us-east-1")
        .test_credentials()
        .load()
        .await;
    let store = shared::secrets::AwsSecretStore::from_conf(&conf);
    let (sf_secret, ipaas_secret_id, table) = (
        format!("{prefix}/salesforce"),
        format!("{prefix}/ipaas"),
        format!("{prefix}-state"),
    );
    let ipaas_secret = json!({"api_key": ipaas.config().api_key, "webhook_key": WEBHOOK_KEY});
    for (id, value) in [
        (&ipaas_secret_id, ipaas_secret.to_string()),
        (&sf_secret, salesforce_secret(sf, &sf.issue_refresh_token())),
    ] {
        store
            .write(id, &value)
            .await
            .with_context(|| format!("could not store secret {id} at {endpoint}"))?;
    }
    let mut env: Vec<(String, String)> = [
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("SALESFORCE_SECRET_ID", &sf_secret),
        ("IPAAS_SECRET_ID", &ipaas_secret_id),
        ("STATE_TABLE", &table),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    env.push(("IPAAS_BASE_URL".into(), ipaas.url()));
    env.push(("IPAAS_SYSTEM_ID".into(), SYSTEM_ID.to_string()));
    let sqs = aws_sdk_sqs::Client::new(&conf);
    for flow in Flow::ALL {
        let name = format!("{prefix}-{}", flow.slug());
        let url = sqs
            .create_queue()
            .queue_name(&name)
            .send()
            .await
            .map_err(|e| {
                anyhow!(
                    "could not create queue {name}: {}",
                    shared::queue::one_line(&e)
                )
            })?
            .queue_url
            .unwrap_or_default();
        env.push((shared::lambda::queue_variable(flow).to_string(), url));
    }
    shared::state::DynamoStateStore::create_table(aws_sdk_dynamodb::Client::new(&conf), &table)
        .await
        .with_context(|| format!("could not create table {table} at {endpoint}"))?;
    Ok(env)
}

/// `KEY=VALUE` lines, as `cargo lambda watch --env-file` reads them.
pub fn env_file(env: &[(String, String)]) -> String {
    env.iter().map(|(k, v)| format!("{k}={v}\n")).collect()
}
