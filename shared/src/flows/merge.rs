//! Three-way field merge (DESIGN.md §4, "No overwritten people"). Both systems' records are
//! compared in one field space, the Salesforce field names of the mapping, against the base:
//! what both sides last agreed on, kept in the ledger as a short hash per field.
//!
//! For each field, with `s` the source's value, `t` the target's and `b` the base:
//! - `s` empty: nothing to write (writes are partial: an empty source never clears).
//! - `s == t`: already in step.
//! - no base at all (a pair seen for the first time): the source's value is written.
//! - only the source changed since `b`: written. Only the target changed: left alone (the
//!   other flow brings it back to the source). Both changed: the later change wins, judged
//!   by each record's modification time (ties go to Salesforce); the loser is brought in line
//!   by the other flow.
//!
//! A source whose values all equal the base has nothing new: it is the echo of the
//! integration's own write (whoever made the last change), so no call is spent on it.

use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// Field → non-empty value, in the Salesforce field names of the mapping.
pub type Values = BTreeMap<String, String>;
/// Field → hash of the value last agreed on by both systems.
pub type Base = BTreeMap<String, String>;

/// A short, stable hash of one field value (the ledger never holds the value itself).
pub fn hash(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The values of a field map as the flows build it (JSON strings; others as text).
pub fn values(fields: &serde_json::Map<String, serde_json::Value>) -> Values {
    fields
        .iter()
        .filter_map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s.trim().to_string(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            (!text.is_empty()).then(|| (k.clone(), text))
        })
        .collect()
}

/// Whether the source holds nothing the base does not: every value it has was agreed on.
pub fn nothing_new(source: &Values, base: &Base) -> bool {
    source
        .iter()
        .all(|(k, v)| base.get(k).is_some_and(|h| *h == hash(v)))
}

/// Which side's change is the later one when both changed a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Later {
    Source,
    Target,
}

/// What to write to the target, and which of the target's own changes were kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    /// Fields (with the source's values) to write to the target.
    pub write: Values,
    /// Fields changed on both sides where the target's later change was kept.
    pub kept: BTreeSet<String>,
}

/// Decides field by field (see the module comment).
pub fn decide(source: &Values, target: &Values, base: Option<&Base>, later: Later) -> Decision {
    let mut d = Decision::default();
    for (field, s) in source {
        let t = target.get(field);
        if t == Some(s) {
            continue;
        }
        let Some(base) = base else {
            d.write.insert(field.clone(), s.clone());
            continue;
        };
        let Some(b) = base.get(field) else {
            // Never agreed on: the source's value is news to the target.
            d.write.insert(field.clone(), s.clone());
            continue;
        };
        let source_changed = hash(s) != *b;
        // An empty target field is not a change of its own: clearing is never synced.
        let target_changed = t.is_some_and(|t| hash(t) != *b);
        match (source_changed, target_changed) {
            (true, false) => {
                d.write.insert(field.clone(), s.clone());
            }
            (true, true) if later == Later::Source => {
                d.write.insert(field.clone(), s.clone());
            }
            (true, true) => {
                d.kept.insert(field.clone());
            }
            // The target changed it (the other flow brings it over), or the target cleared a
            // value both had: either way the source has nothing new for this field.
            (false, _) => {}
        }
    }
    d
}

/// The base after a sync: every field both sides now hold with the same value, and the old
/// base for fields still apart (their pending change is judged against it next time).
pub fn agreed(source: &Values, target: &Values, old: Option<&Base>) -> Base {
    let mut base = old.cloned().unwrap_or_default();
    for (field, s) in source {
        if target.get(field) == Some(s) {
            base.insert(field.clone(), hash(s));
        }
    }
    base
}

/// The target's values once `write` is applied to them.
pub fn applied(target: &Values, write: &Values) -> Values {
    let mut out = target.clone();
    out.extend(write.iter().map(|(k, v)| (k.clone(), v.clone())));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(pairs: &[(&str, &str)]) -> Values {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn base_of(pairs: &[(&str, &str)]) -> Base {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), hash(v)))
            .collect()
    }

    #[test]
    fn only_fields_changed_in_the_source_are_written() {
        // A person changed Phone in the target; the source changed Name. Writing every field
        // that differs would put the old Phone back over the person's newer one.
        let base = base_of(&[("Name", "Acme"), ("Phone", "1")]);
        let source = v(&[("Name", "Acme Corp"), ("Phone", "1")]);
        let target = v(&[("Name", "Acme"), ("Phone", "2")]);
        let d = decide(&source, &target, Some(&base), Later::Source);
        assert_eq!(d.write, v(&[("Name", "Acme Corp")]));
        let after = applied(&target, &d.write);
        let next = agreed(&source, &after, Some(&base));
        assert_eq!(next["Name"], hash("Acme Corp"));
        // Phone stays at the old base: the target's change is still to be brought over.
        assert_eq!(next["Phone"], hash("1"));
    }

    #[test]
    fn the_later_change_wins_a_field_changed_on_both_sides() {
        let base = base_of(&[("Phone", "1")]);
        let source = v(&[("Phone", "2")]);
        let target = v(&[("Phone", "3")]);
        assert_eq!(
            decide(&source, &target, Some(&base), Later::Source).write,
            v(&[("Phone", "2")])
        );
        let kept = decide(&source, &target, Some(&base), Later::Target);
        assert!(kept.write.is_empty());
        assert!(kept.kept.contains("Phone"));
    }

    #[test]
    fn empty_values_never_clear_and_are_never_news() {
        let base = base_of(&[("Phone", "1"), ("Fax", "9")]);
        let source = v(&[("Phone", "1")]); // Fax cleared in the source: not synced
        let target = v(&[("Fax", "9")]); // Phone cleared in the target by a person
        let d = decide(&source, &target, Some(&base), Later::Source);
        assert!(d.write.is_empty(), "{d:?}");
        assert!(nothing_new(&source, &base));
    }

    #[test]
    fn a_first_sync_writes_what_the_source_has() {
        let source = v(&[("Name", "A"), ("Phone", "1")]);
        let target = v(&[("Name", "A"), ("Phone", "2")]);
        assert_eq!(
            decide(&source, &target, None, Later::Target).write,
            v(&[("Phone", "1")])
        );
    }

    #[test]
    fn echoes_are_recognised_by_content() {
        let base = base_of(&[("Name", "A"), ("Phone", "1")]);
        assert!(nothing_new(&v(&[("Name", "A"), ("Phone", "1")]), &base));
        assert!(!nothing_new(&v(&[("Name", "A"), ("Phone", "2")]), &base));
        assert!(!nothing_new(&v(&[("Name", "A"), ("Fax", "1")]), &base));
    }

    #[test]
    fn values_skip_empty_and_trim() {
        let m = serde_json::json!({"A": " x ", "B": "", "C": null, "D": 3});
        let got = values(m.as_object().unwrap());
        assert_eq!(got, v(&[("A", "x"), ("D", "3")]));
    }
}
