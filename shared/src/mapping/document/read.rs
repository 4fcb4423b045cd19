//! Values of a record in Salesforce terms, as the merge compares them: Salesforce rows as
//! they are, iPaaS.com records through the iPaaS.com → Salesforce transforms.

use super::address;
use super::error::MappingError;
use super::model::PairMapping;
use super::record::{self, text};
use super::transform::Subject;
use super::{Direction, Values};
use crate::salesforce::SalesforceId;
use serde_json::{Map, Value};

/// A row's field, whatever the case of its name (Salesforce field names are not
/// case-sensitive; rows carry describe's spelling).
fn field<'a>(row: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    row.get(name).or_else(|| {
        row.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

impl PairMapping {
    /// The values of a Salesforce row for the fields mapped in `direction`: trimmed, empty
    /// ones left out. For a Contact the AccountId (18 characters) is included: the merge
    /// compares it too, though the flows, not the document, translate it.
    pub fn salesforce_values(&self, row: &Map<String, Value>, direction: Direction) -> Values {
        let mut out = Values::new();
        for f in self.fields.iter().filter(|f| f.runs.includes(direction)) {
            if let Some(v) = field(row, &f.salesforce).and_then(text) {
                out.insert(f.salesforce.clone(), v);
            }
        }
        for a in self.addresses.iter().filter(|a| a.runs.includes(direction)) {
            for name in a.fields() {
                if let Some(v) = field(row, &name).and_then(text) {
                    out.insert(name, v);
                }
            }
        }
        if let Some(rel) = self.pair.relationship() {
            let id = field(row, rel)
                .and_then(Value::as_str)
                .and_then(|s| SalesforceId::parse(s.trim()).ok());
            if let Some(id) = id {
                out.insert(rel.to_string(), id.to_string());
            }
        }
        out
    }

    /// The values of an iPaaS.com record for the fields mapped in `direction`, in
    /// Salesforce terms (keyed by Salesforce field, through the iPaaS.com → Salesforce
    /// transforms). A value table's unknown value is left out under `skip`, replaced under
    /// a default, and an error naming the field and the value under `fail`.
    pub fn ipaas_values(
        &self,
        record: &Value,
        direction: Direction,
    ) -> Result<Values, MappingError> {
        let kind = self.pair.ipaas_kind();
        let rec = record::object(record, kind)?;
        let mut out = Values::new();
        for f in self.fields.iter().filter(|f| f.runs.includes(direction)) {
            let Some(raw) = record::get(rec, &f.ipaas, kind)? else {
                continue;
            };
            let who = Subject {
                object: self.pair.salesforce_object(),
                field: &f.salesforce,
                ipaas: format!("{kind}.{}", f.ipaas),
                direction: Direction::FromIpaas,
            };
            if let Some(v) = f.from_ipaas.apply(&raw, &who)? {
                out.insert(f.salesforce.clone(), v);
            }
        }
        let addresses = record::list(rec, "addresses", kind)?;
        for a in self.addresses.iter().filter(|a| a.runs.includes(direction)) {
            let Some(found) = address::flagged(addresses, a.flag) else {
                continue;
            };
            for (name, v) in a.fields().into_iter().zip(address::read(found)) {
                if let Some(v) = v {
                    out.insert(name, v);
                }
            }
        }
        Ok(out)
    }
}
