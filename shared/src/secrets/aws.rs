use super::{SecretError, SecretStore};
use async_trait::async_trait;
use aws_sdk_secretsmanager::config::http::HttpResponse;
use aws_sdk_secretsmanager::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_secretsmanager::Client;

/// AWS Secrets Manager adapter. `write` uses PutSecretValue, which makes the new value
/// AWSCURRENT in one atomic step; a missing secret is created on first write.
#[derive(Clone)]
pub struct AwsSecretStore {
    client: Client,
}

impl AwsSecretStore {
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    pub fn from_conf(conf: &aws_types::SdkConfig) -> Self {
        Self::new(Client::new(conf))
    }

    /// Builds a client from the standard AWS environment (region, credentials, and
    /// `AWS_ENDPOINT_URL` for an emulator such as moto server).
    pub async fn from_env() -> Self {
        let config = crate::aws::from_env().await;
        Self::new(Client::new(&config))
    }
}

/// AWS error codes that mean "not now" rather than "never" (Secrets Manager answers
/// throttling with HTTP 400, so the status alone does not tell).
const TRANSIENT_CODES: [&str; 6] = [
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "InternalServiceError",
    "ServiceUnavailable",
];

fn backend<E>(id: &str, err: SdkError<E, HttpResponse>) -> SecretError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let status = err.raw_response().map(|r| r.status().as_u16());
    let transient = match &err {
        // No answer, or one that could not be read: the service may be back in a moment.
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(_) => {
            status.is_some_and(|s| s == 429 || s >= 500)
                || err.code().is_some_and(|c| TRANSIENT_CODES.contains(&c))
        }
        _ => false,
    };
    // The SDK's error context names the operation and AWS error code; it never holds the value.
    SecretError::Backend {
        id: id.to_string(),
        reason: DisplayErrorContext(err).to_string(),
        status,
        transient,
    }
}

#[async_trait]
impl SecretStore for AwsSecretStore {
    async fn read(&self, secret_id: &str) -> Result<String, SecretError> {
        match self
            .client
            .get_secret_value()
            .secret_id(secret_id)
            .send()
            .await
        {
            Ok(out) => out
                .secret_string
                .ok_or_else(|| SecretError::NotFound(secret_id.to_string())),
            Err(e) if e.code() == Some("ResourceNotFoundException") => {
                Err(SecretError::NotFound(secret_id.to_string()))
            }
            Err(e) => Err(backend(secret_id, e)),
        }
    }

    async fn write(&self, secret_id: &str, value: &str) -> Result<(), SecretError> {
        let put = self
            .client
            .put_secret_value()
            .secret_id(secret_id)
            .secret_string(value)
            .send()
            .await;
        match put {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some("ResourceNotFoundException") => self
                .client
                .create_secret()
                .name(secret_id)
                .secret_string(value)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| backend(secret_id, e)),
            Err(e) => Err(backend(secret_id, e)),
        }
    }
}
