//! Each function under the real `cargo lambda watch`, invoked with its fixture, with its
//! effects checked in moto server.

use e2e::lambda_watch::{fixture, Watch};
use e2e::{aws_config, moto_endpoint, unique};
use shared::queue::WorkMessage;

async fn queue(client: &aws_sdk_sqs::Client) -> String {
    client
        .create_queue()
        .queue_name(unique("q"))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap()
}

async fn ids(client: &aws_sdk_sqs::Client, url: &str) -> Vec<String> {
    let got = client
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    let mut ids: Vec<String> = got
        .messages()
        .iter()
        .map(|m| WorkMessage::parse(m.body().unwrap()).unwrap().record_id)
        .collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread")]
async fn ipaas_webhook_queues_its_fixture_notifications() {
    let conf = aws_config().await;
    let sqs = aws_sdk_sqs::Client::new(&conf);
    let secrets = aws_sdk_secretsmanager::Client::new(&conf);
    let secret = unique("ipaas");
    secrets
        .create_secret()
        .name(&secret)
        .secret_string(r#"{"api_key":"fixture-api-key","webhook_key":"local-webhook-key"}"#)
        .send()
        .await
        .unwrap();
    let (accounts, contacts) = (queue(&sqs).await, queue(&sqs).await);

    let watch = Watch::start(
        "ipaas-webhook",
        &[
            ("AWS_ENDPOINT_URL", moto_endpoint()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("IPAAS_SECRET_ID", secret),
            ("ACCOUNT_FROM_IPAAS_QUEUE_URL", accounts.clone()),
            ("CONTACT_FROM_IPAAS_QUEUE_URL", contacts.clone()),
        ],
    );

    let answer = watch
        .invoke("ipaas-webhook", &fixture("ipaas-webhook", "wrong-key.json"))
        .await;
    assert_eq!(answer["statusCode"], 401, "{answer}");
    assert!(ids(&sqs, &contacts).await.is_empty());

    // Only POST on the configured path (WEBHOOK_PATH, default /) is a delivery.
    let answer = watch
        .invoke(
            "ipaas-webhook",
            &fixture("ipaas-webhook", "wrong-method.json"),
        )
        .await;
    assert_eq!(answer["statusCode"], 405, "{answer}");
    let answer = watch
        .invoke(
            "ipaas-webhook",
            &fixture("ipaas-webhook", "other-path.json"),
        )
        .await;
    assert_eq!(answer["statusCode"], 404, "{answer}");
    assert!(ids(&sqs, &contacts).await.is_empty());

    let answer = watch
        .invoke(
            "ipaas-webhook",
            &fixture("ipaas-webhook", "notifications.json"),
        )
        .await;
    assert_eq!(answer["statusCode"], 202, "{answer}");
    assert_eq!(ids(&sqs, &contacts).await, ["1001", "1002"]);
    assert_eq!(ids(&sqs, &accounts).await, ["501"]);
}
