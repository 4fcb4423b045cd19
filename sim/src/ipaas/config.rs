//! How a simulated iPaaS.com tenant is set up.

use std::time::Duration;

/// Settings of one simulated tenant. `Default` gives a ready-to-use tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpaasSimConfig {
    /// The only bearer key the API accepts.
    pub api_key: String,
    /// Retry-After on injected 429/503 answers.
    pub retry_after_secs: u64,
    /// Wait before the second webhook attempt; doubles for each later attempt.
    pub webhook_retry_base: Duration,
    /// Whether a create is linked by the `external_ids` it carries (docs/ipaas-api.md);
    /// `false` ignores them as read-only, as a service without the feature would, so the
    /// client's separate link write is exercised.
    pub links_on_create: bool,
}

impl Default for IpaasSimConfig {
    fn default() -> Self {
        IpaasSimConfig {
            api_key: "sim-ipaas-api-key".into(),
            retry_after_secs: 1,
            webhook_retry_base: Duration::from_millis(200),
            links_on_create: true,
        }
    }
}
