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
