//! Upsert by external id, one record: `PATCH …/sobjects/{object}/{field}/{value}`. No record
//! holds the value: create (201, `created: true`); one does: update it (200,
//! `created: false`); several do: 300 with their URLs. Safe to send twice: the second
//! updates what the first created.

use super::duplicates::record_url;
use super::errors::{json_response, SfError};
use super::org::{Org, WriteRequest};
use super::records::{duplicate_options, object_of, record_body};
use super::schema::Field;
use super::state::Shared;
use super::store::Record;
use super::unique::{holders, key_value, same_value};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde_json::{json, Value};
use shared::salesforce::SalesforceId;

/// The external-id field named in a path, as the integration user sees it.
pub fn external_id_field(org: &Org, object: &str, name: &str) -> Result<Field, SfError> {
    org.store
        .schema
        .api_field(object, name)
        .filter(|f| f.external_id)
        .ok_or_else(|| SfError::not_an_id(name))
}

/// Who holds an external id value now.
pub enum Target {
    None,
    One(SalesforceId),
    Many(Vec<SalesforceId>),
}

pub fn target(org: &Org, object: &str, field: Field, value: &Value) -> Result<Target, SfError> {
    let rows = holders(&org.store, object, field, value, None)?;
    let mut ids: Vec<SalesforceId> = rows
        .iter()
        .filter_map(|r| r.get("Id").and_then(Value::as_str))
        .filter_map(|id| SalesforceId::parse(id).ok())
        .collect();
    Ok(match ids.len() {
        0 => Target::None,
        1 => Target::One(ids.remove(0)),
        _ => Target::Many(ids),
    })
}

/// The body with the external id checked: present, it must agree (and is kept as spelled);
/// absent, a create takes the value from the URL and an update leaves the stored one.
pub fn with_key(
    mut body: Record,
    field: Field,
    raw: &str,
    creates: bool,
) -> Result<Record, SfError> {
    let key = key_value(field.kind, raw);
    let sent = body
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(field.name))
        .map(|(k, v)| (k.clone(), v.clone()));
    match sent {
        Some((_, v)) if same_value(field.kind, &v, &key) => return Ok(body),
        Some((_, v)) if !v.is_null() => {
            return Err(SfError::bad(
                "INVALID_FIELD",
                format!(
                    "The value of {} in the record ({v}) differs from the external id it is upserted by ({raw})",
                    field.name
                ),
            )
            .fields(&[field.name]))
        }
        _ => {}
    }
    body.retain(|k, _| !k.eq_ignore_ascii_case(field.name));
    if creates {
        body.insert(field.name.to_string(), key);
    }
    Ok(body)
}

/// `PATCH /services/data/{version}/sobjects/{object}/{field}/{value}`
pub async fn upsert(
    State(state): State<Shared>,
    Path((_version, object, field, value)): Path<(String, String, String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, SfError> {
    let object = object_of(&object)?;
    let body = record_body(&body)?;
    let commit = state.slow_commit(uri.path());
    let (status, written) = {
        let mut org = state.org();
        let field = external_id_field(&org, object, &field)?;
        let id = match target(&org, object, field, &key_value(field.kind, &value))? {
            Target::None => None,
            Target::One(id) => Some(id),
            Target::Many(ids) => {
                let urls: Vec<String> = ids
                    .iter()
                    .map(|id| record_url(object, id.as_str()))
                    .collect();
                return Ok(json_response(StatusCode::MULTIPLE_CHOICES, &json!(urls)));
            }
        };
        let body = with_key(body, field, &value, id.is_none())?;
        let w = WriteRequest {
            object,
            id: id.as_ref(),
            body: &body,
            dup: duplicate_options(&headers),
        };
        let status = if id.is_some() {
            StatusCode::OK
        } else {
            StatusCode::CREATED
        };
        (
            status,
            org.write(&w, &state.config.integration_user_id, commit)?,
        )
    };
    state.settle(written.ticket).await;
    let out = json!({
        "id": written.id.as_str(),
        "success": true,
        "errors": [],
        "created": status == StatusCode::CREATED,
    });
    Ok(json_response(status, &out))
}
