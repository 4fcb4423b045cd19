//! What to send: the iPaaS.com record with the chosen Salesforce values laid over the
//! existing one (through the Salesforce → iPaaS.com transforms), or the Salesforce fields
//! to write. Writes are partial: a field without a value is left as the target has it.

use super::address;
use super::error::MappingError;
use super::model::{PairMapping, Side};
use super::record;
use super::transform::Subject;
use super::{Direction, Values};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

impl PairMapping {
    /// The iPaaS.com record to send: `existing` (or a new record) with `values` (the
    /// source's values in Salesforce terms, all of them) laid over it, only the fields in
    /// `only` when given (the merge's choice), and every iPaaS.com constant. Fields,
    /// custom fields and addresses the mapping does not name are kept as they were.
    /// The relationship fields (company_id, customer_number) are the flows' to set.
    pub fn write_ipaas(
        &self,
        existing: Option<&Value>,
        values: &Values,
        only: Option<&BTreeSet<String>>,
    ) -> Result<Value, MappingError> {
        let kind = self.pair.ipaas_kind();
        let mut rec = match existing {
            Some(e) => record::object(e, kind)?.clone(),
            None => Map::new(),
        };
        let wants = |f: &str| only.is_none_or(|o| o.contains(f));
        for f in self
            .fields
            .iter()
            .filter(|f| f.runs.includes(Direction::ToIpaas))
        {
            let Some(v) = values.get(&f.salesforce).filter(|_| wants(&f.salesforce)) else {
                continue;
            };
            let who = Subject {
                object: self.pair.salesforce_object(),
                field: &f.salesforce,
                ipaas: format!("{kind}.{}", f.ipaas),
                direction: Direction::ToIpaas,
            };
            if let Some(v) = f.to_ipaas.apply(v, &who)? {
                record::set(&mut rec, &f.ipaas, v, kind)?;
            }
        }
        let maps: Vec<_> = self
            .addresses
            .iter()
            .filter(|a| a.runs.includes(Direction::ToIpaas))
            .collect();
        address::write_all(&mut rec, &maps, values, &wants, kind)?;
        for c in &self.constants {
            if let Side::Ipaas(field) = &c.side {
                record::set(&mut rec, field, c.value.clone(), kind)?;
            }
        }
        Ok(Value::Object(rec))
    }

    /// The Salesforce fields to send for `values` (in Salesforce terms, as `ipaas_values`
    /// gave them), only those in `only` when given, and every Salesforce constant. Values
    /// are not translated again; `max_length` is held as a last guard. Keys the mapping
    /// does not write from iPaaS.com are left out, except the relationship field
    /// (Contact.AccountId), which the flows set and which passes as it is.
    pub fn write_salesforce(
        &self,
        values: &Values,
        only: Option<&BTreeSet<String>>,
    ) -> Result<Map<String, Value>, MappingError> {
        let wants = |f: &str| only.is_none_or(|o| o.contains(f));
        let mut out = Map::new();
        let kind = self.pair.ipaas_kind();
        for f in self
            .fields
            .iter()
            .filter(|f| f.runs.includes(Direction::FromIpaas))
        {
            let Some(v) = values.get(&f.salesforce).filter(|_| wants(&f.salesforce)) else {
                continue;
            };
            let guard = super::model::Chain {
                max_length: f.from_ipaas.max_length,
                ..Default::default()
            };
            let who = Subject {
                object: self.pair.salesforce_object(),
                field: &f.salesforce,
                ipaas: format!("{kind}.{}", f.ipaas),
                direction: Direction::FromIpaas,
            };
            if let Some(v) = guard.apply(v, &who)? {
                out.insert(f.salesforce.clone(), Value::String(v));
            }
        }
        let parts = self
            .addresses
            .iter()
            .filter(|a| a.runs.includes(Direction::FromIpaas))
            .flat_map(|a| a.fields());
        let relationship = self.pair.relationship().map(str::to_string);
        for name in parts.chain(relationship) {
            if let Some(v) = values.get(&name).filter(|_| wants(&name)) {
                let v = v.trim();
                if !v.is_empty() {
                    out.insert(name, Value::String(v.to_string()));
                }
            }
        }
        for c in &self.constants {
            if let Side::Salesforce(field) = &c.side {
                out.insert(field.clone(), Value::String(c.value.clone()));
            }
        }
        Ok(out)
    }
}
