//! The tenant's Customers and Companies in memory: ids, address ids, `last_modified_date`,
//! and how a stored record reads on the wire (with its `external_ids`, see `tenant_links`).

use super::problem::FieldErrors;
use super::schema::Kind;
use super::validate::{self, Record};
use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Fields searched by equality often enough to keep an index of (the API's lookups by
/// email, name and customer number), so a search never scans the whole tenant.
const INDEXED: [&str; 3] = ["email_address", "name", "customer_number"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub id: u64,
    pub kind: Kind,
    pub system_id: u64,
    pub external_id: String,
    pub internal_id: u64,
}

#[derive(Default)]
pub struct Tenant {
    customers: BTreeMap<u64, Record>,
    companies: BTreeMap<u64, Record>,
    last_customer_id: u64,
    last_company_id: u64,
    last_address_id: u64,
    pub(super) last_link_id: u64,
    pub(super) links: super::tenant_links::Links,
    last_stamp: Option<DateTime<Utc>>,
    /// (kind, field, lower-cased value) → ids, for the `INDEXED` fields.
    index: HashMap<(Kind, &'static str, String), BTreeSet<u64>>,
}

/// Whether a write made a new record or changed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
}

impl Tenant {
    pub(super) fn table(&self, kind: Kind) -> &BTreeMap<u64, Record> {
        match kind {
            Kind::Customer => &self.customers,
            Kind::Company => &self.companies,
        }
    }

    fn table_mut(&mut self, kind: Kind) -> &mut BTreeMap<u64, Record> {
        match kind {
            Kind::Customer => &mut self.customers,
            Kind::Company => &mut self.companies,
        }
    }

    fn next_id(&mut self, kind: Kind) -> u64 {
        let last = match kind {
            Kind::Customer => &mut self.last_customer_id,
            Kind::Company => &mut self.last_company_id,
        };
        *last += 1;
        *last
    }

    pub fn exists(&self, kind: Kind, id: u64) -> bool {
        self.table(kind).contains_key(&id)
    }

    /// The record as the API answers it.
    pub fn get(&self, kind: Kind, id: u64) -> Option<Value> {
        let record = self.table(kind).get(&id)?;
        let mut out = record.clone();
        for field in kind.fields() {
            out.entry(field.name).or_insert(Value::Null);
        }
        out.insert("id".into(), id.into());
        out.insert("external_ids".into(), self.external_ids(kind, id));
        Some(Value::Object(out))
    }

    /// Every record of `kind`, by id.
    pub fn all(&self, kind: Kind) -> Vec<Value> {
        let ids: Vec<u64> = self.table(kind).keys().copied().collect();
        ids.into_iter()
            .filter_map(|id| self.get(kind, id))
            .collect()
    }

    /// Records whose every `(field, value)` matches, case-insensitively (`action=equals`).
    pub fn search(&self, kind: Kind, filters: &[(&str, String)]) -> Vec<Value> {
        // An indexed field narrows the candidates; every filter is then checked on them.
        let narrowed = filters.iter().find_map(|(field, want)| {
            let f = INDEXED.iter().find(|i| **i == *field)?;
            Some(
                self.index
                    .get(&(kind, *f, want.to_lowercase()))
                    .cloned()
                    .unwrap_or_default(),
            )
        });
        let table = self.table(kind);
        let candidates: Box<dyn Iterator<Item = (&u64, &Record)>> = match &narrowed {
            Some(ids) => Box::new(ids.iter().filter_map(|id| table.get_key_value(id))),
            None => Box::new(table.iter()),
        };
        // Match on the stored fields first; only the matches are rendered.
        let ids: Vec<u64> = candidates
            .filter(|(id, r)| {
                filters.iter().all(|(field, want)| match *field {
                    "id" => equals(&Value::from(**id), want),
                    f => equals(r.get(f).unwrap_or(&Value::Null), want),
                })
            })
            .map(|(id, _)| *id)
            .collect();
        ids.into_iter()
            .filter_map(|id| self.get(kind, id))
            .collect()
    }

    /// `POST`: a validated new record, linked by the `external_ids` it carries
    /// (`[{system_id, external_id}]`, as `UpdateExternalId` would link it) when `linked`
    /// (`IpaasSimConfig::links_on_create`); on `PUT` they are ignored, links change only
    /// through `UpdateExternalId`.
    pub fn create(&mut self, kind: Kind, body: &[u8], linked: bool) -> Result<Value, FieldErrors> {
        let record = validate::merge(kind, body, None, &|id| self.exists(Kind::Company, id))?;
        let links = if linked {
            validate::links_on_create(body)?
        } else {
            Vec::new()
        };
        let id = self.next_id(kind);
        self.store(kind, id, record);
        for (system, external) in links {
            self.put_link(kind, system, &external, id);
        }
        self.get(kind, id).ok_or_else(validate::root_error)
    }

    /// `PUT`: `Ok(None)` when there is no such record.
    pub fn update(
        &mut self,
        kind: Kind,
        id: u64,
        body: &[u8],
    ) -> Result<Option<Value>, FieldErrors> {
        let Some(existing) = self.table(kind).get(&id) else {
            // A body that is not JSON is still a 400 (ASP.NET binds the body before the
            // action looks the record up); the rest can only be judged against a record.
            return match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(_)) => Ok(None),
                _ => Err(validate::root_error()),
            };
        };
        let company_exists = |c: u64| self.exists(Kind::Company, c);
        let record = validate::merge(kind, body, Some(existing), &company_exists)?;
        Ok(Some(self.store(kind, id, record)))
    }

    /// Seeds a record without validation; honours `id`, `last_modified_date` and
    /// `external_ids` (`{system_id, external_id}`) when given.
    pub fn seed(&mut self, kind: Kind, v: &Value) -> u64 {
        let id = match v.get("id").and_then(Value::as_u64).filter(|id| *id > 0) {
            Some(id) => {
                let last = match kind {
                    Kind::Customer => &mut self.last_customer_id,
                    Kind::Company => &mut self.last_company_id,
                };
                *last = (*last).max(id);
                id
            }
            None => self.next_id(kind),
        };
        let existing = self.table(kind).get(&id).cloned();
        let record = validate::lenient(kind, v, existing.as_ref());
        self.store(kind, id, record);
        let stamp = v.get("last_modified_date").and_then(Value::as_str);
        if let Some(stamp) = stamp.and_then(|s| DateTime::parse_from_rfc3339(s).ok()) {
            let stamp = stamp
                .with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::Millis, true);
            if let Some(r) = self.table_mut(kind).get_mut(&id) {
                r.insert("last_modified_date".into(), stamp.into());
            }
        }
        let links = v.get("external_ids").and_then(Value::as_array);
        for link in links.map(Vec::as_slice).unwrap_or_default() {
            let system = link.get("system_id").and_then(Value::as_u64);
            let external = link.get("external_id").and_then(Value::as_str);
            if let (Some(system), Some(external)) = (system, external) {
                self.put_link(kind, system, external, id);
            }
        }
        id
    }

    /// A person's edit in the iPaaS.com UI: `None` creates. No validation, as the UI has
    /// already judged it. `None` back when `id` names no record.
    pub fn edit_as_person(
        &mut self,
        kind: Kind,
        id: Option<u64>,
        fields: &Value,
    ) -> Option<(u64, Change)> {
        let (id, change) = match id {
            Some(id) if self.exists(kind, id) => (id, Change::Updated),
            Some(_) => return None,
            None => (self.next_id(kind), Change::Created),
        };
        let existing = self.table(kind).get(&id);
        let record = validate::lenient(kind, fields, existing);
        self.store(kind, id, record);
        Some((id, change))
    }

    /// Stores `record` as `id`: gives new addresses ids, fills the customer's company name,
    /// stamps `last_modified_date`; answers the record as the API shows it.
    fn store(&mut self, kind: Kind, id: u64, mut record: Record) -> Value {
        let old_ids: Vec<u64> = self
            .table(kind)
            .get(&id)
            .and_then(|r| r.get("addresses"))
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(|a| a["id"].as_u64()).collect())
            .unwrap_or_default();
        if let Some(Value::Array(list)) = record.get_mut("addresses") {
            for addr in list.iter_mut().filter_map(Value::as_object_mut) {
                let kept = addr.get("id").and_then(Value::as_u64);
                // A client cannot pick an address id; only an id the record already has stays.
                let id = match kept.filter(|k| old_ids.contains(k)) {
                    Some(k) => k,
                    None => {
                        self.last_address_id = self.last_address_id.max(kept.unwrap_or(0)) + 1;
                        self.last_address_id
                    }
                };
                addr.insert("id".into(), id.into());
            }
        }
        if kind == Kind::Customer {
            self.fill_company_name(&mut record);
        }
        record.insert("last_modified_date".into(), self.stamp().into());
        self.reindex(kind, id, &record);
        self.table_mut(kind).insert(id, record);
        self.get(kind, id).unwrap_or(Value::Null)
    }

    /// Moves record `id` in the search index from its stored values to `record`'s.
    fn reindex(&mut self, kind: Kind, id: u64, record: &Record) {
        let key = |r: &Record, f: &'static str| {
            let v = match r.get(f)? {
                Value::String(s) => s.to_lowercase(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            Some((kind, f, v))
        };
        for f in INDEXED {
            let old = self.table(kind).get(&id).and_then(|r| key(r, f));
            if let Some(k) = old {
                if let Some(set) = self.index.get_mut(&k) {
                    set.remove(&id);
                }
            }
            if let Some(k) = key(record, f) {
                self.index.entry(k).or_default().insert(id);
            }
        }
    }

    fn fill_company_name(&self, record: &mut Record) {
        let named = record.get("company").and_then(Value::as_str).is_some();
        let company = record.get("company_id").and_then(Value::as_u64);
        let name = company
            .and_then(|c| self.companies.get(&c))
            .and_then(|c| c.get("name").cloned());
        if let (false, Some(name)) = (named, name) {
            record.insert("company".into(), name);
        }
    }

    /// Moves a record's `last_modified_date` on (its links changed).
    pub(super) fn touch(&mut self, kind: Kind, id: u64) {
        let stamp = self.stamp();
        if let Some(r) = self.table_mut(kind).get_mut(&id) {
            r.insert("last_modified_date".into(), stamp.into());
        }
    }

    /// Now, RFC 3339 UTC with milliseconds; never earlier than a stamp given before (two
    /// quick changes may share one). Never pushed ahead of the clock: under a burst of
    /// writes a strictly increasing stamp would run ahead, and a person's edit made after it
    /// in another system would look older than it is.
    fn stamp(&mut self) -> String {
        // Whole milliseconds, as written, so "later" survives formatting.
        let mut now = Utc::now().trunc_subsecs(3);
        if let Some(last) = self.last_stamp.filter(|l| now < *l) {
            now = last;
        }
        self.last_stamp = Some(now);
        now.to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

fn equals(have: &Value, want: &str) -> bool {
    match have {
        Value::String(s) => s.to_lowercase() == want.to_lowercase(),
        Value::Number(n) => n.to_string() == want.trim(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn customer(t: &mut Tenant, email: &str) -> Value {
        let body = json!({"last_name": "L", "email_address": email, "addresses": [{"city": "X"}]});
        t.create(Kind::Customer, body.to_string().as_bytes(), true)
            .unwrap()
    }

    /// Waits for the clock's millisecond to change (stamps may tie within one).
    fn next_millisecond() {
        let start = Utc::now().timestamp_millis();
        while Utc::now().timestamp_millis() == start {
            std::hint::spin_loop();
        }
    }

    #[test]
    fn create_stamps_ids_and_dates() {
        let mut t = Tenant::default();
        let a = customer(&mut t, "a@x.io");
        next_millisecond();
        let b = customer(&mut t, "b@x.io");
        assert_eq!((a["id"].as_u64(), b["id"].as_u64()), (Some(1), Some(2)));
        assert!(a["addresses"][0]["id"].as_u64().is_some());
        assert_ne!(a["addresses"][0]["id"], b["addresses"][0]["id"]);
        assert!(
            a["last_modified_date"].as_str().unwrap() < b["last_modified_date"].as_str().unwrap()
        );
        assert_eq!(a["external_ids"], json!([]));
        assert_eq!(a["first_name"], Value::Null);
    }

    #[test]
    fn update_keeps_known_address_ids_only() {
        let mut t = Tenant::default();
        let a = customer(&mut t, "a@x.io");
        let addr = a["addresses"][0]["id"].as_u64().unwrap();
        let body = json!({"addresses": [{"id": addr, "city": "Y"}, {"id": 999, "city": "Z"}]});
        next_millisecond();
        let u = t
            .update(Kind::Customer, 1, body.to_string().as_bytes())
            .unwrap()
            .unwrap();
        assert_eq!(u["addresses"][0]["id"], addr);
        assert_ne!(u["addresses"][1]["id"], 999);
        assert!(u["last_modified_date"].as_str() > a["last_modified_date"].as_str());
        assert_eq!(t.update(Kind::Customer, 9, b"{}").unwrap(), None);
        assert!(t.update(Kind::Customer, 9, b"nope").is_err());
    }

    #[test]
    fn search_is_case_insensitive_equality() {
        let mut t = Tenant::default();
        customer(&mut t, "Ada@Example.com");
        customer(&mut t, "ada@example.com.au");
        let hits = t.search(
            Kind::Customer,
            &[("email_address", "ADA@example.COM".into())],
        );
        assert_eq!(hits.len(), 1);
        assert_eq!(t.search(Kind::Customer, &[("id", "2".into())]).len(), 1);
    }

    #[test]
    fn customer_takes_company_name_and_seed_honours_ids() {
        let mut t = Tenant::default();
        let c = t.seed(Kind::Company, &json!({"id": 40, "name": "Acme"}));
        assert_eq!(c, 40);
        let body = json!({"last_name": "L", "email_address": "l@acme.io", "company_id": 40});
        let r = t
            .create(Kind::Customer, body.to_string().as_bytes(), true)
            .unwrap();
        assert_eq!(r["company"], "Acme");
        let next = t.seed(Kind::Company, &json!({"name": "Next"}));
        assert_eq!(next, 41);
        let moved = json!({"company_id": 41}).to_string();
        let r = t
            .update(Kind::Customer, 1, moved.as_bytes())
            .unwrap()
            .unwrap();
        assert_eq!(r["company"], "Next", "a new company_id brings its name");
    }
}
