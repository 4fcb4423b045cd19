//! What every handler shares: the config, the org, the OAuth sessions, faults and counters.

use super::config::SalesforceSimConfig;
use super::org::Org;
use super::sessions::Sessions;
use crate::counters::CounterSet;
use crate::faults::FaultHandle;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

pub struct SimState {
    pub config: SalesforceSimConfig,
    /// `http://127.0.0.1:PORT`: the login URL and the instance URL.
    pub url: String,
    org: Mutex<Org>,
    sessions: Mutex<Sessions>,
    pub faults: FaultHandle,
    pub counters: CounterSet,
    /// Bumped whenever pending commits are forced, so writers waiting on them wake early.
    pub commits: tokio::sync::watch::Sender<u64>,
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
            commits: tokio::sync::watch::Sender::new(0),
        })
    }

    /// The org, with every late commit that is due made visible first; a panic elsewhere
    /// never poisons the simulator for later requests.
    pub fn org(&self) -> MutexGuard<'_, Org> {
        let mut org = self.org.lock().unwrap_or_else(|e| e.into_inner());
        org.store.commit_due(Instant::now());
        org
    }

    pub fn sessions(&self) -> MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }
}
