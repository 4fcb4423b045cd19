//! The `SecretStore` port: where OAuth refresh tokens, API keys and webhook keys live.
//! Production uses AWS Secrets Manager; the local demo and unit tests use memory.

mod aws;
mod memory;

pub use aws::AwsSecretStore;
pub use memory::InMemorySecretStore;

use async_trait::async_trait;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("secret {0} was not found")]
    NotFound(String),
    /// The store could not be asked or refused the call. `status` is the HTTP status the
    /// store answered with (none when no answer came); `transient` says whether asking again
    /// later may work (throttling, 5xx, timeouts, a dropped connection).
    #[error("secret {id} could not be read or written: {reason}")]
    Backend {
        id: String,
        reason: String,
        status: Option<u16>,
        transient: bool,
    },
}

impl SecretError {
    /// Whether the same call may succeed later: an outage or throttling, not a missing
    /// secret or a denied permission.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            SecretError::Backend {
                transient: true,
                ..
            }
        )
    }

    /// The HTTP status the store answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            SecretError::NotFound(_) => Some(404),
            SecretError::Backend { status, .. } => *status,
        }
    }
}

/// A store of secret strings (usually JSON documents) addressed by id or ARN.
#[async_trait]
pub trait SecretStore: Send + Sync {
    async fn read(&self, secret_id: &str) -> Result<String, SecretError>;
    /// Replaces the whole value in one call, so readers never see half a document.
    async fn write(&self, secret_id: &str, value: &str) -> Result<(), SecretError>;
}
