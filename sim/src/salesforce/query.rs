//! `GET …/query?q=` and `GET …/query/{locator}`: SOQL over the org, paged through
//! server-side cursors like Salesforce's query locators.

use super::duplicates::record_url;
use super::errors::{json_response, SfError};
use super::rules::Operation;
use super::soql::{self, Select};
use super::state::Shared;
use super::store::{is_deleted, Record};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};
use shared::salesforce::SalesforceId;
use std::collections::VecDeque;

const DEFAULT_BATCH: usize = 2000;
const MIN_BATCH: usize = 200;
/// Salesforce keeps 10 open cursors per user and drops the oldest beyond that.
const MAX_CURSORS: usize = 10;

struct Cursor {
    id: String,
    rows: Vec<Value>,
    batch: usize,
}

#[derive(Default)]
pub struct Cursors {
    seq: u64,
    open: VecDeque<Cursor>,
}

impl Cursors {
    fn open(&mut self, rows: Vec<Value>, batch: usize) -> String {
        self.seq += 1;
        let id = SalesforceId::from_parts("01g", "8M0", self.seq).to_string();
        if self.open.len() >= MAX_CURSORS {
            self.open.pop_front();
        }
        self.open.push_back(Cursor {
            id: id.clone(),
            rows,
            batch,
        });
        id
    }

    fn find(&self, id: &str) -> Option<&Cursor> {
        self.open.iter().find(|c| c.id == id)
    }
}

/// `Sforce-Query-Options: batchSize=N`, held to Salesforce's 200..=2000.
fn batch_size(headers: &HeaderMap) -> Option<usize> {
    let raw = headers.get("sforce-query-options")?.to_str().ok()?;
    raw.split([',', ';']).find_map(|part| {
        let (k, v) = part.split_once('=')?;
        let n: usize = k
            .trim()
            .eq_ignore_ascii_case("batchSize")
            .then(|| v.trim().parse().ok())??;
        Some(n.clamp(MIN_BATCH, DEFAULT_BATCH))
    })
}

fn page(version: &str, cursor: &str, rows: &[Value], start: usize, batch: usize) -> Value {
    let end = (start + batch).min(rows.len());
    let mut body = json!({
        "totalSize": rows.len(),
        "done": end >= rows.len(),
        "records": rows.get(start..end).unwrap_or_default(),
    });
    if end < rows.len() {
        body["nextRecordsUrl"] = json!(format!("/services/data/{version}/query/{cursor}-{end}"));
    }
    body
}

/// `GET /services/data/{version}/query?q=…`: records outside the recycle bin.
pub async fn query(
    State(state): State<Shared>,
    Path(version): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, SfError> {
    run(&state, &version, raw, &headers, false)
}

/// `GET /services/data/{version}/queryAll?q=…`: the recycle bin included; pages onwards
/// through `/query/{locator}` like `/query`.
pub async fn query_all(
    State(state): State<Shared>,
    Path(version): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, SfError> {
    run(&state, &version, raw, &headers, true)
}

fn run(
    state: &Shared,
    version: &str,
    raw: Option<String>,
    headers: &HeaderMap,
    include_deleted: bool,
) -> Result<Response, SfError> {
    let params: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let q = params
        .into_iter()
        .find_map(|(k, v)| (k == "q").then_some(v))
        .filter(|q| !q.trim().is_empty())
        .ok_or_else(|| SfError::bad("MALFORMED_QUERY", "A query string has to be specified"))?;
    let to_error = |e: soql::SoqlError| SfError::bad(e.code, e.message(&q));
    let mut org = state.org();
    let (object, parsed) = soql::parse(&q)
        .and_then(|p| soql::check(p, &org.store.schema))
        .map_err(to_error)?;
    if org.rules.check_access(object, Operation::Read).is_err() {
        return Err(SfError::bad(
            "INVALID_TYPE",
            format!("sObject type '{object}' is not supported."),
        ));
    }
    let store = &org.store;
    let visible = |r: &&Record| include_deleted || !is_deleted(r);
    let by_value = soql::named_values(&parsed, "Email")
        .filter(|_| !include_deleted)
        .and_then(|v| store.with_values(object, "Email", &v));
    let hits = match soql::named_ids(&parsed) {
        // `Id IN (…)`: the named rows are looked up, not scanned for.
        Some(ids) => {
            let mut seen = std::collections::HashSet::new();
            let rows = ids
                .iter()
                .filter_map(|id| store.get(object, id))
                .filter(|r| seen.insert(r.get("Id").and_then(Value::as_str).unwrap_or("")))
                .filter(visible);
            soql::run(&store.schema, object, &parsed, rows)
        }
        // `Email IN (…)`: the rows holding those values are looked up, not scanned for (the
        // index holds live rows only).
        None if by_value.is_some() => soql::run(
            &store.schema,
            object,
            &parsed,
            by_value.into_iter().flatten(),
        ),
        None => soql::run(
            &store.schema,
            object,
            &parsed,
            store.all(object).filter(visible),
        ),
    };
    let Select::Fields(fields) = &parsed.select else {
        let body = json!({"totalSize": hits.len(), "done": true, "records": []});
        return Ok(json_response(StatusCode::OK, &body));
    };
    let rows: Vec<Value> = hits.iter().map(|r| project(object, r, fields)).collect();
    let batch = batch_size(headers).unwrap_or(DEFAULT_BATCH);
    let cursor = if rows.len() > batch {
        org.cursors.open(rows.clone(), batch)
    } else {
        String::new()
    };
    Ok(json_response(
        StatusCode::OK,
        &page(version, &cursor, &rows, 0, batch),
    ))
}

/// One result row: attributes, then the selected fields under their canonical names.
fn project(object: &str, rec: &Record, fields: &[soql::Ident]) -> Value {
    let id = rec.get("Id").and_then(Value::as_str).unwrap_or_default();
    let mut row = json!({"attributes": {"type": object, "url": record_url(object, id)}});
    for f in fields {
        row[f.name.as_str()] = rec.get(&f.name).cloned().unwrap_or(Value::Null);
    }
    row
}

/// `GET /services/data/{version}/query/{locator}` where locator is `{cursor}-{offset}`.
pub async fn query_more(
    State(state): State<Shared>,
    Path((version, locator)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, SfError> {
    let invalid = || SfError::bad("INVALID_QUERY_LOCATOR", "invalid query locator");
    let (cursor, offset) = locator.rsplit_once('-').ok_or_else(invalid)?;
    let offset: usize = offset.parse().map_err(|_| invalid())?;
    let org = state.org();
    let c = org.cursors.find(cursor).ok_or_else(invalid)?;
    if offset >= c.rows.len() {
        return Err(invalid());
    }
    let batch = batch_size(&headers).unwrap_or(c.batch);
    Ok(json_response(
        StatusCode::OK,
        &page(&version, cursor, &c.rows, offset, batch),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn batch_size_is_clamped() {
        let mut h = HeaderMap::new();
        assert_eq!(batch_size(&h), None);
        h.insert(
            "sforce-query-options",
            HeaderValue::from_static("batchSize=50"),
        );
        assert_eq!(batch_size(&h), Some(200));
        h.insert(
            "sforce-query-options",
            HeaderValue::from_static("batchSize=500"),
        );
        assert_eq!(batch_size(&h), Some(500));
        h.insert(
            "sforce-query-options",
            HeaderValue::from_static("batchSize=99999"),
        );
        assert_eq!(batch_size(&h), Some(2000));
    }

    #[test]
    fn pages_link_onwards_until_done() {
        let rows: Vec<Value> = (0..5).map(|i| json!({"n": i})).collect();
        let p = page("v64.0", "01gX", &rows, 0, 2);
        assert_eq!(p["done"], false);
        assert_eq!(p["nextRecordsUrl"], "/services/data/v64.0/query/01gX-2");
        assert_eq!(p["totalSize"], 5);
        let last = page("v64.0", "01gX", &rows, 4, 2);
        assert_eq!(last["done"], true);
        assert!(last.get("nextRecordsUrl").is_none());
        assert_eq!(last["records"].as_array().map(Vec::len), Some(1));
    }
}
