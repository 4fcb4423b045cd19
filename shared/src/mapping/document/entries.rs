//! The mapping described entry by entry, in document order: what `sfsync mapping check`
//! lists, and what a finding points at.

use super::model::{Chain, Overflow, PairMapping, Runs, Side, Unknown};
use super::Direction;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Field,
    Address,
    Constant,
}

/// One entry of a pair's mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: EntryKind,
    /// The Salesforce field (an address: `Billing*`); none for a constant sent to iPaaS.com.
    pub salesforce: Option<String>,
    /// The iPaaS.com field (an address: `primary_billing`); none for a constant sent to
    /// Salesforce.
    pub ipaas: Option<String>,
    pub runs: Runs,
    /// The transforms in a few words (a constant: its value).
    pub rules: String,
    /// Its line in the document.
    pub line: usize,
}

impl PairMapping {
    /// The value table of the field mapped to `salesforce`, as (Salesforce value, iPaaS.com
    /// value) pairs in the Salesforce → iPaaS.com direction (the demo seeds with it).
    pub fn value_table(&self, salesforce: &str) -> Option<Vec<(String, String)>> {
        let f = self
            .fields
            .iter()
            .find(|f| f.salesforce.eq_ignore_ascii_case(salesforce))?;
        let table = f.to_ipaas.table.as_ref()?;
        Some(
            table
                .entries
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }

    pub fn entries(&self) -> Vec<Entry> {
        let mut out = Vec::new();
        for f in &self.fields {
            let to = f
                .runs
                .includes(Direction::ToIpaas)
                .then(|| describe(&f.to_ipaas))
                .flatten();
            let from = f
                .runs
                .includes(Direction::FromIpaas)
                .then(|| describe(&f.from_ipaas))
                .flatten();
            let rules = match (to, from) {
                // The same words both ways (a shared transform): said once.
                (Some(a), Some(b)) if a == b => a,
                (to, from) => [to.map(|t| format!("→ {t}")), from.map(|t| format!("← {t}"))]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("; "),
            };
            out.push(Entry {
                kind: EntryKind::Field,
                salesforce: Some(f.salesforce.clone()),
                ipaas: Some(f.ipaas.to_string()),
                runs: f.runs,
                rules,
                line: f.line,
            });
        }
        for a in &self.addresses {
            out.push(Entry {
                kind: EntryKind::Address,
                salesforce: Some(format!("{}*", a.prefix)),
                ipaas: Some(format!("{} address", a.flag.name())),
                runs: a.runs,
                rules: if a.copy_names {
                    "copy_names".into()
                } else {
                    String::new()
                },
                line: a.line,
            });
        }
        for c in &self.constants {
            let (salesforce, ipaas, runs) = match &c.side {
                Side::Salesforce(f) => (Some(f.clone()), None, Runs::FromIpaas),
                Side::Ipaas(f) => (None, Some(f.to_string()), Runs::ToIpaas),
            };
            out.push(Entry {
                kind: EntryKind::Constant,
                salesforce,
                ipaas,
                runs,
                rules: format!("constant {:?}", c.value),
                line: c.line,
            });
        }
        out.sort_by_key(|e| e.line);
        out
    }
}

fn describe(c: &Chain) -> Option<String> {
    if c.is_empty() {
        return None;
    }
    let mut parts: Vec<String> = c.cases.iter().map(|c| c.name().to_string()).collect();
    if let Some(t) = &c.table {
        let unknown = match &t.unknown {
            Unknown::Skip => "skip".to_string(),
            Unknown::Fail => "fail".to_string(),
            Unknown::Default(d) => format!("default {d:?}"),
        };
        parts.push(format!("table of {} (unknown: {unknown})", t.entries.len()));
    }
    if let Some(m) = c.max_length {
        let how = match m.overflow {
            Overflow::Truncate => "truncate",
            Overflow::Fail => "fail",
        };
        parts.push(format!("max {} ({how})", m.length));
    }
    Some(parts.join(", "))
}
