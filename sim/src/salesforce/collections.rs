//! sObject Collections: `POST|PATCH …/composite/sobjects` with up to 200 records, per-record
//! results in request order, `allOrNone`, and one API call for the whole request.

use super::errors::{json_response, SfError};
use super::org::{Commit, Org, WriteRequest};
use super::records::{duplicate_options, object_of, record_body};
use super::rules::DuplicateOptions;
use super::state::Shared;
use super::store::{Record, Ticket};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use shared::salesforce::SalesforceId;

const MAX_RECORDS: usize = 200;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Create,
    Update,
}

/// One record's fate after the checks: ready to save, or failed.
enum Checked {
    Ready {
        object: &'static str,
        id: Option<SalesforceId>,
        changes: Record,
    },
    Failed {
        id: Option<String>,
        error: SfError,
    },
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

/// The request's `allOrNone` and `records`, with the 200-record cap.
pub fn request(body: &[u8]) -> Result<(bool, Vec<Value>), SfError> {
    let mut body = record_body(body)?;
    let all_or_none = body
        .get("allOrNone")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let records = match body.remove("records") {
        Some(Value::Array(r)) => r,
        _ => {
            return Err(SfError::bad(
                "INVALID_FIELD",
                "The records field is required and must be an array of sObjects",
            ))
        }
    };
    if records.len() > MAX_RECORDS {
        return Err(SfError::bad(
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 200 records into this call",
        ));
    }
    Ok((all_or_none, records))
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
    let user = state.config.integration_user_id.clone();
    // One request is one transaction: it commits (late or not) as a whole.
    let commit = state.slow_commit(path);
    let mut ticket = None;
    let results = {
        let mut org = state.org();
        write_all(
            &mut org,
            &records,
            mode,
            dup,
            &user,
            commit,
            all_or_none,
            &mut ticket,
        )
    };
    state.settle(ticket).await;
    Ok(json_response(StatusCode::OK, &Value::Array(results)))
}

#[allow(clippy::too_many_arguments)]
fn write_all(
    org: &mut Org,
    records: &[Value],
    mode: Mode,
    dup: DuplicateOptions,
    user: &str,
    commit: Commit,
    all_or_none: bool,
    ticket: &mut Option<Ticket>,
) -> Vec<Value> {
    // Every record is judged against the org as it was before the call, as in one transaction
    // where the duplicate rules do not see sibling records.
    let checked: Vec<Checked> = records.iter().map(|r| check(org, r, mode, dup)).collect();
    let any_failed = checked.iter().any(|c| matches!(c, Checked::Failed { .. }));
    checked
        .into_iter()
        .map(|c| match c {
            Checked::Failed { id, error } => failure(id, &error),
            Checked::Ready { id, .. } if all_or_none && any_failed => {
                failure(id.map(|i| i.to_string()), &rolled_back())
            }
            Checked::Ready {
                object,
                id,
                changes,
            } => {
                let written = org.save(object, id.as_ref(), &changes, user, commit);
                *ticket = ticket.or(written.ticket);
                json!({"id": written.id.as_str(), "success": true, "errors": []})
            }
        })
        .collect()
}

pub fn failure(id: Option<String>, e: &SfError) -> Value {
    let mut v = json!({"success": false, "errors": [e.collection_json()]});
    if let Some(id) = id {
        v["id"] = json!(id);
    }
    v
}

pub fn rolled_back() -> SfError {
    SfError::bad(
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "Record rolled back because not all records were valid and the request was using AllOrNone header",
    )
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
    let type_name = rec
        .get("attributes")
        .and_then(|a| a.get("type"))
        .and_then(Value::as_str);
    let Some(object) = type_name.and_then(|t| object_of(t).ok()) else {
        let msg = match type_name {
            Some(t) => format!("sObject type '{t}' is not supported."),
            None => "Must send a concrete entity type.".to_string(),
        };
        return fail(None, SfError::bad("INVALID_TYPE", msg));
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
            id,
            changes,
        },
        Err(error) => Checked::Failed {
            id: id.map(|i| i.to_string()),
            error,
        },
    }
}
