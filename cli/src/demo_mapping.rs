//! `sfsync demo --mapping FILE`: the demo with a mapping document of the user's. The custom
//! Salesforce fields the document names are declared in the simulated org (a picklist of the
//! value table's values when it has one, else text), a few seeded records on each side get
//! values for the custom fields, and the report shows those values on the other side.

use crate::dataset::Dataset;
use crate::stack::{LocalStack, SYSTEM_ID};
use serde_json::{json, Map, Value};
use shared::mapping::document::{EntryKind, Mapping, Pair, Runs};
use sim::salesforce::{CustomField, CustomKind};

/// Records per side that get custom values.
const SHOWN: usize = 3;

/// A custom field mapping: the Salesforce field, the iPaaS.com custom field's name, the
/// way it runs, and its value table (Salesforce value → iPaaS.com value) if any.
struct Custom {
    pair: Pair,
    salesforce: String,
    ipaas: Option<String>,
    runs: Runs,
    table: Option<Vec<(String, String)>>,
}

fn customs(mapping: &Mapping) -> Vec<Custom> {
    let mut out = Vec::new();
    for pair in Pair::ALL {
        let m = mapping.pair(pair);
        for e in m
            .entries()
            .into_iter()
            .filter(|e| e.kind == EntryKind::Field)
        {
            let Some(sf) = e.salesforce.clone() else {
                continue;
            };
            let ipaas = e
                .ipaas
                .as_deref()
                .and_then(|i| i.strip_prefix("custom_fields."))
                .map(str::to_string);
            if !sf.ends_with("__c") && ipaas.is_none() {
                continue;
            }
            out.push(Custom {
                pair,
                table: m.value_table(&sf),
                salesforce: sf,
                ipaas,
                runs: e.runs,
            });
        }
    }
    out
}

/// Declares the document's custom Salesforce fields the org lacks and gives the first
/// records on each side values for the custom fields.
pub fn prepare(stack: &LocalStack, mapping: &Mapping, data: &mut Dataset) {
    for c in customs(mapping) {
        if c.salesforce.ends_with("__c") {
            let kind = match &c.table {
                Some(t) => CustomKind::Picklist {
                    values: t.iter().map(|(k, _)| k.clone()).collect(),
                    restricted: false,
                },
                None => CustomKind::Text { length: 255 },
            };
            let field = CustomField {
                name: c.salesforce.clone(),
                label: c.salesforce.trim_end_matches("__c").replace('_', " "),
                kind,
                external_id: false,
                unique: false,
                required: false,
            };
            // An org that has it already keeps its own definition.
            let _ = stack
                .salesforce
                .add_custom_field(c.pair.salesforce_object(), field);
        }
        let pick = |i: usize, side: usize| match &c.table {
            Some(t) if !t.is_empty() => {
                let (sf, ip) = &t[i % t.len()];
                if side == 0 {
                    sf.clone()
                } else {
                    ip.clone()
                }
            }
            _ => format!("demo-{}-{i}", if side == 0 { "sf" } else { "ip" }),
        };
        if matches!(c.runs, Runs::Both | Runs::ToIpaas) {
            let rows: Vec<&mut Map<String, Value>> = match c.pair {
                Pair::Account => data.salesforce.accounts.iter_mut().take(SHOWN).collect(),
                Pair::Contact => data
                    .salesforce
                    .contacts
                    .iter_mut()
                    .filter(|r| r.parent.is_some())
                    .take(SHOWN)
                    .map(|r| &mut r.fields)
                    .collect(),
            };
            for (i, row) in rows.into_iter().enumerate() {
                row.insert(c.salesforce.clone(), json!(pick(i, 0)));
            }
        }
        if let (Some(name), true) = (&c.ipaas, matches!(c.runs, Runs::Both | Runs::FromIpaas)) {
            let rows: Vec<&mut Map<String, Value>> = match c.pair {
                Pair::Account => data.ipaas.companies.iter_mut().take(SHOWN).collect(),
                Pair::Contact => data
                    .ipaas
                    .customers
                    .iter_mut()
                    .filter(|r| r.parent.is_some())
                    .take(SHOWN)
                    .map(|r| &mut r.fields)
                    .collect(),
            };
            for (i, row) in rows.into_iter().enumerate() {
                let list = row.entry("custom_fields").or_insert_with(|| json!([]));
                if let Some(list) = list.as_array_mut() {
                    list.push(json!({"name": name, "value": pick(i, 1)}));
                }
            }
        }
    }
}

/// One line per custom value that reached the other side: where it was set and what the
/// linked record now holds.
pub fn arrivals(stack: &LocalStack, mapping: &Mapping) -> Vec<String> {
    let mut lines = Vec::new();
    for c in customs(mapping) {
        let Some(name) = &c.ipaas else { continue };
        let object = c.pair.salesforce_object();
        let ipaas_records = match c.pair {
            Pair::Account => stack.ipaas.companies(),
            Pair::Contact => stack.ipaas.customers(),
        };
        let kind = c.pair.ipaas_kind();
        for r in &ipaas_records {
            let Some(link) = link_of(r) else { continue };
            let Some(sf) = stack.salesforce.record(object, &link) else {
                continue;
            };
            let ip_value = custom_value(r, name);
            let sf_value = sf
                .get(&c.salesforce)
                .and_then(Value::as_str)
                .map(str::to_string);
            if let (Some(a), Some(b)) = (&sf_value, &ip_value) {
                lines.push(format!(
                    "{object} {link} {} = {a:?}  ⇄  {kind} {} {name} = {b:?}",
                    c.salesforce, r["id"]
                ));
            }
        }
    }
    lines.truncate(4 * SHOWN * 2);
    lines
}

fn custom_value(record: &Value, name: &str) -> Option<String> {
    record["custom_fields"]
        .as_array()?
        .iter()
        .find(|f| {
            f["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })?
        .get("value")?
        .as_str()
        .map(str::to_string)
}

fn link_of(record: &Value) -> Option<String> {
    record["external_ids"]
        .as_array()?
        .iter()
        .find(|e| e["system_id"] == SYSTEM_ID)
        .and_then(|e| e["external_id"].as_str().map(str::to_string))
}
