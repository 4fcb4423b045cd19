//! Reading and writing one field of an iPaaS.com record as JSON: a top-level field, or a
//! custom field (`custom_fields: [{"name": "Tier", "value": "Gold"}, …]`, found by name
//! without regard to ASCII case). Everything else in the record is left as it was.

use super::error::MappingError;
use super::model::IpaasField;
use serde_json::{Map, Value};

/// A value as text, trimmed; `None` for null, empty text, arrays and objects.
pub(super) fn text(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null | Value::Array(_) | Value::Object(_) => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// The record as a JSON object, or why it is not one.
pub(super) fn object<'a>(
    record: &'a Value,
    kind: &'static str,
) -> Result<&'a Map<String, Value>, MappingError> {
    record.as_object().ok_or_else(|| MappingError::Malformed {
        kind,
        field: "the record".into(),
        problem: "is not a JSON object".into(),
    })
}

/// The list under `key` (absent or null: none), or why it is not a list.
pub(super) fn list<'a>(
    record: &'a Map<String, Value>,
    key: &str,
    kind: &'static str,
) -> Result<&'a [Value], MappingError> {
    match record.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(not_a_list(key, kind)),
    }
}

/// The list under `key` for writing, made when absent or null.
pub(super) fn list_mut<'a>(
    record: &'a mut Map<String, Value>,
    key: &str,
    kind: &'static str,
) -> Result<&'a mut Vec<Value>, MappingError> {
    let slot = record
        .entry(key.to_string())
        .or_insert_with(|| Value::Array(Vec::new()));
    if slot.is_null() {
        *slot = Value::Array(Vec::new());
    }
    slot.as_array_mut().ok_or_else(|| not_a_list(key, kind))
}

fn not_a_list(key: &str, kind: &'static str) -> MappingError {
    MappingError::Malformed {
        kind,
        field: key.to_string(),
        problem: "is not a list".into(),
    }
}

fn custom_name(item: &Value) -> Option<&str> {
    item.get("name").and_then(Value::as_str).map(str::trim)
}

/// The field's value as text.
pub(super) fn get(
    record: &Map<String, Value>,
    field: &IpaasField,
    kind: &'static str,
) -> Result<Option<String>, MappingError> {
    Ok(match field {
        IpaasField::Top(name) => record.get(name).and_then(text),
        IpaasField::Custom(name) => list(record, "custom_fields", kind)?
            .iter()
            .find(|item| custom_name(item).is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .and_then(|item| item.get("value"))
            .and_then(text),
    })
}

/// Sets the field to `value`; a custom field is added when the record does not have it.
pub(super) fn set(
    record: &mut Map<String, Value>,
    field: &IpaasField,
    value: String,
    kind: &'static str,
) -> Result<(), MappingError> {
    match field {
        IpaasField::Top(name) => {
            record.insert(name.clone(), Value::String(value));
        }
        IpaasField::Custom(name) => {
            let list = list_mut(record, "custom_fields", kind)?;
            let found = list
                .iter_mut()
                .filter_map(Value::as_object_mut)
                .find(|item| {
                    item.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.trim().eq_ignore_ascii_case(name))
                });
            match found {
                Some(item) => {
                    item.insert("value".into(), Value::String(value));
                }
                None => {
                    let mut item = Map::new();
                    item.insert("name".into(), Value::String(name.clone()));
                    item.insert("value".into(), Value::String(value));
                    list.push(Value::Object(item));
                }
            }
        }
    }
    Ok(())
}
