//! iPaaS.com's error bodies: ASP.NET problem details (`application/problem+json`), and the
//! JSON answers of successful calls.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Field name -> messages, the `errors` member of a 400.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

const PROBLEM_JSON: &str = "application/problem+json; charset=utf-8";
const JSON: &str = "application/json; charset=utf-8";

/// A problem-details answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    Validation(FieldErrors),
    Unauthorized(&'static str),
    NotFound(String),
    Status(StatusCode),
}

impl Problem {
    /// A 400 with one message for one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.insert(field.to_string(), vec![message.into()]);
        Problem::Validation(errors)
    }

    pub fn body(&self) -> Value {
        match self {
            Problem::Validation(errors) => json!({
                "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                "title": "One or more validation errors occurred.",
                "status": 400,
                "errors": errors,
            }),
            Problem::Unauthorized(detail) => json!({
                "title": "Unauthorized", "status": 401, "detail": detail,
            }),
            Problem::NotFound(detail) => json!({
                "title": "Not Found", "status": 404, "detail": detail,
            }),
            Problem::Status(status) => json!({
                "title": status.canonical_reason().unwrap_or("Error"),
                "status": status.as_u16(),
                "detail": transient_detail(*status),
            }),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Problem::Validation(_) => StatusCode::BAD_REQUEST,
            Problem::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Problem::NotFound(_) => StatusCode::NOT_FOUND,
            Problem::Status(s) => *s,
        }
    }
}

fn transient_detail(status: StatusCode) -> &'static str {
    match status {
        StatusCode::TOO_MANY_REQUESTS => "Too many requests. Retry after the time in Retry-After.",
        StatusCode::SERVICE_UNAVAILABLE => "The service is temporarily unavailable.",
        StatusCode::BAD_GATEWAY => "An upstream service did not answer.",
        StatusCode::GATEWAY_TIMEOUT => "An upstream service did not answer in time.",
        StatusCode::UNAUTHORIZED => "The API key is missing, wrong or expired.",
        _ => "An unexpected error occurred.",
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut resp = with_type(status, &self.body(), PROBLEM_JSON);
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

/// A JSON answer with ASP.NET's content type.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    with_type(status, body, JSON)
}

fn with_type(status: StatusCode, body: &Value, content_type: &'static str) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

/// Renders an injected fault (the fault layer sets the status and Retry-After).
pub fn render_fault(status: StatusCode) -> Response {
    if status == StatusCode::UNAUTHORIZED {
        return Problem::Unauthorized(transient_detail(status)).into_response();
    }
    Problem::Status(status).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_follow_problem_details() {
        let v = Problem::field("last_name", "The last_name field is required.").body();
        assert_eq!(v["status"], 400);
        assert_eq!(v["title"], "One or more validation errors occurred.");
        assert_eq!(
            v["errors"]["last_name"][0],
            "The last_name field is required."
        );
        let v = Problem::NotFound("Customer 9 was not found.".into()).body();
        assert_eq!(
            (v["title"].as_str(), v["status"].as_u64()),
            (Some("Not Found"), Some(404))
        );
        let v = Problem::Status(StatusCode::SERVICE_UNAVAILABLE).body();
        assert_eq!(v["title"], "Service Unavailable");
        assert_eq!(v["status"], 503);
    }

    #[test]
    fn unauthorized_challenges_bearer() {
        let resp = render_fault(StatusCode::UNAUTHORIZED);
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(resp.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(resp.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
    }
}
