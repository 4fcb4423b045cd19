//! The simulator's HTTP surface and the order of its layers: counters (outermost), the limit
//! header, fault injection, then the version/session/allowance gate around the data routes.

use super::errors::{json_response, render_fault, SfError};
use super::state::Shared;
use super::{admin, collections, describe, limits, oauth, query, records, upsert};
use crate::{counters, faults};
use axum::http::{Method, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::routing::{get, patch, post, MethodRouter};
use axum::Router;
use serde_json::json;
use std::sync::Arc;

pub fn build(state: Shared) -> Router {
    let app = data_routes(&state)
        .merge(oauth_routes(&state))
        .merge(admin::routes())
        .fallback(|| async { SfError::not_found() });
    counters::apply(app, state.counters.clone(), classify).with_state(state)
}

fn data_routes(state: &Shared) -> Router<Shared> {
    let v = "/services/data/{version}";
    let create = || post(records::create).fallback(not_allowed("POST"));
    let one = get(records::get)
        .patch(records::update)
        .delete(records::delete)
        .fallback(not_allowed("GET,PATCH,DELETE"));
    let query = || get(query::query).fallback(not_allowed("GET"));
    let query_all = || get(query::query_all).fallback(not_allowed("GET"));
    let collections = post(collections::create)
        .patch(collections::update)
        .fallback(not_allowed("POST,PATCH"));
    let routes = Router::new()
        .route(&format!("{v}/sobjects/{{object}}"), create())
        .route(&format!("{v}/sobjects/{{object}}/"), create())
        .route(&format!("{v}/sobjects/{{object}}/{{id}}"), one)
        .route(
            &format!("{v}/sobjects/{{object}}/describe"),
            get(describe::describe).fallback(not_allowed("GET")),
        )
        .route(
            &format!("{v}/sobjects/{{object}}/{{field}}/{{value}}"),
            patch(upsert::upsert).fallback(not_allowed("PATCH")),
        )
        .route(
            &format!("{v}/limits"),
            get(limits::limits).fallback(not_allowed("GET")),
        )
        .route(
            &format!("{v}/limits/"),
            get(limits::limits).fallback(not_allowed("GET")),
        )
        .route(&format!("{v}/query"), query())
        .route(&format!("{v}/query/"), query())
        .route(&format!("{v}/queryAll"), query_all())
        .route(&format!("{v}/queryAll/"), query_all())
        .route(
            &format!("{v}/query/{{locator}}"),
            get(query::query_more).fallback(not_allowed("GET")),
        )
        .route(&format!("{v}/composite/sobjects"), collections)
        .route(
            &format!("{v}/composite/sobjects/{{object}}/{{field}}"),
            patch(collections::upsert).fallback(not_allowed("PATCH")),
        )
        .layer(from_fn_with_state(state.clone(), limits::guard));
    let scope = faults::Scope {
        honours_401: true,
        loses_answers: true,
    };
    let routes = faults::apply(routes, state.faults.clone(), Arc::new(render_fault), scope);
    routes.layer(from_fn_with_state(state.clone(), limits::stamp))
}

fn oauth_routes(state: &Shared) -> Router<Shared> {
    let token = Router::new().route("/services/oauth2/token", post(oauth::token));
    // A 401 is never what the token endpoint answers, so forced 401s skip it; lost answers
    // are a data-route fault (the token grant is not what the sync must make idempotent).
    let scope = faults::Scope {
        honours_401: false,
        loses_answers: false,
    };
    let token = faults::apply(token, state.faults.clone(), Arc::new(render_fault), scope);
    Router::new()
        .route("/services/oauth2/authorize", get(oauth::authorize))
        .merge(token)
}

/// Salesforce's 405 body for a method a resource does not take.
fn not_allowed(allowed: &'static str) -> MethodRouter<Shared> {
    axum::routing::any(move |method: Method| async move {
        let body = json!([{
            "errorCode": "METHOD_NOT_ALLOWED",
            "message": format!("HTTP Method '{method}' not allowed. Allowed are {allowed}"),
        }]);
        json_response(StatusCode::METHOD_NOT_ALLOWED, &body)
    })
}

/// The counter name of a request; admin routes are not counted.
fn classify(method: &Method, path: &str) -> Option<&'static str> {
    match path {
        "/services/oauth2/token" => return Some("token"),
        "/services/oauth2/authorize" => return Some("authorize"),
        _ => {}
    }
    let rest = path.strip_prefix("/services/data/")?;
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    match (method.as_str(), segs.get(1..)?) {
        ("GET", ["query", ..]) => Some("query"),
        ("GET", ["queryAll", ..]) => Some("query_all"),
        ("POST", ["composite", "sobjects"]) => Some("collections_create"),
        ("PATCH", ["composite", "sobjects"]) => Some("collections_update"),
        ("PATCH", ["composite", "sobjects", _, _]) => Some("collections_upsert"),
        ("GET", ["sobjects", _, "describe"]) => Some("describe"),
        ("GET", ["limits"]) => Some("limits"),
        ("PATCH", ["sobjects", _, _, _]) => Some("upsert"),
        ("POST", ["sobjects", _]) => Some("create"),
        ("GET", ["sobjects", _, _]) => Some("get"),
        ("PATCH", ["sobjects", _, _]) => Some("update"),
        ("DELETE", ["sobjects", _, _]) => Some("delete"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        let c = |m: Method, p: &str| classify(&m, p);
        assert_eq!(c(Method::POST, "/services/oauth2/token"), Some("token"));
        assert_eq!(
            c(Method::GET, "/services/oauth2/authorize"),
            Some("authorize")
        );
        assert_eq!(
            c(Method::POST, "/services/data/v64.0/sobjects/Account/"),
            Some("create")
        );
        assert_eq!(
            c(Method::GET, "/services/data/v64.0/sobjects/Account/001x"),
            Some("get")
        );
        assert_eq!(
            c(Method::PATCH, "/services/data/v64.0/sobjects/Account/001x"),
            Some("update")
        );
        assert_eq!(c(Method::GET, "/services/data/v64.0/query"), Some("query"));
        assert_eq!(
            c(Method::GET, "/services/data/v64.0/query/01g-2000"),
            Some("query")
        );
        assert_eq!(
            c(Method::POST, "/services/data/v64.0/composite/sobjects"),
            Some("collections_create")
        );
        assert_eq!(
            c(Method::PATCH, "/services/data/v64.0/composite/sobjects"),
            Some("collections_update")
        );
        assert_eq!(
            c(
                Method::PATCH,
                "/services/data/v64.0/composite/sobjects/Account/Ext__c"
            ),
            Some("collections_upsert")
        );
        assert_eq!(
            c(
                Method::PATCH,
                "/services/data/v64.0/sobjects/Account/Ext__c/A-1"
            ),
            Some("upsert")
        );
        assert_eq!(
            c(
                Method::GET,
                "/services/data/v64.0/sobjects/Account/describe"
            ),
            Some("describe")
        );
        assert_eq!(
            c(Method::GET, "/services/data/v64.0/limits"),
            Some("limits")
        );
        assert_eq!(
            c(Method::DELETE, "/services/data/v64.0/sobjects/Account/001x"),
            Some("delete")
        );
        assert_eq!(
            c(Method::GET, "/services/data/v64.0/queryAll"),
            Some("query_all")
        );
        assert_eq!(c(Method::GET, "/__sim/counters"), None);
    }
}
