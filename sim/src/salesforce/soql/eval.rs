//! Evaluates a checked condition and ORDER BY against records seen as literals.

use super::typecheck::record_value;
use super::{CmpOp, Cond, LikeTok, Lit, OrderBy, Query};
use crate::salesforce::schema::Schema;
use crate::salesforce::store::Record;
use std::cmp::Ordering;

/// The records of a checked query over `object`: filtered, ordered, limited.
pub fn run<'a>(
    schema: &Schema,
    object: &str,
    q: &Query,
    rows: impl Iterator<Item = &'a Record>,
) -> Vec<&'a Record> {
    let get = |r: &Record, f: &str| record_value(schema, object, r, f);
    let hits: Vec<&Record> = rows
        .filter(|r| q.filter.as_ref().is_none_or(|c| matches(c, &|f| get(r, f))))
        .collect();
    if q.order.is_empty() {
        let mut hits = hits;
        hits.truncate(q.limit.unwrap_or(usize::MAX));
        return hits;
    }
    // Each row's ORDER BY values are read once, not at every comparison.
    let mut keyed: Vec<(Vec<Lit>, &Record)> = hits
        .into_iter()
        .map(|r| (q.order.iter().map(|o| get(r, &o.field.name)).collect(), r))
        .collect();
    keyed.sort_by(|(a, _), (b, _)| compare_keys(a, b, &q.order));
    keyed.truncate(q.limit.unwrap_or(usize::MAX));
    keyed.into_iter().map(|(_, r)| r).collect()
}

/// The record Ids a query names outright (`Id = '…'`, `Id IN (…)`, alone or as one term of
/// an AND): the only rows it can match, so they are looked up rather than scanned for.
pub fn named_ids(q: &Query) -> Option<Vec<String>> {
    named_values(q, "Id")
}

/// The values of `field` a query names outright (`field = '…'`, `field IN (…)`, alone or as
/// one term of an AND): only rows holding one of them can match.
pub fn named_values(q: &Query, field: &str) -> Option<Vec<String>> {
    fn of(c: &Cond, field: &str) -> Option<Vec<String>> {
        let text = |l: &Lit| match l {
            Lit::Id(s) | Lit::Str(s) => Some(s.clone()),
            _ => None,
        };
        match c {
            Cond::In(f, false, vals) if f.name.eq_ignore_ascii_case(field) => {
                vals.iter().map(text).collect()
            }
            Cond::Cmp(f, CmpOp::Eq, lit) if f.name.eq_ignore_ascii_case(field) => {
                text(lit).map(|s| vec![s])
            }
            Cond::And(terms) => terms.iter().find_map(|t| of(t, field)),
            _ => None,
        }
    }
    of(q.filter.as_ref()?, field)
}

/// Orders two rows' ORDER BY values.
fn compare_keys(a: &[Lit], b: &[Lit], order: &[OrderBy]) -> Ordering {
    for ((x, y), o) in a.iter().zip(b).zip(order) {
        let ord = match (x, y) {
            (Lit::Null, Lit::Null) => Ordering::Equal,
            (Lit::Null, _) => null_side(o.nulls_last),
            (_, Lit::Null) => null_side(o.nulls_last).reverse(),
            _ => {
                let ord = compare(x, y).unwrap_or(Ordering::Equal);
                if o.descending {
                    ord.reverse()
                } else {
                    ord
                }
            }
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

/// Orders two values as SOQL does (text case-insensitively); None when incomparable.
fn compare(a: &Lit, b: &Lit) -> Option<Ordering> {
    match (a, b) {
        (Lit::Str(x), Lit::Str(y)) => Some(fold(x).cmp(&fold(y))),
        (Lit::Id(x), Lit::Id(y)) => Some(x.cmp(y)),
        (Lit::Num(x), Lit::Num(y)) => x.partial_cmp(y),
        (Lit::Time(x), Lit::Time(y)) => Some(x.cmp(y)),
        (Lit::Bool(x), Lit::Bool(y)) => Some(x.cmp(y)),
        (Lit::Null, Lit::Null) => Some(Ordering::Equal),
        _ => None,
    }
}

fn fold(s: &str) -> String {
    s.to_lowercase()
}

fn like(value: &str, pattern: &[LikeTok]) -> bool {
    let v: Vec<char> = fold(value).chars().collect();
    let pat: Vec<LikeTok> = pattern
        .iter()
        .map(|p| match p {
            LikeTok::Ch(c) => LikeTok::Ch(c.to_lowercase().next().unwrap_or(*c)),
            other => *other,
        })
        .collect();
    // dp[j]: the pattern so far matches the first j characters of the value.
    let mut dp = vec![false; v.len() + 1];
    dp[0] = true;
    for p in &pat {
        let mut next = vec![false; v.len() + 1];
        for j in 0..=v.len() {
            next[j] = match p {
                LikeTok::Any => dp[j] || (j > 0 && next[j - 1]),
                LikeTok::One => j > 0 && dp[j - 1],
                LikeTok::Ch(c) => j > 0 && dp[j - 1] && v[j - 1] == *c,
            };
        }
        dp = next;
    }
    dp[v.len()]
}

/// Whether a record passes `c`; `get` reads a (canonical) field of the record.
fn matches(c: &Cond, get: &dyn Fn(&str) -> Lit) -> bool {
    match c {
        Cond::And(terms) => terms.iter().all(|t| matches(t, get)),
        Cond::Or(terms) => terms.iter().any(|t| matches(t, get)),
        Cond::Not(a) => !matches(a, get),
        Cond::Like(f, p) => matches!(get(&f.name), Lit::Str(s) if like(&s, p)),
        Cond::In(f, negated, vals) => {
            let v = get(&f.name);
            let hit = vals.iter().any(|l| compare(&v, l) == Some(Ordering::Equal));
            hit != *negated
        }
        Cond::Cmp(f, op, lit) => {
            let v = get(&f.name);
            let ord = compare(&v, lit);
            match op {
                CmpOp::Eq => ord == Some(Ordering::Equal),
                // Unlike SQL, SOQL's != is true for a null field.
                CmpOp::Ne => ord != Some(Ordering::Equal),
                CmpOp::Lt => ord == Some(Ordering::Less),
                CmpOp::Gt => ord == Some(Ordering::Greater),
                CmpOp::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
                CmpOp::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
            }
        }
    }
}

fn null_side(nulls_last: bool) -> Ordering {
    if nulls_last {
        Ordering::Greater
    } else {
        Ordering::Less
    }
}
