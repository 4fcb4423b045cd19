//! The OAuth 2.0 endpoints: the refresh-token and authorization-code (PKCE) grants, and an
//! authorize endpoint whose simulated user approves at once.

use super::config::ORG_ID;
use super::errors::json_response;
use super::sessions::{new_token, PendingCode, Sessions};
use super::state::Shared;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

type Params = HashMap<String, String>;

fn oauth_error(error: &str, description: &str) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({"error": error, "error_description": description}),
    )
}

fn invalid_grant(description: &str) -> Response {
    oauth_error("invalid_grant", description)
}

/// Checks the client; `secret_required` is false only for PKCE public-client exchanges.
/// The error is (error, error_description).
fn check_client(
    state: &Shared,
    p: &Params,
    secret_required: bool,
) -> Result<(), (&'static str, &'static str)> {
    let cfg = &state.config;
    if p.get("client_id") != Some(&cfg.consumer_key) {
        return Err(("invalid_client_id", "client identifier invalid"));
    }
    match p.get("client_secret") {
        Some(s) if *s == cfg.consumer_secret => Ok(()),
        None if !secret_required => Ok(()),
        _ => Err(("invalid_client", "invalid client credentials")),
    }
}

/// `POST /services/oauth2/token`
pub async fn token(State(state): State<Shared>, body: Bytes) -> Response {
    let Ok(p) = serde_urlencoded::from_bytes::<Params>(&body) else {
        return oauth_error("invalid_request", "invalid request body");
    };
    match p.get("grant_type").map(String::as_str) {
        Some("refresh_token") => refresh_grant(&state, &p),
        Some("authorization_code") => code_grant(&state, &p),
        _ => oauth_error("unsupported_grant_type", "grant type not supported"),
    }
}

fn refresh_grant(state: &Shared, p: &Params) -> Response {
    if let Err((error, description)) = check_client(state, p, true) {
        return oauth_error(error, description);
    }
    let mut sessions = state.sessions();
    let Some(refresh) = p.get("refresh_token").filter(|t| sessions.refresh_valid(t)) else {
        return invalid_grant("expired access/refresh token");
    };
    let rotated = state.config.rotate_refresh_tokens.then(|| {
        sessions.revoke_refresh(refresh);
        let next = new_refresh_token();
        sessions.add_refresh(next.clone());
        next
    });
    grant(state, &mut sessions, rotated)
}

fn code_grant(state: &Shared, p: &Params) -> Response {
    let verifier = p.get("code_verifier");
    if let Err((error, description)) = check_client(state, p, verifier.is_none()) {
        return oauth_error(error, description);
    }
    let mut sessions = state.sessions();
    let Some(pending) = p.get("code").and_then(|c| sessions.take_code(c)) else {
        return invalid_grant("invalid authorization code");
    };
    if pending.client_id != state.config.consumer_key {
        return invalid_grant("invalid authorization code");
    }
    if p.get("redirect_uri") != Some(&pending.redirect_uri) {
        return invalid_grant("redirect_uri must match configuration");
    }
    if let Some((challenge, method)) = &pending.challenge {
        let ok = verifier.is_some_and(|v| pkce_matches(v, challenge, method));
        if !ok {
            return invalid_grant("invalid code verifier");
        }
    }
    let refresh = new_refresh_token();
    sessions.add_refresh(refresh.clone());
    grant(state, &mut sessions, Some(refresh))
}

fn pkce_matches(verifier: &str, challenge: &str, method: &str) -> bool {
    if method.eq_ignore_ascii_case("plain") {
        return verifier == challenge;
    }
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
}

/// The 200 answer of a successful grant, minting a new access token.
fn grant(state: &Shared, sessions: &mut Sessions, refresh: Option<String>) -> Response {
    let access = new_token(&format!("{}!", &ORG_ID[..15]));
    sessions.add_access(access.clone(), state.config.access_token_ttl);
    let issued_at = chrono::Utc::now().timestamp_millis().to_string();
    let id = format!(
        "{}/id/{ORG_ID}/{}",
        state.url, state.config.integration_user_id
    );
    let signature = STANDARD.encode(hmac_sha256(
        state.config.consumer_secret.as_bytes(),
        format!("{id}{issued_at}").as_bytes(),
    ));
    let mut body = json!({
        "access_token": access,
        "signature": signature,
        "scope": "api refresh_token",
        "instance_url": state.url,
        "id": id,
        "token_type": "Bearer",
        "issued_at": issued_at,
    });
    if let Some(r) = refresh {
        body["refresh_token"] = json!(r);
    }
    json_response(StatusCode::OK, &body)
}

pub fn new_refresh_token() -> String {
    new_token("5Aep861")
}

/// HMAC-SHA256 (RFC 2104), as Salesforce signs `id + issued_at` with the consumer secret.
fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| k.iter().map(|x| x ^ b).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// `GET /services/oauth2/authorize`: the simulated user is logged in and approves.
pub async fn authorize(State(state): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let p: Params = serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default();
    if p.get("client_id") != Some(&state.config.consumer_key) {
        return oauth_error("invalid_client_id", "client identifier invalid");
    }
    let Some(redirect) = p.get("redirect_uri").filter(|r| !r.is_empty()) else {
        return oauth_error(
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        );
    };
    let mut back: Vec<(&str, String)> = Vec::new();
    if p.get("response_type").map(String::as_str) == Some("code") {
        let code = new_token("aPrx");
        let challenge = p.get("code_challenge").map(|c| {
            let method = p.get("code_challenge_method").cloned();
            (c.clone(), method.unwrap_or_else(|| "S256".into()))
        });
        state.sessions().add_code(
            code.clone(),
            PendingCode {
                client_id: state.config.consumer_key.clone(),
                redirect_uri: redirect.clone(),
                challenge,
                expires: Sessions::code_expiry(),
            },
        );
        back.push(("code", code));
    } else {
        back.push(("error", "unsupported_response_type".into()));
        back.push(("error_description", "response type not supported".into()));
    }
    if let Some(s) = p.get("state") {
        back.push(("state", s.clone()));
    }
    let sep = if redirect.contains('?') { '&' } else { '?' };
    let location = format!(
        "{redirect}{sep}{}",
        serde_urlencoded::to_string(&back).unwrap_or_default()
    );
    match HeaderValue::from_str(&location) {
        Ok(v) => (StatusCode::FOUND, [(header::LOCATION, v)]).into_response(),
        Err(_) => oauth_error(
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_rfc7636_vector() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_matches(verifier, challenge, "S256"));
        assert!(!pkce_matches("other", challenge, "S256"));
        assert!(pkce_matches("same", "same", "plain"));
    }

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
