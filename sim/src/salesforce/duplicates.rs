//! Duplicate rules at save time, and the exact DUPLICATES_DETECTED error they raise. What
//! matches is in `matching`; this module picks the candidates (the record's own object, and
//! Leads too when the Contact rule is set to match them) and renders the verdict with one
//! `matchResults` entry per entity type, as Salesforce does.

use super::errors::SfError;
use super::matching::{self, DuplicateRuleKind, Person};
use super::rules::{DuplicateOptions, Rules};
use super::store::{Record, Store};
use super::API_VERSION;
use serde_json::{json, Value};

pub const ERROR_MESSAGE: &str =
    "You're creating a duplicate record. We recommend you use an existing record instead.";

/// The fields whose change makes the standard rule of `object` run again on update.
fn standard_fields(object: &str) -> &'static [&'static str] {
    match object {
        "Account" => &["Name", "BillingStreet", "BillingCity", "Phone", "Website"],
        "Contact" => &[
            "FirstName",
            "LastName",
            "Email",
            "Phone",
            "MailingStreet",
            "MailingCity",
            "MailingPostalCode",
            "Title",
            "AccountId",
        ],
        "Lead" => &[
            "FirstName",
            "LastName",
            "Email",
            "Phone",
            "Title",
            "Company",
        ],
        _ => &[],
    }
}

/// One entity type's matches.
struct Found<'a> {
    entity: &'static str,
    rule: String,
    engine: &'static str,
    records: Vec<&'a Record>,
}

fn id_of(rec: &Record) -> &str {
    rec.get("Id").and_then(Value::as_str).unwrap_or_default()
}

/// A person's Account Name: a Contact's Account's Name, a Lead's Company.
fn account_name<'a>(store: &'a Store, object: &str, rec: &'a Record) -> &'a str {
    match object {
        "Lead" => matching::text(rec, "Company"),
        _ => {
            let account = matching::text(rec, "AccountId");
            store
                .live("Account", account)
                .map_or("", |a| matching::text(a, "Name"))
        }
    }
}

/// The records of `target` that `rec` (of `object`) duplicates under `kind`.
fn matches<'a>(
    store: &'a Store,
    kind: &DuplicateRuleKind,
    object: &str,
    target: &str,
    rec: &'a Record,
) -> Vec<&'a Record> {
    let own = rec.get("Id").and_then(Value::as_str);
    let not_self = |r: &&Record| object != target || own.is_none_or(|id| id_of(r) != id);
    match kind {
        DuplicateRuleKind::Off => Vec::new(),
        DuplicateRuleKind::Custom { fields } => {
            let names: Vec<&str> = fields.iter().map(String::as_str).collect();
            if names
                .iter()
                .any(|f| store.schema.field(target, f).is_none())
            {
                return Vec::new();
            }
            store
                .all_live(target)
                .filter(not_self)
                .filter(|old| matching::same_fields(&names, rec, old))
                .collect()
        }
        DuplicateRuleKind::Standard => {
            let found = store.match_candidates(target, &matching::probe_keys(target, rec));
            if target == "Account" {
                return found
                    .into_iter()
                    .filter(not_self)
                    .filter(|old| matching::same_account(rec, old))
                    .collect();
            }
            let new = Person {
                rec,
                account: account_name(store, object, rec),
            };
            found
                .into_iter()
                .filter(not_self)
                .filter(|old| {
                    let old = Person {
                        rec: old,
                        account: account_name(store, target, old),
                    };
                    matching::same_person(&new, &old)
                })
                .collect()
        }
    }
}

fn rule_names(kind: &DuplicateRuleKind, entity: &str) -> (String, &'static str) {
    match (kind, entity) {
        (DuplicateRuleKind::Custom { .. }, e) => {
            (format!("Custom_{e}_Match_Rule"), "ExactMatchEngine")
        }
        (_, "Contact") => (
            "Standard_Contact_Match_Rule_v1_1".into(),
            "FuzzyMatchEngine",
        ),
        (_, e) => (format!("Standard_{e}_Match_Rule_v1_0"), "FuzzyMatchEngine"),
    }
}

/// Runs the duplicate rule of `object` on the record as it would be saved (`rec`, with its
/// Id on update). On update it runs only when a field it matches on changes.
pub fn check(
    rules: &Rules,
    store: &Store,
    object: &'static str,
    rec: &Record,
    changed: &Record,
    dup: DuplicateOptions,
) -> Result<(), SfError> {
    let kind = rules.duplicate_rule(object);
    if *kind == DuplicateRuleKind::Off || dup.allow_save {
        return Ok(());
    }
    if rec.contains_key("Id") {
        let touched = |f: &str| changed.keys().any(|k| k.eq_ignore_ascii_case(f));
        let runs = match kind {
            DuplicateRuleKind::Custom { fields } => fields.iter().any(|f| touched(f)),
            _ => standard_fields(object).iter().any(|f| touched(f)),
        };
        if !runs {
            return Ok(());
        }
    }
    let mut targets = vec![object];
    if object == "Contact" && rules.contact_matches_leads() {
        targets.push("Lead");
    }
    let found: Vec<Found<'_>> = targets
        .into_iter()
        .map(|target| {
            let (rule, engine) = rule_names(kind, target);
            Found {
                entity: target,
                rule,
                engine,
                records: matches(store, kind, object, target, rec),
            }
        })
        .collect();
    if found.iter().all(|f| f.records.is_empty()) {
        return Ok(());
    }
    let rule = match kind {
        DuplicateRuleKind::Custom { .. } => format!("Custom_{object}_Duplicate_Rule"),
        _ => format!("Standard_{object}_Duplicate_Rule"),
    };
    Err(detected(object, &rule, &found, dup.include_record_details))
}

/// Builds the error; with `details` each matched record carries its fields, as
/// `includeRecordDetails=true` asks.
fn detected(object: &str, rule: &str, found: &[Found<'_>], details: bool) -> SfError {
    let results: Vec<Value> = found
        .iter()
        .map(|f| {
            let records: Vec<Value> = f
                .records
                .iter()
                .map(|r| match_record(f.entity, r, details))
                .collect();
            json!({
                "entityType": f.entity,
                "errors": [],
                "matchEngine": f.engine,
                "matchRecords": records,
                "rule": f.rule,
                "size": f.records.len(),
                "success": true,
            })
        })
        .collect();
    let result = json!({
        "allowSave": false,
        "duplicateRule": rule,
        "duplicateRuleEntityType": object,
        "errorMessage": ERROR_MESSAGE,
        "matchResults": results,
    });
    let mut e = SfError::bad("DUPLICATES_DETECTED", "Use one of these records?");
    e.duplicate_result = Some(result);
    e
}

fn match_record(entity: &str, r: &Record, details: bool) -> Value {
    let id = id_of(r);
    let mut rec = json!({
        "attributes": {"type": entity, "url": record_url(entity, id)},
        "Id": id,
    });
    if details {
        for (k, v) in r.iter() {
            rec[k.as_str()] = v.clone();
        }
    }
    json!({
        "additionalInformation": [],
        "fieldDiffs": [],
        "matchConfidence": 100.0,
        "record": rec,
    })
}

pub fn record_url(object: &str, id: &str) -> String {
    format!("/services/data/v{API_VERSION}/sobjects/{object}/{id}")
}

#[cfg(test)]
mod tests;
