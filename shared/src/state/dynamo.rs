use super::{cursor_key, ledger_key, Cursor, LedgerEntry, StateError, StateStore};
use crate::flow::Flow;
use async_trait::async_trait;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// DynamoDB adapter: one table, partition key `pk` (string). Conditional writes make cursor
/// moves forward-only and ledger updates optimistic, so concurrent workers cannot undo each
/// other's progress.
#[derive(Clone)]
pub struct DynamoStateStore {
    client: Client,
    table: String,
}

const CONDITION_FAILED: &str = "ConditionalCheckFailedException";

fn backend(e: impl std::error::Error) -> StateError {
    StateError::Backend(DisplayErrorContext(e).to_string())
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn get_s<'a>(item: &'a HashMap<String, AttributeValue>, k: &str) -> Option<&'a str> {
    item.get(k).and_then(|v| v.as_s().ok()).map(String::as_str)
}

fn get_time(item: &HashMap<String, AttributeValue>, k: &str) -> Option<DateTime<Utc>> {
    get_s(item, k)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

impl DynamoStateStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStateStore {
            client,
            table: table.into(),
        }
    }

    /// Creates the table with the key schema the SAM template declares (string `pk`,
    /// on-demand), for local runs and tests; an existing table is used as it is.
    pub async fn create_table(
        client: Client,
        table: impl Into<String>,
    ) -> Result<Self, StateError> {
        use aws_sdk_dynamodb::types::{
            AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
        };
        let table = table.into();
        let attribute = AttributeDefinition::builder()
            .attribute_name("pk")
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(backend)?;
        let key = KeySchemaElement::builder()
            .attribute_name("pk")
            .key_type(KeyType::Hash)
            .build()
            .map_err(backend)?;
        let created = client
            .create_table()
            .table_name(&table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attribute)
            .key_schema(key)
            .send()
            .await;
        match created {
            Ok(_) => {}
            Err(e) if e.code() == Some("ResourceInUseException") => {}
            Err(e) => return Err(backend(e)),
        }
        Ok(Self::new(client, table))
    }

    async fn item(
        &self,
        pk: String,
    ) -> Result<Option<HashMap<String, AttributeValue>>, StateError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(pk))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        Ok(out.item)
    }
}

#[async_trait]
impl StateStore for DynamoStateStore {
    async fn cursor(&self, name: &str) -> Result<Option<Cursor>, StateError> {
        let Some(item) = self.item(cursor_key(name)).await? else {
            return Ok(None);
        };
        let (Some(modstamp), Some(id)) = (get_time(&item, "modstamp"), get_s(&item, "record_id"))
        else {
            return Err(StateError::Backend(format!(
                "cursor {name} is stored in an unreadable form"
            )));
        };
        Ok(Some(Cursor {
            modstamp,
            id: id.to_string(),
        }))
    }

    async fn advance_cursor(&self, name: &str, to: &Cursor) -> Result<(), StateError> {
        let key = cursor_key(name);
        let res = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(key.clone()))
            .item("position", s(to.key()))
            .item(
                "modstamp",
                s(to.modstamp
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            )
            .item("record_id", s(to.id.clone()))
            .condition_expression("attribute_not_exists(pk) OR #p < :p")
            .expression_attribute_names("#p", "position")
            .expression_attribute_values(":p", s(to.key()))
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some(CONDITION_FAILED) => Err(StateError::Conflict(key)),
            Err(e) => Err(backend(e)),
        }
    }

    async fn ledger(&self, flow: Flow, source_id: &str) -> Result<Option<LedgerEntry>, StateError> {
        let Some(item) = self.item(ledger_key(flow, source_id)).await? else {
            return Ok(None);
        };
        Ok(Some(LedgerEntry {
            target_id: get_s(&item, "target_id").map(str::to_string),
            applied_change: get_time(&item, "applied_change"),
            written_hash: get_s(&item, "written_hash").map(str::to_string),
            creating_since: get_time(&item, "creating_since"),
            last_error: get_s(&item, "last_error").map(str::to_string),
            version: item
                .get("version")
                .and_then(|v| v.as_n().ok())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0),
        }))
    }

    async fn put_ledger(
        &self,
        flow: Flow,
        source_id: &str,
        entry: &LedgerEntry,
    ) -> Result<u64, StateError> {
        let key = ledger_key(flow, source_id);
        let next = entry.version + 1;
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(key.clone()))
            .item("version", AttributeValue::N(next.to_string()));
        let time = |t: &DateTime<Utc>| s(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        if let Some(v) = &entry.target_id {
            put = put.item("target_id", s(v.clone()));
        }
        if let Some(v) = &entry.applied_change {
            put = put.item("applied_change", time(v));
        }
        if let Some(v) = &entry.written_hash {
            put = put.item("written_hash", s(v.clone()));
        }
        if let Some(v) = &entry.creating_since {
            put = put.item("creating_since", time(v));
        }
        if let Some(v) = &entry.last_error {
            put = put.item("last_error", s(v.clone()));
        }
        put = if entry.version == 0 {
            put.condition_expression("attribute_not_exists(pk)")
        } else {
            put.condition_expression("version = :v")
                .expression_attribute_values(":v", AttributeValue::N(entry.version.to_string()))
        };
        match put.send().await {
            Ok(_) => Ok(next),
            Err(e) if e.code() == Some(CONDITION_FAILED) => Err(StateError::Conflict(key)),
            Err(e) => Err(backend(e)),
        }
    }
}
