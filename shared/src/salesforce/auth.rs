//! Access tokens: one refresh-token grant at a time per process, the session cached and shared
//! by every task, a rotated refresh token written back to the secret before anyone else can
//! need it, and a refused refresh token re-read from the secret (another invocation may have
//! rotated it) before giving up.

use super::credentials::Credentials;
use super::error::{AuthFailure, SalesforceError, CREDENTIAL_ERRORS};
use crate::http::retry::{parse_retry_after, RetryPolicy};
use crate::http::text::{excerpt, is_transient_status, truncate_chars, EXCERPT_CHARS};
use crate::secrets::{SecretError, SecretStore};
use reqwest::header::{HeaderValue, RETRY_AFTER};
use serde::Deserialize;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// A live session: the bearer token and where the org's API lives. `generation` counts
/// refreshes, so a task that saw a 401 can tell whether someone refreshed since.
pub(crate) struct Session {
    access_token: String,
    pub instance_url: String,
    pub generation: u64,
    /// The 005 User the token acts as (last segment of the identity URL).
    pub user_id: Option<String>,
}

impl Session {
    /// The `Authorization` value, marked sensitive so HTTP-layer logs redact it.
    pub fn bearer(&self) -> Result<HeaderValue, SalesforceError> {
        let mut v =
            HeaderValue::from_str(&format!("Bearer {}", self.access_token)).map_err(|_| {
                SalesforceError::Invalid("the access token cannot be sent in an HTTP header".into())
            })?;
        v.set_sensitive(true);
        Ok(v)
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("access_token", &"<redacted>")
            .field("instance_url", &self.instance_url)
            .field("generation", &self.generation)
            .finish()
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    instance_url: Option<String>,
    /// Identity URL: `{login}/id/{org id}/{user id}`.
    id: Option<String>,
    refresh_token: Option<String>,
}

#[derive(Deserialize)]
struct OAuthError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
}

/// How one grant ended, before the secret is consulted again.
enum GrantFailure {
    /// Salesforce refused the credentials themselves (`invalid_grant`, `invalid_client…`).
    Refused {
        error: String,
        description: String,
    },
    Other(SalesforceError),
}

pub(crate) struct TokenManager {
    secrets: Arc<dyn SecretStore>,
    secret_id: String,
    http: reqwest::Client,
    retry: RetryPolicy,
    /// Wait before re-reading the secret after `invalid_grant`, doubled for the second look:
    /// a concurrent invocation that rotated the token may still be writing it.
    reread_delay: Duration,
    // Held across the grant: tasks that need a token meanwhile wait and then share it.
    session: Mutex<Option<Arc<Session>>>,
}

impl TokenManager {
    pub fn new(
        secrets: Arc<dyn SecretStore>,
        secret_id: String,
        http: reqwest::Client,
        retry: RetryPolicy,
        reread_delay: Duration,
    ) -> Self {
        TokenManager {
            secrets,
            secret_id,
            http,
            retry,
            reread_delay,
            session: Mutex::new(None),
        }
    }

    /// The cached session, or a new one if there is none yet.
    pub async fn session(&self) -> Result<Arc<Session>, SalesforceError> {
        let mut slot = self.session.lock().await;
        if let Some(s) = slot.as_ref() {
            return Ok(s.clone());
        }
        let fresh = Arc::new(self.refresh(1).await?);
        *slot = Some(fresh.clone());
        Ok(fresh)
    }

    /// A session to replace `refused` (answered 401). If another task already replaced it,
    /// that one is returned and no grant is made.
    pub async fn renew(&self, refused: &Session) -> Result<Arc<Session>, SalesforceError> {
        let mut slot = self.session.lock().await;
        if let Some(s) = slot.as_ref() {
            if s.generation != refused.generation {
                return Ok(s.clone());
            }
        }
        *slot = None;
        let fresh = Arc::new(self.refresh(refused.generation + 1).await?);
        *slot = Some(fresh.clone());
        Ok(fresh)
    }

    async fn refresh(&self, generation: u64) -> Result<Session, SalesforceError> {
        let raw = self.read_secret().await?;
        let creds = parse(&raw)?;
        let (raw, creds, answer) = match self.grant(&creds).await {
            Ok(answer) => (raw, creds, answer),
            Err(GrantFailure::Other(e)) => return Err(e),
            Err(GrantFailure::Refused { error, description }) => {
                let refused = AuthFailure::InvalidGrant { error, description };
                self.retry_with_newer_token(&creds, refused).await?
            }
        };
        let instance_url = answer
            .instance_url
            .clone()
            .or_else(|| creds.instance_url.clone())
            .unwrap_or_else(|| creds.login_url.clone());
        if let Some(rotated) = answer.refresh_token.as_deref() {
            if rotated != creds.refresh_token {
                self.write_back(&raw, rotated, &instance_url).await?;
            }
        }
        tracing::info!(generation, "Salesforce access token refreshed");
        let user_id = answer
            .id
            .as_deref()
            .and_then(|u| u.trim_end_matches('/').rsplit('/').next())
            .filter(|u| u.starts_with("005"))
            .map(str::to_string);
        Ok(Session {
            access_token: answer.access_token,
            instance_url: instance_url.trim_end_matches('/').to_string(),
            generation,
            user_id,
        })
    }

    /// After `invalid_grant`: another invocation may have rotated the token and be writing
    /// the new one. Look at the secret again (a few times, briefly apart) until it holds a
    /// different refresh token, and try that; repeat while others keep rotating it.
    async fn retry_with_newer_token(
        &self,
        used: &Credentials,
        refused: AuthFailure,
    ) -> Result<(String, Credentials, TokenAnswer), SalesforceError> {
        const GRANTS: u32 = 6;
        const LOOKS: u32 = 3;
        let mut used = used.refresh_token.clone();
        let mut refused = refused;
        for _ in 0..GRANTS {
            let mut newer = None;
            for look in 0..LOOKS {
                if look > 0 {
                    tokio::time::sleep(self.reread_delay * 2u32.pow(look - 1)).await;
                }
                let raw = self.read_secret().await?;
                let creds = parse(&raw)?;
                if creds.refresh_token != used {
                    newer = Some((raw, creds));
                    break;
                }
            }
            let Some((raw, creds)) = newer else {
                break;
            };
            tracing::info!("refresh token was rotated elsewhere; trying the stored one");
            match self.grant(&creds).await {
                Ok(answer) => return Ok((raw, creds, answer)),
                Err(GrantFailure::Other(e)) => return Err(e),
                Err(GrantFailure::Refused { error, description }) => {
                    used = creds.refresh_token;
                    refused = AuthFailure::InvalidGrant { error, description };
                }
            }
        }
        tracing::warn!("Salesforce refused the stored refresh token");
        Err(SalesforceError::Auth(refused))
    }

    /// One refresh-token grant, retried while the failure is transient.
    async fn grant(&self, creds: &Credentials) -> Result<TokenAnswer, GrantFailure> {
        let url = format!("{}/services/oauth2/token", creds.login_url);
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", creds.consumer_key.as_str()),
            ("client_secret", creds.consumer_secret.as_str()),
            ("refresh_token", creds.refresh_token.as_str()),
        ];
        let mut attempts = 0;
        loop {
            attempts += 1;
            let (retry_after, failure) = match self.http.post(&url).form(&form).send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let after = response
                        .headers()
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
                    let body = response.bytes().await.unwrap_or_default();
                    if (200..300).contains(&status) {
                        return serde_json::from_slice::<TokenAnswer>(&body).map_err(|_| {
                            GrantFailure::Other(SalesforceError::Decode {
                                method: "POST".into(),
                                path: "/services/oauth2/token".into(),
                                status,
                                // Never an excerpt here: the body holds tokens.
                                excerpt: "(token answer without access_token)".into(),
                            })
                        });
                    }
                    if matches!(status, 400 | 401) {
                        if let Ok(e) = serde_json::from_slice::<OAuthError>(&body) {
                            if CREDENTIAL_ERRORS.contains(&e.error.as_str()) {
                                return Err(GrantFailure::Refused {
                                    error: e.error,
                                    description: e.error_description,
                                });
                            }
                            if !e.error.is_empty() {
                                // Refused for another reason (a login-rate limit, an
                                // inactive org…): reported with its code, retried if passing.
                                let error = SalesforceError::Auth(AuthFailure::TokenRefused {
                                    status,
                                    error: truncate_chars(&e.error, 80),
                                    description: truncate_chars(
                                        &e.error_description,
                                        EXCERPT_CHARS,
                                    ),
                                });
                                if !error.is_transient() {
                                    return Err(GrantFailure::Other(error));
                                }
                                if !self.retry.should_retry(attempts) {
                                    return Err(GrantFailure::Other(error));
                                }
                                tokio::time::sleep(self.retry.delay(attempts, after)).await;
                                continue;
                            }
                        }
                    }
                    let error = SalesforceError::Http {
                        method: "POST".into(),
                        path: "/services/oauth2/token".into(),
                        status,
                        excerpt: excerpt(&body),
                        attempts,
                    };
                    if !is_transient_status(status) {
                        return Err(GrantFailure::Other(error));
                    }
                    (after, error)
                }
                Err(e) => {
                    let error = SalesforceError::Transport {
                        method: "POST".into(),
                        path: "/services/oauth2/token".into(),
                        reason: truncate_chars(&e.without_url().to_string(), EXCERPT_CHARS),
                        attempts,
                    };
                    (None, error)
                }
            };
            if !self.retry.should_retry(attempts) {
                return Err(GrantFailure::Other(failure));
            }
            tokio::time::sleep(self.retry.delay(attempts, retry_after)).await;
        }
    }

    async fn write_back(
        &self,
        raw: &str,
        rotated: &str,
        instance_url: &str,
    ) -> Result<(), SalesforceError> {
        let value = Credentials::rotated_secret(raw, rotated, instance_url)
            .map_err(|e| SalesforceError::Auth(AuthFailure::Credentials(e)))?;
        // The old refresh token is dead now: losing the new one would lock the integration
        // out, so the write is retried like any call before it is reported.
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.secrets.write(&self.secret_id, &value).await {
                Ok(()) => {
                    tracing::info!(secret_id = %self.secret_id, "rotated refresh token stored");
                    return Ok(());
                }
                Err(e) if self.retry.should_retry(attempts) => {
                    tracing::warn!(secret_id = %self.secret_id, error = %e, "storing the rotated refresh token failed; retrying");
                    tokio::time::sleep(self.retry.delay(attempts, None)).await;
                }
                Err(e) => return Err(self.secret_failure(e)),
            }
        }
    }

    /// Reads the credentials, retrying while the store's trouble is passing (throttling,
    /// 5xx, no answer): an outage of Secrets Manager is not a reason to re-authenticate.
    async fn read_secret(&self) -> Result<String, SalesforceError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.secrets.read(&self.secret_id).await {
                Ok(raw) => return Ok(raw),
                Err(e) if e.is_transient() && self.retry.should_retry(attempts) => {
                    tracing::warn!(secret_id = %self.secret_id, attempts, error = %e,
                        "reading the Salesforce secret failed; retrying");
                    tokio::time::sleep(self.retry.delay(attempts, None)).await;
                }
                Err(e) => return Err(self.secret_failure(e)),
            }
        }
    }

    fn secret_failure(&self, e: SecretError) -> SalesforceError {
        let secret_id = self.secret_id.clone();
        SalesforceError::Auth(match e {
            SecretError::NotFound(_) => AuthFailure::SecretNotFound { secret_id },
            SecretError::Backend {
                reason,
                status,
                transient,
                ..
            } => AuthFailure::Secret {
                secret_id,
                reason: truncate_chars(&reason, EXCERPT_CHARS),
                status,
                transient,
            },
        })
    }
}

fn parse(raw: &str) -> Result<Credentials, SalesforceError> {
    Credentials::parse(raw).map_err(|e| SalesforceError::Auth(AuthFailure::Credentials(e)))
}
