//! `IpaasClient`: one place that sends a request to iPaaS.com with the API key, retries what
//! is transient, re-reads a rotated key once, and turns every other answer into an
//! `IpaasError`. The record, link and error-log calls in the sibling files are thin on top.

use super::config::IpaasConfig;
use super::error::{excerpt, is_transient_status, truncate_chars, IpaasError, EXCERPT_CHARS};
use super::key::{ApiKey, KeySource};
use crate::http::retry::parse_retry_after;
use crate::secrets::SecretStore;
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;
use std::sync::Arc;
use url::Url;

/// Largest response body read (bytes); a bigger one is a failed call, not an out-of-memory.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Client of the iPaaS.com API. Cheap to clone; clones share the connection pool and key.
#[derive(Clone)]
pub struct IpaasClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    config: IpaasConfig,
    keys: KeySource,
    /// HTTP requests sent (each try counts), for the invocation metrics.
    calls: std::sync::atomic::AtomicU64,
    /// Whether the service links a create by the `external_ids` it carries, once a create's
    /// answer has shown it: 0 not known yet, 1 yes, 2 no.
    links_on_create: std::sync::atomic::AtomicU8,
}

impl fmt::Debug for IpaasClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IpaasClient")
            .field("base_url", &self.inner.base.as_str())
            .field("secret_id", &self.inner.keys.secret_id())
            .field("system_id", &self.inner.config.system_id)
            .field("api_key", &"<redacted>")
            .finish()
    }
}

/// One request to make: what the retry loop needs to send it again.
pub(super) struct Call {
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Vec<u8>>,
    /// A write that must not be sent twice (a create): once it may have reached iPaaS.com,
    /// a failure is `Ambiguous` rather than a reason to send it again (DESIGN.md §4).
    pub once: bool,
}

impl Call {
    pub fn new(method: Method, path: String) -> Self {
        Call {
            method,
            path,
            query: Vec::new(),
            body: None,
            once: false,
        }
    }

    /// Marks the call as a write that must never be re-sent blindly.
    pub fn once(mut self) -> Self {
        self.once = true;
        self
    }

    pub fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self, IpaasError> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| IpaasError::Invalid(format!("the request body is not JSON: {e}")))?;
        self.body = Some(bytes);
        Ok(self)
    }
}

/// A non-transient answer (success or not), read in full.
pub(super) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// A try that got no answer; `transient` says whether trying again may help.
struct NoAnswer {
    reason: String,
    transient: bool,
    maybe_applied: bool,
}

impl IpaasClient {
    pub fn new(secrets: Arc<dyn SecretStore>, config: IpaasConfig) -> Result<Self, IpaasError> {
        let base = Url::parse(&config.base_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
            .ok_or_else(|| {
                IpaasError::Invalid(format!(
                    "base URL {:?} is not an http(s) URL",
                    config.base_url
                ))
            })?;
        let http = crate::http::roots::client_builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            // A redirect could carry the key elsewhere; the API never redirects.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("sfsync/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| IpaasError::Invalid(format!("HTTP client: {e}")))?;
        let keys = KeySource::new(secrets, config.secret_id.clone());
        Ok(IpaasClient {
            inner: Arc::new(Inner {
                http,
                base,
                config,
                keys,
                calls: Default::default(),
                links_on_create: Default::default(),
            }),
        })
    }

    pub fn config(&self) -> &IpaasConfig {
        &self.inner.config
    }

    /// Requests sent so far by this client and its clones (every try counts).
    pub fn calls(&self) -> u64 {
        self.inner.calls.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Whether the service links a create by the link it carries, as far as this client has
    /// seen (`None` before its first create's answer). While it does, a create cannot leave
    /// an unlinked record behind, even when its answer is lost.
    pub fn links_on_create(&self) -> Option<bool> {
        match self
            .inner
            .links_on_create
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            1 => Some(true),
            2 => Some(false),
            _ => None,
        }
    }

    /// What a create's answer showed: whether it carried the link it was sent with.
    pub fn saw_link_on_create(&self, taken: bool) {
        let v = if taken { 1 } else { 2 };
        self.inner
            .links_on_create
            .store(v, std::sync::atomic::Ordering::Relaxed);
    }

    /// The Salesforce subscription's system id, under which links are written.
    pub fn system_id(&self) -> u64 {
        self.inner.config.system_id
    }

    /// Sends `call` until it gets a non-transient answer or the retry budget is spent.
    /// Success (2xx) is `Ok`; every other status is `Err(IpaasError::Status)`.
    pub(super) async fn send(&self, call: &Call) -> Result<Answer, IpaasError> {
        let policy = &self.inner.config.retry;
        let mut key = self.inner.keys.current().await?;
        let mut reauthenticated = false;
        let mut attempts = 0u32;
        let mut transient_failures = 0u32;
        loop {
            attempts += 1;
            let (retry_after, failure) = match self.try_once(call, &key).await {
                Ok(answer) if answer.status.is_success() => return Ok(answer),
                Ok(answer) if answer.status == StatusCode::UNAUTHORIZED && !reauthenticated => {
                    // The key may have been rotated since it was cached: read it once more.
                    tracing::warn!(method = %call.method, path = %call.path,
                        "iPaaS.com rejected the API key; re-reading the secret once");
                    reauthenticated = true;
                    key = self.inner.keys.refresh(&key).await?;
                    continue;
                }
                Ok(answer) if call.once && answer.status.is_server_error() => {
                    // iPaaS.com may have stored the record before failing to answer.
                    return Err(IpaasError::Ambiguous {
                        method: call.method.to_string(),
                        path: call.path.clone(),
                        status: Some(answer.status.as_u16()),
                        reason: excerpt(&answer.body),
                        attempts,
                    });
                }
                Ok(answer) if is_transient_status(answer.status.as_u16()) => {
                    let after = answer
                        .headers
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
                    (after, self.status_error(call, &answer, attempts))
                }
                Ok(answer) => return Err(self.status_error(call, &answer, attempts)),
                Err(no) if call.once && no.maybe_applied => {
                    return Err(IpaasError::Ambiguous {
                        method: call.method.to_string(),
                        path: call.path.clone(),
                        status: None,
                        reason: no.reason,
                        attempts,
                    });
                }
                Err(no) if no.transient => (None, self.transport_error(call, no.reason, attempts)),
                Err(no) => return Err(self.transport_error(call, no.reason, attempts)),
            };
            transient_failures += 1;
            if !policy.should_retry(transient_failures) {
                tracing::warn!(method = %call.method, path = %call.path, attempts,
                    "iPaaS.com call still failing; giving up");
                return Err(failure);
            }
            let delay = policy.delay(transient_failures, retry_after);
            tracing::info!(method = %call.method, path = %call.path, attempts,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                error = %failure, "transient iPaaS.com failure; retrying");
            tokio::time::sleep(delay).await;
        }
    }

    async fn try_once(&self, call: &Call, key: &ApiKey) -> Result<Answer, NoAnswer> {
        let fatal = |reason: String| NoAnswer {
            reason,
            transient: false,
            maybe_applied: false,
        };
        let url = self.url(&call.path);
        let mut request = self
            .inner
            .http
            .request(call.method.clone(), url)
            .header(
                AUTHORIZATION,
                key.bearer().map_err(|e| fatal(e.to_string()))?,
            )
            .header(ACCEPT, "application/json");
        if !call.query.is_empty() {
            // Built by serde_urlencoded: `&`, `#`, `+` and non-ASCII in values are escaped.
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
        let mut body = Vec::new();
        // Read by chunks so an endless body is cut off instead of exhausting memory; a
        // connection dropped mid-body is a transient failure like any other.
        while let Some(chunk) = response.chunk().await.map_err(no_answer)? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(fatal(format!(
                    "HTTP {status} answer larger than {MAX_BODY_BYTES} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        tracing::debug!(method = %call.method, path = %call.path, status = status.as_u16(),
            ms = started.elapsed().as_millis() as u64, "iPaaS.com answered");
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    /// The base URL (its path prefix kept) joined with an API path.
    fn url(&self, path: &str) -> Url {
        let mut url = self.inner.base.clone();
        let joined = format!(
            "{}/{}",
            url.path().trim_end_matches('/'),
            path.trim_start_matches('/')
        );
        url.set_path(&joined);
        url.set_query(None);
        url.set_fragment(None);
        url
    }

    fn status_error(&self, call: &Call, answer: &Answer, attempts: u32) -> IpaasError {
        IpaasError::Status {
            method: call.method.to_string(),
            path: call.path.clone(),
            status: answer.status.as_u16(),
            excerpt: excerpt(&answer.body),
            attempts,
        }
    }

    fn transport_error(&self, call: &Call, reason: String, attempts: u32) -> IpaasError {
        IpaasError::Transport {
            method: call.method.to_string(),
            path: call.path.clone(),
            reason,
            attempts,
        }
    }

    /// Sends `call` and decodes a JSON success body.
    pub(super) async fn json<T: DeserializeOwned>(&self, call: &Call) -> Result<T, IpaasError> {
        let answer = self.send(call).await?;
        decode(call, &answer)
    }

    /// Like `json`, but a 404 is `Ok(None)`: the thing asked for does not exist.
    pub(super) async fn json_or_none<T: DeserializeOwned>(
        &self,
        call: &Call,
    ) -> Result<Option<T>, IpaasError> {
        match self.send(call).await {
            Ok(answer) => decode(call, &answer).map(Some),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

pub(super) fn decode<T: DeserializeOwned>(call: &Call, answer: &Answer) -> Result<T, IpaasError> {
    serde_json::from_slice(&answer.body).map_err(|e| IpaasError::Decode {
        method: call.method.to_string(),
        path: call.path.clone(),
        status: answer.status.as_u16(),
        reason: truncate_chars(&e.to_string(), EXCERPT_CHARS),
        excerpt: excerpt(&answer.body),
    })
}

fn no_answer(e: reqwest::Error) -> NoAnswer {
    let f = crate::http::text::transport_failure(e);
    NoAnswer {
        reason: f.reason,
        transient: f.transient,
        maybe_applied: f.maybe_applied,
    }
}
