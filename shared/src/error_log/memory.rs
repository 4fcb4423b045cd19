//! Error Log kept in memory, for unit tests and the local demo. Entries also go to the
//! structured log, as in production.

use super::{ErrorLog, ErrorLogEntry, ErrorLogError};
use async_trait::async_trait;
use std::sync::{Arc, Mutex};

/// Clones share the same entries.
#[derive(Debug, Clone, Default)]
pub struct MemoryErrorLog {
    entries: Arc<Mutex<Vec<ErrorLogEntry>>>,
}

impl MemoryErrorLog {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every entry recorded so far, oldest first.
    pub fn entries(&self) -> Vec<ErrorLogEntry> {
        self.lock().clone()
    }

    /// Removes and returns every entry recorded so far.
    pub fn take(&self) -> Vec<ErrorLogEntry> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<ErrorLogEntry>> {
        // A poisoned lock only means a test thread panicked; the list is still whole.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl ErrorLog for MemoryErrorLog {
    async fn record(&self, entry: ErrorLogEntry) -> Result<(), ErrorLogError> {
        entry.emit();
        self.lock().push(entry);
        Ok(())
    }
}
