//! The gate in front of every data route: API version, bearer session, and the daily request
//! allowance; plus the `Sforce-Limit-Info` header every data response carries.

use super::errors::SfError;
use super::state::Shared;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// `v64.0` and the like (Salesforce's REST API starts at v20.0).
fn known_version(v: &str) -> bool {
    let Some((major, minor)) = v.strip_prefix('v').and_then(|r| r.split_once('.')) else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    digits(major) && minor == "0" && major.parse::<u32>().is_ok_and(|m| m >= 20)
}

fn bearer(req: &Request) -> Option<&str> {
    let raw = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = raw.split_once(' ')?;
    // Salesforce also accepts the older `OAuth <token>` scheme.
    let ok = scheme.eq_ignore_ascii_case("Bearer") || scheme.eq_ignore_ascii_case("OAuth");
    ok.then_some(token.trim())
}

/// Checks version, session and allowance, then counts the call against the allowance.
pub async fn guard(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let version = req.uri().path().split('/').nth(3).unwrap_or("");
    if !known_version(version) {
        return SfError::not_found().into_response();
    }
    let authorized = bearer(&req).is_some_and(|t| state.sessions().access_valid(t));
    if !authorized {
        let mut r = SfError::session().into_response();
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
        return r;
    }
    {
        let mut org = state.org();
        if org.api_used >= state.config.daily_api_limit {
            return SfError::new(
                StatusCode::FORBIDDEN,
                "REQUEST_LIMIT_EXCEEDED",
                "TotalRequests Limit exceeded.",
            )
            .into_response();
        }
        org.api_used += 1;
    }
    next.run(req).await
}

/// `GET /services/data/{version}/limits`: the org's allowances (this call already counted).
pub async fn limits(State(state): State<Shared>) -> Response {
    let used = state.org().api_used;
    let max = state.config.daily_api_limit;
    let body = serde_json::json!({
        "DailyApiRequests": {"Max": max, "Remaining": max.saturating_sub(used)},
    });
    super::errors::json_response(StatusCode::OK, &body)
}

/// Adds `Sforce-Limit-Info: api-usage=USED/MAX` to every data response, faults included.
pub async fn stamp(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let used = state.org().api_used;
    let info = format!("api-usage={used}/{}", state.config.daily_api_limit);
    if let Ok(v) = HeaderValue::from_str(&info) {
        resp.headers_mut().insert("sforce-limit-info", v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::known_version;

    #[test]
    fn versions() {
        assert!(known_version("v64.0"));
        assert!(known_version("v20.0"));
        assert!(!known_version("v64"));
        assert!(!known_version("64.0"));
        assert!(!known_version("v19.0"));
        assert!(!known_version("vX.0"));
        assert!(!known_version("v64.1"));
        assert!(!known_version(""));
    }
}
