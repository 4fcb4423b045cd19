//! Every way a Salesforce call can fail, parsed from Salesforce's own error bodies, and how a
//! failure reads in an Error Log entry. No variant ever holds a token, key or secret.

use super::credentials::CredentialsError;
use crate::catalog::{MessageId, Raised};
use crate::http::text::{excerpt, is_transient_status, truncate_chars, EXCERPT_CHARS};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One entry of a Salesforce error array (`errorCode` in REST answers, `statusCode` in
/// sObject Collections results).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    #[serde(alias = "statusCode", rename = "errorCode", default)]
    pub error_code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// Present on DUPLICATES_DETECTED from the single-record API (never in Collections).
    #[serde(default, rename = "duplicateResult", skip_serializing)]
    pub duplicate_result: Option<Value>,
}

impl ApiError {
    /// `CODE: message (fields: A, B)`, the form an Error Log detail shows.
    pub fn summary(&self) -> String {
        let mut s = format!("{}: {}", self.error_code, self.message);
        if !self.fields.is_empty() {
            s.push_str(&format!(" (fields: {})", self.fields.join(", ")));
        }
        s
    }

    /// The matched record Ids a duplicate rule reported, in Salesforce's order.
    pub fn duplicate_matches(&self) -> Vec<String> {
        let Some(result) = &self.duplicate_result else {
            return Vec::new();
        };
        let mut ids = Vec::new();
        for m in result["matchResults"].as_array().into_iter().flatten() {
            for r in m["matchRecords"].as_array().into_iter().flatten() {
                if let Some(id) = r["record"]["Id"].as_str() {
                    if !ids.iter().any(|x| x == id) {
                        ids.push(id.to_string());
                    }
                }
            }
        }
        ids
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SalesforceError {
    /// A duplicate rule blocked the write. `matches` are the existing records' Ids (empty when
    /// Salesforce did not say, as in sObject Collections results).
    #[error("DUPLICATES_DETECTED: {message}")]
    Duplicates {
        message: String,
        matches: Vec<String>,
    },
    /// Salesforce refused the record (validation, required field, access, bad field…).
    #[error("Salesforce refused the request: {}", summaries(.errors))]
    Rejected { status: u16, errors: Vec<ApiError> },
    /// The record does not exist (or was deleted).
    #[error("not found: {}", summaries(.errors))]
    NotFound { errors: Vec<ApiError> },
    /// Another transaction holds the record (UNABLE_TO_LOCK_ROW): nothing was written, and
    /// the same write succeeds once the lock is released.
    #[error("record locked: {}", summaries(.errors))]
    Locked { errors: Vec<ApiError> },
    /// The org's API allowance is spent (403 REQUEST_LIMIT_EXCEEDED), still after retries.
    #[error("API limit exceeded after {attempts} attempt(s): {}", summaries(.errors))]
    LimitExceeded {
        errors: Vec<ApiError>,
        attempts: u32,
    },
    /// No session: credentials missing or refused (the refresh-token message), or passing
    /// trouble getting one (see [`AuthFailure::is_transient`]).
    #[error("Salesforce authentication failed: {0}")]
    Auth(AuthFailure),
    /// Any other non-success status, after retries when it was transient.
    #[error("{method} {path} answered HTTP {status} after {attempts} attempt(s): {excerpt}")]
    Http {
        method: String,
        path: String,
        status: u16,
        excerpt: String,
        attempts: u32,
    },
    /// No answer at all (timeout, refused or dropped connection), after retries.
    #[error("{method} {path} failed after {attempts} attempt(s): {reason}")]
    Transport {
        method: String,
        path: String,
        reason: String,
        attempts: u32,
    },
    /// A write that must not be sent twice (a create) was sent, and no definite answer came
    /// back (a 5xx, a timeout, a dropped connection): Salesforce may or may not have applied
    /// it. Never retried blindly; the flow recovers the record or waits (DESIGN.md §4).
    #[error("{method} {path}: outcome unknown after {attempts} attempt(s), the write may have been applied: {reason}")]
    Ambiguous {
        method: String,
        path: String,
        status: Option<u16>,
        reason: String,
        attempts: u32,
    },
    /// A success answer that is not the JSON Salesforce documents.
    #[error("{method} {path} answered HTTP {status} with an unreadable body: {excerpt}")]
    Decode {
        method: String,
        path: String,
        status: u16,
        excerpt: String,
    },
    /// The call could not be made: bad configuration or input (not retried).
    #[error("the Salesforce request could not be made: {0}")]
    Invalid(String),
}

/// Why no session could be had. Only a credential problem the customer must fix (parts
/// missing from the secret, no secret at all, or credentials Salesforce refuses) is the
/// catalog's refresh-token message; the rest is our own or Salesforce's passing trouble.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthFailure {
    #[error("{0}")]
    Credentials(CredentialsError),
    /// `invalid_grant` (expired or revoked refresh token) or a refused client
    /// (`invalid_client`, `invalid_client_id`: wrong consumer key or secret), still after
    /// re-reading the secret.
    #[error("Salesforce refused the stored credentials ({error}: {description})")]
    InvalidGrant { error: String, description: String },
    /// The secret does not exist: there are no credentials at all.
    #[error("the secret {secret_id} does not exist")]
    SecretNotFound { secret_id: String },
    /// The secret store could not be asked (outage, throttling, permission). `status` is the
    /// store's HTTP status if it answered.
    #[error("the secret {secret_id} could not be read or written: {reason}")]
    Secret {
        secret_id: String,
        reason: String,
        status: Option<u16>,
        transient: bool,
    },
    /// Salesforce kept answering 401 to a token it had just issued, after backoff.
    #[error("the session was refused again right after a token refresh")]
    SessionRefused,
    /// The token endpoint refused the grant for a reason that is not the credentials
    /// (`rate_limit_exceeded`, `inactive_org`, `unsupported_grant_type`…).
    #[error("the token endpoint answered HTTP {status} ({error}: {description})")]
    TokenRefused {
        status: u16,
        error: String,
        description: String,
    },
}

/// OAuth errors that mean the stored credentials themselves are bad.
pub(crate) const CREDENTIAL_ERRORS: [&str; 3] =
    ["invalid_grant", "invalid_client", "invalid_client_id"];

/// OAuth errors worth another try later (a login-rate limit, the endpoint's own trouble).
const TRANSIENT_OAUTH_ERRORS: [&str; 3] = [
    "rate_limit_exceeded",
    "temporarily_unavailable",
    "server_error",
];

impl AuthFailure {
    /// Whether the customer must re-authenticate (the refresh-token message), as opposed
    /// to trouble that is reported with its HTTP code.
    pub fn needs_reauthentication(&self) -> bool {
        matches!(
            self,
            AuthFailure::Credentials(_)
                | AuthFailure::InvalidGrant { .. }
                | AuthFailure::SecretNotFound { .. }
        )
    }

    /// Whether trying again later may work.
    pub fn is_transient(&self) -> bool {
        match self {
            AuthFailure::Secret { transient, .. } => *transient,
            AuthFailure::SessionRefused => true,
            AuthFailure::TokenRefused { status, error, .. } => {
                is_transient_status(*status) || TRANSIENT_OAUTH_ERRORS.contains(&error.as_str())
            }
            _ => false,
        }
    }

    /// The HTTP status behind the failure: the token endpoint's or the secret store's answer,
    /// 401 for a refused session; none when nothing answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            AuthFailure::Secret { status, .. } => *status,
            AuthFailure::SessionRefused => Some(401),
            AuthFailure::TokenRefused { status, .. } => Some(*status),
            _ => None,
        }
    }
}

fn summaries(errors: &[ApiError]) -> String {
    errors
        .iter()
        .map(ApiError::summary)
        .collect::<Vec<_>>()
        .join("; ")
}

impl SalesforceError {
    /// Reads a non-success answer into the typed error it stands for.
    pub fn from_answer(method: &str, path: &str, status: u16, body: &[u8], attempts: u32) -> Self {
        let errors: Vec<ApiError> = serde_json::from_slice(body).unwrap_or_default();
        let first_code = errors.first().map(|e| e.error_code.as_str()).unwrap_or("");
        let http = || SalesforceError::Http {
            method: method.to_string(),
            path: path.to_string(),
            status,
            excerpt: excerpt(body),
            attempts,
        };
        match (status, first_code) {
            (_, "DUPLICATES_DETECTED") => {
                let dup = &errors[0];
                SalesforceError::Duplicates {
                    message: dup.message.clone(),
                    matches: dup.duplicate_matches(),
                }
            }
            (403, "REQUEST_LIMIT_EXCEEDED") => SalesforceError::LimitExceeded { errors, attempts },
            (_, "UNABLE_TO_LOCK_ROW") => SalesforceError::Locked { errors },
            (404, _) | (_, "NOT_FOUND" | "ENTITY_IS_DELETED") => {
                SalesforceError::NotFound { errors }
            }
            (400 | 403, code) if !code.is_empty() => SalesforceError::Rejected { status, errors },
            _ => http(),
        }
    }

    /// The HTTP status behind this error, where there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            SalesforceError::Duplicates { .. } | SalesforceError::Locked { .. } => Some(400),
            SalesforceError::Rejected { status, .. } => Some(*status),
            SalesforceError::NotFound { .. } => Some(404),
            SalesforceError::LimitExceeded { .. } => Some(403),
            SalesforceError::Http { status, .. } | SalesforceError::Decode { status, .. } => {
                Some(*status)
            }
            SalesforceError::Ambiguous { status, .. } => *status,
            SalesforceError::Auth(a) => a.status(),
            _ => None,
        }
    }

    /// Whether the same call may succeed later (retried with backoff, then the message goes
    /// back to its queue): 408/429/5xx answers, no answer at all, the org's API allowance,
    /// and passing auth trouble (secret store outage, throttled or failing token endpoint, a
    /// fresh session refused).
    pub fn is_transient(&self) -> bool {
        match self {
            SalesforceError::Http { status, .. } => is_transient_status(*status),
            SalesforceError::Transport { .. }
            | SalesforceError::LimitExceeded { .. }
            | SalesforceError::Locked { .. }
            | SalesforceError::Ambiguous { .. } => true,
            SalesforceError::Auth(a) => a.is_transient(),
            _ => false,
        }
    }

    /// Salesforce's own errors, for an Error Log detail.
    pub fn api_errors(&self) -> &[ApiError] {
        match self {
            SalesforceError::Rejected { errors, .. }
            | SalesforceError::Locked { errors }
            | SalesforceError::NotFound { errors }
            | SalesforceError::LimitExceeded { errors, .. } => errors,
            _ => &[],
        }
    }

    /// The catalog message for a failure that is not specific to a flow's situation:
    /// credentials the customer must renew are the refresh-token message; everything else
    /// that reached here (passing auth trouble included) is "Error calling SalesForce (Http
    /// Code: …)" with the real code: Salesforce's, the token endpoint's, the secret store's,
    /// or 0 when no answer came. Flows turn duplicates, rejections and missing records into
    /// their own messages first.
    pub fn to_raised(&self) -> Raised {
        let detail = truncate_chars(&self.to_string(), EXCERPT_CHARS * 2);
        match self {
            SalesforceError::Auth(a) if a.needs_reauthentication() => {
                Raised::new(MessageId::RefreshTokenMissing).detail(detail)
            }
            other => {
                let code = other.status().unwrap_or(0).to_string();
                Raised::with(MessageId::SalesforceHttpError, &[("code", &code)]).detail(detail)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_bodies_give_the_matched_ids() {
        let body = br#"[{"errorCode":"DUPLICATES_DETECTED","message":"Use one of these records?","duplicateResult":{"allowSave":false,"duplicateRule":"Standard_Account_Duplicate_Rule","duplicateRuleEntityType":"Account","errorMessage":"Use one of these records?","matchResults":[{"entityType":"Account","matchEngine":"FuzzyMatchEngine","rule":"Standard_Account_Match_Rule_v1_0","size":2,"success":true,"matchRecords":[{"matchConfidence":100.0,"record":{"attributes":{"type":"Account"},"Id":"001M000000qfPySIAU"}},{"matchConfidence":90.0,"record":{"attributes":{"type":"Account"},"Id":"001M000000qfPyTIAU"}}]}]}}]"#;
        let e = SalesforceError::from_answer("POST", "/x", 400, body, 1);
        assert_eq!(
            e,
            SalesforceError::Duplicates {
                message: "Use one of these records?".into(),
                matches: vec!["001M000000qfPySIAU".into(), "001M000000qfPyTIAU".into()],
            }
        );
    }

    #[test]
    fn other_bodies_are_typed() {
        let rejected = br#"[{"message":"Required fields are missing: [Name]","errorCode":"REQUIRED_FIELD_MISSING","fields":["Name"]}]"#;
        match SalesforceError::from_answer("POST", "/x", 400, rejected, 1) {
            SalesforceError::Rejected {
                status: 400,
                errors,
            } => {
                assert_eq!(
                    errors[0].summary(),
                    "REQUIRED_FIELD_MISSING: Required fields are missing: [Name] (fields: Name)"
                );
            }
            other => panic!("{other:?}"),
        }
        let missing =
            br#"[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]"#;
        assert!(matches!(
            SalesforceError::from_answer("GET", "/x", 404, missing, 1),
            SalesforceError::NotFound { .. }
        ));
        let limit = br#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#;
        assert!(matches!(
            SalesforceError::from_answer("GET", "/x", 403, limit, 5),
            SalesforceError::LimitExceeded { attempts: 5, .. }
        ));
        let e = SalesforceError::from_answer("GET", "/x", 503, b"<html>down</html>", 5);
        assert_eq!(
            e.to_raised().message,
            "Error calling SalesForce (Http Code: 503)"
        );
    }

    #[test]
    fn only_credentials_to_renew_get_the_refresh_token_message() {
        const REFRESH: &str = "Refresh token value is either null or empty and is required for obtaining an AccessToken. Please re-authenticate from the Subscription Settings page in iPaaS.";
        let renew = [
            AuthFailure::Credentials(CredentialsError::Missing("refresh token")),
            AuthFailure::InvalidGrant {
                error: "invalid_grant".into(),
                description: "expired access/refresh token".into(),
            },
            AuthFailure::SecretNotFound {
                secret_id: "sf".into(),
            },
        ];
        for a in renew {
            let e = SalesforceError::Auth(a.clone());
            assert_eq!(e.to_raised().message, REFRESH, "{a:?}");
            assert!(!e.is_transient(), "{a:?}");
        }
        // (failure, code in the message, transient)
        let passing = [
            (
                AuthFailure::Secret {
                    secret_id: "sf".into(),
                    reason: "ThrottlingException".into(),
                    status: Some(400),
                    transient: true,
                },
                "400",
                true,
            ),
            (
                AuthFailure::Secret {
                    secret_id: "sf".into(),
                    reason: "timeout".into(),
                    status: None,
                    transient: true,
                },
                "0",
                true,
            ),
            (
                AuthFailure::Secret {
                    secret_id: "sf".into(),
                    reason: "AccessDeniedException".into(),
                    status: Some(400),
                    transient: false,
                },
                "400",
                false,
            ),
            (AuthFailure::SessionRefused, "401", true),
            (
                AuthFailure::TokenRefused {
                    status: 400,
                    error: "rate_limit_exceeded".into(),
                    description: "too many logins".into(),
                },
                "400",
                true,
            ),
            (
                AuthFailure::TokenRefused {
                    status: 400,
                    error: "inactive_org".into(),
                    description: "the org is locked".into(),
                },
                "400",
                false,
            ),
        ];
        for (a, code, transient) in passing {
            let e = SalesforceError::Auth(a.clone());
            assert_eq!(
                e.to_raised().message,
                format!("Error calling SalesForce (Http Code: {code})"),
                "{a:?}"
            );
            assert_eq!(e.is_transient(), transient, "{a:?}");
        }
    }

    #[test]
    fn transient_answers_are_told_apart() {
        let http = |status| SalesforceError::Http {
            method: "GET".into(),
            path: "/x".into(),
            status,
            excerpt: String::new(),
            attempts: 5,
        };
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(http(s).is_transient(), "{s}");
        }
        for s in [400, 401, 403, 404, 405, 415] {
            assert!(!http(s).is_transient(), "{s}");
        }
        let limit = br#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#;
        assert!(SalesforceError::from_answer("GET", "/x", 403, limit, 5).is_transient());
        let rejected = br#"[{"message":"bad","errorCode":"FIELD_CUSTOM_VALIDATION_EXCEPTION"}]"#;
        assert!(!SalesforceError::from_answer("POST", "/x", 400, rejected, 1).is_transient());
        assert!(SalesforceError::Transport {
            method: "GET".into(),
            path: "/x".into(),
            reason: "timed out".into(),
            attempts: 5
        }
        .is_transient());
        assert!(!SalesforceError::Invalid("bad".into()).is_transient());
    }
}
