//! Names that point at nothing, against moto server with the real AWS SDK: a state table, a
//! secret that does not exist stops the cold start naming its variable (one cheap call each:
//! DescribeTable, GetSecretValue); a queue that does not exist is named, with its variable,
//! on first use (the functions have no permission that could check it for free).

use e2e::aws_proxy::AwsProxy;
use e2e::{aws_config, moto_endpoint, unique};
use shared::config::Env;
use shared::flow::Flow;
use shared::queue::{QueueError, QueueUrls, SqsWorkQueue, WorkMessage, WorkQueue};
use shared::secrets::{AwsSecretStore, SecretStore};
use shared::state::DynamoStateStore;
use std::collections::HashMap;

struct Vars(HashMap<String, String>);

impl Env for Vars {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

/// A deployment in moto: the table, both secrets and the two TO queues exist.
async fn deployment() -> HashMap<String, String> {
    let conf = aws_config().await;
    let table = unique("state");
    DynamoStateStore::create_table(aws_sdk_dynamodb::Client::new(&conf), &table)
        .await
        .unwrap();
    let secrets = AwsSecretStore::from_conf(&conf);
    let (sf, ip) = (unique("sfsync/salesforce"), unique("sfsync/ipaas"));
    secrets.write(&sf, r#"{"refresh_token":""}"#).await.unwrap();
    secrets.write(&ip, r#"{"api_key":"k"}"#).await.unwrap();
    let sqs = aws_sdk_sqs::Client::new(&conf);
    let queue = |name: String| {
        let sqs = sqs.clone();
        async move {
            sqs.create_queue()
                .queue_name(name)
                .send()
                .await
                .unwrap()
                .queue_url
                .unwrap()
        }
    };
    let (a, c) = (queue(unique("a2i")).await, queue(unique("c2i")).await);
    [
        ("SALESFORCE_SECRET_ID", sf),
        ("IPAAS_SECRET_ID", ip),
        ("IPAAS_SYSTEM_ID", "7".into()),
        ("STATE_TABLE", table),
        ("ACCOUNT_TO_IPAAS_QUEUE_URL", a),
        ("CONTACT_TO_IPAAS_QUEUE_URL", c),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Fails on the old code: each name was accepted at start and failed on every message
/// later (a secret that does not exist even read as "re-authenticate").
#[tokio::test]
async fn a_table_or_secret_that_does_not_exist_stops_the_cold_start_naming_its_variable() {
    let conf = aws_config().await;
    let good = deployment().await;
    shared::lambda::Poller::from_env(&Vars(good.clone()), &conf)
        .await
        .expect("a deployment whose names all exist starts");
    shared::lambda::context_from_env(&Vars(good.clone()), &conf)
        .await
        .expect("so does a worker");

    for name in ["STATE_TABLE", "SALESFORCE_SECRET_ID", "IPAAS_SECRET_ID"] {
        let missing = unique("no-such-thing");
        let mut vars = good.clone();
        vars.insert(name.into(), missing.clone());
        for started in [
            shared::lambda::Poller::from_env(&Vars(vars.clone()), &conf)
                .await
                .map(|_| ()),
            shared::lambda::context_from_env(&Vars(vars.clone()), &conf)
                .await
                .map(|_| ()),
        ] {
            let e = started
                .err()
                .unwrap_or_else(|| panic!("{name}={missing} was accepted"))
                .to_string();
            assert!(
                e.contains(&format!("environment variable {name} ")) && e.contains(&missing),
                "{name}: {e}"
            );
        }
    }
}

/// Fails on the old code: the send was retried five times as if SQS were down, and the
/// error named neither the queue nor the setting.
#[tokio::test]
async fn a_queue_that_does_not_exist_is_named_with_its_variable_on_first_use() {
    let good = deployment().await;
    let gone = good["ACCOUNT_TO_IPAAS_QUEUE_URL"].replace("a2i-", "deleted-a2i-");
    let proxy = AwsProxy::start(moto_endpoint()).await;
    let conf = e2e::aws_loader()
        .endpoint_url(proxy.url())
        .region("us-east-1")
        .test_credentials()
        .load()
        .await;
    let queue = SqsWorkQueue::new(
        aws_sdk_sqs::Client::new(&conf),
        QueueUrls::new().with(Flow::AccountToIpaas, &gone),
    )
    .with_retry(5, std::time::Duration::from_millis(1));
    let e = queue
        .enqueue(&[WorkMessage::new(
            Flow::AccountToIpaas,
            "0018M00000Fx001QAB",
            None,
        )])
        .await
        .unwrap_err();
    match &e {
        QueueError::NotEnqueued { failed, reason } => {
            assert_eq!(failed, &["0018M00000Fx001QAB"]);
            assert!(
                reason.contains("ACCOUNT_TO_IPAAS_QUEUE_URL") && reason.contains(&gone),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(proxy.calls("SendMessageBatch"), 1, "not retried: {e}");
}
