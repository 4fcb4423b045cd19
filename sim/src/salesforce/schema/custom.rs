//! Custom fields as a test (or `/__sim/fields/{object}`) declares them, checked as Setup
//! checks them, and the integration user's field-level security.

use super::{Field, Kind};
use serde::{Deserialize, Serialize};

/// A custom field to add to an object. JSON: `{"name":"Tier__c","label":"Tier",
/// "kind":{"type":"picklist","values":["Gold","Silver"],"restricted":true},
/// "external_id":false,"unique":false,"required":false}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomField {
    /// The API name; ends in `__c`.
    pub name: String,
    pub label: String,
    pub kind: CustomKind,
    #[serde(default)]
    pub external_id: bool,
    #[serde(default)]
    pub unique: bool,
    #[serde(default)]
    pub required: bool,
}

/// The type of a custom field, tagged by `type` in JSON (`{"type":"text","length":40}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CustomKind {
    Text {
        length: usize,
    },
    Email,
    Phone,
    Url,
    Number {
        precision: u8,
        scale: u8,
    },
    Checkbox,
    Picklist {
        values: Vec<String>,
        #[serde(default)]
        restricted: bool,
    },
}

/// What the integration user may do with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldAccess {
    /// The field does not exist for it: INVALID_FIELD in SOQL and writes, absent from describe.
    Hidden,
    /// Readable; writes answer INVALID_FIELD_FOR_INSERT_UPDATE.
    ReadOnly,
    ReadWrite,
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// `Tier__c`: a letter first, then letters, digits and single underscores, then `__c`.
fn valid_api_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix("__c") else {
        return false;
    };
    stem.len() <= 40
        && stem.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !stem.contains("__")
        && !stem.ends_with('_')
}

impl CustomField {
    /// The schema field, or why Setup would refuse it.
    pub(super) fn into_field(self) -> Result<Field, String> {
        let name = self.name.trim().to_string();
        if !valid_api_name(&name) {
            return Err(format!(
                "{name:?} is not a custom field API name (letters, digits and single underscores, ending in __c)"
            ));
        }
        let label = match self.label.trim() {
            "" => name.trim_end_matches("__c").replace('_', " "),
            l => l.to_string(),
        };
        let kind = match self.kind {
            CustomKind::Text { length } if (1..=255).contains(&length) => Kind::Text(length),
            CustomKind::Text { length } => {
                return Err(format!("a text field holds 1 to 255 characters, not {length}"))
            }
            CustomKind::Email => Kind::Email(80),
            CustomKind::Phone => Kind::Phone(40),
            CustomKind::Url => Kind::Url(255),
            CustomKind::Number { precision, scale }
                if (1..=18).contains(&precision) && scale <= precision =>
            {
                Kind::Number { precision, scale }
            }
            CustomKind::Number { precision, scale } => {
                return Err(format!(
                    "a number has a precision of 1 to 18 and a scale no larger, not ({precision}, {scale})"
                ))
            }
            CustomKind::Checkbox => Kind::Boolean,
            CustomKind::Picklist { values, restricted } => {
                picklist_values(&values)?;
                let values: Vec<&'static str> = values.into_iter().map(leak).collect();
                Kind::Picklist {
                    values: Box::leak(values.into_boxed_slice()),
                    restricted,
                }
            }
        };
        let keyable = matches!(kind, Kind::Text(_) | Kind::Email(_) | Kind::Number { .. });
        if (self.external_id || self.unique) && !keyable {
            return Err(format!(
                "only text, email and number fields can be external ids or unique ({name})"
            ));
        }
        if self.required && kind == Kind::Boolean {
            return Err(format!("a checkbox cannot be required ({name})"));
        }
        Ok(Field {
            name: leak(name),
            label: leak(label),
            kind,
            required: self.required,
            writable: true,
            custom: true,
            external_id: self.external_id,
            unique: self.unique,
        })
    }
}

fn picklist_values(values: &[String]) -> Result<(), String> {
    if values.is_empty() {
        return Err("a picklist needs at least one value".into());
    }
    for (i, v) in values.iter().enumerate() {
        if v.trim().is_empty() || v.chars().count() > 255 {
            return Err(format!("picklist value {v:?} must be 1 to 255 characters"));
        }
        if values[..i].iter().any(|w| w.eq_ignore_ascii_case(v)) {
            return Err(format!("picklist value {v:?} appears twice"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::Schema;
    use super::*;

    fn text(name: &str) -> CustomField {
        CustomField {
            name: name.into(),
            label: String::new(),
            kind: CustomKind::Text { length: 20 },
            external_id: false,
            unique: false,
            required: false,
        }
    }

    #[test]
    fn custom_fields_join_the_schema() {
        let mut s = Schema::default();
        s.add_custom("Account", text("Tier_Code__c")).unwrap();
        let f = s.field("Account", "tier_code__c").unwrap();
        assert_eq!(
            (f.name, f.label, f.custom),
            ("Tier_Code__c", "Tier Code", true)
        );
        assert!(s.field("Contact", "Tier_Code__c").is_none(), "per object");
        assert!(
            s.add_custom("Account", text("TIER_CODE__c")).is_err(),
            "twice"
        );
    }

    #[test]
    fn setup_refuses_bad_fields() {
        let mut s = Schema::default();
        for bad in [
            "Tier",
            "Tier__x",
            "__c",
            "1Tier__c",
            "Ti__er__c",
            "Tier___c",
            "Ti er__c",
        ] {
            assert!(s.add_custom("Account", text(bad)).is_err(), "{bad}");
        }
        let mut f = text("Long__c");
        f.kind = CustomKind::Text { length: 256 };
        assert!(s.add_custom("Account", f).is_err());
        let mut f = text("Flag__c");
        f.kind = CustomKind::Checkbox;
        f.external_id = true;
        assert!(s.add_custom("Account", f).is_err());
        let mut f = text("Pick__c");
        f.kind = CustomKind::Picklist {
            values: vec!["A".into(), "a".into()],
            restricted: true,
        };
        assert!(s.add_custom("Account", f).is_err());
        let mut f = text("Num__c");
        f.kind = CustomKind::Number {
            precision: 4,
            scale: 5,
        };
        assert!(s.add_custom("Account", f).is_err());
    }

    #[test]
    fn field_security_is_per_field() {
        let mut s = Schema::default();
        s.set_access("Account", "phone", FieldAccess::Hidden)
            .unwrap();
        assert!(s.api_field("Account", "Phone").is_none());
        assert!(
            s.field("Account", "Phone").is_some(),
            "still there for the platform"
        );
        assert!(s.set_access("Account", "Id", FieldAccess::Hidden).is_err());
        assert!(s
            .set_access("Account", "Bogus", FieldAccess::ReadOnly)
            .is_err());
    }

    #[test]
    fn kinds_read_as_tagged_json() {
        let f: CustomField = serde_json::from_str(
            r#"{"name":"Tier__c","label":"Tier","kind":{"type":"picklist","values":["Gold"],"restricted":true}}"#,
        )
        .unwrap();
        assert_eq!(
            f.kind,
            CustomKind::Picklist {
                values: vec!["Gold".into()],
                restricted: true
            }
        );
        let n: CustomKind =
            serde_json::from_str(r#"{"type":"number","precision":5,"scale":2}"#).unwrap();
        assert_eq!(
            n,
            CustomKind::Number {
                precision: 5,
                scale: 2
            }
        );
        assert_eq!(
            serde_json::to_string(&CustomKind::Email).unwrap(),
            r#"{"type":"email"}"#
        );
    }
}
