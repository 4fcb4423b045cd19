//! The AWS SDK's configuration, on the one HTTP and TLS stack the whole binary uses: the
//! SDK's client on hyper 1 and rustls with ring, as reqwest uses for Salesforce and
//! iPaaS.com. (The SDK's defaults would add aws-lc-rs, and its `rustls` feature a second
//! stack of hyper 0.14 and rustls 0.21: twice the TLS code in every bootstrap.)

use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};

/// The SDK's HTTP client: hyper 1, rustls with ring, the system's root certificates (loaded
/// on the first connection, not at start).
pub fn http_client() -> aws_sdk_sqs::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// `aws_config::defaults` with that client: region, credentials and endpoint from the usual
/// environment, refinable by the caller (`.endpoint_url(…)`, `.region(…)`).
pub fn loader() -> aws_config::ConfigLoader {
    aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(http_client())
}

/// The configuration from the environment, as a function reads it at cold start.
pub async fn from_env() -> aws_config::SdkConfig {
    loader().load().await
}
