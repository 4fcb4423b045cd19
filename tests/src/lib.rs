//! Helpers shared by the end-to-end tests: the AWS emulator (moto server) that
//! `scripts/test` starts, and unique names so tests can share it.

use aws_config::SdkConfig;

/// The moto server endpoint. `scripts/test` starts moto and sets `MOTO_ENDPOINT`; running
/// `cargo test` without it fails loudly rather than skipping the AWS tests.
pub fn moto_endpoint() -> String {
    std::env::var("MOTO_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "MOTO_ENDPOINT is not set: run the tests with scripts/test, which starts moto server"
        )
    })
}

/// `aws_config::defaults` on the functions' HTTP client (`shared::aws`).
pub fn aws_loader() -> aws_config::ConfigLoader {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(shared::aws::http_client())
}

/// Real AWS SDK configuration pointed at moto on loopback.
pub async fn aws_config() -> SdkConfig {
    aws_loader()
        .endpoint_url(moto_endpoint())
        .region("us-east-1")
        .test_credentials()
        .load()
        .await
}

/// A name no other test uses, so tests sharing one moto server never collide.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

pub mod aws_proxy;
pub mod lambda_watch;
pub mod salesforce;

/// The Salesforce Id an iPaaS.com record (simulator JSON) is linked to, under the local
/// stack's system id.
pub fn link_of(record: &serde_json::Value) -> Option<String> {
    record["external_ids"]
        .as_array()?
        .iter()
        .find(|e| e["system_id"] == sfsync::stack::SYSTEM_ID)
        .and_then(|e| e["external_id"].as_str().map(str::to_string))
}
