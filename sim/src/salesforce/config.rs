//! How a simulated org is set up.

use shared::salesforce::SalesforceId;
use std::time::Duration;

/// The org's 00D Id; part of the identity URL the token endpoint returns.
pub const ORG_ID: &str = "00D8M0000000001AAA";

/// Settings of one simulated org. `Default` gives a ready-to-use org.
#[derive(Debug, Clone, PartialEq)]
pub struct SalesforceSimConfig {
    pub consumer_key: String,
    pub consumer_secret: String,
    /// When true each refresh_token grant returns a new refresh token and the used one dies.
    pub rotate_refresh_tokens: bool,
    /// After this an access token answers 401 INVALID_SESSION_ID.
    pub access_token_ttl: Duration,
    pub daily_api_limit: u64,
    /// The 005 User the OAuth tokens act as (LastModifiedById of API writes).
    pub integration_user_id: String,
    /// Retry-After on injected 429/503 answers.
    pub retry_after_secs: u64,
}

impl Default for SalesforceSimConfig {
    fn default() -> Self {
        SalesforceSimConfig {
            consumer_key: "sim-consumer-key".into(),
            consumer_secret: "sim-consumer-secret".into(),
            rotate_refresh_tokens: false,
            access_token_ttl: Duration::from_secs(2 * 60 * 60),
            daily_api_limit: 100_000,
            integration_user_id: SalesforceId::from_parts("005", "8M0", 1).to_string(),
            retry_after_secs: 1,
        }
    }
}
