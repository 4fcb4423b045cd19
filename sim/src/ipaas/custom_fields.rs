//! A record's custom fields: `custom_fields: [{"name": "Tier", "value": "Gold"}, …]`
//! (docs/ipaas-api.md). A name appears once (not case-sensitive); a value is text or null;
//! keys other than `id`, `name` and `value` are dropped, as unknown fields are. A sent list
//! replaces the record's list, as addresses do.

use super::problem::FieldErrors;
use super::schema::{NAME_MAX, TEXT_MAX};
use serde_json::{Map, Value};

/// The list to store for `v`, or `None` with the problems added to `errors`.
pub fn check(v: &Value, errors: &mut FieldErrors) -> Option<Value> {
    let list = match v {
        Value::Null => return Some(Value::Array(Vec::new())),
        Value::Array(list) => list,
        _ => {
            add(
                errors,
                "custom_fields",
                "The custom_fields field must be an array.",
            );
            return None;
        }
    };
    let before = errors.len();
    let mut out: Vec<Value> = Vec::with_capacity(list.len());
    let mut names: Vec<String> = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let at = |k: &str| format!("custom_fields[{i}].{k}");
        let Value::Object(item) = item else {
            add(
                errors,
                &format!("custom_fields[{i}]"),
                "A custom field must be a JSON object.",
            );
            continue;
        };
        let name = match item.get("name") {
            Some(Value::String(n)) if !n.trim().is_empty() => n.trim().to_string(),
            Some(Value::String(_)) | None | Some(Value::Null) => {
                add(errors, &at("name"), "The name field is required.");
                continue;
            }
            Some(_) => {
                add(
                    errors,
                    &at("name"),
                    "The JSON value of name must be a string.",
                );
                continue;
            }
        };
        if name.chars().count() > NAME_MAX {
            add(
                errors,
                &at("name"),
                &format!("The field name must be a string with a maximum length of {NAME_MAX}."),
            );
            continue;
        }
        if names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            add(
                errors,
                &at("name"),
                &format!("The custom field {name} appears more than once."),
            );
            continue;
        }
        let value = match item.get("value") {
            None | Some(Value::Null) => Value::Null,
            Some(Value::String(s)) if s.chars().count() > TEXT_MAX => {
                add(
                    errors,
                    &at("value"),
                    &format!(
                        "The field value must be a string with a maximum length of {TEXT_MAX}."
                    ),
                );
                continue;
            }
            Some(Value::String(s)) => Value::String(s.clone()),
            Some(_) => {
                add(
                    errors,
                    &at("value"),
                    "The JSON value of value must be a string.",
                );
                continue;
            }
        };
        let mut kept = Map::new();
        if let Some(id) = item.get("id").and_then(Value::as_u64) {
            kept.insert("id".into(), id.into());
        }
        kept.insert("name".into(), Value::String(name.clone()));
        kept.insert("value".into(), value);
        names.push(name);
        out.push(Value::Object(kept));
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

    #[test]
    fn a_list_of_named_text_values() {
        let mut e = FieldErrors::new();
        let got = check(
            &json!([{"id": 3, "name": " Tier ", "value": "Gold", "color": "x"}, {"name": "Empty", "value": null}]),
            &mut e,
        );
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(
            got,
            Some(
                json!([{"id": 3, "name": "Tier", "value": "Gold"}, {"name": "Empty", "value": null}])
            )
        );
        assert_eq!(check(&Value::Null, &mut e), Some(json!([])));
    }

    #[test]
    fn each_problem_names_its_place() {
        let mut e = FieldErrors::new();
        let bad = json!([{"value": "x"}, {"name": 5}, "Tier", {"name": "A", "value": 7},
                         {"name": "B", "value": "1"}, {"name": "b", "value": "2"}]);
        assert_eq!(check(&bad, &mut e), None);
        assert_eq!(e["custom_fields[0].name"], ["The name field is required."]);
        assert_eq!(
            e["custom_fields[1].name"],
            ["The JSON value of name must be a string."]
        );
        assert_eq!(
            e["custom_fields[2]"],
            ["A custom field must be a JSON object."]
        );
        assert_eq!(
            e["custom_fields[3].value"],
            ["The JSON value of value must be a string."]
        );
        assert_eq!(
            e["custom_fields[5].name"],
            ["The custom field b appears more than once."]
        );
        let mut e = FieldErrors::new();
        assert_eq!(check(&json!({"Tier": "Gold"}), &mut e), None);
        assert!(e.contains_key("custom_fields"));
    }
}
