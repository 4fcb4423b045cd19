//! Generated records for the equivalence tests: empty, blank and padded values, multi-line
//! and blank-line streets, unicode, one Company address with both flags, several flagged
//! addresses, fields and addresses iPaaS.com has that the mapping does not name.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;
use serde_json::{json, Map, Value};

const TEXT: &[&str] = &[
    "Acme",
    "  Acme Corp  ",
    "Ünïcødé & Co ☃",
    "O'Brien \"Quoted\"",
    "\tTabbed\t",
    "日本語の会社",
    "🚀 Rocket",
    "two\nlines",
    "a@b.example",
    "+1 (555) 010-0000",
    "https://acme.example/path?q=1",
    "",
    "   ",
];

const STREETS: &[&str] = &[
    "1 Main St",
    "1 Main St\nSuite 5",
    "1 Main\n\n  Floor 2 \nRoom 3\nDesk 4",
    "  \n  ",
    "line one\r\nline two",
    "単一行",
    " 9 Elm ",
    "",
];

/// A text value, or none (absent or null).
fn text(rng: &mut StdRng) -> Option<Value> {
    match rng.gen_range(0..10) {
        0 => None,
        1 => Some(Value::Null),
        2 => Some(Value::String("x".repeat(rng.gen_range(250..300)))),
        _ => Some(Value::String(TEXT.choose(rng).unwrap().to_string())),
    }
}

fn street(rng: &mut StdRng) -> Option<Value> {
    match rng.gen_range(0..6) {
        0 => None,
        1 => Some(Value::Null),
        _ => Some(Value::String(STREETS.choose(rng).unwrap().to_string())),
    }
}

fn put(m: &mut Map<String, Value>, k: &str, v: Option<Value>) {
    if let Some(v) = v {
        m.insert(k.to_string(), v);
    }
}

/// An Id of the object, 15 or 18 characters.
pub fn sf_id(rng: &mut StdRng, prefix: &str) -> String {
    let body: String = (0..12)
        .map(|_| {
            *b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"
                .choose(rng)
                .unwrap() as char
        })
        .collect();
    let id = format!("{prefix}{body}");
    let parsed = crate::salesforce::SalesforceId::parse(&id).unwrap();
    if rng.gen_bool(0.5) {
        id
    } else {
        parsed.to_string()
    }
}

/// Five address fields of `prefix`.
fn sf_address(rng: &mut StdRng, m: &mut Map<String, Value>, prefix: &str) {
    put(m, &format!("{prefix}Street"), street(rng));
    for part in ["City", "State", "PostalCode", "Country"] {
        put(m, &format!("{prefix}{part}"), text(rng));
    }
}

/// A Salesforce Account row as SOQL answers it.
pub fn account_row(rng: &mut StdRng) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("attributes".into(), json!({"type": "Account"}));
    m.insert("Id".into(), Value::String(sf_id(rng, "001")));
    for f in [
        "Name",
        "AccountNumber",
        "Phone",
        "Fax",
        "Website",
        "Description",
    ] {
        put(&mut m, f, text(rng));
    }
    sf_address(rng, &mut m, "Billing");
    match rng.gen_range(0..4) {
        // The same address twice: one iPaaS.com address with both flags.
        0 => {
            for part in ["Street", "City", "State", "PostalCode", "Country"] {
                if let Some(v) = m.get(&format!("Billing{part}")).cloned() {
                    m.insert(format!("Shipping{part}"), v);
                }
            }
        }
        // Almost the same: one part differs.
        1 => {
            for part in ["Street", "City", "State", "PostalCode", "Country"] {
                if let Some(v) = m.get(&format!("Billing{part}")).cloned() {
                    m.insert(format!("Shipping{part}"), v);
                }
            }
            m.insert("ShippingCity".into(), json!("Elsewhere"));
        }
        _ => sf_address(rng, &mut m, "Shipping"),
    }
    m.insert(
        "SystemModstamp".into(),
        json!("2024-05-01T10:00:00.000+0000"),
    );
    m
}

/// A Salesforce Contact row as SOQL answers it.
pub fn contact_row(rng: &mut StdRng) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("Id".into(), Value::String(sf_id(rng, "003")));
    for f in ["FirstName", "LastName", "Email"] {
        put(&mut m, f, text(rng));
    }
    match rng.gen_range(0..4) {
        0 => {}
        1 => {
            m.insert("AccountId".into(), Value::Null);
        }
        2 => {
            m.insert("AccountId".into(), json!("not an id"));
        }
        _ => {
            m.insert("AccountId".into(), Value::String(sf_id(rng, "001")));
        }
    }
    sf_address(rng, &mut m, "Mailing");
    m
}

fn flag(rng: &mut StdRng) -> Option<Value> {
    match rng.gen_range(0..5) {
        0 | 1 => Some(json!(true)),
        2 => Some(json!(false)),
        3 => Some(Value::Null),
        _ => None,
    }
}

fn ipaas_address(rng: &mut StdRng, id: u64) -> Value {
    let mut a = Map::new();
    if rng.gen_bool(0.7) {
        a.insert("id".into(), json!(id));
    }
    for k in [
        "type",
        "first_name",
        "last_name",
        "company",
        "address_1",
        "address_2",
        "address_3",
        "city",
        "region",
        "country",
        "postal_code",
        "phone_number",
    ] {
        if rng.gen_bool(0.5) {
            put(&mut a, k, text(rng));
        }
    }
    put(&mut a, "is_primary_billing", flag(rng));
    put(&mut a, "is_primary_shipping", flag(rng));
    if rng.gen_bool(0.3) {
        a.insert("geo".into(), json!([51.5, -0.1]));
    }
    Value::Object(a)
}

fn ipaas_common(rng: &mut StdRng, m: &mut Map<String, Value>) {
    m.insert("id".into(), json!(rng.gen_range(1..100_000)));
    let n = rng.gen_range(0..4);
    let addresses: Vec<Value> = (0..n).map(|i| ipaas_address(rng, i + 1)).collect();
    if !addresses.is_empty() || rng.gen_bool(0.5) {
        m.insert("addresses".into(), Value::Array(addresses));
    }
    if rng.gen_bool(0.5) {
        m.insert(
            "custom_fields".into(),
            json!([{"name": "Shoe size", "value": "38"}]),
        );
    }
    if rng.gen_bool(0.5) {
        m.insert(
            "external_ids".into(),
            json!([{"system_id": 1, "external_id": "001AAA", "internal_id": 5}]),
        );
    }
    if rng.gen_bool(0.3) {
        m.insert("loyalty_tier".into(), json!({"level": 3}));
    }
    if rng.gen_bool(0.5) {
        m.insert("last_modified_date".into(), json!("2024-05-01T10:00:00Z"));
    }
}

/// An iPaaS.com Company as the API sends it.
pub fn company(rng: &mut StdRng) -> Value {
    let mut m = Map::new();
    for f in [
        "name",
        "description",
        "email_address",
        "phone_number",
        "fax_number",
        "url",
        "account_number",
    ] {
        put(&mut m, f, text(rng));
    }
    if rng.gen_bool(0.2) {
        m.insert("parent_company_id".into(), json!(7));
    }
    ipaas_common(rng, &mut m);
    Value::Object(m)
}

/// An iPaaS.com Customer as the API sends it.
pub fn customer(rng: &mut StdRng) -> Value {
    let mut m = Map::new();
    for f in [
        "customer_number",
        "first_name",
        "last_name",
        "email_address",
        "company",
        "comment",
    ] {
        put(&mut m, f, text(rng));
    }
    if rng.gen_bool(0.5) {
        m.insert("company_id".into(), json!(rng.gen_range(1..50)));
    }
    if rng.gen_bool(0.2) {
        m.insert("category_id".into(), json!("vip"));
    }
    ipaas_common(rng, &mut m);
    Value::Object(m)
}

/// A random choice of fields (the merge's `only`), or none.
pub fn only(rng: &mut StdRng, fields: &[String]) -> Option<std::collections::BTreeSet<String>> {
    if rng.gen_bool(0.3) {
        return None;
    }
    Some(
        fields
            .iter()
            .filter(|_| rng.gen_bool(0.5))
            .cloned()
            .collect(),
    )
}
