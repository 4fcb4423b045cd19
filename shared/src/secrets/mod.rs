//! The `SecretStore` port: where OAuth refresh tokens, API keys and webhook keys live.
//! Production uses AWS Secrets Manager; the local demo and unit tests use memory.

mod aws;
mod memory;

pub use aws::AwsSecretStore;
pub use memory::InMemorySecretStore;

use async_trait::async_trait;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("secret {0} was not found")]
    NotFound(String),
    #[error("secret {id} could not be read or written: {reason}")]
    Backend { id: String, reason: String },
}

/// A store of secret strings (usually JSON documents) addressed by id or ARN.
#[async_trait]
pub trait SecretStore: Send + Sync {
    async fn read(&self, secret_id: &str) -> Result<String, SecretError>;
    /// Replaces the whole value in one call, so readers never see half a document.
    async fn write(&self, secret_id: &str, value: &str) -> Result<(), SecretError>;
}
