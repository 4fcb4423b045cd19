//! `sfsync connect` end to end: PKCE web-server flow against the Salesforce simulator, the
//! "browser" being an HTTP client that follows the authorize redirect to the loopback
//! callback (and reads the page it is shown), and the connection stored in Secrets Manager
//! on moto server.

use e2e::{aws_config, moto_endpoint, unique};
use sfsync::connect::{checked_login_url, connect, pkce_pair, ConnectOptions};
use shared::secrets::{AwsSecretStore, SecretStore};
use sim::salesforce::{SalesforceSim, SalesforceSimConfig};
use std::time::Duration;
use tokio::sync::oneshot;

/// Follows the authorize URL as a browser would; the page it ends on is sent to `page`.
fn browser(page: oneshot::Sender<String>) -> impl FnOnce(&str) {
    move |url: &str| {
        let url = url.to_string();
        tokio::spawn(async move {
            // Following the 302 lands on the loopback callback, as a browser would.
            let body = match reqwest::get(url).await {
                Ok(r) => r.text().await.unwrap_or_default(),
                Err(e) => format!("browser error: {e}"),
            };
            let _ = page.send(body);
        });
    }
}

/// A browser whose page nobody reads.
fn any_browser() -> impl FnOnce(&str) {
    browser(oneshot::channel().0)
}

/// The page the browser ended on (the callback has answered when `connect` returns; only the
/// browser's read may still be in flight).
async fn page_of(page: oneshot::Receiver<String>) -> String {
    tokio::time::timeout(Duration::from_secs(10), page)
        .await
        .expect("the browser got a page")
        .unwrap()
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
        create: false,
    }
}

/// A secret that exists, as the stack creates it (placeholder values).
async fn existing_secret() -> String {
    let id = unique("sfsync/connect");
    store()
        .await
        .write(
            &id,
            r#"{"consumer_key":"","consumer_secret":"","refresh_token":""}"#,
        )
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn stores_a_live_refresh_token_and_only_then_tells_the_browser() {
    let sim = SalesforceSim::start(SalesforceSimConfig::default())
        .await
        .unwrap();
    let store = store().await;
    let secret_id = existing_secret().await;
    let (tx, page) = oneshot::channel();

    let done = connect(&options(&sim, &secret_id), &store, browser(tx))
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
    let page = page_of(page).await;
    assert!(page.contains("is connected"), "{page}");
}

#[tokio::test]
async fn wrong_consumer_secret_shows_not_connected_and_stores_nothing() {
    let sim = SalesforceSim::start(SalesforceSimConfig::default())
        .await
        .unwrap();
    let store = store().await;
    let secret_id = existing_secret().await;
    let before = store.read(&secret_id).await.unwrap();
    let mut opts = options(&sim, &secret_id);
    opts.consumer_secret = "not-the-secret".into();
    let (tx, page) = oneshot::channel();

    let err = connect(&opts, &store, browser(tx))
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
    assert_eq!(store.read(&secret_id).await.unwrap(), before);
    let page = page_of(page).await;
    assert!(page.contains("not connected"), "{page}");
    assert!(!page.contains("is connected"), "{page}");
}

#[tokio::test]
async fn an_unknown_secret_id_is_refused_before_the_login_unless_create() {
    let sim = SalesforceSim::start(SalesforceSimConfig::default())
        .await
        .unwrap();
    let store = store().await;
    let typo = unique("sfsync/typo");

    let err = connect(&options(&sim, &typo), &store, any_browser())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("was not found") && err.contains("--create"),
        "{err}"
    );
    assert_eq!(
        sim.counters().get("authorize"),
        0,
        "refused before the login"
    );
    assert!(store.read(&typo).await.is_err(), "nothing was created");

    let mut opts = options(&sim, &typo);
    opts.create = true;
    connect(&opts, &store, any_browser()).await.unwrap();
    assert!(store.read(&typo).await.unwrap().contains("refresh_token"));
}

#[tokio::test]
async fn aws_without_a_region_is_reported_before_the_login() {
    let sim = SalesforceSim::start(SalesforceSimConfig::default())
        .await
        .unwrap();
    // Credentials and an endpoint, but no region: what a shell without AWS set-up has.
    let conf = aws_sdk_secretsmanager::Config::builder()
        .behavior_version(aws_sdk_secretsmanager::config::BehaviorVersion::latest())
        .endpoint_url(moto_endpoint())
        .credentials_provider(aws_sdk_secretsmanager::config::Credentials::for_tests())
        .build();
    let store = AwsSecretStore::new(aws_sdk_secretsmanager::Client::from_conf(conf));

    let err = connect(
        &options(&sim, &unique("sfsync/no-region")),
        &store,
        any_browser(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("Cannot use AWS Secrets Manager") && err.contains("region"),
        "{err}"
    );
    assert_eq!(
        sim.counters().get("authorize"),
        0,
        "refused before the login"
    );
}

#[tokio::test]
async fn a_login_url_that_is_not_https_is_refused_before_anything_else() {
    let sim = SalesforceSim::start(SalesforceSimConfig::default())
        .await
        .unwrap();
    let secret_id = existing_secret().await;
    for url in [
        "http://login.salesforce.com",
        "ftp://login.salesforce.com",
        "http://10.0.0.7",
        "login.salesforce.com",
    ] {
        let mut opts = options(&sim, &secret_id);
        opts.login_url = url.into();
        let err = connect(&opts, &store().await, any_browser())
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("not https") || err.contains("not a URL"),
            "{url}: {err}"
        );
    }
    assert_eq!(sim.counters().get("authorize"), 0);
    for url in [
        "https://test.salesforce.com/",
        "http://127.0.0.1:8080",
        "http://localhost:1",
    ] {
        assert!(checked_login_url(url).is_ok(), "{url}");
    }
}

#[tokio::test]
async fn empty_consumer_key_fails_before_any_call() {
    let sim = SalesforceSim::start(SalesforceSimConfig::default())
        .await
        .unwrap();
    let mut opts = options(&sim, &unique("sfsync/connect-empty"));
    opts.consumer_key = " ".into();
    let err = connect(&opts, &store().await, any_browser())
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
