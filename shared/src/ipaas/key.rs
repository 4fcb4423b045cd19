//! The iPaaS.com API key: read from the secret once, cached, re-read once when iPaaS.com
//! says it is wrong (it may have been rotated). Its `Debug` never shows the value.

use super::error::IpaasError;
use crate::secrets::SecretStore;
use reqwest::header::HeaderValue;
use std::fmt;
use std::sync::Arc;
use tokio::sync::Mutex;

/// The API key. Only `bearer()` reveals it, as a header value marked sensitive.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// The `Authorization` header value; flagged sensitive so HTTP-layer logs redact it.
    pub fn bearer(&self) -> Result<HeaderValue, IpaasError> {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", self.0)).map_err(|_| {
            IpaasError::Invalid(
                "the API key holds characters that cannot be sent in an HTTP header".into(),
            )
        })?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// Reads `{"api_key":…}` out of the secret's JSON. Errors never quote the value: a
    /// parser message could echo part of it.
    pub fn from_secret(secret_id: &str, raw: &str) -> Result<ApiKey, IpaasError> {
        #[derive(serde::Deserialize)]
        struct Doc {
            api_key: Option<String>,
        }
        let invalid = |reason: &str| IpaasError::Secret {
            secret_id: secret_id.to_string(),
            reason: reason.to_string(),
            transient: false,
        };
        let doc: Doc = serde_json::from_str(raw)
            .map_err(|_| invalid("the value is not a JSON object with a string \"api_key\""))?;
        match doc.api_key.map(|k| k.trim().to_string()) {
            Some(k) if !k.is_empty() => Ok(ApiKey(k)),
            _ => Err(invalid("\"api_key\" is missing or empty")),
        }
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// The cached key and where to read it again.
pub struct KeySource {
    secrets: Arc<dyn SecretStore>,
    secret_id: String,
    // An async lock so concurrent first calls share one secret read.
    cached: Mutex<Option<ApiKey>>,
}

impl KeySource {
    pub fn new(secrets: Arc<dyn SecretStore>, secret_id: String) -> Self {
        KeySource {
            secrets,
            secret_id,
            cached: Mutex::new(None),
        }
    }

    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The cached key, reading the secret on first use.
    pub async fn current(&self) -> Result<ApiKey, IpaasError> {
        let mut cached = self.cached.lock().await;
        if let Some(key) = cached.as_ref() {
            return Ok(key.clone());
        }
        let key = self.read().await?;
        *cached = Some(key.clone());
        Ok(key)
    }

    /// Called after `rejected` got a 401: re-reads the secret, unless another call already
    /// replaced the cached key, in which case that newer key is used.
    pub async fn refresh(&self, rejected: &ApiKey) -> Result<ApiKey, IpaasError> {
        let mut cached = self.cached.lock().await;
        if let Some(key) = cached.as_ref().filter(|k| *k != rejected) {
            return Ok(key.clone());
        }
        let key = self.read().await?;
        *cached = Some(key.clone());
        Ok(key)
    }

    async fn read(&self) -> Result<ApiKey, IpaasError> {
        let raw = self
            .secrets
            .read(&self.secret_id)
            .await
            .map_err(|e| IpaasError::Secret {
                secret_id: self.secret_id.clone(),
                reason: e.to_string(),
                transient: e.is_transient(),
            })?;
        ApiKey::from_secret(&self.secret_id, &raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::InMemorySecretStore;

    const KEY: &str = "sk-live-9f8e7d";

    #[test]
    fn debug_and_errors_never_show_the_key() {
        let key = ApiKey::from_secret("s", &format!(r#"{{"api_key":"{KEY}","webhook_key":"w"}}"#))
            .unwrap();
        assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
        assert!(key.bearer().unwrap().is_sensitive());
        for raw in [
            format!(r#"{{"api_key":{KEY}}}"#),
            format!(r#"{{"api_key":["{KEY}"]}}"#),
            format!(r#"{{"api_key":"{KEY}\u0007"}}"#),
            KEY.to_string(),
        ] {
            let shown = match ApiKey::from_secret("s", &raw).and_then(|k| k.bearer()) {
                Ok(_) => continue,
                Err(e) => format!("{e} {e:?}"),
            };
            assert!(!shown.contains(KEY), "{shown}");
        }
        let e = ApiKey::from_secret("s", r#"{"api_key":"  "}"#).unwrap_err();
        assert!(e.to_string().contains("missing or empty"));
    }

    #[tokio::test]
    async fn caches_and_rereads_after_rejection() {
        let store = Arc::new(InMemorySecretStore::with("s", r#"{"api_key":"old"}"#));
        let keys = KeySource::new(store.clone(), "s".into());
        let old = keys.current().await.unwrap();
        store.insert("s", r#"{"api_key":"new"}"#);
        assert_eq!(keys.current().await.unwrap(), old, "cached, not re-read");
        let new = keys.refresh(&old).await.unwrap();
        assert_eq!(new, ApiKey("new".into()));
        store.insert("s", r#"{"api_key":"newer"}"#);
        assert_eq!(keys.refresh(&old).await.unwrap(), new, "already replaced");
        let missing = KeySource::new(store, "absent".into());
        assert!(matches!(
            missing.current().await,
            Err(IpaasError::Secret { .. })
        ));
    }
}
