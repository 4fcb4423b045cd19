//! Checks a create or update body and merges it into the stored record: types, required
//! fields, lengths, e-mail format, nested addresses. Unknown fields are dropped; `id`,
//! `last_modified_date` belongs to iPaaS.com and is ignored when sent; so are `external_ids`,
//! except on a create, which is linked by the ones it carries (`links_on_create`).

use super::problem::FieldErrors;
use super::schema::{Field, Kind, Ty, ADDRESS};
use serde_json::{Map, Value};

pub type Record = Map<String, Value>;

/// Parses `body` and merges it over `existing` (an update keeps what the body leaves out;
/// a sent `addresses` replaces the list). `company_exists` answers for `company_id`.
pub fn merge(
    kind: Kind,
    body: &[u8],
    existing: Option<&Record>,
    company_exists: &dyn Fn(u64) -> bool,
) -> Result<Record, FieldErrors> {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return Err(root_error());
    };
    let mut errors = FieldErrors::new();
    let mut out = existing.cloned().unwrap_or_default();
    for field in kind.fields() {
        if let Some(v) = body.get(field.name) {
            if let Some(v) = check(field, field.name, v, &mut errors) {
                out.insert(field.name.to_string(), v);
            }
        }
    }
    if let Some(v) = body.get("addresses") {
        if let Some(list) = addresses(v, &mut errors) {
            out.insert("addresses".into(), list);
        }
    }
    if let Some(v) = body.get("custom_fields") {
        if let Some(list) = super::custom_fields::check(v, &mut errors) {
            out.insert("custom_fields".into(), list);
        }
    }
    for field in kind.fields().iter().filter(|f| f.required) {
        let present = out
            .get(field.name)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty());
        if !present && !errors.contains_key(field.name) {
            let msg = format!("The {} field is required.", field.name);
            add(&mut errors, field.name, &msg);
        }
    }
    if let Some(id) = body.get("company_id").and_then(Value::as_u64) {
        if !company_exists(id) {
            let msg = format!("The company_id {id} does not name an existing Company.");
            add(&mut errors, "company_id", &msg);
        }
    }
    if body.get("company_id").is_some_and(Value::is_u64) && !body.contains_key("company") {
        // A new company without a name: the tenant fills in that company's name.
        out.remove("company");
    }
    for key in ["addresses", "custom_fields"] {
        out.entry(key).or_insert_with(|| Value::Array(vec![]));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Merges `fields` over `existing` without judging them, as seeding and a person's edit in
/// the iPaaS.com UI do: known fields are taken as they are, unknown ones dropped.
pub fn lenient(kind: Kind, fields: &Value, existing: Option<&Record>) -> Record {
    let mut out = existing.cloned().unwrap_or_default();
    let empty = Map::new();
    let body = fields.as_object().unwrap_or(&empty);
    for field in kind.fields() {
        if let Some(v) = body.get(field.name) {
            out.insert(field.name.to_string(), v.clone());
        }
    }
    if let Some(list) = body.get("addresses") {
        let list = list.as_array().map(Vec::as_slice).unwrap_or_default();
        let list = list
            .iter()
            .filter_map(Value::as_object)
            .map(|a| {
                let mut addr = Record::new();
                if let Some(id) = a.get("id").and_then(Value::as_u64) {
                    addr.insert("id".into(), id.into());
                }
                for f in ADDRESS {
                    let v = a.get(f.name).cloned().unwrap_or(Value::Null);
                    let v = match (f.ty, v) {
                        (Ty::Bool, Value::Null) => Value::Bool(false),
                        (_, v) => v,
                    };
                    addr.insert(f.name.into(), v);
                }
                Value::Object(addr)
            })
            .collect();
        out.insert("addresses".into(), Value::Array(list));
    }
    if let Some(Value::Array(list)) = body.get("custom_fields") {
        out.insert("custom_fields".into(), Value::Array(list.clone()));
    }
    for key in ["addresses", "custom_fields"] {
        out.entry(key).or_insert_with(|| Value::Array(vec![]));
    }
    out
}

/// The 400 `errors` of a body that is not a JSON object.
/// The links a create carries: each `{system_id, external_id}` of `external_ids` (other
/// keys are iPaaS.com's own and ignored). A malformed entry is a 400 naming it.
pub fn links_on_create(body: &[u8]) -> Result<Vec<(u64, String)>, FieldErrors> {
    let v: Value = serde_json::from_slice(body).map_err(|_| root_error())?;
    let Some(list) = v.get("external_ids").filter(|l| !l.is_null()) else {
        return Ok(Vec::new());
    };
    let mut errors = FieldErrors::new();
    let mut links = Vec::new();
    let Some(items) = list.as_array() else {
        errors.insert(
            "external_ids".into(),
            vec!["The value is not a list.".into()],
        );
        return Err(errors);
    };
    for (i, item) in items.iter().enumerate() {
        let system = item
            .get("system_id")
            .and_then(Value::as_u64)
            .filter(|s| *s > 0);
        let external = item
            .get("external_id")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|e| !e.is_empty() && e.chars().count() <= 255);
        match (system, external) {
            (Some(s), Some(e)) => links.push((s, e.to_string())),
            (None, _) => {
                errors.insert(
                    format!("external_ids[{i}].system_id"),
                    vec!["A positive system id is required.".into()],
                );
            }
            (_, None) => {
                errors.insert(
                    format!("external_ids[{i}].external_id"),
                    vec!["An external id of 1 to 255 characters is required.".into()],
                );
            }
        }
    }
    if errors.is_empty() {
        Ok(links)
    } else {
        Err(errors)
    }
}

pub fn root_error() -> FieldErrors {
    let mut errors = FieldErrors::new();
    add(&mut errors, "$", "The request body must be a JSON object.");
    errors
}

/// Checks one value; `Some` is what to store.
fn check(field: &Field, key: &str, v: &Value, errors: &mut FieldErrors) -> Option<Value> {
    if v.is_null() {
        return Some(Value::Null);
    }
    let ok = match field.ty {
        Ty::Text(max) => text(key, v, max, errors),
        Ty::Email => text(key, v, super::schema::NAME_MAX, errors) && email(key, v, errors),
        Ty::Id => expect(v.as_u64().is_some(), key, "an integer id", errors),
        Ty::Bool => expect(v.is_boolean(), key, "true or false", errors),
        Ty::Scalar => expect(
            !v.is_object() && !v.is_array(),
            key,
            "a single value",
            errors,
        ),
    };
    ok.then(|| v.clone())
}

fn text(key: &str, v: &Value, max: usize, errors: &mut FieldErrors) -> bool {
    let Some(s) = v.as_str() else {
        return expect(false, key, "a string", errors);
    };
    if s.chars().count() > max {
        let msg = format!("The field {key} must be a string with a maximum length of {max}.");
        add(errors, key, &msg);
        return false;
    }
    true
}

fn email(key: &str, v: &Value, errors: &mut FieldErrors) -> bool {
    let s = v.as_str().unwrap_or_default();
    // An empty optional address is "none"; the required rule catches a required one.
    if s.is_empty() || is_email(s) {
        return true;
    }
    add(
        errors,
        key,
        &format!("The {key} field is not a valid e-mail address."),
    );
    false
}

/// A plain `local@domain.tld` check, about as strict as .NET's [EmailAddress] plus a dot.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let bad = |c: char| c.is_whitespace() || "<>()[]\\,;:\"@".contains(c);
    !local.is_empty()
        && !domain.is_empty()
        && !local.chars().any(bad)
        && !domain.chars().any(bad)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

fn expect(ok: bool, key: &str, what: &str, errors: &mut FieldErrors) -> bool {
    if !ok {
        add(
            errors,
            key,
            &format!("The JSON value of {key} must be {what}."),
        );
    }
    ok
}

fn addresses(v: &Value, errors: &mut FieldErrors) -> Option<Value> {
    let list = match v {
        Value::Null => return Some(Value::Array(vec![])),
        Value::Array(list) => list,
        _ => {
            add(errors, "addresses", "The addresses field must be an array.");
            return None;
        }
    };
    let before = errors.len();
    let mut out = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let Value::Object(item) = item else {
            add(
                errors,
                &format!("addresses[{i}]"),
                "An address must be a JSON object.",
            );
            continue;
        };
        let mut addr = Record::new();
        if let Some(id) = item.get("id").and_then(Value::as_u64) {
            addr.insert("id".into(), id.into());
        }
        for field in ADDRESS {
            let key = format!("addresses[{i}].{}", field.name);
            let v = item.get(field.name).unwrap_or(&Value::Null);
            if let Some(v) = check(field, &key, v, errors) {
                let v = match (field.ty, v) {
                    (Ty::Bool, Value::Null) => Value::Bool(false),
                    (_, v) => v,
                };
                addr.insert(field.name.into(), v);
            }
        }
        out.push(Value::Object(addr));
    }
    (errors.len() == before).then_some(Value::Array(out))
}

fn add(errors: &mut FieldErrors, key: &str, msg: &str) {
    errors
        .entry(key.to_string())
        .or_default()
        .push(msg.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn create(kind: Kind, v: Value) -> Result<Record, FieldErrors> {
        merge(kind, v.to_string().as_bytes(), None, &|id| id == 7)
    }

    #[test]
    fn a_valid_customer_keeps_known_fields_only() {
        let r = create(
            Kind::Customer,
            json!({"last_name": "Lovelace", "email_address": "ada@example.com",
                   "company_id": 7, "id": 99, "shoe_size": 44,
                   "addresses": [{"city": "London", "is_primary_billing": true, "zip": "x"}]}),
        )
        .unwrap();
        assert_eq!(r["last_name"], "Lovelace");
        assert_eq!(r["company_id"], 7);
        assert!(!r.contains_key("id") && !r.contains_key("shoe_size"));
        assert_eq!(r["addresses"][0]["city"], "London");
        assert_eq!(r["addresses"][0]["is_primary_shipping"], false);
        assert!(r["addresses"][0].get("zip").is_none());
        assert_eq!(r["custom_fields"], json!([]));
    }

    #[test]
    fn each_rule_names_its_field() {
        let e = create(Kind::Customer, json!({"first_name": "A"})).unwrap_err();
        assert!(e.contains_key("last_name") && !e.contains_key("email_address"));
        let e = create(
            Kind::Customer,
            json!({"last_name": " ", "email_address": "nope"}),
        )
        .unwrap_err();
        assert_eq!(e["last_name"], ["The last_name field is required."]);
        assert_eq!(
            e["email_address"],
            ["The email_address field is not a valid e-mail address."]
        );
        let long = "x".repeat(256);
        let e = create(
            Kind::Customer,
            json!({"last_name": long, "email_address": "a@b.co", "comment": "y".repeat(1001)}),
        )
        .unwrap_err();
        assert!(e["last_name"][0].contains("maximum length of 255"));
        assert!(e["comment"][0].contains("maximum length of 1000"));
        let e = create(
            Kind::Customer,
            json!({"last_name": "L", "email_address": "a@b.co", "company_id": 8}),
        )
        .unwrap_err();
        assert!(e["company_id"][0].contains("8"));
        let e = create(Kind::Company, json!({"description": "d"})).unwrap_err();
        assert_eq!(e["name"], ["The name field is required."]);
        let e = create(
            Kind::Company,
            json!({"name": "N", "addresses": [{"city": 5}]}),
        )
        .unwrap_err();
        assert!(e.contains_key("addresses[0].city"));
        let e = merge(Kind::Company, b"not json", None, &|_| true).unwrap_err();
        assert!(e.contains_key("$"));
        let e = merge(Kind::Company, b"[1]", None, &|_| true).unwrap_err();
        assert!(e.contains_key("$"));
    }

    #[test]
    fn an_update_keeps_what_it_leaves_out_and_replaces_addresses() {
        let old = create(
            Kind::Company,
            json!({"name": "Acme", "url": "u", "addresses": [{"city": "A"}, {"city": "B"}]}),
        )
        .unwrap();
        let body = json!({"name": "Acme Ltd", "addresses": [{"city": "C"}]}).to_string();
        let new = merge(Kind::Company, body.as_bytes(), Some(&old), &|_| true).unwrap();
        assert_eq!(
            (new["name"].as_str(), new["url"].as_str()),
            (Some("Acme Ltd"), Some("u"))
        );
        assert_eq!(new["addresses"].as_array().map(Vec::len), Some(1));
        let body = json!({"name": null}).to_string();
        let e = merge(Kind::Company, body.as_bytes(), Some(&old), &|_| true).unwrap_err();
        assert!(e.contains_key("name"));
    }

    #[test]
    fn emails() {
        for ok in ["a@b.co", "first.last+tag@sub.example.org"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@b.co", "a@.co", "a b@c.co", "a@b..co", "a@b@c.co",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
