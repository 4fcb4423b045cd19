//! Salesforce's five address fields ⇄ a flagged iPaaS.com address. Salesforce keeps the
//! street as one multi-line field; iPaaS.com has address_1, address_2 and address_3 (the
//! third holds every further line, joined with ", ").
//!
//! Writing keeps the rules the flows always had: the parts of an address are written into
//! the address flagged for it (a new one when there is none); when a record maps both the
//! primary billing and the primary shipping address and the two Salesforce addresses are
//! the same, one iPaaS.com address carries both flags; when they differ, the shipping
//! address gets an address of its own and no other address keeps the shipping flag.

use super::error::MappingError;
use super::model::{AddressMap, Flag, ADDRESS_PARTS};
use super::record::{list_mut, text};
use super::Values;
use serde_json::{Map, Value};

/// The five parts in Salesforce terms (street, city, state, postal code, country).
pub(super) type Parts = [Option<String>; 5];

/// The iPaaS.com fields of the parts after the street, in `ADDRESS_PARTS` order.
const IPAAS_PARTS: [&str; 4] = ["city", "region", "postal_code", "country"];
const STREET: [&str; 3] = ["address_1", "address_2", "address_3"];

/// The address flagged `flag` (the first, as iPaaS.com's own readers take it).
pub(super) fn flagged(addresses: &[Value], flag: Flag) -> Option<&Map<String, Value>> {
    addresses
        .iter()
        .filter_map(Value::as_object)
        .find(|a| is(a, flag))
}

fn is(a: &Map<String, Value>, flag: Flag) -> bool {
    a.get(flag.key()).and_then(Value::as_bool) == Some(true)
}

/// An iPaaS.com address in Salesforce terms.
pub(super) fn read(a: &Map<String, Value>) -> Parts {
    let lines: Vec<String> = STREET
        .iter()
        .filter_map(|k| a.get(*k).and_then(text))
        .collect();
    let part = |k: &str| a.get(k).and_then(text);
    [
        (!lines.is_empty()).then(|| lines.join("\n")),
        part(IPAAS_PARTS[0]),
        part(IPAAS_PARTS[1]),
        part(IPAAS_PARTS[2]),
        part(IPAAS_PARTS[3]),
    ]
}

/// Lays the parts that have values over an iPaaS.com address.
fn write(parts: &Parts, a: &mut Map<String, Value>) {
    if let Some(street) = &parts[0] {
        let mut lines = street.lines().map(str::trim).filter(|l| !l.is_empty());
        let rest = |lines: &mut dyn Iterator<Item = &str>| {
            let rest: Vec<&str> = lines.collect();
            (!rest.is_empty()).then(|| rest.join(", "))
        };
        let values = [
            lines.next().map(str::to_string),
            lines.next().map(str::to_string),
            rest(&mut lines),
        ];
        for (k, v) in STREET.iter().zip(values) {
            // A street of fewer lines leaves no stale line behind.
            match v {
                Some(v) => a.insert(k.to_string(), Value::String(v)),
                None => a.remove(*k),
            };
        }
    }
    for (k, v) in IPAAS_PARTS.iter().zip(&parts[1..]) {
        if let Some(v) = v {
            a.insert(k.to_string(), Value::String(v.clone()));
        }
    }
}

/// The parts of `prefix` in `values`; with `keep`, only the fields it keeps.
fn parts(values: &Values, prefix: &str, keep: &dyn Fn(&str) -> bool) -> Parts {
    ADDRESS_PARTS.map(|p| {
        let field = format!("{prefix}{p}");
        if keep(&field) {
            values.get(&field).cloned()
        } else {
            None
        }
    })
}

/// Each part from `a`, else from `b`.
fn or(a: &Parts, b: &Parts) -> Parts {
    std::array::from_fn(|i| a[i].clone().or_else(|| b[i].clone()))
}

fn empty(p: &Parts) -> bool {
    p.iter().all(Option::is_none)
}

/// Index of the address matching `pick`, adding an empty one when there is none.
fn position(list: &mut Vec<Value>, pick: impl Fn(&Map<String, Value>) -> bool) -> usize {
    match list.iter().position(|a| a.as_object().is_some_and(&pick)) {
        Some(i) => i,
        None => {
            list.push(Value::Object(Map::new()));
            list.len() - 1
        }
    }
}

/// Writes the addresses of `maps` (those that run to iPaaS.com) from `values` into the
/// record; `wants` says which Salesforce fields may be written.
pub(super) fn write_all(
    record: &mut Map<String, Value>,
    maps: &[&AddressMap],
    values: &Values,
    wants: &dyn Fn(&str) -> bool,
    kind: &'static str,
) -> Result<(), MappingError> {
    let billing = maps.iter().find(|m| m.flag == Flag::PrimaryBilling);
    let shipping = maps.iter().find(|m| m.flag == Flag::PrimaryShipping);
    if let (Some(b), Some(s)) = (billing, shipping) {
        return write_both(record, b, s, values, wants, kind);
    }
    for m in maps {
        let p = parts(values, &m.prefix, wants);
        if empty(&p) {
            continue;
        }
        let names = m.copy_names.then(|| names(record));
        let list = list_mut(record, "addresses", kind)?;
        let i = position(list, |a| is(a, m.flag));
        if let Some(a) = list[i].as_object_mut() {
            write(&p, a);
            a.insert(m.flag.key().into(), Value::Bool(true));
            if let Some(names) = names {
                fill_names(a, names);
            }
        }
    }
    Ok(())
}

/// The record's first and last name, for a new address.
fn names(record: &Map<String, Value>) -> [Option<Value>; 2] {
    ["first_name", "last_name"].map(|k| record.get(k).filter(|v| !v.is_null()).cloned())
}

fn fill_names(a: &mut Map<String, Value>, names: [Option<Value>; 2]) {
    for (k, v) in ["first_name", "last_name"].iter().zip(names) {
        let missing = a.get(*k).is_none_or(Value::is_null);
        if let (true, Some(v)) = (missing, v) {
            a.insert(k.to_string(), v);
        }
    }
}

/// Billing and shipping both mapped: whether they are one address is judged on the whole
/// Salesforce addresses, then each goes where it belongs.
fn write_both(
    record: &mut Map<String, Value>,
    b: &AddressMap,
    s: &AddressMap,
    values: &Values,
    wants: &dyn Fn(&str) -> bool,
    kind: &'static str,
) -> Result<(), MappingError> {
    let all = |_: &str| true;
    let same = parts(values, &b.prefix, &all) == parts(values, &s.prefix, &all);
    let b_only = parts(values, &b.prefix, wants);
    let s_only = parts(values, &s.prefix, wants);
    let billing = if same { or(&b_only, &s_only) } else { b_only };
    let names_b = b.copy_names.then(|| names(record));
    let names_s = s.copy_names.then(|| names(record));
    let list = list_mut(record, "addresses", kind)?;
    if !empty(&billing) {
        let i = position(list, |a| is(a, Flag::PrimaryBilling));
        if let Some(a) = list[i].as_object_mut() {
            write(&billing, a);
            a.insert(Flag::PrimaryBilling.key().into(), Value::Bool(true));
            if same {
                a.insert(Flag::PrimaryShipping.key().into(), Value::Bool(true));
            }
            if let Some(n) = names_b {
                fill_names(a, n);
            }
        }
    }
    if !empty(&s_only) && !same {
        let i = position(list, |a| {
            is(a, Flag::PrimaryShipping) && !is(a, Flag::PrimaryBilling)
        });
        // If the billing address also carried the shipping flag, it moves to its own address.
        for (j, a) in list.iter_mut().enumerate() {
            if let Some(a) = a
                .as_object_mut()
                .filter(|a| j != i && is(a, Flag::PrimaryShipping))
            {
                a.insert(Flag::PrimaryShipping.key().into(), Value::Bool(false));
            }
        }
        if let Some(a) = list[i].as_object_mut() {
            write(&s_only, a);
            a.insert(Flag::PrimaryShipping.key().into(), Value::Bool(true));
            if let Some(n) = names_s {
                fill_names(a, n);
            }
        }
    }
    Ok(())
}
