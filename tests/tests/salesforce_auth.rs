//! Tokens under pressure: concurrent tasks after expiry with single-use (rotating) refresh
//! tokens, the secret kept holding the live token (in Secrets Manager on moto server), a
//! token rotated by another invocation picked up from the secret, and the catalog's
//! refresh-token message for every way the credentials can be unusable — and only for
//! those: passing trouble (a Secrets Manager outage, a failing or throttled token endpoint, a
//! fresh session refused) is retried and reported with its HTTP code.

use async_trait::async_trait;
use e2e::salesforce::{secret_json, Org, SECRET_ID};
use e2e::{aws_config, unique};
use shared::salesforce::{AuthFailure, SalesforceError};
use shared::secrets::{AwsSecretStore, InMemorySecretStore, SecretError, SecretStore};
use sim::faults::Faults;
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

/// A secret store that fails the next `failures` reads the way an outage or a denial does.
struct FailingReads {
    inner: InMemorySecretStore,
    failures: std::sync::atomic::AtomicU32,
    status: Option<u16>,
    transient: bool,
    reads: std::sync::atomic::AtomicU32,
}

impl FailingReads {
    fn new(secret: &str, failures: u32, status: Option<u16>, transient: bool) -> Self {
        FailingReads {
            inner: InMemorySecretStore::with(SECRET_ID, secret),
            failures: failures.into(),
            status,
            transient,
            reads: 0.into(),
        }
    }
}

#[async_trait]
impl SecretStore for FailingReads {
    async fn read(&self, secret_id: &str) -> Result<String, SecretError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        let left = self.failures.load(Ordering::SeqCst);
        if left > 0 {
            self.failures.store(left - 1, Ordering::SeqCst);
            return Err(SecretError::Backend {
                id: secret_id.to_string(),
                reason: "injected: Secrets Manager is having a bad day".into(),
                status: self.status,
                transient: self.transient,
            });
        }
        self.inner.read(secret_id).await
    }
    async fn write(&self, secret_id: &str, value: &str) -> Result<(), SecretError> {
        self.inner.write(secret_id, value).await
    }
}

/// Fails on the old code: the first failed read of the secret ended the call with the
/// refresh-token message (nothing was retried).
#[tokio::test]
async fn a_secrets_manager_outage_is_retried_and_never_asks_to_reauthenticate() {
    // Passing trouble: two failed reads, then the secret answers.
    let sim = SalesforceSim::start(SalesforceSimConfig::default())
        .await
        .unwrap();
    let secret = secret_json(&sim, &sim.issue_refresh_token());
    let store = Arc::new(FailingReads::new(&secret, 2, Some(503), true));
    let org = Org::with_store(sim, store.clone(), SECRET_ID);
    org.client()
        .query("SELECT Id FROM Account")
        .await
        .expect("retried until the secret could be read");
    assert_eq!(store.reads.load(Ordering::SeqCst), 3);

    // (status the store answered, transient, code in the message, reads made)
    for (status, transient, code, reads) in [
        (Some(503), true, "503", 5),
        (Some(400), true, "400", 5), // ThrottlingException is a 400 in Secrets Manager
        (None, true, "0", 5),        // no answer at all
        (Some(400), false, "400", 1), // AccessDenied: not retried, still not "re-authenticate"
    ] {
        let sim = SalesforceSim::start(SalesforceSimConfig::default())
            .await
            .unwrap();
        let secret = secret_json(&sim, &sim.issue_refresh_token());
        let store = Arc::new(FailingReads::new(&secret, 1000, status, transient));
        let org = Org::with_store(sim, store.clone(), SECRET_ID);
        let err = org
            .client()
            .query("SELECT Id FROM Account")
            .await
            .unwrap_err();
        assert_eq!(err.is_transient(), transient, "{err:?}");
        let raised = err.to_raised();
        assert_eq!(
            raised.message,
            format!("Error calling SalesForce (Http Code: {code})"),
            "{err:?}"
        );
        assert_eq!(store.reads.load(Ordering::SeqCst), reads, "{err:?}");
        assert_eq!(org.sim.counters().get("token"), 0);
    }

    // A secret that does not exist holds no credentials: that one is re-authentication.
    let sim = SalesforceSim::start(SalesforceSimConfig::default())
        .await
        .unwrap();
    let org = Org::with_store(sim, Arc::new(InMemorySecretStore::new()), SECRET_ID);
    let err = org
        .client()
        .query("SELECT Id FROM Account")
        .await
        .unwrap_err();
    assert_eq!(err.to_raised().message, REFRESH_MESSAGE);
    assert!(!err.is_transient());
}

/// Fails on the old code: a 401 right after a refresh ended the call at once with the
/// refresh-token message.
#[tokio::test]
async fn a_session_refused_right_after_refresh_is_retried_then_reported_as_401() {
    let org = Org::start(SalesforceSimConfig::default()).await;
    // The stale session's 401, then one more for the fresh one: the backoff gets past it.
    org.sim.set_faults(Faults {
        force_401: 2,
        ..Default::default()
    });
    org.client()
        .query("SELECT Id FROM Account")
        .await
        .expect("the fresh session is honoured on a later try");
    assert_eq!(org.sim.counters().get("token"), 2, "one refresh, no storm");

    let org = Org::start(SalesforceSimConfig::default()).await;
    org.sim.set_faults(Faults {
        force_401: 1000,
        ..Default::default()
    });
    let err = org
        .client()
        .query("SELECT Id FROM Account")
        .await
        .unwrap_err();
    assert_eq!(
        err,
        SalesforceError::Auth(AuthFailure::SessionRefused),
        "{err:?}"
    );
    assert!(err.is_transient());
    assert_eq!(
        err.to_raised().message,
        "Error calling SalesForce (Http Code: 401)"
    );
    assert_eq!(
        org.sim.counters().get("token"),
        2,
        "retries reuse the session"
    );
}

/// The token endpoint answering 5xx or not answering: retried with the client's backoff,
/// then "Error calling SalesForce" with the endpoint's status (0 when nothing answered).
/// (This already held on the old code; it guards the rule.)
#[tokio::test]
async fn a_failing_token_endpoint_is_retried_then_reported_with_its_code() {
    for (faults, code) in [
        (
            Faults {
                rate_503: 1.0,
                only_paths: vec!["/services/oauth2/token".into()],
                ..Default::default()
            },
            "503",
        ),
        (
            Faults {
                rate_429: 1.0,
                only_paths: vec!["/services/oauth2/token".into()],
                ..Default::default()
            },
            "429",
        ),
        (
            Faults {
                drop_rate: 1.0,
                only_paths: vec!["/services/oauth2/token".into()],
                ..Default::default()
            },
            "0",
        ),
    ] {
        let org = Org::start(SalesforceSimConfig {
            retry_after_secs: 0,
            ..Default::default()
        })
        .await;
        org.sim.set_faults(faults);
        let err = org
            .client()
            .query("SELECT Id FROM Account")
            .await
            .unwrap_err();
        assert!(err.is_transient(), "{err:?}");
        assert_eq!(
            err.to_raised().message,
            format!("Error calling SalesForce (Http Code: {code})"),
            "{err:?}"
        );
        assert_eq!(org.sim.counters().get("query"), 0);
    }
}

/// A token endpoint of our own making, answering every grant with `status` and `body`, and
/// counting the grants.
async fn token_endpoint(
    status: u16,
    body: serde_json::Value,
) -> (String, Arc<std::sync::atomic::AtomicU32>) {
    let calls = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counted = calls.clone();
    let app = axum::Router::new().route(
        "/services/oauth2/token",
        axum::routing::post(move || {
            let calls = counted.clone();
            let body = body.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                (
                    axum::http::StatusCode::from_u16(status).unwrap(),
                    axum::Json(body),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, calls)
}

/// Fails on the old code: every OAuth error body (a login-rate limit, a locked org) was
/// taken for a refused refresh token and answered with the refresh-token message.
#[tokio::test]
async fn token_refusals_that_are_not_the_credentials_keep_their_code() {
    let sim = SalesforceSim::start(SalesforceSimConfig::default())
        .await
        .unwrap();
    // (error, transient, grants made, message)
    for (error, transient, grants, message) in [
        (
            "rate_limit_exceeded",
            true,
            5,
            "Error calling SalesForce (Http Code: 400)",
        ),
        (
            "inactive_org",
            false,
            1,
            "Error calling SalesForce (Http Code: 400)",
        ),
        ("invalid_grant", false, 1, REFRESH_MESSAGE),
        ("invalid_client", false, 1, REFRESH_MESSAGE),
    ] {
        let (url, calls) = token_endpoint(
            400,
            serde_json::json!({"error": error, "error_description": "as the test says"}),
        )
        .await;
        let secret = serde_json::json!({
            "consumer_key": "ck", "consumer_secret": "cs", "refresh_token": "rt", "login_url": url,
        });
        let store = InMemorySecretStore::with(SECRET_ID, &secret.to_string());
        let org = Org::with_store(sim.clone(), Arc::new(store), SECRET_ID);
        let err = org
            .client()
            .query("SELECT Id FROM Account")
            .await
            .unwrap_err();
        assert_eq!(err.is_transient(), transient, "{error}: {err:?}");
        assert_eq!(err.to_raised().message, message, "{error}: {err:?}");
        assert!(err.to_raised().detail.unwrap().contains(error));
        assert_eq!(calls.load(Ordering::SeqCst), grants, "{error}");
    }
}
