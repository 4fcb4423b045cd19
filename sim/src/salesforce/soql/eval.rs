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
    let mut hits: Vec<&Record> = rows
        .filter(|r| q.filter.as_ref().is_none_or(|c| matches(c, &|f| get(r, f))))
        .collect();
    hits.sort_by(|a, b| compare_rows(a, b, &q.order, &|r: &&Record, f| get(r, f)));
    hits.truncate(q.limit.unwrap_or(usize::MAX));
    hits
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

/// Orders two rows by the ORDER BY clause; `get(row, field)` reads a value.
fn compare_rows<R>(a: &R, b: &R, order: &[OrderBy], get: &dyn Fn(&R, &str) -> Lit) -> Ordering {
    for o in order {
        let (x, y) = (get(a, &o.field.name), get(b, &o.field.name));
        let ord = match (&x, &y) {
            (Lit::Null, Lit::Null) => Ordering::Equal,
            (Lit::Null, _) => null_side(o.nulls_last),
            (_, Lit::Null) => null_side(o.nulls_last).reverse(),
            _ => {
                let ord = compare(&x, &y).unwrap_or(Ordering::Equal);
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

fn null_side(nulls_last: bool) -> Ordering {
    if nulls_last {
        Ordering::Greater
    } else {
        Ordering::Less
    }
}
