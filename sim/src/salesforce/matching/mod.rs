//! Duplicate matching, as a new org's standard matching rules do it, approximated
//! deterministically. What is implemented, exactly:
//!
//! **Standard Contact (and Lead) rule.** Published equation (Standard Contact Matching Rule
//! v1.1 / Standard Lead Matching Rule): `(First AND Last AND Title AND Account Name) OR (First
//! AND Last AND Email) OR (First AND Last AND Phone AND Account Name) OR (First AND Last AND
//! Mailing Street AND (City OR ZIP OR Phone)) OR (First AND Last AND Mailing Street AND Title)
//! OR (First AND Last AND Title AND Email) OR (First AND Last AND Phone)`. Simplified here
//! without changing its meaning to `First ≈ AND Last = AND (Email = OR Phone = OR (Street ≈ AND
//! (City = OR ZIP = OR Title ≈)) OR (Title ≈ AND Account Name ≈))`. A blank field never
//! matches, except a blank first name in the Email clause (Salesforce ignores blank fields
//! when Email is in the group). First and last names are also tried transposed. For a Lead,
//! Account Name is its Company and it has no mailing address.
//!
//! **Standard Account rule.** `Name ≈ AND (Billing Street ≈ OR Billing City = OR Phone = OR
//! Website =)`. The published rule asks for City AND ZIP together and has no Website clause;
//! this one is looser on purpose (any one of the four confirms a similar name).
//!
//! **Comparisons** (`fuzzy`): first names match when equal, one is the initial of the other,
//! they are nicknames in a small table (Bob/Robert…), or their Jaro-Winkler similarity is at
//! least 0.85. Last names, emails and cities must be equal after folding (case, accents,
//! punctuation). Company names are equal once legal forms (Inc, Ltd, Corp, the…) are dropped
//! and `&` reads "and", or their Jaro-Winkler similarity is at least 0.9. Phones compare
//! digits (a leading US `1` dropped, 7 digits at least), websites their host (no scheme,
//! `www.`, path), streets their folded words with common words abbreviated (Street = St),
//! postal codes their first five characters, titles equal or as acronyms (VP = Vice President).
//!
//! **Limits.** No phonetic matching (Metaphone), no keyboard-distance or edit-distance
//! scoring of last names or streets, no section-weighted address scoring, no international
//! phone handling; a match is all or nothing (`matchConfidence` is always 100). Like
//! Salesforce's match keys, candidates are narrowed first: by folded last name (either name,
//! for transpositions) for people, and by the first three characters of the company key for
//! Accounts, so two companies whose names differ in those characters never match; and, as
//! Salesforce keeps "the 100 most likely duplicate records", at most 100 candidates are
//! compared (the last in Id order, the newest): among very many similar records a duplicate
//! can go undetected, as on the platform.
//!
//! **Custom rules** (`DuplicateRuleKind::Custom`) match when every listed field is non-blank
//! on the new record and equal (trimmed, case-insensitive) on the existing one.

pub mod fuzzy;

use super::store::Record;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a duplicate rule matches on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateRuleKind {
    /// The approximation of the standard matching rule described in this module.
    Standard,
    /// Every listed field equal, case-insensitively (a blank field never matches).
    Custom { fields: Vec<String> },
    /// No duplicate rule.
    Off,
}

/// A field of a record as trimmed text ("" when missing or not text).
pub fn text<'a>(rec: &'a Record, field: &str) -> &'a str {
    rec.get(field).and_then(Value::as_str).unwrap_or("").trim()
}

/// A person's fields for the standard person rule; `account` is the Account Name (a
/// Contact's Account's Name, a Lead's Company).
pub struct Person<'a> {
    pub rec: &'a Record,
    pub account: &'a str,
}

impl Person<'_> {
    fn get(&self, f: &str) -> &str {
        text(self.rec, f)
    }
}

fn both(a: &str, b: &str, same: fn(&str, &str) -> bool) -> bool {
    !a.is_empty() && !b.is_empty() && same(a, b)
}

/// The standard Contact/Lead equation between a new record and an existing one.
pub fn same_person(new: &Person<'_>, old: &Person<'_>) -> bool {
    let straight = names(
        new.get("FirstName"),
        new.get("LastName"),
        old.get("FirstName"),
        old.get("LastName"),
    );
    let swapped = names(
        new.get("LastName"),
        new.get("FirstName"),
        old.get("FirstName"),
        old.get("LastName"),
    );
    let email = both(new.get("Email"), old.get("Email"), fuzzy::emails);
    if email && (straight.any_first || swapped.any_first) {
        return true;
    }
    if !(straight.strict || swapped.strict) {
        return false;
    }
    let f = |field: &str, same: fn(&str, &str) -> bool| both(new.get(field), old.get(field), same);
    let street = f("MailingStreet", fuzzy::streets);
    let title = f("Title", fuzzy::titles);
    email
        || f("Phone", fuzzy::phones)
        || (street
            && (f("MailingCity", fuzzy::folded) || f("MailingPostalCode", fuzzy::zips) || title))
        || (title && both(new.account, old.account, fuzzy::company_names))
}

struct NameMatch {
    /// First and last names both match.
    strict: bool,
    /// Last names match and the first names match or one is blank (the Email clause).
    any_first: bool,
}

fn names(new_first: &str, new_last: &str, old_first: &str, old_last: &str) -> NameMatch {
    if !both(new_last, old_last, fuzzy::last_names) {
        return NameMatch {
            strict: false,
            any_first: false,
        };
    }
    let first = both(new_first, old_first, fuzzy::first_names);
    NameMatch {
        strict: first,
        any_first: first || new_first.is_empty() || old_first.is_empty(),
    }
}

/// The standard Account equation between a new record and an existing one.
pub fn same_account(new: &Record, old: &Record) -> bool {
    let f =
        |field: &str, same: fn(&str, &str) -> bool| both(text(new, field), text(old, field), same);
    // The confirming fields first: they are cheap and mostly blank, the fuzzy name is not.
    (f("BillingStreet", fuzzy::streets)
        || f("BillingCity", fuzzy::folded)
        || f("Phone", fuzzy::phones)
        || f("Website", fuzzy::websites))
        && f("Name", fuzzy::company_names)
}

/// A custom rule: every field present on the new record and equal on the old one.
pub fn same_fields(fields: &[&str], new: &Record, old: &Record) -> bool {
    !fields.is_empty()
        && fields.iter().all(|f| {
            let (a, b) = (text(new, f), text(old, f));
            !a.is_empty() && a.to_lowercase() == b.to_lowercase()
        })
}

/// The index keys under which a record is found as a candidate of the standard rules: its
/// folded last name (people), the start of its company key (Accounts).
pub fn keys(object: &str, rec: &Record) -> Vec<String> {
    match object {
        "Contact" | "Lead" => {
            let last = fuzzy::fold(text(rec, "LastName"));
            if last.is_empty() {
                Vec::new()
            } else {
                vec![format!("{object}|{last}")]
            }
        }
        "Account" => company_prefix(text(rec, "Name"))
            .map(|k| vec![format!("Account|{k}")])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The keys a new record looks its candidates up by: for people both its names, since a
/// transposed match meets the old record's last name with the new record's first name.
pub fn probe_keys(candidate_object: &str, rec: &Record) -> Vec<String> {
    match candidate_object {
        "Contact" | "Lead" => ["FirstName", "LastName"]
            .iter()
            .map(|f| fuzzy::fold(text(rec, f)))
            .filter(|k| !k.is_empty())
            .map(|k| format!("{candidate_object}|{k}"))
            .collect(),
        "Account" => keys("Account", rec),
        _ => Vec::new(),
    }
}

fn company_prefix(name: &str) -> Option<String> {
    let key = fuzzy::company_key(name);
    let prefix: String = key.chars().take(3).collect();
    (!prefix.is_empty()).then_some(prefix)
}

#[cfg(test)]
mod tests;
