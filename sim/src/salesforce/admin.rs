//! `/__sim/…`: the same controls as the Rust handle, over HTTP and JSON, so another process
//! (the CLI, a Lambda under `cargo lambda watch`) can drive the simulator.

use super::matching::DuplicateRuleKind;
use super::rules::{Operation, ValidationRule};
use super::schema::{self, CustomField, FieldAccess};
use super::state::Shared;
use crate::faults::Faults;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/__sim/counters", get(counters))
        .route("/__sim/reset-counters", post(reset_counters))
        .route("/__sim/faults", get(get_faults).post(set_faults))
        .route("/__sim/refresh-token", post(refresh_token))
        .route("/__sim/revoke-refresh-token", post(revoke_refresh_token))
        .route("/__sim/expire-tokens", post(expire_tokens))
        .route("/__sim/records/{object}", get(records).post(seed))
        .route(
            "/__sim/records/{object}/{id}",
            get(record).patch(edit_as_person).delete(delete),
        )
        .route("/__sim/records/{object}/{id}/undelete", post(undelete))
        .route("/__sim/commit-pending", post(commit_pending))
        .route("/__sim/pending-commits", get(pending_commits))
        .route("/__sim/duplicate-rules", post(duplicate_rules))
        .route("/__sim/fields/{object}", post(add_field))
        .route("/__sim/field-access", post(field_access))
        .route("/__sim/validation-rules", post(validation_rule))
        .route("/__sim/deny", post(deny))
        .route("/__sim/api-usage", get(api_usage).post(set_api_usage))
}

/// A rejected admin request: 400 with `{"error": why}`.
struct Bad(String);

impl IntoResponse for Bad {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, Json(json!({"error": self.0}))).into_response()
    }
}

fn bad(msg: impl Into<String>) -> Response {
    Bad(msg.into()).into_response()
}

/// Parses a JSON body or answers 400 with why.
fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, Bad> {
    serde_json::from_slice(body).map_err(|e| Bad(format!("invalid JSON body: {e}")))
}

fn object(name: &str) -> Result<&'static str, Bad> {
    schema::object(name).ok_or_else(|| Bad(format!("unknown object {name}")))
}

async fn counters(State(s): State<Shared>) -> Response {
    Json(s.counters.snapshot()).into_response()
}

async fn reset_counters(State(s): State<Shared>) -> StatusCode {
    s.counters.reset();
    StatusCode::NO_CONTENT
}

async fn get_faults(State(s): State<Shared>) -> Response {
    Json(s.faults.get()).into_response()
}

async fn set_faults(State(s): State<Shared>, body: Bytes) -> Response {
    match parse::<Faults>(&body) {
        Ok(f) => {
            s.faults.set(f);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(r) => r.into_response(),
    }
}

async fn refresh_token(State(s): State<Shared>) -> Response {
    Json(json!({"refresh_token": s.issue_refresh_token()})).into_response()
}

#[derive(Deserialize)]
struct Token {
    refresh_token: String,
}

async fn revoke_refresh_token(State(s): State<Shared>, body: Bytes) -> Response {
    match parse::<Token>(&body) {
        Ok(t) => {
            s.sessions().revoke_refresh(&t.refresh_token);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(r) => r.into_response(),
    }
}

async fn expire_tokens(State(s): State<Shared>) -> StatusCode {
    s.sessions().expire_access();
    StatusCode::NO_CONTENT
}

/// Body: one record object, or an array of them. Answers the new Ids.
async fn seed(State(s): State<Shared>, Path(name): Path<String>, body: Bytes) -> Response {
    let object = match object(&name) {
        Ok(o) => o,
        Err(r) => return r.into_response(),
    };
    let items = match parse::<Value>(&body) {
        Ok(Value::Array(items)) => items,
        Ok(one @ Value::Object(_)) => vec![one],
        Ok(_) => return bad("expected a record object or an array of them"),
        Err(r) => return r.into_response(),
    };
    let ids: Vec<String> = items
        .iter()
        .filter_map(|fields| s.seed(object, fields))
        .map(|id| id.to_string())
        .collect();
    (StatusCode::CREATED, Json(json!({"ids": ids}))).into_response()
}

async fn records(State(s): State<Shared>, Path(name): Path<String>) -> Response {
    match object(&name) {
        Ok(o) => Json(s.records(o)).into_response(),
        Err(r) => r.into_response(),
    }
}

async fn record(State(s): State<Shared>, Path((name, id)): Path<(String, String)>) -> Response {
    match s.record(&name, &id) {
        Some(r) => Json(r).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "no such record"})),
        )
            .into_response(),
    }
}

async fn edit_as_person(
    State(s): State<Shared>,
    Path((name, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let fields = match parse::<Value>(&body) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    if s.edit_as_person(&name, &id, &fields) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "no such record"})),
        )
            .into_response()
    }
}

/// A person deletes the record in the UI (204; 404 when there is no such live record).
async fn delete(State(s): State<Shared>, Path((name, id)): Path<(String, String)>) -> Response {
    recycle(&s, &name, &id, true)
}

/// A person restores the record from the recycle bin (204; 404 when it is not there).
async fn undelete(State(s): State<Shared>, Path((name, id)): Path<(String, String)>) -> Response {
    recycle(&s, &name, &id, false)
}

fn recycle(s: &Shared, name: &str, id: &str, deleted: bool) -> Response {
    if s.set_deleted_as_person(name, id, deleted) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        let error = if deleted {
            "no such live record"
        } else {
            "no such record in the recycle bin"
        };
        (StatusCode::NOT_FOUND, Json(json!({"error": error}))).into_response()
    }
}

/// Commits every slow write now: `{"committed": n}`.
async fn commit_pending(State(s): State<Shared>) -> Response {
    Json(json!({"committed": s.commit_pending_now()})).into_response()
}

async fn pending_commits(State(s): State<Shared>) -> Response {
    Json(json!({"pending": s.org().store.pending_len()})).into_response()
}

/// Body: a [`CustomField`]. 204, or 400 with why Setup would refuse it.
async fn add_field(State(s): State<Shared>, Path(name): Path<String>, body: Bytes) -> Response {
    let added = object(&name).and_then(|o| {
        let field = parse::<CustomField>(&body)?;
        s.org().store.schema.add_custom(o, field).map_err(Bad)
    });
    match added {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(r) => r.into_response(),
    }
}

#[derive(Deserialize)]
struct Access {
    object: String,
    field: String,
    access: FieldAccess,
}

/// Body: `{"object":"Account","field":"Phone","access":"hidden"|"read_only"|"read_write"}`.
async fn field_access(State(s): State<Shared>, body: Bytes) -> Response {
    let set = parse::<Access>(&body).and_then(|a| {
        let o = object(&a.object)?;
        s.org()
            .store
            .schema
            .set_access(o, &a.field, a.access)
            .map_err(Bad)
    });
    match set {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(r) => r.into_response(),
    }
}

/// Body: `{"object":"Contact","enabled":true}` (standard or off), or
/// `{"object":"Contact","kind":"standard"|"off"|{"custom":{"fields":["Email"]}}}`, and for
/// the Contact rule optionally `"match_leads":true`.
#[derive(Deserialize)]
struct DuplicateRule {
    object: String,
    enabled: Option<bool>,
    kind: Option<DuplicateRuleKind>,
    match_leads: Option<bool>,
}

async fn duplicate_rules(State(s): State<Shared>, body: Bytes) -> Response {
    let rule = match parse::<DuplicateRule>(&body) {
        Ok(r) => r,
        Err(r) => return r.into_response(),
    };
    let o = match object(&rule.object) {
        Ok(o) => o,
        Err(r) => return r.into_response(),
    };
    if rule.match_leads.is_some() && o != "Contact" {
        return bad("match_leads is an option of the Contact rule");
    }
    let kind = match (rule.kind, rule.enabled) {
        (Some(kind), _) => Some(kind),
        (None, Some(true)) => Some(DuplicateRuleKind::Standard),
        (None, Some(false)) => Some(DuplicateRuleKind::Off),
        (None, None) if rule.match_leads.is_some() => None,
        (None, None) => return bad("give kind, enabled or match_leads"),
    };
    let mut org = s.org();
    if let Some(DuplicateRuleKind::Custom { fields }) = &kind {
        if let Some(f) = fields
            .iter()
            .find(|f| org.store.schema.field(o, f).is_none())
        {
            return bad(format!("{o} has no field {f}"));
        }
    }
    if let Some(kind) = kind {
        org.rules.set_duplicate_rule_kind(o, kind);
    }
    if let Some(on) = rule.match_leads {
        org.rules.set_contact_matches_leads(on);
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn validation_rule(State(s): State<Shared>, body: Bytes) -> Response {
    match parse::<ValidationRule>(&body) {
        Ok(rule) => {
            s.org().rules.add_validation_rule(rule);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(r) => r.into_response(),
    }
}

#[derive(Deserialize)]
struct Deny {
    object: String,
    operation: Operation,
}

async fn deny(State(s): State<Shared>, body: Bytes) -> Response {
    let d = match parse::<Deny>(&body) {
        Ok(d) => d,
        Err(r) => return r.into_response(),
    };
    match object(&d.object) {
        Ok(o) => {
            s.org().rules.deny(o, d.operation);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(r) => r.into_response(),
    }
}

async fn api_usage(State(s): State<Shared>) -> Response {
    let used = s.org().api_used;
    Json(json!({"used": used, "max": s.config.daily_api_limit})).into_response()
}

#[derive(Deserialize)]
struct Usage {
    used: u64,
}

async fn set_api_usage(State(s): State<Shared>, body: Bytes) -> Response {
    match parse::<Usage>(&body) {
        Ok(u) => {
            s.org().api_used = u.used;
            StatusCode::NO_CONTENT.into_response()
        }
        Err(r) => r.into_response(),
    }
}
