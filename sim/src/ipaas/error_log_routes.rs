//! `POST /integrations/v2/ErrorLog` and `GET /integrations/v2/ErrorLogs`.

use super::paging::{list_response, PageRequest, Params};
use super::problem::{json_response, Problem};
use super::state::Shared;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub async fn create(State(s): State<Shared>, body: Bytes) -> Response {
    let added = s.log().add(&body);
    match added {
        Ok(entry) => json_response(StatusCode::CREATED, &entry),
        Err(errors) => Problem::Validation(errors).into_response(),
    }
}

pub async fn list(State(s): State<Shared>, RawQuery(q): RawQuery) -> Response {
    match PageRequest::from_params(&Params::parse(q.as_deref())) {
        Ok(page) => list_response(page, s.log().newest_first()),
        Err(p) => p.into_response(),
    }
}
