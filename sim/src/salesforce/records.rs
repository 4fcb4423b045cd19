//! Single-record sObject routes: create, read (optionally `?fields=`), update and delete.

use super::duplicates::record_url;
use super::errors::{json_body, json_response, SfError};
use super::org::WriteRequest;
use super::rules::{DuplicateOptions, Operation};
use super::schema;
use super::state::Shared;
use super::store::{is_deleted, Record};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use shared::salesforce::SalesforceId;

/// The object named in a path; an unknown one is a missing resource, as on the platform.
pub fn object_of(name: &str) -> Result<&'static str, SfError> {
    schema::object(name).ok_or_else(SfError::not_found)
}

/// The Id in a path: not an Id at all, or an Id of another object, is a 404.
pub fn id_of(object: &str, raw: &str) -> Result<SalesforceId, SfError> {
    let id = SalesforceId::parse(raw).map_err(|_| SfError::not_an_id(raw))?;
    if id.key_prefix() != schema::key_prefix(object) {
        return Err(SfError::not_found());
    }
    Ok(id)
}

/// The JSON object a write sends.
pub fn record_body(bytes: &[u8]) -> Result<Record, SfError> {
    match json_body(bytes)? {
        Value::Object(m) => Ok(m),
        other => Err(SfError::bad(
            "JSON_PARSER_ERROR",
            format!(
                "Cannot deserialize instance of SObject out of {} token",
                if other.is_array() {
                    "START_ARRAY"
                } else {
                    "VALUE_STRING"
                }
            ),
        )),
    }
}

pub fn duplicate_options(headers: &HeaderMap) -> DuplicateOptions {
    DuplicateOptions::from_header(
        headers
            .get("sforce-duplicate-rule-header")
            .and_then(|v| v.to_str().ok()),
    )
}

/// `POST /services/data/{version}/sobjects/{object}/`
pub async fn create(
    State(state): State<Shared>,
    Path((_version, object)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, SfError> {
    let object = object_of(&object)?;
    let body = record_body(&body)?;
    let w = WriteRequest {
        object,
        id: None,
        body: &body,
        dup: duplicate_options(&headers),
    };
    let commit = state.slow_commit(uri.path());
    let written = state
        .org()
        .write(&w, &state.config.integration_user_id, commit)?;
    state.settle(written.ticket).await;
    let out = json!({"id": written.id.as_str(), "success": true, "errors": []});
    Ok(json_response(StatusCode::CREATED, &out))
}

/// `PATCH /services/data/{version}/sobjects/{object}/{id}`
pub async fn update(
    State(state): State<Shared>,
    Path((_version, object, id)): Path<(String, String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, SfError> {
    let object = object_of(&object)?;
    let id = id_of(object, &id)?;
    let body = record_body(&body)?;
    let w = WriteRequest {
        object,
        id: Some(&id),
        body: &body,
        dup: duplicate_options(&headers),
    };
    let commit = state.slow_commit(uri.path());
    let written = state
        .org()
        .write(&w, &state.config.integration_user_id, commit)?;
    state.settle(written.ticket).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /services/data/{version}/sobjects/{object}/{id}`: into the recycle bin.
pub async fn delete(
    State(state): State<Shared>,
    Path((_version, object, id)): Path<(String, String, String)>,
    uri: Uri,
) -> Result<Response, SfError> {
    let object = object_of(&object)?;
    let id = id_of(object, &id)?;
    let commit = state.slow_commit(uri.path());
    let ticket = {
        let mut org = state.org();
        org.rules.check_access(object, Operation::Delete)?;
        org.target(object, &id).map_err(|e| match e.code {
            "ENTITY_IS_DELETED" => SfError {
                status: StatusCode::NOT_FOUND,
                ..e
            },
            _ => e,
        })?;
        org.set_deleted(object, &id, true, &state.config.integration_user_id, commit)
    };
    state.settle(ticket).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /services/data/{version}/sobjects/{object}/{id}[?fields=A,B]`
pub async fn get(
    State(state): State<Shared>,
    Path((_version, object, id)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, SfError> {
    let object = object_of(&object)?;
    let id = id_of(object, &id)?;
    let params: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let wanted = params
        .into_iter()
        .find_map(|(k, v)| (k == "fields").then_some(v));
    let org = state.org();
    let fields = match wanted {
        None => org
            .store
            .schema
            .api_fields(object)
            .map(|f| f.name)
            .collect(),
        Some(list) => requested_fields(&org.store.schema, object, &list)?,
    };
    // Without read access the object does not exist for this user.
    org.rules
        .check_access(object, Operation::Read)
        .map_err(|_| SfError::not_found())?;
    let rec = org
        .store
        .get(object, id.as_str())
        .ok_or_else(SfError::not_found)?;
    if is_deleted(rec) {
        return Err(SfError {
            status: StatusCode::NOT_FOUND,
            ..SfError::entity_is_deleted()
        });
    }
    let mut out = json!({"attributes": {"type": object, "url": record_url(object, id.as_str())}});
    for f in fields {
        out[f] = rec.get(f).cloned().unwrap_or(Value::Null);
    }
    Ok(json_response(StatusCode::OK, &out))
}

/// `?fields=` names, canonical, with Id always included.
fn requested_fields(
    schema: &schema::Schema,
    object: &str,
    list: &str,
) -> Result<Vec<&'static str>, SfError> {
    let mut out = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let f = schema.api_field(object, name).ok_or_else(|| {
            SfError::bad(
                "INVALID_FIELD",
                format!("No such column '{name}' on entity '{object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."),
            )
        })?;
        if !out.contains(&f.name) {
            out.push(f.name);
        }
    }
    if !out.contains(&"Id") {
        out.push("Id");
    }
    Ok(out)
}
