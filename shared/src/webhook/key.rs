use subtle::ConstantTimeEq;

/// The webhook key iPaaS.com sends as `Authorization: Bearer <key>`. Compared in constant
/// time so response timing says nothing about how much of a guess was right.
#[derive(Clone)]
pub struct WebhookKey(String);

impl std::fmt::Debug for WebhookKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookKey(***)")
    }
}

impl WebhookKey {
    /// `None` when the configured key is empty: an empty key would accept anyone.
    pub fn new(key: impl Into<String>) -> Option<Self> {
        let key = key.into();
        (!key.trim().is_empty()).then_some(WebhookKey(key))
    }

    pub fn accepts(&self, authorization: Option<&str>) -> bool {
        let Some(header) = authorization else {
            return false;
        };
        // RFC 7235: the scheme is case-insensitive, then one or more spaces.
        let header = header.trim_start();
        let presented = match header.split_once(' ') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
            _ => "",
        };
        bool::from(presented.as_bytes().ct_eq(self.0.as_bytes()))
    }
}

/// Reads the webhook key from the iPaaS.com secret (`{"api_key":…,"webhook_key":…}`).
pub async fn load_key(
    secrets: &dyn crate::secrets::SecretStore,
    secret_id: &str,
) -> Result<WebhookKey, String> {
    let raw = secrets.read(secret_id).await.map_err(|e| e.to_string())?;
    let doc: serde_json::Value = serde_json::from_str(&raw)
        .map_err(|_| format!("secret {secret_id} is not a JSON document with a webhook_key"))?;
    doc.get("webhook_key")
        .and_then(|v| v.as_str())
        .and_then(WebhookKey::new)
        .ok_or_else(|| format!("secret {secret_id} has no webhook_key; set one and register the same key in iPaaS.com"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_the_exact_bearer_key() {
        let k = WebhookKey::new("s3cret").unwrap();
        // Fails on the old code for BEARER and bEaReR (only two spellings were known).
        for good in [
            "Bearer s3cret",
            "bearer s3cret",
            "BEARER s3cret",
            "bEaReR s3cret",
            "Bearer   s3cret ",
        ] {
            assert!(k.accepts(Some(good)), "{good}");
        }
        for bad in [
            None,
            Some(""),
            Some("s3cret"),
            Some("Bearer s3cre"),
            Some("Bearer s3cret2"),
            Some("Basic s3cret"),
            Some("Bearer "),
            Some("Bearers3cret"),
            Some("Bearer\ts3cret"),
            Some("Token s3cret"),
        ] {
            assert!(!k.accepts(bad), "{bad:?}");
        }
        assert!(WebhookKey::new("  ").is_none());
        assert_eq!(format!("{k:?}"), "WebhookKey(***)");
    }
}
