//! A simulated org with a client wired to it through a secret, as the Lambdas wire theirs.

use shared::http::retry::RetryPolicy;
use shared::salesforce::{SalesforceClient, SalesforceConfig};
use shared::secrets::{InMemorySecretStore, SecretStore};
use sim::salesforce::{SalesforceSim, SalesforceSimConfig};
use std::sync::Arc;
use std::time::Duration;

pub const SECRET_ID: &str = "sfsync/salesforce";

pub struct Org {
    pub sim: SalesforceSim,
    pub secrets: Arc<dyn SecretStore>,
    pub secret_id: String,
}

/// The secret a connected org holds: `sfsync connect` writes the same shape.
pub fn secret_json(sim: &SalesforceSim, refresh_token: &str) -> String {
    serde_json::json!({
        "consumer_key": sim.config().consumer_key,
        "consumer_secret": sim.config().consumer_secret,
        "refresh_token": refresh_token,
        "login_url": sim.url(),
    })
    .to_string()
}

/// Production policy shape, with short waits so tests run fast.
pub fn quick_retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(40),
    }
}

impl Org {
    pub async fn start(config: SalesforceSimConfig) -> Org {
        let sim = SalesforceSim::start(config)
            .await
            .expect("simulator starts");
        let secret = secret_json(&sim, &sim.issue_refresh_token());
        Org::with_store(
            sim,
            Arc::new(InMemorySecretStore::with(SECRET_ID, &secret)),
            SECRET_ID,
        )
    }

    pub fn with_store(sim: SalesforceSim, secrets: Arc<dyn SecretStore>, secret_id: &str) -> Org {
        Org {
            sim,
            secrets,
            secret_id: secret_id.to_string(),
        }
    }

    pub fn config(&self) -> SalesforceConfig {
        let mut c = SalesforceConfig::new(&self.secret_id);
        c.retry = quick_retry(5);
        c.reread_delay = Duration::from_millis(20);
        c
    }

    pub fn client(&self) -> SalesforceClient {
        self.client_with(self.config())
    }

    pub fn client_with(&self, config: SalesforceConfig) -> SalesforceClient {
        SalesforceClient::new(self.secrets.clone(), config).expect("valid client configuration")
    }

    /// The refresh token the secret holds now.
    pub async fn stored_refresh_token(&self) -> String {
        let raw = self
            .secrets
            .read(&self.secret_id)
            .await
            .expect("secret readable");
        let v: serde_json::Value = serde_json::from_str(&raw).expect("secret is JSON");
        v["refresh_token"].as_str().unwrap_or_default().to_string()
    }
}
