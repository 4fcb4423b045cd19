//! The org's configurable rules: permission denials, validation rules and duplicate rules,
//! checked on every API write (never on seeding).

use super::duplicates;
use super::errors::SfError;
use super::matching::DuplicateRuleKind;
use super::store::{Record, Store};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Operation {
    Create,
    Update,
    Read,
    Delete,
}

/// When a validation rule rejects a record, judged on the field's value after the write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Condition {
    Equals(String),
    StartsWith(String),
    Contains(String),
    IsBlank,
    LongerThan(usize),
}

impl Condition {
    fn fires(&self, value: &str) -> bool {
        match self {
            Condition::Equals(x) => value == x,
            Condition::StartsWith(x) => value.starts_with(x.as_str()),
            Condition::Contains(x) => value.contains(x.as_str()),
            Condition::IsBlank => value.trim().is_empty(),
            Condition::LongerThan(n) => value.chars().count() > *n,
        }
    }
}

/// A validation rule: rejects a write of `object` whose `field` meets `condition` with
/// FIELD_CUSTOM_VALIDATION_EXCEPTION and `message`, naming `error_field` when set (an error
/// shown at the top of the page names no field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationRule {
    pub object: String,
    pub field: String,
    pub condition: Condition,
    pub message: String,
    pub error_field: Option<String>,
}

/// The Sforce-Duplicate-Rule-Header the client sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DuplicateOptions {
    pub allow_save: bool,
    pub include_record_details: bool,
}

impl DuplicateOptions {
    /// Parses `allowSave=true; includeRecordDetails=true; runAsCurrentUser=true`.
    pub fn from_header(raw: Option<&str>) -> Self {
        let mut o = DuplicateOptions::default();
        for part in raw.unwrap_or("").split([';', ',']) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let on = v.trim().eq_ignore_ascii_case("true");
            match k.trim() {
                "allowSave" => o.allow_save = on,
                "includeRecordDetails" => o.include_record_details = on,
                _ => {}
            }
        }
        o
    }
}

pub struct Rules {
    duplicate_rules: HashMap<&'static str, DuplicateRuleKind>,
    contact_matches_leads: bool,
    validation: Vec<ValidationRule>,
    denied: HashSet<(&'static str, Operation)>,
}

impl Default for Rules {
    /// Like a new org: the standard duplicate rules are active (the Contact rule matching
    /// Contacts only, as in orgs made before Summer '17).
    fn default() -> Self {
        Rules {
            duplicate_rules: HashMap::new(),
            contact_matches_leads: false,
            validation: Vec::new(),
            denied: HashSet::new(),
        }
    }
}

const STANDARD: DuplicateRuleKind = DuplicateRuleKind::Standard;

impl Rules {
    /// On: the standard rule; off: none.
    pub fn set_duplicate_rule(&mut self, object: &'static str, enabled: bool) {
        let kind = if enabled {
            DuplicateRuleKind::Standard
        } else {
            DuplicateRuleKind::Off
        };
        self.duplicate_rules.insert(object, kind);
    }

    pub fn set_duplicate_rule_kind(&mut self, object: &'static str, kind: DuplicateRuleKind) {
        self.duplicate_rules.insert(object, kind);
    }

    pub fn duplicate_rule(&self, object: &str) -> &DuplicateRuleKind {
        self.duplicate_rules.get(object).unwrap_or(&STANDARD)
    }

    /// Whether the Contact rule also matches Leads (one `matchResults` entry per type).
    pub fn set_contact_matches_leads(&mut self, on: bool) {
        self.contact_matches_leads = on;
    }

    pub fn contact_matches_leads(&self) -> bool {
        self.contact_matches_leads
    }

    pub fn add_validation_rule(&mut self, rule: ValidationRule) {
        self.validation.push(rule);
    }

    pub fn deny(&mut self, object: &'static str, op: Operation) {
        self.denied.insert((object, op));
    }

    pub fn check_access(&self, object: &'static str, op: Operation) -> Result<(), SfError> {
        if self.denied.contains(&(object, op)) {
            return Err(SfError::bad(
                "INSUFFICIENT_ACCESS_OR_READONLY",
                "insufficient access rights on object id",
            ));
        }
        Ok(())
    }

    /// Required fields, then validation rules, then duplicate rules, as the platform orders
    /// them. `rec` is the record as it would be saved; `changed` names the fields written.
    pub fn check_record(
        &self,
        store: &Store,
        object: &'static str,
        rec: &Record,
        changed: &Record,
        dup: DuplicateOptions,
    ) -> Result<(), SfError> {
        let missing: Vec<&str> = store
            .schema
            .fields(object)
            .filter(|f| f.required && blank(rec.get(f.name)))
            .map(|f| f.name)
            .collect();
        if !missing.is_empty() {
            let msg = format!("Required fields are missing: [{}]", missing.join(", "));
            return Err(SfError::bad("REQUIRED_FIELD_MISSING", msg).fields(&missing));
        }
        for r in self
            .validation
            .iter()
            .filter(|r| r.object.eq_ignore_ascii_case(object))
        {
            let field = store
                .schema
                .field(object, &r.field)
                .map_or(r.field.as_str(), |f| f.name);
            if r.condition.fires(text(rec, field)) {
                let fields: Vec<&str> = r.error_field.iter().map(String::as_str).collect();
                return Err(
                    SfError::bad("FIELD_CUSTOM_VALIDATION_EXCEPTION", r.message.clone())
                        .fields(&fields),
                );
            }
        }
        duplicates::check(self, store, object, rec, changed, dup)?;
        super::unique::check(store, object, rec, changed)
    }
}

/// Missing, null or only white space (a number or a checkbox is never blank).
fn blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(_) => false,
    }
}

fn text<'a>(rec: &'a Record, field: &str) -> &'a str {
    rec.get(field).and_then(Value::as_str).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::store::Writer;
    use serde_json::json;

    fn rec(v: Value) -> Record {
        v.as_object().cloned().unwrap_or_default()
    }

    fn name_rule() -> DuplicateRuleKind {
        DuplicateRuleKind::Custom {
            fields: vec!["Name".into()],
        }
    }

    #[test]
    fn header_parsing() {
        let o = DuplicateOptions::from_header(Some(
            "allowSave=true; includeRecordDetails=true; runAsCurrentUser=true",
        ));
        assert!(o.allow_save && o.include_record_details);
        assert_eq!(
            DuplicateOptions::from_header(Some("allowSave=false")),
            DuplicateOptions::default()
        );
        assert_eq!(
            DuplicateOptions::from_header(None),
            DuplicateOptions::default()
        );
    }

    #[test]
    fn required_then_validation_then_duplicates() {
        let mut store = Store::default();
        store.put(
            "Account",
            None,
            &rec(json!({"Name": "Acme"})),
            Writer::User("005"),
        );
        let mut rules = Rules::default();
        rules.set_duplicate_rule_kind("Account", name_rule());
        let none = DuplicateOptions::default();
        let e = rules
            .check_record(&store, "Account", &rec(json!({})), &Record::new(), none)
            .unwrap_err();
        assert_eq!(
            (e.code, e.fields.clone()),
            ("REQUIRED_FIELD_MISSING", vec!["Name".to_string()])
        );

        rules.add_validation_rule(ValidationRule {
            object: "Account".into(),
            field: "AccountNumber".into(),
            condition: Condition::StartsWith("X".into()),
            message: "Account numbers never start with X".into(),
            error_field: Some("AccountNumber".into()),
        });
        let bad = rec(json!({"Name": "acme ", "AccountNumber": "X1"}));
        let e = rules
            .check_record(&store, "Account", &bad, &bad, none)
            .unwrap_err();
        assert_eq!(e.code, "FIELD_CUSTOM_VALIDATION_EXCEPTION");
        assert_eq!(e.fields, vec!["AccountNumber".to_string()]);

        let dup = rec(json!({"Name": "ACME"}));
        let e = rules
            .check_record(&store, "Account", &dup, &dup, none)
            .unwrap_err();
        assert_eq!(e.code, "DUPLICATES_DETECTED");
        let allow = DuplicateOptions {
            allow_save: true,
            ..none
        };
        assert!(rules
            .check_record(&store, "Account", &dup, &dup, allow)
            .is_ok());
        rules.set_duplicate_rule("Account", false);
        assert!(rules
            .check_record(&store, "Account", &dup, &dup, none)
            .is_ok());
    }

    #[test]
    fn updates_match_duplicates_only_when_the_key_changes() {
        let mut store = Store::default();
        let a = store.put(
            "Account",
            None,
            &rec(json!({"Name": "Acme"})),
            Writer::User("005"),
        );
        let b = store.put(
            "Account",
            None,
            &rec(json!({"Name": "Globex"})),
            Writer::User("005"),
        );
        let mut rules = Rules::default();
        rules.set_duplicate_rule_kind("Account", name_rule());
        let none = DuplicateOptions::default();
        let mut b_rec = store
            .get("Account", b.as_str())
            .cloned()
            .unwrap_or_default();
        b_rec.insert("Phone".into(), json!("1"));
        assert!(rules
            .check_record(&store, "Account", &b_rec, &rec(json!({"Phone": "1"})), none)
            .is_ok());
        b_rec.insert("Name".into(), json!("acme"));
        let e = rules
            .check_record(
                &store,
                "Account",
                &b_rec,
                &rec(json!({"Name": "acme"})),
                none,
            )
            .unwrap_err();
        assert_eq!(e.code, "DUPLICATES_DETECTED");
        // Saving a record with its own name is no duplicate of itself.
        let a_rec = store
            .get("Account", a.as_str())
            .cloned()
            .unwrap_or_default();
        assert!(rules
            .check_record(
                &store,
                "Account",
                &a_rec,
                &rec(json!({"Name": "Acme"})),
                none
            )
            .is_ok());
    }

    #[test]
    fn denials() {
        let mut rules = Rules::default();
        rules.deny("Contact", Operation::Update);
        assert!(rules.check_access("Contact", Operation::Create).is_ok());
        let e = rules
            .check_access("Contact", Operation::Update)
            .unwrap_err();
        assert_eq!(e.code, "INSUFFICIENT_ACCESS_OR_READONLY");
    }
}
