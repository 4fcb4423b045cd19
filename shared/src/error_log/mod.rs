//! The `ErrorLog` port: where Error Log entries go (DESIGN.md §5). Production writes them
//! to iPaaS.com and the structured log; tests and the local demo keep them in memory.

mod entry;
mod ipaas;
mod memory;
mod tracing_only;

pub use entry::{ErrorLogEntry, LOG_TARGET, MAX_TEXT_CHARS};
pub use ipaas::IpaasErrorLog;
pub use memory::MemoryErrorLog;
pub use tracing_only::TracingErrorLog;

use crate::ipaas::IpaasError;
use async_trait::async_trait;

#[derive(Debug, thiserror::Error)]
pub enum ErrorLogError {
    #[error("the Error Log entry could not be written to iPaaS.com: {0}")]
    Ipaas(#[from] IpaasError),
}

/// Records Error Log entries. Every adapter also writes the structured log, so an entry is
/// never lost silently: if its main destination fails, `record` says so.
#[async_trait]
pub trait ErrorLog: Send + Sync {
    async fn record(&self, entry: ErrorLogEntry) -> Result<(), ErrorLogError>;
}

/// Writes each entry to two logs: the local stack keeps every entry in memory (for its report
/// and tests) while also posting it to the iPaaS.com simulator's Error Logs page.
pub struct TeeErrorLog<A, B> {
    pub first: A,
    pub second: B,
}

#[async_trait]
impl<A: ErrorLog, B: ErrorLog> ErrorLog for TeeErrorLog<A, B> {
    async fn record(&self, entry: ErrorLogEntry) -> Result<(), ErrorLogError> {
        let first = self.first.record(entry.clone()).await;
        let second = self.second.record(entry).await;
        first.and(second)
    }
}

#[async_trait]
impl<T: ErrorLog + ?Sized> ErrorLog for std::sync::Arc<T> {
    async fn record(&self, entry: ErrorLogEntry) -> Result<(), ErrorLogError> {
        (**self).record(entry).await
    }
}
