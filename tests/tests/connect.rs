//! `sfsync connect` end to end: PKCE web-server flow against the Salesforce simulator, the
//! "browser" being an HTTP client that follows the authorize redirect to the loopback
//! callback, and the connection stored in Secrets Manager on moto server.

use e2e::{aws_config, unique};
use sfsync::connect::{connect, pkce_pair, ConnectOptions};
use shared::secrets::{AwsSecretStore, SecretStore};
use sim::salesforce::{SalesforceSim, SalesforceSimConfig};
use std::time::Duration;

fn browser(url: &str) {
    let url = url.to_string();
    tokio::spawn(async move {
        // Following the 302 lands on the loopback callback, as a browser would.
        let _ = reqwest::get(url).await;
    });
}

async fn store() -> AwsSecretStore {
    AwsSecretStore::new(aws_sdk_secretsmanager::Client::new(&aws_config().await))
}

fn options(sim: &SalesforceSim, secret_id: &str) -> ConnectOptions {
    ConnectOptions {
        login_url: sim.url(),
        consumer_key: sim.config().consumer_key.clone(),
        consumer_secret: sim.config().consumer_secret.clone(),
        secret_id: secret_id.to_string(),
        callback_addr: "127.0.0.1:0".parse().unwrap(),
        timeout: Duration::from_secs(20),
    }
}

#[tokio::test]
async fn stores_a_live_refresh_token_in_the_secret() {
    let sim = SalesforceSim::start(SalesforceSimConfig::default())
        .await
        .unwrap();
    let store = store().await;
    let secret_id = unique("sfsync/connect");

    let done = connect(&options(&sim, &secret_id), &store, browser)
        .await
        .unwrap();
    assert_eq!(done.instance_url, sim.url());
    assert_eq!(sim.counters().get("authorize"), 1);

    let doc: serde_json::Value =
        serde_json::from_str(&store.read(&secret_id).await.unwrap()).unwrap();
    let token = doc["refresh_token"].as_str().unwrap();
    assert!(sim.live_refresh_tokens().iter().any(|t| t == token));
    assert_eq!(doc["consumer_key"], sim.config().consumer_key.as_str());
    assert_eq!(doc["login_url"], sim.url().as_str());
}

#[tokio::test]
async fn wrong_consumer_secret_is_explained_and_nothing_is_stored() {
    let sim = SalesforceSim::start(SalesforceSimConfig::default())
        .await
        .unwrap();
    let store = store().await;
    let secret_id = unique("sfsync/connect-bad");
    let mut opts = options(&sim, &secret_id);
    opts.consumer_secret = "not-the-secret".into();

    let err = connect(&opts, &store, browser)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Salesforce refused the authorization code"),
        "{err}"
    );
    assert!(
        !err.contains("not-the-secret"),
        "the secret must not be echoed: {err}"
    );
    assert!(store.read(&secret_id).await.is_err());
}

#[tokio::test]
async fn empty_consumer_key_fails_before_any_call() {
    let sim = SalesforceSim::start(SalesforceSimConfig::default())
        .await
        .unwrap();
    let mut opts = options(&sim, &unique("sfsync/connect-empty"));
    opts.consumer_key = " ".into();
    let err = connect(&opts, &store().await, browser)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("consumer key is empty"), "{err}");
    assert_eq!(sim.counters().get("authorize"), 0);
}

#[test]
fn pkce_challenge_is_s256_of_the_verifier() {
    use base64::Engine;
    use sha2::Digest;
    let (verifier, challenge) = pkce_pair();
    assert!(verifier.len() >= 43);
    let want = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    assert_eq!(challenge, want);
}
