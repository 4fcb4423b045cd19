//! `SalesforceClient`: one place that sends a REST call with the session's bearer token,
//! refreshes once on 401, retries what is transient, records the API usage Salesforce
//! reports, and turns every other answer into a typed `SalesforceError`. The record, query
//! and collection calls in the sibling files are thin on top.

use super::auth::{Session, TokenManager};
use super::error::{AuthFailure, SalesforceError};
use super::limits::{ApiUsage, UsageCell};
use crate::http::retry::{parse_retry_after, RetryPolicy};
use crate::http::text::{excerpt, is_transient_status};
use crate::secrets::SecretStore;
use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER,
};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The API version the iPaaS.com Salesforce connector uses.
pub const DEFAULT_API_VERSION: &str = "64.0";

/// Largest answer read (bytes): a query page of 2,000 wide rows fits many times over.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// How a client talks to one org. `new` gives production defaults.
#[derive(Debug, Clone)]
pub struct SalesforceConfig {
    /// The Secrets Manager secret (or in-memory key) holding the connected-app credentials.
    pub secret_id: String,
    /// `64.0`, without the `v`.
    pub api_version: String,
    pub retry: RetryPolicy,
    pub connect_timeout: Duration,
    /// Whole-request deadline, reading the body included.
    pub request_timeout: Duration,
    /// First wait before re-reading the secret after `invalid_grant`.
    pub reread_delay: Duration,
    /// The User the integration writes as, when set (else the OAuth identity's user).
    pub integration_user: Option<String>,
}

impl SalesforceConfig {
    pub fn new(secret_id: impl Into<String>) -> Self {
        SalesforceConfig {
            secret_id: secret_id.into(),
            api_version: DEFAULT_API_VERSION.into(),
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            reread_delay: Duration::from_millis(150),
            integration_user: None,
        }
    }
}

/// Client of one Salesforce org. Cheap to clone; clones share the connection pool, the
/// session and the usage reading.
#[derive(Clone)]
pub struct SalesforceClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    auth: TokenManager,
    config: SalesforceConfig,
    usage: UsageCell,
    /// HTTP requests sent to the REST API (each try counts), for the invocation metrics.
    calls: std::sync::atomic::AtomicU64,
}

impl fmt::Debug for SalesforceClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SalesforceClient")
            .field("secret_id", &self.inner.config.secret_id)
            .field("api_version", &self.inner.config.api_version)
            .finish_non_exhaustive()
    }
}

/// One request: what the retry loop needs to send it again. `path` starts at the instance
/// root (`/services/data/…`).
pub(super) struct Call {
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Option<Vec<u8>>,
    /// A write that must not be sent twice (a create): once it may have reached Salesforce,
    /// a failure is `Ambiguous` rather than a reason to send it again (DESIGN.md §4).
    pub once: bool,
}

impl Call {
    pub fn new(method: Method, path: String) -> Self {
        Call {
            method,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            once: false,
        }
    }

    /// Marks the call as a write that must never be re-sent blindly.
    pub fn once(mut self) -> Self {
        self.once = true;
        self
    }

    pub fn query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.query.push((name, value.into()));
        self
    }

    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    pub fn json(mut self, body: &serde_json::Value) -> Self {
        self.body = Some(body.to_string().into_bytes());
        self
    }
}

/// A success answer, read in full.
pub(super) struct Answer {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

/// A try that got no answer; `transient` says whether trying again may help, and
/// `maybe_applied` whether the request may have reached the server.
struct NoAnswer {
    reason: String,
    transient: bool,
    maybe_applied: bool,
}

impl SalesforceClient {
    pub fn new(
        secrets: Arc<dyn SecretStore>,
        config: SalesforceConfig,
    ) -> Result<Self, SalesforceError> {
        let valid_version = !config.api_version.is_empty()
            && config
                .api_version
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.');
        if !valid_version {
            return Err(SalesforceError::Invalid(format!(
                "API version {:?} is not like 64.0",
                config.api_version
            )));
        }
        let http = crate::http::roots::client_builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            // A redirect could carry the token elsewhere; the REST API never redirects.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("sfsync/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SalesforceError::Invalid(format!("HTTP client: {e}")))?;
        let auth = TokenManager::new(
            secrets,
            config.secret_id.clone(),
            http.clone(),
            config.retry.clone(),
            config.reread_delay,
        );
        Ok(SalesforceClient {
            inner: Arc::new(Inner {
                http,
                auth,
                config,
                usage: UsageCell::default(),
                calls: Default::default(),
            }),
        })
    }

    pub fn config(&self) -> &SalesforceConfig {
        &self.inner.config
    }

    /// REST API requests sent so far by this client and its clones (every try counts;
    /// token requests do not, as they do not count against the org's API allowance).
    pub fn calls(&self) -> u64 {
        self.inner.calls.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The org's daily API usage as of the last answer (`Sforce-Limit-Info`).
    pub fn api_usage(&self) -> Option<ApiUsage> {
        self.inner.usage.load()
    }

    /// The usage reading if it is younger than `max_age` (an old reading says little about a
    /// rolling 24-hour allowance; the next call takes a new one).
    pub fn recent_api_usage(&self, max_age: std::time::Duration) -> Option<ApiUsage> {
        (self.inner.usage.age() < max_age)
            .then(|| self.inner.usage.load())
            .flatten()
    }

    /// The Salesforce User this client writes as (`integration_user`, else the token's
    /// identity URL): records it created are the integration's own.
    pub async fn integration_user_id(&self) -> Result<String, SalesforceError> {
        if let Some(u) = &self.inner.config.integration_user {
            return Ok(u.clone());
        }
        let session = self.inner.auth.session().await?;
        session.user_id.clone().ok_or_else(|| {
            SalesforceError::Invalid("the token answer named no user (identity URL)".into())
        })
    }

    /// `/services/data/v64.0/{rest}`.
    pub(super) fn data_path(&self, rest: &str) -> String {
        format!("/services/data/v{}/{}", self.inner.config.api_version, rest)
    }

    /// Sends `call` until it gets a non-transient answer or the retry budget is spent.
    pub(super) async fn send(&self, call: &Call) -> Result<Answer, SalesforceError> {
        let policy = &self.inner.config.retry;
        let mut session = self.inner.auth.session().await?;
        let mut refreshed = false;
        let mut attempts = 0u32;
        let mut transient_failures = 0u32;
        loop {
            attempts += 1;
            let (retry_after, failure) = match self.try_once(call, &session).await {
                Ok((status, _, body)) if status.is_success() => return Ok(Answer { status, body }),
                Ok((StatusCode::UNAUTHORIZED, _, _)) if !refreshed => {
                    // INVALID_SESSION_ID: the token expired or was revoked. Refresh once.
                    tracing::info!(method = %call.method, path = %call.path, "session expired; refreshing the access token");
                    refreshed = true;
                    session = self.inner.auth.renew(&session).await?;
                    continue;
                }
                Ok((StatusCode::UNAUTHORIZED, _, _)) => {
                    // Refused again right after a refresh: a new session can take a moment to
                    // be honoured everywhere. Passing trouble, retried with backoff (with the
                    // session of the moment, which another task may have renewed).
                    (None, SalesforceError::Auth(AuthFailure::SessionRefused))
                }
                Ok((status, _, body)) if call.once && status.is_server_error() => {
                    // Salesforce may have committed the write before failing to answer.
                    return Err(SalesforceError::Ambiguous {
                        method: call.method.to_string(),
                        path: call.path.clone(),
                        status: Some(status.as_u16()),
                        reason: excerpt(&body),
                        attempts,
                    });
                }
                Ok((status, headers, body)) if is_retryable(status, &body) => {
                    let after = headers
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
                    let error = SalesforceError::from_answer(
                        call.method.as_str(),
                        &call.path,
                        status.as_u16(),
                        &body,
                        attempts,
                    );
                    (after, error)
                }
                Ok((status, _, body)) => {
                    return Err(SalesforceError::from_answer(
                        call.method.as_str(),
                        &call.path,
                        status.as_u16(),
                        &body,
                        attempts,
                    ))
                }
                Err(no) if call.once && no.maybe_applied => {
                    return Err(SalesforceError::Ambiguous {
                        method: call.method.to_string(),
                        path: call.path.clone(),
                        status: None,
                        reason: no.reason,
                        attempts,
                    });
                }
                Err(no) => {
                    let error = SalesforceError::Transport {
                        method: call.method.to_string(),
                        path: call.path.clone(),
                        reason: no.reason,
                        attempts,
                    };
                    if !no.transient {
                        return Err(error);
                    }
                    (None, error)
                }
            };
            transient_failures += 1;
            if !policy.should_retry(transient_failures) {
                tracing::warn!(method = %call.method, path = %call.path, attempts, error = %failure,
                    "Salesforce call still failing; giving up");
                return Err(failure);
            }
            let delay = policy.delay(transient_failures, retry_after);
            tracing::info!(method = %call.method, path = %call.path, attempts,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                error = %failure, "transient Salesforce failure; retrying");
            tokio::time::sleep(delay).await;
            if refreshed {
                session = self.inner.auth.session().await?;
            }
        }
    }

    async fn try_once(
        &self,
        call: &Call,
        session: &Session,
    ) -> Result<(StatusCode, HeaderMap, Vec<u8>), NoAnswer> {
        let fatal = |reason: String| NoAnswer {
            reason,
            transient: false,
            maybe_applied: false,
        };
        let url = format!("{}{}", session.instance_url, call.path);
        let mut request = self
            .inner
            .http
            .request(call.method.clone(), url)
            .header(
                AUTHORIZATION,
                session.bearer().map_err(|e| fatal(e.to_string()))?,
            )
            .header(ACCEPT, "application/json");
        for (name, value) in &call.headers {
            request = request.header(name, value);
        }
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some(body) = &call.body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        self.inner
            .calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let started = std::time::Instant::now();
        let mut response = request.send().await.map_err(no_answer)?;
        let status = response.status();
        let headers = response.headers().clone();
        if let Some(usage) = headers
            .get("sforce-limit-info")
            .and_then(|v| v.to_str().ok())
            .and_then(ApiUsage::parse)
        {
            self.inner.usage.store(usage);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(no_answer)? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(fatal(format!(
                    "HTTP {status} answer larger than {MAX_BODY_BYTES} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        tracing::debug!(method = %call.method, path = %call.path, status = status.as_u16(),
            ms = started.elapsed().as_millis() as u64, "Salesforce answered");
        Ok((status, headers, body))
    }

    /// Sends `call` and decodes a JSON success body.
    pub(super) async fn json<T: DeserializeOwned>(
        &self,
        call: &Call,
    ) -> Result<T, SalesforceError> {
        let answer = self.send(call).await?;
        serde_json::from_slice(&answer.body).map_err(|_| SalesforceError::Decode {
            method: call.method.to_string(),
            path: call.path.clone(),
            status: answer.status.as_u16(),
            excerpt: excerpt(&answer.body),
        })
    }
}

/// 5xx, 429 and 408 are transient; so is 403 REQUEST_LIMIT_EXCEEDED (the rolling allowance
/// frees up), but no other 403 (a permission stays denied); so is 400 UNABLE_TO_LOCK_ROW.
fn is_retryable(status: StatusCode, body: &[u8]) -> bool {
    if status == StatusCode::FORBIDDEN {
        return String::from_utf8_lossy(body).contains("REQUEST_LIMIT_EXCEEDED");
    }
    // Another transaction holds the row: nothing was written, the lock passes.
    if status == StatusCode::BAD_REQUEST {
        return String::from_utf8_lossy(body).contains("\"UNABLE_TO_LOCK_ROW\"");
    }
    is_transient_status(status.as_u16())
}

fn no_answer(e: reqwest::Error) -> NoAnswer {
    let f = crate::http::text::transport_failure(e);
    NoAnswer {
        reason: f.reason,
        transient: f.transient,
        maybe_applied: f.maybe_applied,
    }
}
