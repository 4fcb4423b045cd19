//! The webhook receiver's settings, read from the environment the SAM template sets:
//! `IPAAS_SECRET_ID`, `ACCOUNT_FROM_IPAAS_QUEUE_URL`, `CONTACT_FROM_IPAAS_QUEUE_URL` and
//! `WEBHOOK_PATH` (default `/`). A bad value stops the start with a sentence naming it.

use super::key::load_key;
use super::WebhookKey;
use crate::config::{queue_url, required, ConfigError, Env};
use crate::flow::Flow;
use crate::queue::QueueUrls;
use crate::secrets::SecretStore;

/// The one path deliveries are accepted on. A trailing slash is not significant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookPath(String);

impl Default for WebhookPath {
    fn default() -> Self {
        WebhookPath("/".into())
    }
}

/// `/a/b/` and `/a/b` are one path; the root stays `/`.
fn normalized(path: &str) -> &str {
    match path.trim_end_matches('/') {
        "" => "/",
        p => p,
    }
}

impl WebhookPath {
    /// An absolute URL path: starts with `/`, at most 200 characters of the URL path set
    /// (no query, fragment, spaces or empty segments).
    pub fn new(path: &str) -> Result<WebhookPath, String> {
        let path = path.trim();
        if !path.starts_with('/') {
            return Err(format!("{path:?} must start with /"));
        }
        if path.len() > 200 {
            return Err("a path is at most 200 characters".into());
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || "/-._~%!$&'()*+,;=:@".contains(c);
        if let Some(c) = path.chars().find(|c| !allowed(*c)) {
            return Err(format!(
                "{path:?} holds {c:?}; give the path alone, without query or fragment"
            ));
        }
        if normalized(path).contains("//") {
            return Err(format!("{path:?} has an empty segment"));
        }
        Ok(WebhookPath(normalized(path).to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a request's path is this one.
    pub fn matches(&self, request_path: &str) -> bool {
        normalized(request_path) == self.0
    }
}

/// Everything the receiver needs from the environment, read without a network call.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// The iPaaS.com secret holding `webhook_key`.
    pub secret_id: String,
    pub queues: QueueUrls,
    pub path: WebhookPath,
}

impl WebhookSettings {
    pub fn from_env(env: &dyn Env) -> Result<WebhookSettings, ConfigError> {
        let secret_id = required(
            env,
            "IPAAS_SECRET_ID",
            "set it to the Secrets Manager id of the iPaaS.com secret (api_key, webhook_key)",
        )?;
        let queues = QueueUrls::new()
            .with(
                Flow::AccountFromIpaas,
                queue_url(
                    env,
                    "ACCOUNT_FROM_IPAAS_QUEUE_URL",
                    "set it to the SQS queue URL of the Account FROM iPaaS.com flow",
                )?,
            )
            .with(
                Flow::ContactFromIpaas,
                queue_url(
                    env,
                    "CONTACT_FROM_IPAAS_QUEUE_URL",
                    "set it to the SQS queue URL of the Contact FROM iPaaS.com flow",
                )?,
            );
        let path = match env.var("WEBHOOK_PATH").filter(|v| !v.trim().is_empty()) {
            None => WebhookPath::default(),
            Some(v) => WebhookPath::new(&v).map_err(|reason| ConfigError::Invalid {
                name: "WEBHOOK_PATH",
                reason,
            })?,
        };
        Ok(WebhookSettings {
            secret_id,
            queues,
            path,
        })
    }

    /// The webhook key from the secret, read once at start: without it no delivery can be
    /// checked, so a missing secret or key stops the start naming `IPAAS_SECRET_ID`.
    pub async fn key(&self, secrets: &dyn SecretStore) -> Result<WebhookKey, ConfigError> {
        load_key(secrets, &self.secret_id)
            .await
            .map_err(|reason| ConfigError::Invalid {
                name: "IPAAS_SECRET_ID",
                reason,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(extra: &[(&str, &str)]) -> HashMap<String, String> {
        let mut e: HashMap<String, String> = [
            ("IPAAS_SECRET_ID", "ipaas"),
            (
                "ACCOUNT_FROM_IPAAS_QUEUE_URL",
                "https://sqs.us-east-1.amazonaws.com/123456789012/a",
            ),
            (
                "CONTACT_FROM_IPAAS_QUEUE_URL",
                "https://sqs.us-east-1.amazonaws.com/123456789012/c",
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (k, v) in extra {
            e.insert(k.to_string(), v.to_string());
        }
        e
    }

    #[test]
    fn reads_the_settings_and_names_a_bad_one() {
        let s = WebhookSettings::from_env(&env(&[])).unwrap();
        assert_eq!(s.path.as_str(), "/");
        let s = WebhookSettings::from_env(&env(&[("WEBHOOK_PATH", "/hooks/ipaas/")])).unwrap();
        assert!(s.path.matches("/hooks/ipaas") && s.path.matches("/hooks/ipaas/"));
        assert!(!s.path.matches("/") && !s.path.matches("/hooks/ipaas/x"));
        for (name, value) in [
            ("WEBHOOK_PATH", "hooks"),
            ("WEBHOOK_PATH", "/hooks?x=1"),
            ("WEBHOOK_PATH", "/a b"),
            ("WEBHOOK_PATH", "/a//b"),
            ("ACCOUNT_FROM_IPAAS_QUEUE_URL", "account-from-ipaas"),
            ("CONTACT_FROM_IPAAS_QUEUE_URL", "https://"),
            ("IPAAS_SECRET_ID", " "),
        ] {
            let e = WebhookSettings::from_env(&env(&[(name, value)]))
                .unwrap_err()
                .to_string();
            assert!(e.contains(name), "{name}={value:?}: {e}");
        }
    }

    #[test]
    fn the_root_path_matches_only_the_root() {
        let root = WebhookPath::default();
        assert!(root.matches("/") && root.matches(""));
        assert!(!root.matches("/webhook"));
    }
}
