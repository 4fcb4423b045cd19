//! `POST /customers/v2/External/LookupSpecial` and `…/UpdateExternalId`: the links between
//! iPaaS.com records and records in other systems.

use super::problem::{json_response, FieldErrors, Problem};
use super::schema::{Kind, TEXT_MAX};
use super::state::Shared;
use super::validate::root_error;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

/// 200 with the link, 404 when `external_id` is not linked.
pub async fn lookup(State(s): State<Shared>, body: Bytes) -> Response {
    let req = match parse(&body, false) {
        Ok(r) => r,
        Err(e) => return Problem::Validation(e).into_response(),
    };
    let found = s.tenant().lookup(req.kind, req.system_id, &req.external_id);
    match found {
        Some(link) => json_response(StatusCode::OK, &link.to_json()),
        None => Problem::NotFound(format!(
            "No {} is linked to external id '{}' in system {}.",
            req.kind.table_name(),
            req.external_id,
            req.system_id
        ))
        .into_response(),
    }
}

/// Creates or replaces the link of record `internal_id` for `system_id`; 404 when there
/// is no such record.
pub async fn update_external_id(State(s): State<Shared>, body: Bytes) -> Response {
    let req = match parse(&body, true) {
        Ok(r) => r,
        Err(e) => return Problem::Validation(e).into_response(),
    };
    let internal_id = req.internal_id.unwrap_or_default();
    let written = s
        .tenant()
        .write_link(req.kind, req.system_id, &req.external_id, internal_id);
    match written {
        Some(link) => json_response(StatusCode::OK, &link.to_json()),
        None => Problem::NotFound(format!(
            "{} {internal_id} was not found.",
            req.kind.table_name()
        ))
        .into_response(),
    }
}

struct LinkRequest {
    kind: Kind,
    system_id: u64,
    external_id: String,
    internal_id: Option<u64>,
}

fn parse(body: &[u8], needs_internal: bool) -> Result<LinkRequest, FieldErrors> {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return Err(root_error());
    };
    let mut errors = FieldErrors::new();
    let mut err = |k: &str, m: &str| errors.entry(k.to_string()).or_default().push(m.to_string());
    let kind = match str_field(&body, "table_name") {
        None => {
            err("table_name", "The table_name field is required.");
            None
        }
        Some(t) => {
            let kind = Kind::from_table_name(t);
            if kind.is_none() {
                err(
                    "table_name",
                    "The table_name must be 'Customer' or 'Company'.",
                );
            }
            kind
        }
    };
    let system_id = body.get("system_id").and_then(Value::as_u64);
    if system_id.is_none() {
        err(
            "system_id",
            "The system_id field is required and must be an integer.",
        );
    }
    let external_id = str_field(&body, "external_id").map(str::to_string);
    match &external_id {
        None => err("external_id", "The external_id field is required."),
        Some(e) if e.chars().count() > TEXT_MAX => err(
            "external_id",
            "The field external_id must be a string with a maximum length of 1000.",
        ),
        Some(_) => {}
    }
    let internal_id = body.get("internal_id").and_then(Value::as_u64);
    if needs_internal && internal_id.is_none() {
        err(
            "internal_id",
            "The internal_id field is required and must be an integer.",
        );
    }
    match (kind, system_id, external_id) {
        (Some(kind), Some(system_id), Some(external_id)) if errors.is_empty() => Ok(LinkRequest {
            kind,
            system_id,
            external_id,
            internal_id,
        }),
        _ => Err(errors),
    }
}

/// A non-empty string field.
fn str_field<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}
