use super::{cursor_key, ledger_key, Cursor, LedgerEntry, StateError, StateStore};
use crate::flow::Flow;
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::sync::Mutex;

/// State held in process memory, with the same conditional rules as DynamoDB.
#[derive(Default)]
pub struct MemoryStateStore {
    cursors: Mutex<HashMap<String, Cursor>>,
    ledger: Mutex<HashMap<String, LedgerEntry>>,
}

impl MemoryStateStore {
    pub fn new() -> Self {
        Self::default()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[async_trait]
impl StateStore for MemoryStateStore {
    async fn cursor(&self, name: &str) -> Result<Option<Cursor>, StateError> {
        Ok(lock(&self.cursors).get(&cursor_key(name)).cloned())
    }

    async fn advance_cursor(&self, name: &str, to: &Cursor) -> Result<(), StateError> {
        let mut c = lock(&self.cursors);
        let key = cursor_key(name);
        if c.get(&key).is_some_and(|cur| cur > to) {
            return Err(StateError::Conflict(key));
        }
        c.insert(key, to.clone());
        Ok(())
    }

    async fn put_ledgers(&self, entries: &[(Flow, &str, &LedgerEntry)]) -> Result<(), StateError> {
        let mut l = lock(&self.ledger);
        for (flow, id, entry) in entries {
            let key = ledger_key(*flow, id);
            if l.get(&key).map_or(0, |e| e.version) != entry.version {
                return Err(StateError::Conflict(key));
            }
        }
        for (flow, id, entry) in entries {
            let mut next = (*entry).clone();
            next.version = entry.version + 1;
            l.insert(ledger_key(*flow, id), next);
        }
        Ok(())
    }

    async fn note_pair(
        &self,
        flow: Flow,
        source_id: &str,
        target_id: &str,
        synced: &BTreeMap<String, String>,
    ) -> Result<(), StateError> {
        let mut l = lock(&self.ledger);
        let e = l.entry(ledger_key(flow, source_id)).or_default();
        e.target_id = Some(target_id.to_string());
        e.synced = Some(synced.clone());
        e.version += 1;
        Ok(())
    }

    async fn ledger(&self, flow: Flow, source_id: &str) -> Result<Option<LedgerEntry>, StateError> {
        Ok(lock(&self.ledger)
            .get(&ledger_key(flow, source_id))
            .cloned())
    }

    async fn put_ledger(
        &self,
        flow: Flow,
        source_id: &str,
        entry: &LedgerEntry,
    ) -> Result<u64, StateError> {
        let mut l = lock(&self.ledger);
        let key = ledger_key(flow, source_id);
        let stored = l.get(&key).map_or(0, |e| e.version);
        if stored != entry.version {
            return Err(StateError::Conflict(key));
        }
        let mut next = entry.clone();
        next.version = stored + 1;
        l.insert(key, next);
        Ok(stored + 1)
    }
}
