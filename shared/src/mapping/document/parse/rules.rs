//! One direction's transforms, read from the rules on the mapping and under its
//! `[to_ipaas]` / `[from_ipaas]` tables, and value tables (with their reversal).

use super::super::error::DocumentError;
use super::super::model::*;
use super::super::schema::*;
use super::{case, Reader};
use std::collections::BTreeMap;
use toml::Spanned;

impl Reader<'_> {
    /// One direction's transforms: `over` (the direction's own rules) key by key over
    /// `shared`. `lenient`: no table/unknown pairing is required (a read-back chain).
    pub(super) fn chain(
        &self,
        shared: &RawRules,
        over: &RawRules,
        lenient: bool,
        line: usize,
    ) -> Result<Chain, DocumentError> {
        let cases = over
            .transform
            .as_ref()
            .or(shared.transform.as_ref())
            .map(|t| t.iter().map(|c| case(*c)).collect())
            .unwrap_or_default();
        let table = over.table.as_ref().or(shared.table.as_ref());
        let unknown = over.unknown.as_ref().or(shared.unknown.as_ref());
        let table = match (table, unknown) {
            (Some(t), Some(u)) => Some(ValueTable {
                entries: self.table(t)?,
                unknown: match u.get_ref() {
                    RawUnknown::Skip => Unknown::Skip,
                    RawUnknown::Fail => Unknown::Fail,
                    RawUnknown::Default(d) if d.trim().is_empty() => {
                        return Err(DocumentError::new(
                            self.line(u),
                            "unknown = { default = \"\" } would write nothing; use unknown = \"skip\"",
                        ))
                    }
                    RawUnknown::Default(d) => Unknown::Default(d.trim().to_string()),
                },
            }),
            (Some(t), None) if lenient => Some(ValueTable {
                entries: self.table(t)?,
                unknown: Unknown::Skip,
            }),
            (Some(t), None) => {
                return Err(DocumentError::new(
                    self.line(t),
                    "a value table needs unknown = \"skip\", \"fail\" or { default = \"…\" }: what to do with a value it does not list",
                ))
            }
            (None, Some(u)) => {
                return Err(DocumentError::new(
                    self.line(u),
                    "unknown = … applies to a value table, and this mapping has none",
                ))
            }
            (None, None) => None,
        };
        let max = over.max_length.as_ref().or(shared.max_length.as_ref());
        let overflow = over.overflow.or(shared.overflow);
        let max_length = match (max, overflow) {
            (Some(m), _) if *m.get_ref() < 1 => {
                return Err(DocumentError::new(
                    self.line(m),
                    format!("max_length = {} must be at least 1", m.get_ref()),
                ))
            }
            (Some(m), o) => Some(MaxLength {
                length: usize::try_from(*m.get_ref()).unwrap_or(usize::MAX),
                overflow: match o {
                    Some(RawOverflow::Truncate) => Overflow::Truncate,
                    Some(RawOverflow::Fail) | None => Overflow::Fail,
                },
            }),
            (None, Some(_)) => {
                return Err(DocumentError::new(
                    line,
                    "overflow = … applies to max_length, and this mapping has none",
                ))
            }
            (None, None) => None,
        };
        Ok(Chain {
            cases,
            table,
            max_length,
        })
    }

    fn table(
        &self,
        t: &Spanned<BTreeMap<String, String>>,
    ) -> Result<BTreeMap<String, String>, DocumentError> {
        let line = self.line(t);
        if t.get_ref().is_empty() {
            return Err(DocumentError::new(line, "the value table is empty"));
        }
        for (k, v) in t.get_ref() {
            for s in [k, v] {
                if s.trim().is_empty() {
                    return Err(DocumentError::new(
                        line,
                        format!("the value table holds an empty value ({k:?} = {v:?}); values are never empty"),
                    ));
                }
                if s.trim() != s {
                    return Err(DocumentError::new(
                        line,
                        format!("the value table's {s:?} has spaces at an end; values are compared and written trimmed"),
                    ));
                }
            }
        }
        Ok(t.get_ref().clone())
    }
}

/// The table read backwards, or the two keys that share a value.
pub(super) fn reverse(
    t: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, (String, String, String)> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in t {
        if let Some(first) = out.get(v) {
            return Err((first.clone(), k.clone(), v.clone()));
        }
        out.insert(v.clone(), k.clone());
    }
    Ok(out)
}
