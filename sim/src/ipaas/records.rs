//! Customer and Company: get, create, update, list and `action=equals` search.

use super::paging::{list_response, PageRequest, Params};
use super::problem::{json_response, Problem};
use super::schema::Kind;
use super::state::Shared;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub async fn get_one(kind: Kind, s: Shared, raw_id: String) -> Response {
    let id = match parse_id(&raw_id) {
        Ok(id) => id,
        Err(p) => return p.into_response(),
    };
    match s.tenant().get(kind, id) {
        Some(record) => json_response(StatusCode::OK, &record),
        None => not_found(kind, id).into_response(),
    }
}

pub async fn create(kind: Kind, s: Shared, body: Bytes) -> Response {
    let created = s.tenant().create(kind, &body, s.config.links_on_create);
    match created {
        Ok(record) => {
            let mut resp = json_response(StatusCode::CREATED, &record);
            let id = record["id"].as_u64().unwrap_or_default();
            // Like iPaaS.com, a change made through the API notifies subscribers too: that
            // is what makes ping-pong possible, and what the flows must not fall into.
            s.webhooks.notify(kind.scope(true), id);
            if let Ok(v) = HeaderValue::from_str(&format!("{}/{id}", base_path(kind))) {
                resp.headers_mut().insert(header::LOCATION, v);
            }
            resp
        }
        Err(errors) => Problem::Validation(errors).into_response(),
    }
}

pub async fn update(kind: Kind, s: Shared, raw_id: String, body: Bytes) -> Response {
    let id = match parse_id(&raw_id) {
        Ok(id) => id,
        Err(p) => return p.into_response(),
    };
    let updated = s.tenant().update(kind, id, &body);
    match updated {
        Ok(Some(record)) => {
            s.webhooks.notify(kind.scope(false), id);
            json_response(StatusCode::OK, &record)
        }
        Ok(None) => not_found(kind, id).into_response(),
        Err(errors) => Problem::Validation(errors).into_response(),
    }
}

/// A list, or with `action=equals` a search on the named fields (`EmailAddress`, `Name` …).
pub async fn list(kind: Kind, s: Shared, query: Option<String>) -> Response {
    let params = Params::parse(query.as_deref());
    let page = match PageRequest::from_params(&params) {
        Ok(p) => p,
        Err(p) => return p.into_response(),
    };
    let filters: Vec<(&str, String)> = params
        .iter()
        .filter_map(|(k, v)| kind.search_field(k).map(|f| (f, v.to_string())))
        .collect();
    let records = match params.get("action") {
        None if filters.is_empty() => s.tenant().all(kind),
        // A filter without its action would silently list everything; say so instead.
        None => {
            return Problem::field("action", "The action field is required when searching.")
                .into_response()
        }
        Some(a) if a.eq_ignore_ascii_case("equals") => s.tenant().search(kind, &filters),
        Some(a) => {
            let msg = format!("The action '{a}' is not supported; use 'equals'.");
            return Problem::field("action", msg).into_response();
        }
    };
    list_response(page, records)
}

fn parse_id(raw: &str) -> Result<u64, Problem> {
    raw.trim()
        .parse()
        .map_err(|_| Problem::field("id", format!("The value '{raw}' is not valid.")))
}

fn not_found(kind: Kind, id: u64) -> Problem {
    Problem::NotFound(format!("{} {id} was not found.", kind.table_name()))
}

fn base_path(kind: Kind) -> &'static str {
    match kind {
        Kind::Customer => "/customers/v2/Customer",
        Kind::Company => "/customers/v2/Customer/Company",
    }
}

/// The routes of one kind, as `(one, create, list)` handlers bound to it.
pub mod bind {
    use super::*;
    use axum::routing::{get, post, MethodRouter};

    pub fn one(kind: Kind) -> MethodRouter<Shared> {
        get(move |State(s): State<Shared>, Path(id): Path<String>| get_one(kind, s, id)).put(
            move |State(s): State<Shared>, Path(id): Path<String>, body: Bytes| {
                update(kind, s, id, body)
            },
        )
    }

    pub fn create_route(kind: Kind) -> MethodRouter<Shared> {
        post(move |State(s): State<Shared>, body: Bytes| create(kind, s, body))
    }

    pub fn list_route(kind: Kind) -> MethodRouter<Shared> {
        get(move |State(s): State<Shared>, RawQuery(q): RawQuery| list(kind, s, q))
    }
}
