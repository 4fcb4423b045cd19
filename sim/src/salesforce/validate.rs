//! Field-level checks of a write body: known, writable fields; value types, lengths, email
//! syntax and lookups. Returns the changes with canonical field names.

use super::errors::SfError;
use super::rules::Operation;
use super::schema::{self, Field, Kind};
use super::store::{Record, Store};
use serde_json::Value;
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
        let f = schema::field(object, k).ok_or_else(|| {
            SfError::bad(
                "INVALID_FIELD",
                format!("No such column '{k}' on sobject of type {object}"),
            )
        })?;
        if !f.writable {
            let verb = if op == Operation::Create {
                "create"
            } else {
                "update"
            };
            return Err(SfError::bad(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                format!(
                    "Unable to {verb} fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
                    f.name
                ),
            )
            .fields(&[f.name]));
        }
        let text = as_text(f, v)?;
        if let Some(t) = &text {
            check_value(store, f, t)?;
        }
        // Lookups are stored in their 18-character form, whatever the client sent.
        let text = match (f.kind, text) {
            (Kind::Reference(_), Some(t)) => SalesforceId::parse(&t).map(|id| id.to_string()).ok(),
            (_, t) => t,
        };
        out.insert(f.name.to_string(), text.map_or(Value::Null, Value::String));
    }
    Ok(out)
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

fn check_value(store: &Store, f: Field, t: &str) -> Result<(), SfError> {
    let len = t.chars().count();
    match f.kind {
        Kind::Text(max) | Kind::Email(max) if len > max => {
            let shown: String = t.chars().take(20).collect();
            Err(SfError::bad(
                "STRING_TOO_LONG",
                format!(
                    "{}: data value too large: {shown}... (max length={max})",
                    f.label
                ),
            )
            .fields(&[f.name]))
        }
        Kind::Email(_) if !valid_email(t) => Err(SfError::bad(
            "INVALID_EMAIL_ADDRESS",
            format!("{}: invalid email address: {t}", f.label),
        )
        .fields(&[f.name])),
        Kind::Reference(target) => check_lookup(store, f, target, t),
        _ => Ok(()),
    }
}

/// Not an Id at all: MALFORMED_ID; an Id of another object: FIELD_INTEGRITY_EXCEPTION; the
/// right kind of Id but no such record: INVALID_CROSS_REFERENCE_KEY.
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
    if store.get(target, id.as_str()).is_none() {
        return Err(
            SfError::bad("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
                .fields(&[f.name]),
        );
    }
    Ok(())
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
mod tests {
    use super::*;
    use crate::salesforce::store::Writer;
    use serde_json::json;

    fn body(v: Value) -> Record {
        v.as_object().cloned().unwrap_or_default()
    }

    fn code(store: &Store, object: &str, v: Value) -> &'static str {
        fields(store, object, &body(v), Operation::Create).map_or_else(|e| e.code, |_| "OK")
    }

    #[test]
    fn field_errors() {
        let s = Store::default();
        assert_eq!(code(&s, "Account", json!({"Name": "a"})), "OK");
        assert_eq!(code(&s, "Account", json!({"Nmae": "a"})), "INVALID_FIELD");
        assert_eq!(
            code(&s, "Account", json!({"SystemModstamp": "x"})),
            "INVALID_FIELD_FOR_INSERT_UPDATE"
        );
        assert_eq!(
            code(&s, "Account", json!({"Name": "x".repeat(256)})),
            "STRING_TOO_LONG"
        );
        assert_eq!(code(&s, "Account", json!({"Name": "é".repeat(255)})), "OK");
        assert_eq!(
            code(&s, "Account", json!({"AccountNumber": "1".repeat(41)})),
            "STRING_TOO_LONG"
        );
        assert_eq!(
            code(&s, "Contact", json!({"Email": "nobody"})),
            "INVALID_EMAIL_ADDRESS"
        );
        assert_eq!(code(&s, "Contact", json!({"Email": "a@b.co"})), "OK");
        assert_eq!(
            code(&s, "Contact", json!({"Email": ["a"]})),
            "JSON_PARSER_ERROR"
        );
        assert_eq!(code(&s, "Account", json!({"Phone": 5551234})), "OK");
    }

    #[test]
    fn lookups() {
        let mut s = Store::default();
        let acct = s.put(
            "Account",
            None,
            &body(json!({"Name": "A"})),
            Writer::User("005"),
        );
        assert_eq!(
            code(&s, "Contact", json!({"AccountId": acct.as_str()})),
            "OK"
        );
        assert_eq!(
            code(&s, "Contact", json!({"AccountId": acct.to_15()})),
            "OK"
        );
        assert_eq!(
            code(&s, "Contact", json!({"AccountId": "NotReal"})),
            "MALFORMED_ID"
        );
        let contact = SalesforceId::from_parts("003", "8M0", 99);
        assert_eq!(
            code(&s, "Contact", json!({"AccountId": contact.as_str()})),
            "FIELD_INTEGRITY_EXCEPTION"
        );
        let ghost = SalesforceId::from_parts("001", "8M0", 99);
        assert_eq!(
            code(&s, "Contact", json!({"AccountId": ghost.as_str()})),
            "INVALID_CROSS_REFERENCE_KEY"
        );
    }
}
