//! What every handler shares: the config, the tenant's records, its Error Log, webhooks,
//! faults and counters.

use super::config::IpaasSimConfig;
use super::error_log::ErrorLog;
use super::schema::Kind;
use super::tenant::{Change, Tenant};
use super::webhooks::Webhooks;
use crate::counters::CounterSet;
use crate::faults::FaultHandle;
use serde_json::Value;
use std::sync::{Arc, Mutex, MutexGuard};

pub struct SimState {
    pub config: IpaasSimConfig,
    /// `http://127.0.0.1:PORT`, the API base.
    pub url: String,
    tenant: Mutex<Tenant>,
    log: Mutex<ErrorLog>,
    pub webhooks: Arc<Webhooks>,
    pub faults: FaultHandle,
    pub counters: CounterSet,
}

pub type Shared = Arc<SimState>;

impl SimState {
    /// Must be called inside a tokio runtime (webhook deliveries run on it).
    pub fn new(config: IpaasSimConfig, url: String) -> Shared {
        Arc::new(SimState {
            faults: FaultHandle::new(config.retry_after_secs),
            webhooks: Webhooks::new(config.webhook_retry_base),
            config,
            url,
            tenant: Mutex::default(),
            log: Mutex::default(),
            counters: CounterSet::default(),
        })
    }

    /// The records; a panic elsewhere never poisons the simulator for later requests.
    pub fn tenant(&self) -> MutexGuard<'_, Tenant> {
        self.tenant.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn log(&self) -> MutexGuard<'_, ErrorLog> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A person's edit in the UI, then its notification to every webhook destination.
    /// `None` when `id` names no record.
    pub fn edit_as_person(&self, kind: Kind, id: Option<u64>, fields: &Value) -> Option<u64> {
        let (id, change) = self.tenant().edit_as_person(kind, id, fields)?;
        self.webhooks
            .notify(kind.scope(change == Change::Created), id);
        Some(id)
    }
}
