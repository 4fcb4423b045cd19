//! What every handler shares: the config, the org, the OAuth sessions, faults and counters.

use super::config::SalesforceSimConfig;
use super::org::Org;
use super::sessions::Sessions;
use crate::counters::CounterSet;
use crate::faults::FaultHandle;
use std::sync::{Arc, Mutex, MutexGuard};

pub struct SimState {
    pub config: SalesforceSimConfig,
    /// `http://127.0.0.1:PORT`: the login URL and the instance URL.
    pub url: String,
    org: Mutex<Org>,
    sessions: Mutex<Sessions>,
    pub faults: FaultHandle,
    pub counters: CounterSet,
}

pub type Shared = Arc<SimState>;

impl SimState {
    pub fn new(config: SalesforceSimConfig, url: String) -> Shared {
        let faults = FaultHandle::new(config.retry_after_secs);
        Arc::new(SimState {
            config,
            url,
            org: Mutex::new(Org::default()),
            sessions: Mutex::new(Sessions::default()),
            faults,
            counters: CounterSet::default(),
        })
    }

    /// The org; a panic elsewhere never poisons the simulator for later requests.
    pub fn org(&self) -> MutexGuard<'_, Org> {
        self.org.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn sessions(&self) -> MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }
}
