use super::{cursor_key, ledger_key, Cursor, LedgerEntry, Seen, StateError, StateStore};
use crate::flow::Flow;
use async_trait::async_trait;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
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
        let recent = item
            .get("recent")
            .and_then(|v| v.as_b().ok())
            .map(|b| Seen::decode(b.as_ref()))
            .unwrap_or_default();
        Ok(Some(Cursor {
            modstamp,
            id: id.to_string(),
            recent,
            recent_from: get_time(&item, "recent_from"),
        }))
    }

    async fn advance_cursor(&self, name: &str, to: &Cursor) -> Result<(), StateError> {
        let key = cursor_key(name);
        let mut put = self.client.put_item();
        if let Some(t) = &to.recent_from {
            put = put.item(
                "recent_from",
                s(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            );
        }
        let res = put
            .table_name(&self.table)
            .item("pk", s(key.clone()))
            .item("position", s(to.key()))
            .item(
                "modstamp",
                s(to.modstamp
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            )
            .item("record_id", s(to.id.clone()))
            .item(
                "recent",
                AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(Seen::encode(
                    &to.recent,
                ))),
            )
            .condition_expression("attribute_not_exists(pk) OR #p <= :p")
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
            synced: item.get("synced").and_then(|v| v.as_m().ok()).map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_s().ok()?.clone())))
                    .collect()
            }),
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
        let (item, condition, values) = ledger_item(&key, entry);
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition);
        for (k, v) in values {
            put = put.expression_attribute_values(k, v);
        }
        match put.send().await {
            Ok(_) => Ok(entry.version + 1),
            Err(e) if e.code() == Some(CONDITION_FAILED) => Err(StateError::Conflict(key)),
            Err(e) => Err(backend(e)),
        }
    }

    async fn put_ledgers(&self, entries: &[(Flow, &str, &LedgerEntry)]) -> Result<(), StateError> {
        use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
        let mut tx = self.client.transact_write_items();
        let mut keys = Vec::new();
        for (flow, id, entry) in entries {
            let key = ledger_key(*flow, id);
            let (item, condition, values) = ledger_item(&key, entry);
            let mut put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression(condition);
            for (k, v) in values {
                put = put.expression_attribute_values(k, v);
            }
            tx = tx.transact_items(
                TransactWriteItem::builder()
                    .put(put.build().map_err(backend)?)
                    .build(),
            );
            keys.push(key);
        }
        match tx.send().await {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some("TransactionCanceledException") => {
                let detail = DisplayErrorContext(&e).to_string();
                if detail.contains("ConditionalCheckFailed") {
                    Err(StateError::Conflict(keys.join(" / ")))
                } else {
                    Err(backend(e))
                }
            }
            Err(e) => Err(backend(e)),
        }
    }

    async fn note_pair(
        &self,
        flow: Flow,
        source_id: &str,
        target_id: &str,
        synced: &BTreeMap<String, String>,
    ) -> Result<(), StateError> {
        let map = synced
            .iter()
            .map(|(k, h)| (k.clone(), s(h.clone())))
            .collect();
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(ledger_key(flow, source_id)))
            .update_expression("SET target_id = :t, synced = :s ADD version :one")
            .expression_attribute_values(":t", s(target_id))
            .expression_attribute_values(":s", AttributeValue::M(map))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .send()
            .await
            .map(|_| ())
            .map_err(backend)
    }
}

type Item = HashMap<String, AttributeValue>;

/// A ledger entry as a DynamoDB item, with the condition that makes its write optimistic
/// (absent when `entry.version` is 0, else still at that version) and the condition's values.
fn ledger_item(
    key: &str,
    entry: &LedgerEntry,
) -> (Item, &'static str, Vec<(&'static str, AttributeValue)>) {
    let time = |t: &DateTime<Utc>| s(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    let mut item: Item = HashMap::new();
    item.insert("pk".into(), s(key));
    item.insert(
        "version".into(),
        AttributeValue::N((entry.version + 1).to_string()),
    );
    if let Some(v) = &entry.target_id {
        item.insert("target_id".into(), s(v.clone()));
    }
    if let Some(v) = &entry.applied_change {
        item.insert("applied_change".into(), time(v));
    }
    if let Some(v) = &entry.synced {
        let map = v.iter().map(|(k, h)| (k.clone(), s(h.clone()))).collect();
        item.insert("synced".into(), AttributeValue::M(map));
    }
    if let Some(v) = &entry.creating_since {
        item.insert("creating_since".into(), time(v));
    }
    if let Some(v) = &entry.last_error {
        item.insert("last_error".into(), s(v.clone()));
    }
    if entry.version == 0 {
        (item, "attribute_not_exists(pk)", Vec::new())
    } else {
        let v = AttributeValue::N(entry.version.to_string());
        (item, "version = :v", vec![(":v", v)])
    }
}
