//! Salesforce's error bodies: a JSON array of `{message, errorCode, fields?}` for REST calls,
//! `{statusCode, message, fields}` inside sObject Collections results.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct SfError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<String>,
    /// The duplicate rule's verdict, for DUPLICATES_DETECTED.
    pub duplicate_result: Option<Value>,
}

impl SfError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        SfError {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
            duplicate_result: None,
        }
    }

    /// A 400, the status of nearly every rejected write.
    pub fn bad(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn fields<S: AsRef<str>>(mut self, fields: &[S]) -> Self {
        self.fields = fields.iter().map(|s| s.as_ref().to_string()).collect();
        self
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        )
    }

    /// A path segment that is not an Id is read as an external Id field name.
    pub fn not_an_id(raw: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Provided external ID field does not exist or is not accessible: {raw}"),
        )
    }

    /// A record in the recycle bin, read or written (400 on write, 404 on read).
    pub fn entity_is_deleted() -> Self {
        Self::bad("ENTITY_IS_DELETED", "entity is deleted")
    }

    /// A row whose change another transaction has not committed yet.
    pub fn unable_to_lock(id: &str) -> Self {
        Self::bad(
            "UNABLE_TO_LOCK_ROW",
            format!("unable to obtain exclusive access to this record or 1 records: {id}"),
        )
    }

    pub fn session() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "Session expired or invalid",
        )
    }

    /// As one element of a REST error array.
    pub fn rest_json(&self) -> Value {
        let mut v = json!({"message": self.message, "errorCode": self.code});
        if !self.fields.is_empty() || self.duplicate_result.is_some() {
            v["fields"] = json!(self.fields);
        }
        if let Some(d) = &self.duplicate_result {
            v["duplicateResult"] = d.clone();
        }
        v
    }

    /// As one element of an sObject Collections result's `errors`.
    pub fn collection_json(&self) -> Value {
        json!({"statusCode": self.code, "message": self.message, "fields": self.fields})
    }
}

impl IntoResponse for SfError {
    fn into_response(self) -> Response {
        json_response(self.status, &json!([self.rest_json()]))
    }
}

/// A JSON response with Salesforce's content type.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    r
}

/// Parses a request body as JSON, as Salesforce's parser complains about it.
pub fn json_body(bytes: &[u8]) -> Result<Value, SfError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let at = format!("at [line:{}, column:{}]", e.line(), e.column());
        SfError::bad(
            "JSON_PARSER_ERROR",
            format!("Unexpected character ({e}) {at}"),
        )
    })
}

/// The fault injector's bodies, in Salesforce's dialect.
pub fn render_fault(status: StatusCode) -> Response {
    let (code, message) = match status {
        StatusCode::UNAUTHORIZED => ("INVALID_SESSION_ID", "Session expired or invalid"),
        StatusCode::SERVICE_UNAVAILABLE => (
            "SERVER_UNAVAILABLE",
            "Server temporarily unavailable. Please try again later.",
        ),
        StatusCode::TOO_MANY_REQUESTS => (
            "REQUEST_LIMIT_EXCEEDED",
            "ConcurrentPerOrgLongTxn Limit exceeded.",
        ),
        _ => (
            "UNKNOWN_EXCEPTION",
            "An unexpected error occurred. Please include this ErrorId if you contact support: 1868551720-58301 (-1571893546)",
        ),
    };
    json_response(status, &json!([{"message": message, "errorCode": code}]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_and_collection_shapes() {
        let e = SfError::bad(
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [Name]",
        )
        .fields(&["Name"]);
        assert_eq!(
            e.rest_json(),
            json!({"message": "Required fields are missing: [Name]", "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["Name"]})
        );
        assert_eq!(e.collection_json()["statusCode"], "REQUIRED_FIELD_MISSING");
        let bare = SfError::not_found().rest_json();
        assert!(bare.get("fields").is_none());
    }
}
