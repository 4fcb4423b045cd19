//! Collections upsert: `PATCH …/composite/sobjects/{object}/{field}`. Each record is created
//! or updated by its external id; the same value twice in one request, or a value several
//! records hold, is DUPLICATE_EXTERNAL_ID for that record; a missing value MISSING_ARGUMENT.

use super::batch::{self, Checked};
use super::{record_type, request};
use crate::salesforce::errors::{json_response, SfError};
use crate::salesforce::org::{Org, WriteRequest};
use crate::salesforce::records::{duplicate_options, object_of};
use crate::salesforce::rules::DuplicateOptions;
use crate::salesforce::schema::Field;
use crate::salesforce::state::Shared;
use crate::salesforce::unique::{key_value, same_value};
use crate::salesforce::upsert::{external_id_field, target, with_key, Target};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// `PATCH /services/data/{version}/composite/sobjects/{object}/{field}`
pub async fn upsert(
    State(state): State<Shared>,
    Path((_version, object, field)): Path<(String, String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    run(&state, &object, &field, uri.path(), &headers, &body)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn run(
    state: &Shared,
    object: &str,
    field: &str,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, SfError> {
    let object = object_of(object)?;
    let (all_or_none, records) = request(body)?;
    let dup = duplicate_options(headers);
    let commit = state.slow_commit(path);
    let (results, ticket) = {
        let mut org = state.org();
        let field = external_id_field(&org, object, field)?;
        let keys: Vec<Option<Value>> = records.iter().map(|r| key_of(r, field)).collect();
        let checked: Vec<Checked> = records
            .iter()
            .zip(&keys)
            .map(|(r, key)| check(&org, object, field, r, key.as_ref(), &keys, dup))
            .collect();
        batch::finish(
            &mut org,
            checked,
            all_or_none,
            &state.config.integration_user_id,
            commit,
        )
    };
    state.settle(ticket).await;
    Ok(json_response(StatusCode::OK, &Value::Array(results)))
}

/// The record's external id value, typed as the field stores it; None when missing.
fn key_of(raw: &Value, field: Field) -> Option<Value> {
    let v = raw
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(field.name))
        .map(|(_, v)| v)?;
    let text = match v {
        Value::String(s) if !s.trim().is_empty() => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    Some(key_value(field.kind, &text))
}

fn shown(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

fn check(
    org: &Org,
    object: &'static str,
    field: Field,
    raw: &Value,
    key: Option<&Value>,
    all: &[Option<Value>],
    dup: DuplicateOptions,
) -> Checked {
    let fail = |error| Checked::Failed { id: None, error };
    let Value::Object(rec) = raw else {
        return fail(SfError::bad(
            "JSON_PARSER_ERROR",
            "Each record must be a JSON object",
        ));
    };
    match record_type(rec) {
        Ok(o) if o == object => {}
        Ok(o) => {
            return fail(SfError::bad(
                "INVALID_TYPE",
                format!("Record of type {o} in a request that upserts {object}"),
            ))
        }
        Err(e) => return fail(e),
    }
    let Some(key) = key else {
        return fail(SfError::bad(
            "MISSING_ARGUMENT",
            format!("{} not specified", field.name),
        ));
    };
    let twice = all
        .iter()
        .flatten()
        .filter(|k| same_value(field.kind, k, key))
        .count()
        > 1;
    let duplicate = || {
        SfError::bad(
            "DUPLICATE_EXTERNAL_ID",
            format!("Duplicate external id specified: {}", shown(key)),
        )
    };
    if twice {
        return fail(duplicate());
    }
    let id = match target(org, object, field, key) {
        Ok(Target::None) => None,
        Ok(Target::One(id)) => Some(id),
        Ok(Target::Many(_)) => return fail(duplicate()),
        Err(e) => return fail(e),
    };
    let mut body = rec.clone();
    body.remove("attributes");
    let body = match with_key(body, field, &shown(key), id.is_none()) {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    let w = WriteRequest {
        object,
        id: id.as_ref(),
        body: &body,
        dup,
    };
    match org.check_write(&w) {
        Ok(changes) => Checked::Ready {
            object,
            creates: id.is_none(),
            id,
            changes,
            reports_created: true,
        },
        Err(error) => Checked::Failed {
            id: id.map(|i| i.to_string()),
            error,
        },
    }
}
