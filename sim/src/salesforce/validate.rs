//! Field-level checks of a write body: known fields the integration user may write; value
//! types, lengths, email syntax, numbers, checkboxes, restricted picklists and lookups.
//! Returns the changes with canonical field names and stored types.

use super::errors::SfError;
use super::rules::Operation;
use super::schema::{self, Field, FieldAccess, Kind};
use super::store::{is_deleted, Record, Store};
use serde_json::{Number, Value};
use shared::salesforce::SalesforceId;

pub fn fields(
    store: &Store,
    object: &str,
    body: &Record,
    op: Operation,
) -> Result<Record, SfError> {
    let mut out = Record::new();
    for (k, v) in body {
        if k == "attributes" {
            continue;
        }
        let f = store
            .schema
            .api_field(object, k)
            .ok_or_else(|| invalid_field(object, k))?;
        if !f.writable || store.schema.access(object, f.name) == FieldAccess::ReadOnly {
            return Err(not_writable(f, op));
        }
        out.insert(f.name.to_string(), value(store, f, v)?);
    }
    Ok(out)
}

pub fn invalid_field(object: &str, name: &str) -> SfError {
    SfError::bad(
        "INVALID_FIELD",
        format!("No such column '{name}' on sobject of type {object}"),
    )
}

fn not_writable(f: Field, op: Operation) -> SfError {
    let verb = if op == Operation::Create {
        "create"
    } else {
        "update"
    };
    SfError::bad(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        format!(
            "Unable to {verb} fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
            f.name
        ),
    )
    .fields(&[f.name])
}

/// The value to store for `v` written to `f`, or Salesforce's complaint about it.
fn value(store: &Store, f: Field, v: &Value) -> Result<Value, SfError> {
    match f.kind {
        Kind::Boolean => checkbox(f, v),
        Kind::Number { precision, scale } => number(f, v, precision, scale),
        _ => {
            let text = as_text(f, v)?;
            if let Some(t) = &text {
                check_text(store, f, t)?;
            }
            // Lookups are stored in their 18-character form, whatever the client sent.
            let text = match (f.kind, text) {
                (Kind::Reference(_), Some(t)) => {
                    SalesforceId::parse(&t).map(|id| id.to_string()).ok()
                }
                (_, t) => t,
            };
            Ok(text.map_or(Value::Null, Value::String))
        }
    }
}

fn parser_error(f: Field, ty: &str, v: &Value) -> SfError {
    let (token, shown) = match v {
        Value::String(s) => ("VALUE_STRING", s.clone()),
        Value::Bool(b) => (if *b { "VALUE_TRUE" } else { "VALUE_FALSE" }, b.to_string()),
        Value::Number(n) => ("VALUE_NUMBER_INT", n.to_string()),
        Value::Array(_) => ("START_ARRAY", "[".into()),
        Value::Object(_) => ("START_OBJECT", "{".into()),
        Value::Null => ("VALUE_NULL", "null".into()),
    };
    SfError::bad(
        "JSON_PARSER_ERROR",
        format!(
            "Cannot deserialize instance of {ty} from {token} value {shown} or request may be missing a required field for field {}",
            f.name
        ),
    )
}

/// A checkbox takes true/false (or their text); null clears it to false, as on the platform.
fn checkbox(f: Field, v: &Value) -> Result<Value, SfError> {
    match v {
        Value::Null => Ok(Value::Bool(false)),
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
        other => Err(parser_error(f, "boolean", other)),
    }
}

/// A number (or numeric text) with at most `precision - scale` digits before the point,
/// rounded to `scale` digits after it.
fn number(f: Field, v: &Value, precision: u8, scale: u8) -> Result<Value, SfError> {
    let n = match v {
        Value::Null => return Ok(Value::Null),
        Value::String(s) if s.trim().is_empty() => return Ok(Value::Null),
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
        _ => None,
    }
    .ok_or_else(|| parser_error(f, "double", v))?;
    let factor = 10f64.powi(i32::from(scale));
    let rounded = (n * factor).round() / factor;
    let limit = 10f64.powi(i32::from(precision) - i32::from(scale));
    if rounded.abs() >= limit {
        return Err(SfError::bad(
            "NUMBER_OUTSIDE_VALID_RANGE",
            format!(
                "{}: value outside of valid range on numeric field: {n}",
                f.label
            ),
        )
        .fields(&[f.name]));
    }
    Ok(Number::from_f64(rounded).map_or(Value::Null, Value::Number))
}

/// Salesforce coerces scalars into text fields; arrays and objects are a parse error.
fn as_text(f: Field, v: &Value) -> Result<Option<String>, SfError> {
    Ok(match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(_) | Value::Object(_) => {
            let token = if v.is_array() {
                "START_ARRAY"
            } else {
                "START_OBJECT"
            };
            return Err(SfError::bad(
                "JSON_PARSER_ERROR",
                format!(
                    "Cannot deserialize instance of string from {token} value for field {}",
                    f.name
                ),
            ));
        }
    })
}

fn check_text(store: &Store, f: Field, t: &str) -> Result<(), SfError> {
    let len = t.chars().count();
    if let Some(max) = f.kind.max_len().filter(|max| len > *max) {
        let shown: String = t.chars().take(20).collect();
        return Err(SfError::bad(
            "STRING_TOO_LONG",
            format!(
                "{}: data value too large: {shown}... (max length={max})",
                f.label
            ),
        )
        .fields(&[f.name]));
    }
    match f.kind {
        Kind::Email(_) if !valid_email(t) => Err(SfError::bad(
            "INVALID_EMAIL_ADDRESS",
            format!("{}: invalid email address: {t}", f.label),
        )
        .fields(&[f.name])),
        Kind::Picklist {
            values,
            restricted: true,
        } if !values.contains(&t) => Err(SfError::bad(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            format!("{}: bad value for restricted picklist field: {t}", f.label),
        )
        .fields(&[f.name])),
        Kind::Reference(target) => check_lookup(store, f, target, t),
        _ => Ok(()),
    }
}

/// Not an Id at all: MALFORMED_ID; an Id of another object: FIELD_INTEGRITY_EXCEPTION; the
/// right kind of Id but no such record: INVALID_CROSS_REFERENCE_KEY; a record in the recycle
/// bin: ENTITY_IS_DELETED.
fn check_lookup(store: &Store, f: Field, target: &str, t: &str) -> Result<(), SfError> {
    let id = SalesforceId::parse(t).map_err(|_| {
        SfError::bad(
            "MALFORMED_ID",
            format!("{}: id value of incorrect type: {t}", f.label),
        )
        .fields(&[f.name])
    })?;
    if id.key_prefix() != schema::key_prefix(target) {
        return Err(SfError::bad(
            "FIELD_INTEGRITY_EXCEPTION",
            format!("{}: id value of incorrect type: {t}", f.label),
        )
        .fields(&[f.name]));
    }
    match store.get(target, id.as_str()) {
        None => Err(
            SfError::bad("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
                .fields(&[f.name]),
        ),
        Some(r) if is_deleted(r) => Err(SfError::entity_is_deleted().fields(&[f.name])),
        Some(_) => Ok(()),
    }
}

/// Close to Salesforce's check: one @, a non-empty local part, a dotted domain, no spaces.
fn valid_email(s: &str) -> bool {
    let mut parts = s.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !s.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests;
