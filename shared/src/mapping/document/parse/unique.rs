//! The rules across a pair's entries: one mapping per Salesforce field and direction, one
//! writer per iPaaS.com field, one mapping per address flag and prefix.

use super::super::error::DocumentError;
use super::super::model::*;
use super::super::Direction;
use std::collections::HashMap;

/// Each Salesforce field is compared (and written) once per direction, each iPaaS.com
/// field written once, each address flag and prefix used once.
pub(super) fn unique(m: &PairMapping) -> Result<(), DocumentError> {
    let object = m.pair.salesforce_object();
    for d in [Direction::ToIpaas, Direction::FromIpaas] {
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut claim = |name: &str, line: usize| {
            match seen.insert(name.to_ascii_lowercase(), line) {
                Some(first) => Err(DocumentError::new(
                    line,
                    format!("{object}.{name} is already mapped {d} on line {first}; the merge compares values by Salesforce field, so each is mapped once per direction"),
                )),
                None => Ok(()),
            }
        };
        for f in m.fields.iter().filter(|f| f.runs.includes(d)) {
            claim(&f.salesforce, f.line)?;
        }
        for a in m.addresses.iter().filter(|a| a.runs.includes(d)) {
            for name in a.fields() {
                claim(&name, a.line)?;
            }
        }
        if d == Direction::FromIpaas {
            for c in &m.constants {
                if let Side::Salesforce(name) = &c.side {
                    claim(name, c.line)?;
                }
            }
        }
    }
    let mut written: HashMap<String, usize> = HashMap::new();
    let kind = m.pair.ipaas_kind();
    let targets = m
        .fields
        .iter()
        .filter(|f| f.runs.includes(Direction::ToIpaas))
        .map(|f| (&f.ipaas, f.line))
        .chain(m.constants.iter().filter_map(|c| match &c.side {
            Side::Ipaas(f) => Some((f, c.line)),
            Side::Salesforce(_) => None,
        }));
    for (field, line) in targets {
        let key = match field {
            IpaasField::Top(n) => n.clone(),
            IpaasField::Custom(n) => format!("custom_fields.{}", n.to_lowercase()),
        };
        if let Some(first) = written.insert(key, line) {
            return Err(DocumentError::new(
                line,
                format!("{kind}.{field} is already written on line {first}; two values cannot go to one field"),
            ));
        }
    }
    for (i, a) in m.addresses.iter().enumerate() {
        if let Some(b) = m.addresses[..i]
            .iter()
            .find(|b| b.flag == a.flag || b.prefix == a.prefix)
        {
            let what = if b.flag == a.flag {
                format!("the {} address", a.flag.name())
            } else {
                format!("the {} address fields", a.prefix)
            };
            return Err(DocumentError::new(
                a.line,
                format!("{what} are already mapped on line {}", b.line),
            ));
        }
    }
    Ok(())
}
