//! Unique and external-id fields: values are compared as the platform's unique index does
//! (text case-insensitively, numbers by value), against committed rows outside the recycle
//! bin; a value held by a change not yet committed is a lock the write cannot get.

use super::errors::SfError;
use super::schema::{Field, Kind};
use super::store::{Record, Store};
use serde_json::Value;

/// Whether two stored values of a field are the same key.
pub fn same_value(kind: Kind, a: &Value, b: &Value) -> bool {
    match (kind, a, b) {
        (_, Value::Null, _) | (_, _, Value::Null) => false,
        (Kind::Number { .. }, a, b) => number(a).zip(number(b)).is_some_and(|(x, y)| x == y),
        (_, Value::String(x), Value::String(y)) => x.to_lowercase() == y.to_lowercase(),
        _ => false,
    }
}

/// A key value as the client sent it (a URL segment, a body value), stored-typed.
pub fn key_value(kind: Kind, raw: &str) -> Value {
    match kind {
        Kind::Number { .. } => raw
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::String(raw.to_string()), Value::Number),
        _ => Value::String(raw.to_string()),
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn id_of(rec: &Record) -> &str {
    rec.get("Id").and_then(Value::as_str).unwrap_or_default()
}

/// The rows of `object` holding `value` in `field`: committed ones outside the recycle bin,
/// or the Id of an uncommitted row that holds it (the write must wait for that lock).
pub fn holders<'a>(
    store: &'a Store,
    object: &str,
    field: Field,
    value: &Value,
    except: Option<&str>,
) -> Result<Vec<&'a Record>, SfError> {
    let other = |r: &&Record| except.is_none_or(|id| id_of(r) != id);
    let same = |r: &&Record| {
        r.get(field.name)
            .is_some_and(|v| same_value(field.kind, v, value))
    };
    if let Some(locked) = store.uncommitted(object).filter(other).find(same) {
        return Err(SfError::unable_to_lock(id_of(locked)));
    }
    let rows: Vec<&Record> = store.all_live(object).filter(other).filter(same).collect();
    if let Some(locked) = rows.iter().find(|r| store.locked(object, id_of(r))) {
        return Err(SfError::unable_to_lock(id_of(locked)));
    }
    Ok(rows)
}

/// DUPLICATE_VALUE when a unique field written by this change already belongs to another
/// record.
pub fn check(store: &Store, object: &str, rec: &Record, changed: &Record) -> Result<(), SfError> {
    let own = rec.get("Id").and_then(Value::as_str);
    for f in store.schema.fields(object).filter(Field::enforces_unique) {
        let Some(value) = changed.get(f.name).filter(|v| !v.is_null()) else {
            continue;
        };
        if let Some(first) = holders(store, object, f, value, own)?.first() {
            return Err(duplicate_value(f.name, id_of(first)));
        }
    }
    Ok(())
}

pub fn duplicate_value(field: &str, holder: &str) -> SfError {
    SfError::bad(
        "DUPLICATE_VALUE",
        format!("duplicate value found: {field} duplicates value on record with id: {holder}"),
    )
}
