//! OAuth state: live access and refresh tokens and pending authorization codes.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

/// Authorization codes die after this, as on the platform (15 minutes).
const CODE_TTL: Duration = Duration::from_secs(15 * 60);

pub struct PendingCode {
    pub client_id: String,
    pub redirect_uri: String,
    /// (challenge, method) when the client used PKCE.
    pub challenge: Option<(String, String)>,
    pub expires: Instant,
}

/// A fresh unguessable token: `prefix` then 40 letters and digits.
pub fn new_token(prefix: &str) -> String {
    use rand::distributions::{Alphanumeric, DistString};
    format!(
        "{prefix}{}",
        Alphanumeric.sample_string(&mut rand::thread_rng(), 40)
    )
}

#[derive(Default)]
pub struct Sessions {
    access: HashMap<String, Instant>,
    refresh: HashSet<String>,
    codes: HashMap<String, PendingCode>,
    /// Every access and refresh token ever issued, so tests can check none leaked.
    issued: Vec<String>,
}

impl Sessions {
    pub fn issued(&self) -> Vec<String> {
        self.issued.clone()
    }

    pub fn add_access(&mut self, token: String, ttl: Duration) {
        self.issued.push(token.clone());
        self.access.insert(token, Instant::now() + ttl);
    }

    pub fn access_valid(&self, token: &str) -> bool {
        self.access
            .get(token)
            .is_some_and(|expires| Instant::now() < *expires)
    }

    /// Every issued access token now answers 401.
    pub fn expire_access(&mut self) {
        self.access.clear();
    }

    pub fn add_refresh(&mut self, token: String) {
        self.issued.push(token.clone());
        self.refresh.insert(token);
    }

    pub fn refresh_valid(&self, token: &str) -> bool {
        self.refresh.contains(token)
    }

    pub fn revoke_refresh(&mut self, token: &str) {
        self.refresh.remove(token);
    }

    pub fn live_refresh(&self) -> Vec<String> {
        let mut v: Vec<String> = self.refresh.iter().cloned().collect();
        v.sort();
        v
    }

    pub fn add_code(&mut self, code: String, pending: PendingCode) {
        self.codes.insert(code, pending);
    }

    /// Codes are single-use: taking one removes it, valid or not.
    pub fn take_code(&mut self, code: &str) -> Option<PendingCode> {
        let now = Instant::now();
        self.codes.retain(|_, c| c.expires > now);
        self.codes.remove(code)
    }

    pub fn code_expiry() -> Instant {
        Instant::now() + CODE_TTL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expire_and_codes_are_single_use() {
        let mut s = Sessions::default();
        s.add_access("a".into(), Duration::from_secs(60));
        s.add_access("b".into(), Duration::ZERO);
        assert!(s.access_valid("a"));
        assert!(!s.access_valid("b"));
        s.expire_access();
        assert!(!s.access_valid("a"));
        let pending = || PendingCode {
            client_id: "k".into(),
            redirect_uri: "http://x".into(),
            challenge: None,
            expires: Sessions::code_expiry(),
        };
        s.add_code("c".into(), pending());
        assert!(s.take_code("c").is_some());
        assert!(s.take_code("c").is_none());
    }
}
