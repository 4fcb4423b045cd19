//! Where the iPaaS.com API is and how to talk to it. Every path is configurable because
//! iPaaS.com publishes only some of them (docs/ipaas-api.md); the defaults are that page's.

use crate::config::{parsed, ranged, required, resource_name, ConfigError, Env, SECRET_ID_CHARS};
use crate::http::retry::RetryPolicy;
use std::time::Duration;
use url::Url;

pub const DEFAULT_BASE_URL: &str = "https://api.ipaas.com";

/// The API paths. `{id}` is replaced by the record's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpaasPaths {
    pub customer_create: String,
    pub customer_by_id: String,
    pub customers: String,
    pub company_create: String,
    pub company_by_id: String,
    pub companies: String,
    pub link_lookup: String,
    pub link_write: String,
    pub error_log_create: String,
    pub error_logs: String,
}

impl Default for IpaasPaths {
    fn default() -> Self {
        IpaasPaths {
            customer_create: "/customers/v2/Customer".into(),
            customer_by_id: "/customers/v2/Customer/{id}".into(),
            customers: "/customers/v2/Customers".into(),
            company_create: "/customers/v2/Customer/Company".into(),
            company_by_id: "/customers/v2/Customer/Company/{id}".into(),
            companies: "/customers/v2/Customer/Companies".into(),
            link_lookup: "/customers/v2/External/LookupSpecial".into(),
            link_write: "/customers/v2/External/UpdateExternalId".into(),
            error_log_create: "/integrations/v2/ErrorLog".into(),
            error_logs: "/integrations/v2/ErrorLogs".into(),
        }
    }
}

impl IpaasPaths {
    /// A `{id}` template filled with a record id.
    pub fn with_id(template: &str, id: u64) -> String {
        template.replace("{id}", &id.to_string())
    }
}

/// Everything the client needs except the key itself, which stays in the secret store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpaasConfig {
    /// e.g. `https://api.ipaas.com`; a path prefix is kept.
    pub base_url: String,
    /// Secret holding `{"api_key":…,"webhook_key":…}`.
    pub secret_id: String,
    /// The Salesforce subscription's system id in iPaaS.com, used for external-id links.
    pub system_id: u64,
    pub paths: IpaasPaths,
    pub retry: RetryPolicy,
    pub connect_timeout: Duration,
    /// Whole-request limit (connect, send, read the body) for one attempt.
    pub request_timeout: Duration,
}

impl IpaasConfig {
    /// The documented defaults for everything but the three deployment-specific values.
    pub fn new(base_url: impl Into<String>, secret_id: impl Into<String>, system_id: u64) -> Self {
        IpaasConfig {
            base_url: base_url.into(),
            secret_id: secret_id.into(),
            system_id,
            paths: IpaasPaths::default(),
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
        }
    }

    /// `IPAAS_SECRET_ID` and `IPAAS_SYSTEM_ID` (required), `IPAAS_BASE_URL` (optional), as
    /// the SAM template sets them. The system id is a positive iPaaS.com id (links made
    /// under 0 would belong to no subscription); the base URL is https (plain http only to
    /// loopback, for a simulator: the API key must never cross a network bare).
    pub fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        let secret_id = resource_name(
            env,
            "IPAAS_SECRET_ID",
            "set it to the secret holding the iPaaS.com API key",
            SECRET_ID_CHARS,
            (1, 2048),
        )?;
        required(
            env,
            "IPAAS_SYSTEM_ID",
            "set it to the Salesforce subscription's system id in iPaaS.com",
        )?;
        let system_id = ranged(
            env,
            "IPAAS_SYSTEM_ID",
            0u64,
            SYSTEM_ID_RANGE,
            "(the subscription's system id in iPaaS.com)",
        )
        .map_err(|e| match e {
            ConfigError::Invalid { name, reason } if !reason.contains("outside") => {
                ConfigError::Invalid {
                    name,
                    reason: format!("not a positive whole number ({reason})"),
                }
            }
            other => other,
        })?;
        let base_url: String = parsed(env, "IPAAS_BASE_URL", DEFAULT_BASE_URL.to_string())?;
        check_base_url(&base_url).map_err(|reason| ConfigError::Invalid {
            name: "IPAAS_BASE_URL",
            reason,
        })?;
        Ok(Self::new(base_url, secret_id, system_id))
    }
}

/// `IPAAS_SYSTEM_ID`: a positive iPaaS.com id.
pub const SYSTEM_ID_RANGE: (u64, u64) = (1, i64::MAX as u64);

/// https with a host; plain http only to loopback.
fn check_base_url(value: &str) -> Result<(), String> {
    let url = Url::parse(value).map_err(|e| format!("{value:?} is not a URL ({e})"))?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match url.scheme() {
        "https" if url.has_host() => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(format!(
            "{value:?} is plain http; the API key must go over https (http only to loopback)"
        )),
        _ => Err(format!("{value:?} is not an https URL")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn reads_the_environment() {
        let mut env: HashMap<String, String> = [
            ("IPAAS_SECRET_ID".to_string(), "ipaas".to_string()),
            ("IPAAS_SYSTEM_ID".to_string(), "77".to_string()),
        ]
        .into();
        let c = IpaasConfig::from_env(&env).unwrap();
        assert_eq!((c.base_url.as_str(), c.system_id), (DEFAULT_BASE_URL, 77));
        // "0" fails on the old code: it was accepted and linked under no subscription.
        for (name, bad) in [
            ("IPAAS_SYSTEM_ID", "x"),
            ("IPAAS_SYSTEM_ID", "0"),
            ("IPAAS_SYSTEM_ID", "-3"),
            ("IPAAS_SYSTEM_ID", "99999999999999999999"),
            ("IPAAS_BASE_URL", "http://api.ipaas.com"),
            ("IPAAS_BASE_URL", "ftp://api.ipaas.com"),
            ("IPAAS_BASE_URL", "api.ipaas.com"),
            ("IPAAS_SECRET_ID", "my secret"),
        ] {
            let mut env = env.clone();
            env.insert(name.into(), bad.into());
            let e = IpaasConfig::from_env(&env).unwrap_err().to_string();
            assert!(e.contains(name), "{name}={bad}: {e}");
        }
        env.insert("IPAAS_BASE_URL".into(), "http://127.0.0.1:8080/api".into());
        assert!(IpaasConfig::from_env(&env).is_ok());
    }

    #[test]
    fn fills_id_templates() {
        let p = IpaasPaths::default();
        assert_eq!(
            IpaasPaths::with_id(&p.company_by_id, 42),
            "/customers/v2/Customer/Company/42"
        );
    }
}
