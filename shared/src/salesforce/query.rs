//! SOQL queries, one page at a time or all pages through `nextRecordsUrl`.

use super::client::{Call, SalesforceClient};
use super::error::SalesforceError;
use super::id::SalesforceId;
use super::soql;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// One page of a query answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryPage {
    pub total_size: u64,
    pub done: bool,
    #[serde(default)]
    pub next_records_url: Option<String>,
    pub records: Vec<Map<String, Value>>,
}

impl SalesforceClient {
    /// Every row of `soql`, following `nextRecordsUrl` to the last page.
    pub async fn query(&self, soql: &str) -> Result<Vec<Map<String, Value>>, SalesforceError> {
        let mut page = self.query_page(soql, None).await?;
        let mut rows = std::mem::take(&mut page.records);
        while let Some(next) = page.next_records_url.take().filter(|_| !page.done) {
            page = self.query_more(&next).await?;
            rows.append(&mut page.records);
        }
        Ok(rows)
    }

    /// The named fields of the records with these Ids, keyed by 18-character Id: one
    /// `Id IN (…)` query per 200 Ids. Ids that name no record are simply absent.
    pub async fn query_by_ids(
        &self,
        object: &str,
        fields: &[String],
        ids: &[&SalesforceId],
    ) -> Result<HashMap<String, Map<String, Value>>, SalesforceError> {
        super::records::check_object(object)?;
        let mut found = HashMap::new();
        for chunk in ids.chunks(200) {
            let list = soql::id_list(chunk.iter().copied())
                .map_err(|e| SalesforceError::Invalid(e.to_string()))?;
            let q = format!(
                "SELECT {} FROM {object} WHERE Id IN {list}",
                fields.join(", ")
            );
            for row in self.query(&q).await? {
                if let Some(id) = row.get("Id").and_then(Value::as_str) {
                    found.insert(id.to_string(), row);
                }
            }
        }
        Ok(found)
    }

    /// Whether the record is in the recycle bin (`queryAll` sees deleted rows; `query` does
    /// not). `false` for an Id that names no record at all.
    pub async fn is_deleted(
        &self,
        object: &str,
        id: &SalesforceId,
    ) -> Result<bool, SalesforceError> {
        super::records::check_object(object)?;
        let q = format!("SELECT Id, IsDeleted FROM {object} WHERE Id = '{id}'");
        let call = Call::new(Method::GET, self.data_path("queryAll/")).query("q", q);
        let page: QueryPage = self.json(&call).await?;
        Ok(page
            .records
            .first()
            .and_then(|r| r.get("IsDeleted"))
            .and_then(Value::as_bool)
            .unwrap_or(false))
    }

    /// The first page of `soql`. `batch_size` (200–2,000) asks Salesforce for smaller pages.
    pub async fn query_page(
        &self,
        soql: &str,
        batch_size: Option<u32>,
    ) -> Result<QueryPage, SalesforceError> {
        let mut call = Call::new(Method::GET, self.data_path("query/")).query("q", soql);
        if let Some(n) = batch_size {
            let n = n.clamp(200, 2000);
            call = call.header(
                HeaderName::from_static("sforce-query-options"),
                HeaderValue::from_str(&format!("batchSize={n}"))
                    .expect("digits make a valid header"),
            );
        }
        self.json(&call).await
    }

    /// The page a previous page's `nextRecordsUrl` points to.
    pub async fn query_more(&self, next_records_url: &str) -> Result<QueryPage, SalesforceError> {
        // The locator must stay on this org's query resource: the session token goes with it.
        let prefix = self.data_path("query/");
        let locator = next_records_url.strip_prefix(&prefix).unwrap_or("");
        if locator.is_empty()
            || !locator
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(SalesforceError::Invalid(format!(
                "nextRecordsUrl {next_records_url:?} is not a query locator of this API version"
            )));
        }
        self.json(&Call::new(Method::GET, next_records_url.to_string()))
            .await
    }
}
