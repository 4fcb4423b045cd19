//! The Secrets Manager adapter against moto server: real aws-sdk calls over loopback HTTP.

use e2e::aws_proxy::AwsProxy;
use e2e::{aws_config, moto_endpoint, unique};
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
    let conf = e2e::aws_loader()
        .endpoint_url("http://127.0.0.1:9")
        .region("us-east-1")
        .test_credentials()
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await;
    let store = AwsSecretStore::new(aws_sdk_secretsmanager::Client::new(&conf));
    let err = store.read("any").await.unwrap_err();
    match err {
        ref e @ SecretError::Backend {
            ref id, ref reason, ..
        } => {
            assert_eq!(id, "any");
            assert!(!reason.is_empty());
            // No answer at all: an outage, worth another try; no status to report.
            assert!(e.is_transient() && e.status().is_none(), "{e:?}");
        }
        other => panic!("expected a backend error, got {other:?}"),
    }
}

/// Fails on the old code: `SecretError::Backend` carried neither the status nor whether the
/// trouble passes, so a throttled Secrets Manager read looked like missing credentials.
#[tokio::test]
async fn throttling_and_outages_are_transient_with_their_status_and_denials_are_not() {
    let proxy = AwsProxy::start(moto_endpoint()).await;
    let conf = e2e::aws_loader()
        .endpoint_url(proxy.url())
        .region("us-east-1")
        .test_credentials()
        // One SDK attempt per read, so each injected answer is seen as it is.
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await;
    let store = AwsSecretStore::new(aws_sdk_secretsmanager::Client::new(&conf));
    let id = unique("sfsync/salesforce");
    store.write(&id, r#"{"refresh_token":"r"}"#).await.unwrap();

    for (status, code, transient) in [
        (400, "ThrottlingException", true),
        (500, "InternalServiceError", true),
        (503, "ServiceUnavailable", true),
        (400, "AccessDeniedException", false),
        (400, "DecryptionFailure", false),
    ] {
        proxy.fail_calls("GetSecretValue", 1, status, code);
        let e = store.read(&id).await.unwrap_err();
        assert_eq!(e.status(), Some(status), "{code}: {e:?}");
        assert_eq!(e.is_transient(), transient, "{code}: {e:?}");
        assert!(e.to_string().contains(code), "{code}: {e}");
    }
    assert_eq!(store.read(&id).await.unwrap(), r#"{"refresh_token":"r"}"#);
}
