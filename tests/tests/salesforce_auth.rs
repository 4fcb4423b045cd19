//! Tokens under pressure: concurrent tasks after expiry with single-use (rotating) refresh
//! tokens, the secret kept holding the live token (in Secrets Manager on moto server), a
//! token rotated by another invocation picked up from the secret, and the catalog's
//! refresh-token message for every way the credentials can be unusable.

use async_trait::async_trait;
use e2e::salesforce::{secret_json, Org, SECRET_ID};
use e2e::{aws_config, unique};
use shared::salesforce::{AuthFailure, SalesforceError};
use shared::secrets::{AwsSecretStore, InMemorySecretStore, SecretError, SecretStore};
use sim::salesforce::{SalesforceSim, SalesforceSimConfig};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const REFRESH_MESSAGE: &str = "Refresh token value is either null or empty and is required for obtaining an AccessToken. Please re-authenticate from the Subscription Settings page in iPaaS.";

fn rotating() -> SalesforceSimConfig {
    SalesforceSimConfig {
        rotate_refresh_tokens: true,
        ..Default::default()
    }
}

async fn moto_org(config: SalesforceSimConfig) -> Org {
    let sim = SalesforceSim::start(config).await.unwrap();
    let store = AwsSecretStore::new(aws_sdk_secretsmanager::Client::new(&aws_config().await));
    let secret_id = unique("sfsync/salesforce");
    store
        .write(&secret_id, &secret_json(&sim, &sim.issue_refresh_token()))
        .await
        .unwrap();
    Org::with_store(sim, Arc::new(store), &secret_id)
}

#[tokio::test]
async fn sixteen_tasks_after_expiry_share_one_refresh_and_the_secret_keeps_the_live_token() {
    let org = moto_org(rotating()).await;
    let sf = org.client();
    sf.query("SELECT Id FROM Account").await.unwrap();
    assert_eq!(org.sim.counters().get("token"), 1);
    org.sim.expire_access_tokens();

    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let sf = sf.clone();
            tokio::spawn(async move {
                let fields = serde_json::json!({"Name": format!("Concurrent {i}")});
                sf.create("Account", fields.as_object().unwrap()).await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().expect("every task succeeds");
    }
    assert_eq!(
        org.sim.counters().get("token"),
        2,
        "one refresh for all sixteen"
    );
    assert_eq!(org.sim.records("Account").len(), 16);
    let stored = org.stored_refresh_token().await;
    assert_eq!(
        org.sim.live_refresh_tokens(),
        vec![stored],
        "the secret holds the one live token"
    );
}

#[tokio::test]
async fn separate_invocations_sharing_one_secret_all_survive_rotation() {
    let org = moto_org(rotating()).await;
    // Four containers, each with its own client and cache, one secret between them.
    let clients: Vec<_> = (0..4).map(|_| org.client()).collect();
    for sf in &clients {
        sf.query("SELECT Id FROM Account").await.unwrap();
    }
    org.sim.expire_access_tokens();
    org.sim.reset_counters();

    let mut tasks = Vec::new();
    for sf in &clients {
        for _ in 0..4 {
            let sf = sf.clone();
            tasks.push(tokio::spawn(async move {
                sf.query("SELECT Id FROM Account").await
            }));
        }
    }
    for t in tasks {
        t.await
            .unwrap()
            .expect("every task in every container succeeds");
    }
    let grants = org.sim.counters().get("token");
    // Four refreshes are needed; a container that raced another one's rotation spends one
    // refused grant per rotation it lost to (at most 3 + 2 + 1).
    assert!((4..=10).contains(&grants), "{grants} token calls");
    let stored = org.stored_refresh_token().await;
    assert!(org.sim.live_refresh_tokens().contains(&stored));
}

/// A secret store whose first read answers an old value: the moment between another
/// invocation rotating the token and this one reading it.
struct StaleFirstRead {
    inner: InMemorySecretStore,
    stale: String,
    served: AtomicBool,
}

#[async_trait]
impl SecretStore for StaleFirstRead {
    async fn read(&self, secret_id: &str) -> Result<String, SecretError> {
        if !self.served.swap(true, Ordering::SeqCst) {
            return Ok(self.stale.clone());
        }
        self.inner.read(secret_id).await
    }
    async fn write(&self, secret_id: &str, value: &str) -> Result<(), SecretError> {
        self.inner.write(secret_id, value).await
    }
}

#[tokio::test]
async fn invalid_grant_rereads_the_secret_before_failing() {
    let sim = SalesforceSim::start(rotating()).await.unwrap();
    let old = sim.issue_refresh_token();
    sim.revoke_refresh_token(&old);
    let live = sim.issue_refresh_token();
    let store = StaleFirstRead {
        inner: InMemorySecretStore::with(SECRET_ID, &secret_json(&sim, &live)),
        stale: secret_json(&sim, &old),
        served: AtomicBool::new(false),
    };
    let org = Org::with_store(sim, Arc::new(store), SECRET_ID);
    org.client()
        .query("SELECT Id FROM Account")
        .await
        .expect("the re-read token works");
    assert_eq!(
        org.sim.counters().get("token"),
        2,
        "refused once, then the stored token"
    );
    let stored = org.stored_refresh_token().await;
    assert_ne!(stored, live, "the rotated token was written back");
    assert_eq!(org.sim.live_refresh_tokens(), vec![stored]);
}

async fn refresh_failure(secret: serde_json::Value) -> SalesforceError {
    let sim = SalesforceSim::start(SalesforceSimConfig::default())
        .await
        .unwrap();
    let mut doc = serde_json::json!({
        "consumer_key": sim.config().consumer_key,
        "consumer_secret": sim.config().consumer_secret,
        "refresh_token": sim.issue_refresh_token(),
        "login_url": sim.url(),
    });
    for (k, v) in secret.as_object().unwrap() {
        doc[k] = v.clone();
    }
    if doc["refresh_token"] == "revoke" {
        let t = sim.issue_refresh_token();
        sim.revoke_refresh_token(&t);
        doc["refresh_token"] = t.into();
    }
    let store = InMemorySecretStore::with(SECRET_ID, &doc.to_string());
    let org = Org::with_store(sim, Arc::new(store), SECRET_ID);
    org.client()
        .query("SELECT Id FROM Account")
        .await
        .unwrap_err()
}

#[tokio::test]
async fn every_unusable_credential_gives_the_refresh_token_message() {
    for (secret, why) in [
        (
            serde_json::json!({"refresh_token": null}),
            "the secret has no refresh token",
        ),
        (
            serde_json::json!({"refresh_token": ""}),
            "the secret has no refresh token",
        ),
        (
            serde_json::json!({"consumer_key": null}),
            "the secret has no consumer key",
        ),
        (
            serde_json::json!({"consumer_secret": " "}),
            "the secret has no consumer secret",
        ),
        (
            serde_json::json!({"refresh_token": "revoke"}),
            "invalid_grant",
        ),
    ] {
        let err = refresh_failure(secret.clone()).await;
        assert!(matches!(err, SalesforceError::Auth(_)), "{secret}: {err:?}");
        let raised = err.to_raised();
        assert_eq!(raised.message, REFRESH_MESSAGE, "{secret}");
        let detail = raised.detail.unwrap();
        assert!(detail.contains(why), "{secret}: {detail}");
        assert!(
            !detail.contains("sim-consumer-secret"),
            "no secret in the detail: {detail}"
        );
    }
    // A revoked token is refused only after the secret was looked at again.
    let err = refresh_failure(serde_json::json!({"refresh_token": "revoke"})).await;
    assert!(matches!(
        err,
        SalesforceError::Auth(AuthFailure::InvalidGrant { .. })
    ));
}
