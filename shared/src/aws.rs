//! The AWS SDK's configuration for the functions, from the Lambda environment alone, on the
//! one HTTP and TLS stack the whole binary uses.
//!
//! One stack: the SDK's client on hyper 1 and rustls with ring, as reqwest uses for
//! Salesforce and iPaaS.com (the SDK's defaults would add aws-lc-rs, and its `rustls`
//! feature a second stack of hyper 0.14 and rustls 0.21). No `aws-config`: Lambda hands a
//! function its region and its role's credentials in the environment, so the credential
//! chain for people (profiles, SSO, IMDS, STS web identity) has nothing to do here and stays
//! out of the bootstraps. The CLI, which people run, uses `aws-config` with this client.

use crate::config::{Env, ProcessEnv};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_sdk_sqs::config::{BehaviorVersion, Region, SharedHttpClient};
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use aws_types::SdkConfig;

/// The SDK's HTTP client: hyper 1, rustls with ring, the system's root certificates (loaded
/// on the first connection, not at start).
pub fn http_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// The configuration a function runs with: `AWS_REGION` (else `AWS_DEFAULT_REGION`), the
/// credentials Lambda puts in `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
/// `AWS_SESSION_TOKEN`, and `AWS_ENDPOINT_URL` when set (an emulator such as moto server).
pub async fn from_env() -> SdkConfig {
    from(&ProcessEnv)
}

/// `from_env` over any environment.
pub fn from(env: &dyn Env) -> SdkConfig {
    let var = |name: &str| env.var(name).filter(|v| !v.trim().is_empty());
    let mut b = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(http_client())
        .sleep_impl(aws_smithy_async::rt::sleep::TokioSleep::new())
        .time_source(aws_smithy_async::time::SystemTimeSource::new())
        .retry_config(aws_smithy_types::retry::RetryConfig::standard());
    if let Some(region) = var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")) {
        b = b.region(Region::new(region));
    }
    if let (Some(key), Some(secret)) = (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
        let creds = Credentials::new(key, secret, var("AWS_SESSION_TOKEN"), None, "environment");
        b = b.credentials_provider(SharedCredentialsProvider::new(creds));
    }
    if let Some(url) = var("AWS_ENDPOINT_URL") {
        b = b.endpoint_url(url);
    }
    b.build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn the_lambda_environment_is_all_it_reads() {
        let env: HashMap<String, String> = [
            ("AWS_REGION", "eu-west-1"),
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_SESSION_TOKEN", "token"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let conf = from(&env);
        assert_eq!(conf.region().map(|r| r.as_ref()), Some("eu-west-1"));
        assert_eq!(conf.endpoint_url(), Some("http://127.0.0.1:5000"));
        assert!(conf.credentials_provider().is_some());
        let none = from(&HashMap::<String, String>::new());
        assert!(none.region().is_none() && none.credentials_provider().is_none());
    }
}
