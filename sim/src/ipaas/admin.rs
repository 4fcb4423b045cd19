//! `/__sim/…`: the same controls as the Rust handle, over HTTP and JSON, so another process
//! (the CLI, a Lambda under `cargo lambda watch`) can drive the tenant. No API key, not
//! counted, not faulted.

use super::schema::Kind;
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
use std::time::Duration;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/__sim/counters", get(counters))
        .route("/__sim/reset-counters", post(reset_counters))
        .route("/__sim/faults", get(get_faults).post(set_faults))
        .route("/__sim/records/{table}", get(records).post(seed))
        .route(
            "/__sim/records/{table}/edit-as-person",
            post(create_as_person),
        )
        .route(
            "/__sim/records/{table}/{id}",
            get(record).patch(edit_as_person),
        )
        .route("/__sim/webhooks", get(webhooks).post(register_webhook))
        .route("/__sim/deliveries", get(deliveries))
        .route("/__sim/deliveries/settled", post(settled))
        .route("/__sim/error-logs", get(error_logs))
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

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, Bad> {
    serde_json::from_slice(body).map_err(|e| Bad(format!("invalid JSON body: {e}")))
}

/// `customers` / `companies` (singular and any case accepted).
fn table(name: &str) -> Result<Kind, Bad> {
    match name.to_ascii_lowercase().as_str() {
        "customers" | "customer" => Ok(Kind::Customer),
        "companies" | "company" => Ok(Kind::Company),
        _ => Err(Bad(format!(
            "unknown table {name}; use customers or companies"
        ))),
    }
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

async fn records(State(s): State<Shared>, Path(t): Path<String>) -> Response {
    match table(&t) {
        Ok(kind) => Json(s.tenant().all(kind)).into_response(),
        Err(r) => r.into_response(),
    }
}

async fn record(State(s): State<Shared>, Path((t, id)): Path<(String, u64)>) -> Response {
    let kind = match table(&t) {
        Ok(k) => k,
        Err(r) => return r.into_response(),
    };
    match s.tenant().get(kind, id) {
        Some(v) => Json(v).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "no such record"})),
        )
            .into_response(),
    }
}

/// Seeds a record (no validation, no webhook): answers `{"id": n}`.
async fn seed(State(s): State<Shared>, Path(t): Path<String>, body: Bytes) -> Response {
    let (kind, v) = match table(&t).and_then(|k| Ok((k, parse::<Value>(&body)?))) {
        Ok(x) => x,
        Err(r) => return r.into_response(),
    };
    if !v.is_object() {
        return bad("the body must be a JSON object");
    }
    let id = s.tenant().seed(kind, &v);
    (StatusCode::CREATED, Json(json!({"id": id}))).into_response()
}

async fn create_as_person(State(s): State<Shared>, Path(t): Path<String>, body: Bytes) -> Response {
    person(&s, &t, None, &body)
}

async fn edit_as_person(
    State(s): State<Shared>,
    Path((t, id)): Path<(String, u64)>,
    body: Bytes,
) -> Response {
    person(&s, &t, Some(id), &body)
}

/// An edit as a person in the UI; the webhook notification follows. Answers `{"id": n}`.
fn person(s: &Shared, t: &str, id: Option<u64>, body: &[u8]) -> Response {
    let (kind, fields) = match table(t).and_then(|k| Ok((k, parse::<Value>(body)?))) {
        Ok(x) => x,
        Err(r) => return r.into_response(),
    };
    if !fields.is_object() {
        return bad("the body must be a JSON object of fields");
    }
    match s.edit_as_person(kind, id, &fields) {
        Some(id) => Json(json!({"id": id})).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "no such record"})),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
struct Destination {
    url: String,
    key: String,
}

async fn webhooks(State(s): State<Shared>) -> Response {
    Json(s.webhooks.destinations()).into_response()
}

async fn register_webhook(State(s): State<Shared>, body: Bytes) -> Response {
    match parse::<Destination>(&body) {
        Ok(d) if url::Url::parse(&d.url).is_ok() => {
            s.webhooks.register(&d.url, &d.key);
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(d) => bad(format!("not a URL: {}", d.url)),
        Err(r) => r.into_response(),
    }
}

async fn deliveries(State(s): State<Shared>) -> Response {
    Json(s.webhooks.deliveries()).into_response()
}

/// Waits until no delivery is in flight (up to a minute: 5 attempts with backoff and
/// timeouts fit), then answers every delivery attempt so far.
async fn settled(State(s): State<Shared>) -> Response {
    let waited = tokio::time::timeout(Duration::from_secs(60), s.webhooks.settled()).await;
    if waited.is_err() {
        let body = json!({"error": "deliveries still in flight after 60 s"});
        return (StatusCode::GATEWAY_TIMEOUT, Json(body)).into_response();
    }
    Json(s.webhooks.deliveries()).into_response()
}

async fn error_logs(State(s): State<Shared>) -> Response {
    Json(s.log().newest_first()).into_response()
}
