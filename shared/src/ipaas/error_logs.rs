//! Error Log entries in iPaaS.com (Integration Monitoring → Error Logs). The entry's shape
//! belongs to `crate::error_log`; this file only carries it.

use super::client::{Call, IpaasClient};
use super::error::IpaasError;
use super::paging::Page;
use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

impl IpaasClient {
    /// Writes one entry; returns the entry as iPaaS.com stored it (with its `id`).
    pub async fn post_error_log<E: Serialize + ?Sized>(
        &self,
        entry: &E,
    ) -> Result<Value, IpaasError> {
        let path = self.config().paths.error_log_create.clone();
        self.json(&Call::new(Method::POST, path).json(entry)?).await
    }

    /// One page of entries, newest first.
    pub async fn list_error_logs(
        &self,
        page_number: u32,
        page_size: u32,
    ) -> Result<Page<Value>, IpaasError> {
        self.list_page(
            &self.config().paths.error_logs,
            &Vec::new(),
            page_number,
            page_size,
        )
        .await
    }
}
