//! sObject Collections: `POST|PATCH …/composite/sobjects` (create, update) and
//! `PATCH …/composite/sobjects/{object}/{field}` (upsert by external id), with up to 200
//! records, per-record results in request order, `allOrNone`, one API call for the whole
//! request, and one transaction (it commits, late or not, as a whole).

mod batch;
mod upsert;

pub use batch::request;
pub use upsert::upsert;

use super::errors::{json_response, SfError};
use super::org::{Org, WriteRequest};
use super::records::{duplicate_options, object_of};
use super::rules::DuplicateOptions;
use super::state::Shared;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use batch::Checked;
use serde_json::Value;
use shared::salesforce::SalesforceId;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Create,
    Update,
}

pub async fn create(
    State(state): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    run(&state, uri.path(), &headers, &body, Mode::Create)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

pub async fn update(
    State(state): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    run(&state, uri.path(), &headers, &body, Mode::Update)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn run(
    state: &Shared,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
    mode: Mode,
) -> Result<Response, SfError> {
    let (all_or_none, records) = request(body)?;
    let dup = duplicate_options(headers);
    let commit = state.slow_commit(path);
    let (results, ticket) = {
        let mut org = state.org();
        // Every record is judged against the org as it was before the call, as in one
        // transaction where the duplicate rules do not see sibling records.
        let checked: Vec<Checked> = records.iter().map(|r| check(&org, r, mode, dup)).collect();
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

/// The object a record names in `attributes.type`, or why not.
pub fn record_type(rec: &serde_json::Map<String, Value>) -> Result<&'static str, SfError> {
    let type_name = rec
        .get("attributes")
        .and_then(|a| a.get("type"))
        .and_then(Value::as_str);
    type_name.and_then(|t| object_of(t).ok()).ok_or_else(|| {
        let msg = match type_name {
            Some(t) => format!("sObject type '{t}' is not supported."),
            None => "Must send a concrete entity type.".to_string(),
        };
        SfError::bad("INVALID_TYPE", msg)
    })
}

fn check(org: &Org, raw: &Value, mode: Mode, dup: DuplicateOptions) -> Checked {
    let fail = |id: Option<&str>, error| Checked::Failed {
        id: id.map(str::to_string),
        error,
    };
    let Value::Object(rec) = raw else {
        return fail(
            None,
            SfError::bad("JSON_PARSER_ERROR", "Each record must be a JSON object"),
        );
    };
    let object = match record_type(rec) {
        Ok(o) => o,
        Err(e) => return fail(None, e),
    };
    let raw_id = rec
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("id"))
        .map(|(_, v)| v.as_str().unwrap_or_default().to_string());
    let mut body = rec.clone();
    body.retain(|k, _| !k.eq_ignore_ascii_case("id"));
    let id = match (mode, raw_id.as_deref()) {
        (Mode::Create, Some(_)) => {
            return fail(
                None,
                SfError::bad("INVALID_FIELD", "cannot specify Id in an insert call"),
            )
        }
        (Mode::Create, None) => None,
        (Mode::Update, None) => {
            return fail(
                None,
                SfError::bad("MISSING_ARGUMENT", "Id not specified in an update call"),
            )
        }
        (Mode::Update, Some(raw)) => match SalesforceId::parse(raw) {
            Ok(id) if org.store.locked(object, id.as_str()) => {
                return fail(Some(raw), SfError::unable_to_lock(id.as_str()))
            }
            Ok(id) if org.store.get(object, id.as_str()).is_some() => Some(id),
            Ok(_) => {
                let e = SfError::bad("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id");
                return fail(Some(raw), e);
            }
            Err(_) => {
                return fail(
                    Some(raw),
                    SfError::bad("MALFORMED_ID", format!("malformed id {raw}")),
                )
            }
        },
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
            reports_created: false,
        },
        Err(error) => Checked::Failed {
            id: id.map(|i| i.to_string()),
            error,
        },
    }
}
