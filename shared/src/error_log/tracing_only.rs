//! Error Log that only writes the structured log: the fallback when iPaaS.com is not
//! configured (a local run without the simulator, a CLI command).

use super::{ErrorLog, ErrorLogEntry, ErrorLogError};
use async_trait::async_trait;

#[derive(Debug, Clone, Copy, Default)]
pub struct TracingErrorLog;

#[async_trait]
impl ErrorLog for TracingErrorLog {
    async fn record(&self, entry: ErrorLogEntry) -> Result<(), ErrorLogError> {
        entry.emit();
        Ok(())
    }
}
