//! The tenant's HTTP surface and the order of its layers: counters (outermost), fault
//! injection, the API-key check, then the API routes. The dashboard page and `/__sim/…`
//! sit beside the API, outside faults and the key check.

use super::auth::require_key;
use super::problem::{render_fault, Problem};
use super::records::bind;
use super::schema::Kind;
use super::state::Shared;
use super::{admin, dashboard, error_log_routes, links};
use crate::{counters, faults};
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

pub const CUSTOMER: &str = "/customers/v2/Customer";
pub const CUSTOMERS: &str = "/customers/v2/Customers";
pub const COMPANY: &str = "/customers/v2/Customer/Company";
pub const COMPANIES: &str = "/customers/v2/Customer/Companies";
pub const LOOKUP: &str = "/customers/v2/External/LookupSpecial";
pub const LINK: &str = "/customers/v2/External/UpdateExternalId";
pub const ERROR_LOG: &str = "/integrations/v2/ErrorLog";
pub const ERROR_LOGS: &str = "/integrations/v2/ErrorLogs";
pub const DASHBOARD: &str = "/dashboard/integration-monitoring/error-logs";

pub fn build(state: Shared) -> Router {
    let app = api_routes(&state)
        .route(DASHBOARD, get(dashboard::error_logs))
        .merge(admin::routes())
        .fallback(|| async { Problem::NotFound("No such resource.".into()).into_response() });
    counters::apply(app, state.counters.clone(), classify).with_state(state)
}

fn api_routes(state: &Shared) -> Router<Shared> {
    let routes = Router::new()
        .route(CUSTOMER, bind::create_route(Kind::Customer))
        .route(&format!("{CUSTOMER}/{{id}}"), bind::one(Kind::Customer))
        .route(CUSTOMERS, bind::list_route(Kind::Customer))
        .route(COMPANY, bind::create_route(Kind::Company))
        .route(&format!("{COMPANY}/{{id}}"), bind::one(Kind::Company))
        .route(COMPANIES, bind::list_route(Kind::Company))
        .route(LOOKUP, post(links::lookup))
        .route(LINK, post(links::update_external_id))
        .route(ERROR_LOG, post(error_log_routes::create))
        .route(ERROR_LOGS, get(error_log_routes::list))
        .route_layer(from_fn_with_state(state.clone(), require_key));
    let scope = faults::Scope {
        honours_401: true,
        loses_answers: true,
    };
    faults::apply(routes, state.faults.clone(), Arc::new(render_fault), scope)
}

/// The counter name of a request; the dashboard and admin routes are not counted.
fn classify(method: &Method, path: &str) -> Option<&'static str> {
    let path = path.trim_end_matches('/');
    let read = method == Method::GET;
    let one = |base: &str| {
        path.strip_prefix(base)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|id| !id.is_empty() && !id.contains('/'))
    };
    let name = match path {
        CUSTOMERS if read => "customer_search",
        COMPANIES if read => "company_search",
        CUSTOMER if method == Method::POST => "customer_create",
        COMPANY if method == Method::POST => "company_create",
        LOOKUP if method == Method::POST => "lookup",
        LINK if method == Method::POST => "link",
        ERROR_LOG if method == Method::POST => "error_log",
        ERROR_LOGS if read => "error_log",
        // "Company" itself would read as a customer id, so companies are matched first.
        _ if one(COMPANY) && read => "company_get",
        _ if one(COMPANY) && method == Method::PUT => "company_update",
        _ if path == COMPANIES || path == COMPANY => return None,
        _ if one(CUSTOMER) && read => "customer_get",
        _ if one(CUSTOMER) && method == Method::PUT => "customer_update",
        _ => return None,
    };
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        let c = |m: Method, p: &str| classify(&m, p);
        assert_eq!(
            c(Method::GET, "/customers/v2/Customer/4"),
            Some("customer_get")
        );
        assert_eq!(
            c(Method::PUT, "/customers/v2/Customer/4"),
            Some("customer_update")
        );
        assert_eq!(c(Method::POST, CUSTOMER), Some("customer_create"));
        assert_eq!(c(Method::GET, CUSTOMERS), Some("customer_search"));
        assert_eq!(
            c(Method::GET, "/customers/v2/Customer/Company/4"),
            Some("company_get")
        );
        assert_eq!(
            c(Method::PUT, "/customers/v2/Customer/Company/4"),
            Some("company_update")
        );
        assert_eq!(c(Method::POST, COMPANY), Some("company_create"));
        assert_eq!(c(Method::GET, COMPANIES), Some("company_search"));
        assert_eq!(c(Method::POST, LOOKUP), Some("lookup"));
        assert_eq!(c(Method::POST, LINK), Some("link"));
        assert_eq!(c(Method::POST, ERROR_LOG), Some("error_log"));
        assert_eq!(c(Method::GET, ERROR_LOGS), Some("error_log"));
        assert_eq!(c(Method::GET, COMPANY), None);
        assert_eq!(c(Method::GET, "/__sim/counters"), None);
        assert_eq!(c(Method::GET, DASHBOARD), None);
    }
}
