//! The Secrets Manager adapter against moto server: real aws-sdk calls over loopback HTTP.

use e2e::{aws_config, unique};
use shared::secrets::{AwsSecretStore, SecretError, SecretStore};

#[tokio::test]
async fn round_trips_and_replaces_whole_value() {
    let store = AwsSecretStore::new(aws_sdk_secretsmanager::Client::new(&aws_config().await));
    let id = unique("sfsync/salesforce");

    // First write creates the secret.
    let v1 = r#"{"consumer_key":"k","refresh_token":"r1"}"#;
    store.write(&id, v1).await.unwrap();
    assert_eq!(store.read(&id).await.unwrap(), v1);

    // Later writes replace the whole document (new AWSCURRENT version).
    let v2 = r#"{"consumer_key":"k","refresh_token":"r2"}"#;
    store.write(&id, v2).await.unwrap();
    assert_eq!(store.read(&id).await.unwrap(), v2);

    // Unicode and large values survive.
    let v3 = format!("{{\"note\":\"{}\"}}", "é🙂".repeat(2000));
    store.write(&id, &v3).await.unwrap();
    assert_eq!(store.read(&id).await.unwrap(), v3);
}

#[tokio::test]
async fn missing_secret_is_not_found() {
    let store = AwsSecretStore::new(aws_sdk_secretsmanager::Client::new(&aws_config().await));
    let err = store.read(&unique("absent")).await.unwrap_err();
    assert!(matches!(err, SecretError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn unreachable_backend_is_a_clear_error() {
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url("http://127.0.0.1:9")
        .region("us-east-1")
        .test_credentials()
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await;
    let store = AwsSecretStore::new(aws_sdk_secretsmanager::Client::new(&conf));
    let err = store.read("any").await.unwrap_err();
    match err {
        SecretError::Backend { id, reason } => {
            assert_eq!(id, "any");
            assert!(!reason.is_empty());
        }
        other => panic!("expected a backend error, got {other:?}"),
    }
}
