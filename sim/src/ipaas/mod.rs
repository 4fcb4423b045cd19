//! A simulated iPaaS.com tenant served over HTTP on loopback, implementing
//! docs/ipaas-api.md: Customers and Companies with nested addresses, `action=equals`
//! search with paging, external-id links, the Error Log (and its dashboard page), outbound
//! webhooks for edits a person makes in the UI, fault injection and per-endpoint counters.

mod admin;
mod auth;
mod config;
mod custom_fields;
mod dashboard;
mod error_log;
mod error_log_routes;
mod links;
mod paging;
mod problem;
mod records;
mod router;
mod schema;
mod state;
mod tenant;
mod tenant_links;
mod validate;
mod webhooks;

pub use config::IpaasSimConfig;
pub use router::DASHBOARD as DASHBOARD_PATH;
pub use webhooks::{Delivery, Destination, MAX_ATTEMPTS as MAX_WEBHOOK_ATTEMPTS};

use crate::counters::Counters;
use crate::faults::Faults;
use schema::Kind;
use serde_json::Value;
use state::{Shared, SimState};
use std::net::SocketAddr;

/// A running simulated tenant; cheap to clone, every clone controls the same tenant.
#[derive(Clone)]
pub struct IpaasSim {
    state: Shared,
}

impl IpaasSim {
    /// Serves a new tenant on `127.0.0.1` at a free port, in a background tokio task.
    pub async fn start(config: IpaasSimConfig) -> std::io::Result<IpaasSim> {
        Self::start_on(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    pub async fn start_on(config: IpaasSimConfig, addr: SocketAddr) -> std::io::Result<IpaasSim> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let state = SimState::new(config, format!("http://{local}"));
        let app = router::build(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "iPaaS.com simulator stopped");
            }
        });
        Ok(IpaasSim { state })
    }

    /// `http://127.0.0.1:PORT`, the API base (what `https://api.ipaas.com` is in production).
    pub fn url(&self) -> String {
        self.state.url.clone()
    }

    pub fn config(&self) -> &IpaasSimConfig {
        &self.state.config
    }

    pub fn set_faults(&self, faults: Faults) {
        self.state.faults.set(faults);
    }

    /// A snapshot of the per-endpoint counters: "customer_get", "customer_create",
    /// "customer_update", "customer_search", "company_get", "company_create",
    /// "company_update", "company_search", "lookup", "link", "error_log".
    pub fn counters(&self) -> Counters {
        self.state.counters.snapshot()
    }

    pub fn reset_counters(&self) {
        self.state.counters.reset();
    }

    /// Seeds a Customer: not validated, not counted, no webhook. Honours `id`,
    /// `last_modified_date` and `external_ids` (`[{system_id, external_id}]`) when given.
    pub fn insert_customer(&self, v: Value) -> u64 {
        self.state.tenant().seed(Kind::Customer, &v)
    }

    /// Seeds a Company, as `insert_customer` does.
    pub fn insert_company(&self, v: Value) -> u64 {
        self.state.tenant().seed(Kind::Company, &v)
    }

    /// The record as `GET` answers it.
    pub fn customer(&self, id: u64) -> Option<Value> {
        self.state.tenant().get(Kind::Customer, id)
    }

    pub fn company(&self, id: u64) -> Option<Value> {
        self.state.tenant().get(Kind::Company, id)
    }

    /// Every Customer, by id.
    pub fn customers(&self) -> Vec<Value> {
        self.state.tenant().all(Kind::Customer)
    }

    pub fn companies(&self) -> Vec<Value> {
        self.state.tenant().all(Kind::Company)
    }

    /// Adds a webhook destination; notifications carry `Authorization: Bearer <key>`.
    pub fn register_webhook(&self, url: &str, key: &str) {
        self.state.webhooks.register(url, key);
    }

    /// A person creates (`None`) or edits a Customer in the iPaaS.com UI; every webhook
    /// destination is then sent `customer/created` or `customer/updated`. Returns the id,
    /// or 0 (and sends nothing) when `id` names no Customer.
    pub fn edit_customer_as_person(&self, id: Option<u64>, fields: Value) -> u64 {
        self.edit(Kind::Customer, id, &fields)
    }

    /// As `edit_customer_as_person`, with `customer/company/created|updated`.
    pub fn edit_company_as_person(&self, id: Option<u64>, fields: Value) -> u64 {
        self.edit(Kind::Company, id, &fields)
    }

    fn edit(&self, kind: Kind, id: Option<u64>, fields: &Value) -> u64 {
        self.state
            .edit_as_person(kind, id, fields)
            .unwrap_or_else(|| {
                tracing::warn!(?kind, ?id, "no such record to edit");
                0
            })
    }

    /// Returns once every webhook delivery has succeeded or used up its attempts.
    pub async fn deliveries_settled(&self) {
        self.state.webhooks.settled().await;
    }

    /// Every delivery attempt so far, in the order they finished.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.state.webhooks.deliveries()
    }

    /// The Error Log, newest first.
    pub fn error_logs(&self) -> Vec<Value> {
        self.state.log().newest_first()
    }
}
