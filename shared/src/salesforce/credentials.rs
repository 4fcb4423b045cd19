//! The connected-app credentials kept in the Salesforce secret:
//! `{"consumer_key","consumer_secret","refresh_token","login_url","instance_url"?}`.
//! Nothing here ever prints a key, secret or token: `Debug` redacts them and errors name
//! only what is missing.

use serde::Deserialize;
use serde_json::{Map, Value};
use std::fmt;

/// Where to log in when the secret names no login URL.
pub const DEFAULT_LOGIN_URL: &str = "https://login.salesforce.com";

#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub consumer_key: String,
    pub consumer_secret: String,
    pub refresh_token: String,
    /// Production, sandbox (`https://test.salesforce.com`), a My Domain or a simulator.
    pub login_url: String,
    /// Where the API lives, if known before the first token call (the token answer wins).
    pub instance_url: Option<String>,
}

/// What is wrong with a stored secret. Each variant ends as the catalog's refresh-token
/// message for the user; the variant says which part to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    #[error("the secret has no {0}")]
    Missing(&'static str),
    #[error("the secret is not a JSON object of connected-app credentials")]
    NotJson,
    #[error("the secret's login_url {0:?} is not an https URL (plain http only to loopback)")]
    BadLoginUrl(String),
}

#[derive(Deserialize)]
struct Doc {
    consumer_key: Option<String>,
    consumer_secret: Option<String>,
    refresh_token: Option<String>,
    login_url: Option<String>,
    instance_url: Option<String>,
}

impl Credentials {
    /// Reads and checks the secret's JSON. The parser's own message is dropped on purpose:
    /// it could quote part of the value.
    pub fn parse(raw: &str) -> Result<Credentials, CredentialsError> {
        let doc: Doc = serde_json::from_str(raw).map_err(|_| CredentialsError::NotJson)?;
        let present = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let refresh_token =
            present(doc.refresh_token).ok_or(CredentialsError::Missing("refresh token"))?;
        let consumer_key =
            present(doc.consumer_key).ok_or(CredentialsError::Missing("consumer key"))?;
        let consumer_secret =
            present(doc.consumer_secret).ok_or(CredentialsError::Missing("consumer secret"))?;
        let login_url = present(doc.login_url).unwrap_or_else(|| DEFAULT_LOGIN_URL.to_string());
        // Plain http only to loopback (a simulator): a token must never cross a network bare.
        let parsed = url::Url::parse(&login_url)
            .ok()
            .filter(|u| match u.scheme() {
                "https" => u.has_host(),
                "http" => matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")),
                _ => false,
            });
        if parsed.is_none() {
            return Err(CredentialsError::BadLoginUrl(login_url));
        }
        Ok(Credentials {
            consumer_key,
            consumer_secret,
            refresh_token,
            login_url: login_url.trim_end_matches('/').to_string(),
            instance_url: present(doc.instance_url),
        })
    }

    /// The secret's JSON with a rotated refresh token (and the instance URL) replaced and
    /// every other field, known or not, kept as it was.
    pub fn rotated_secret(
        raw: &str,
        refresh_token: &str,
        instance_url: &str,
    ) -> Result<String, CredentialsError> {
        let mut doc: Map<String, Value> =
            serde_json::from_str(raw).map_err(|_| CredentialsError::NotJson)?;
        doc.insert("refresh_token".into(), Value::String(refresh_token.into()));
        doc.insert("instance_url".into(), Value::String(instance_url.into()));
        serde_json::to_string(&doc).map_err(|_| CredentialsError::NotJson)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("consumer_key", &"<redacted>")
            .field("consumer_secret", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .field("login_url", &self.login_url)
            .field("instance_url", &self.instance_url)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"{"consumer_key":"ck","consumer_secret":"cs","refresh_token":"rt","login_url":"https://test.salesforce.com/","note":"kept"}"#;

    #[test]
    fn parses_and_defaults() {
        let c = Credentials::parse(FULL).unwrap();
        assert_eq!(c.login_url, "https://test.salesforce.com");
        assert_eq!(c.instance_url, None);
        let c = Credentials::parse(
            r#"{"consumer_key":"ck","consumer_secret":"cs","refresh_token":"rt"}"#,
        )
        .unwrap();
        assert_eq!(c.login_url, DEFAULT_LOGIN_URL);
    }

    #[test]
    fn names_what_is_missing_without_quoting_values() {
        for (raw, what) in [
            (
                r#"{"consumer_key":"ck","consumer_secret":"cs"}"#,
                "refresh token",
            ),
            (
                r#"{"consumer_key":"ck","consumer_secret":"cs","refresh_token":"  "}"#,
                "refresh token",
            ),
            (
                r#"{"consumer_secret":"cs","refresh_token":"rt"}"#,
                "consumer key",
            ),
            (
                r#"{"consumer_key":"ck","refresh_token":"rt","consumer_secret":null}"#,
                "consumer secret",
            ),
        ] {
            assert_eq!(
                Credentials::parse(raw),
                Err(CredentialsError::Missing(what))
            );
        }
        assert_eq!(
            Credentials::parse("rt-secret-value"),
            Err(CredentialsError::NotJson)
        );
        assert!(matches!(
            Credentials::parse(
                r#"{"consumer_key":"ck","consumer_secret":"cs","refresh_token":"rt","login_url":"ftp://x"}"#
            ),
            Err(CredentialsError::BadLoginUrl(_))
        ));
    }

    #[test]
    fn debug_redacts() {
        let shown = format!("{:?}", Credentials::parse(FULL).unwrap());
        assert!(
            !shown.contains("\"ck\"") && !shown.contains("\"cs\"") && !shown.contains("\"rt\"")
        );
    }

    #[test]
    fn rotation_keeps_other_fields() {
        let out = Credentials::rotated_secret(FULL, "rt2", "https://na1.example").unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["refresh_token"], "rt2");
        assert_eq!(v["instance_url"], "https://na1.example");
        assert_eq!(v["note"], "kept");
        assert_eq!(v["consumer_key"], "ck");
    }
}
