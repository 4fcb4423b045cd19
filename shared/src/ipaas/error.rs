//! Every way an iPaaS.com call can fail, and how a failure reads in an Error Log entry:
//! the catalog's "An iPaaS.com API error was returned." with a detail naming the call, the
//! status and a short excerpt of what iPaaS.com said. No variant ever holds the API key.

use crate::catalog::{MessageId, Raised};
pub use crate::http::text::{excerpt, is_transient_status, truncate_chars, EXCERPT_CHARS};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IpaasError {
    /// iPaaS.com answered with a non-success status (after retries, if it was transient).
    #[error("{method} {path} answered HTTP {status} after {attempts} attempt(s): {excerpt}")]
    Status {
        method: String,
        path: String,
        status: u16,
        excerpt: String,
        attempts: u32,
    },
    /// No answer: connection refused or dropped, or a timeout (after retries).
    #[error("{method} {path} failed after {attempts} attempt(s): {reason}")]
    Transport {
        method: String,
        path: String,
        reason: String,
        attempts: u32,
    },
    /// A write that must not be sent twice (a create) was sent and no definite answer came
    /// back (5xx, timeout, dropped connection): iPaaS.com may have stored it. Never retried
    /// blindly; the flow recovers the record before any second create (DESIGN.md §4).
    #[error("{method} {path}: outcome unknown after {attempts} attempt(s), the write may have been applied: {reason}")]
    Ambiguous {
        method: String,
        path: String,
        status: Option<u16>,
        reason: String,
        attempts: u32,
    },
    /// A success answer whose body is not the expected JSON.
    #[error(
        "{method} {path} answered HTTP {status} with an unreadable body ({reason}): {excerpt}"
    )]
    Decode {
        method: String,
        path: String,
        status: u16,
        reason: String,
        excerpt: String,
    },
    /// The API key could not be loaded. `reason` never quotes the secret's value;
    /// `transient` says whether the secret store's trouble may pass (outage, throttling).
    #[error("the iPaaS.com API key could not be read from secret {secret_id}: {reason}")]
    Secret {
        secret_id: String,
        reason: String,
        transient: bool,
    },
    /// The request could not be made: bad configuration (base URL, path) or bad input
    /// (an empty external id). Not retried.
    #[error("the iPaaS.com request could not be made: {0}")]
    Invalid(String),
}

impl IpaasError {
    /// The HTTP status iPaaS.com answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            IpaasError::Status { status, .. } | IpaasError::Decode { status, .. } => Some(*status),
            IpaasError::Ambiguous { status, .. } => *status,
            _ => None,
        }
    }

    /// Whether the same call may succeed later: a transient status (408, 429, 5xx), no
    /// answer at all, or the secret store's passing trouble.
    pub fn is_transient(&self) -> bool {
        match self {
            IpaasError::Status { status, .. } => is_transient_status(*status),
            IpaasError::Transport { .. } | IpaasError::Ambiguous { .. } => true,
            IpaasError::Secret { transient, .. } => *transient,
            _ => false,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// The catalog message for this failure, with the call and iPaaS.com's answer as detail.
    pub fn to_raised(&self) -> Raised {
        Raised::new(MessageId::IpaasApiError).detail(self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raised_error_is_the_catalog_message_with_the_status_in_the_detail() {
        let e = IpaasError::Status {
            method: "POST".into(),
            path: "/customers/v2/Customer".into(),
            status: 503,
            excerpt: "Service Unavailable".into(),
            attempts: 5,
        };
        let r = e.to_raised();
        assert_eq!(r.message, "An iPaaS.com API error was returned.");
        assert_eq!(
            r.detail.as_deref(),
            Some("POST /customers/v2/Customer answered HTTP 503 after 5 attempt(s): Service Unavailable")
        );
        assert!(e.status() == Some(503) && !e.is_not_found());
    }

    #[test]
    fn transient_failures_are_told_apart() {
        let status = |status| IpaasError::Status {
            method: "GET".into(),
            path: "/x".into(),
            status,
            excerpt: String::new(),
            attempts: 1,
        };
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(status(s).is_transient(), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 422] {
            assert!(!status(s).is_transient(), "{s}");
        }
        let transport = IpaasError::Transport {
            method: "GET".into(),
            path: "/x".into(),
            reason: "connection refused".into(),
            attempts: 5,
        };
        assert!(transport.is_transient());
        let secret = |transient| IpaasError::Secret {
            secret_id: "s".into(),
            reason: "r".into(),
            transient,
        };
        assert!(secret(true).is_transient() && !secret(false).is_transient());
        assert!(!IpaasError::Invalid("bad".into()).is_transient());
    }
}
