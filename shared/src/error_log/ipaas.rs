//! Error Log entries written to iPaaS.com (Integration Monitoring → Error Logs) and to the
//! structured log. The structured log is written first, so an entry survives iPaaS.com
//! being down; the caller still gets the error (the message can then go to the DLQ).

use super::entry::LOG_TARGET;
use super::{ErrorLog, ErrorLogEntry, ErrorLogError};
use crate::ipaas::IpaasClient;
use async_trait::async_trait;

#[derive(Debug, Clone)]
pub struct IpaasErrorLog {
    client: IpaasClient,
}

impl IpaasErrorLog {
    pub fn new(client: IpaasClient) -> Self {
        IpaasErrorLog { client }
    }
}

#[async_trait]
impl ErrorLog for IpaasErrorLog {
    async fn record(&self, entry: ErrorLogEntry) -> Result<(), ErrorLogError> {
        entry.emit();
        match self.client.post_error_log(&entry.to_wire()).await {
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::error!(
                    target: LOG_TARGET,
                    message_id = entry.message_id.entry().slug,
                    error = %e,
                    "the Error Log entry could not be written to iPaaS.com; it is only in this log"
                );
                Err(ErrorLogError::Ipaas(e))
            }
        }
    }
}
