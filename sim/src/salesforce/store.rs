//! Record storage: Ids, audit fields and the org-wide SystemModstamp clock.

use super::schema;
use chrono::Utc;
use serde_json::{json, Map, Value};
use shared::salesforce::SalesforceId;
use std::collections::{BTreeMap, HashMap};

pub type Record = Map<String, Value>;

/// Who wrote a record, and whether explicit audit values in the fields are honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer<'a> {
    /// An API call as the integration user (or a person in the UI): the platform stamps.
    User(&'a str),
    /// Test seeding: explicit SystemModstamp / LastModifiedById / CreatedDate are kept.
    Seed(&'a str),
}

#[derive(Default)]
pub struct Store {
    /// object -> 18-char Id -> record. Generated Ids sort in creation order.
    records: HashMap<&'static str, BTreeMap<String, Record>>,
    seq: u64,
    last_stamp_ms: i64,
}

/// Salesforce's JSON datetime: `2024-01-01T00:00:00.000+0000`.
pub fn format_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3f+0000")
        .to_string()
}

/// Reads a datetime as Salesforce writes it (or RFC 3339); milliseconds since the epoch.
pub fn parse_time(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| chrono::DateTime::parse_from_rfc3339(s))
        .ok()
        .map(|t| t.timestamp_millis())
}

impl Store {
    pub fn new_id(&mut self, object: &str) -> SalesforceId {
        self.seq += 1;
        SalesforceId::from_parts(schema::key_prefix(object), "8M0", self.seq)
    }

    /// Strictly increasing across the org, at millisecond precision.
    fn next_stamp(&mut self) -> i64 {
        let now = Utc::now().timestamp_millis();
        self.last_stamp_ms = now.max(self.last_stamp_ms + 1);
        self.last_stamp_ms
    }

    /// The record of `object` with Id `id` (15 or 18 characters).
    pub fn get(&self, object: &str, id: &str) -> Option<&Record> {
        let id = SalesforceId::parse(id).ok()?;
        self.records.get(object)?.get(id.as_str())
    }

    pub fn all(&self, object: &str) -> impl Iterator<Item = &Record> {
        self.records
            .get(object)
            .into_iter()
            .flat_map(|m| m.values())
    }

    /// Creates (`id` None) or changes a record; `fields` are already validated and carry
    /// canonical names. Returns the Id.
    pub fn put(
        &mut self,
        object: &'static str,
        id: Option<&SalesforceId>,
        fields: &Record,
        writer: Writer<'_>,
    ) -> SalesforceId {
        let id = id.cloned().unwrap_or_else(|| self.new_id(object));
        let (user, seeding) = match writer {
            Writer::User(u) => (u, false),
            Writer::Seed(u) => (u, true),
        };
        let stamp = format_time(self.next_stamp());
        let mut rec = self.get(object, id.as_str()).cloned().unwrap_or_else(|| {
            let mut m = Map::new();
            m.insert("CreatedDate".into(), json!(stamp));
            m.insert("CreatedById".into(), json!(user));
            m.insert("IsDeleted".into(), json!(false));
            m
        });
        rec.insert("Id".into(), json!(id.as_str()));
        rec.insert("LastModifiedDate".into(), json!(stamp));
        rec.insert("SystemModstamp".into(), json!(stamp));
        rec.insert("LastModifiedById".into(), json!(user));
        for (k, v) in fields {
            let name = schema::field(object, k).map_or(k.as_str(), |f| f.name);
            let platform_owned = schema::field(object, name).is_some_and(|f| !f.writable);
            if platform_owned && !seeding {
                continue;
            }
            rec.insert(name.to_string(), v.clone());
        }
        if object == "Contact" {
            rec.insert("Name".into(), contact_name(&rec));
        }
        if seeding {
            // A seeded stamp in the future still keeps later writes strictly after it.
            let seeded = rec
                .get("SystemModstamp")
                .and_then(Value::as_str)
                .and_then(parse_time);
            self.last_stamp_ms = self.last_stamp_ms.max(seeded.unwrap_or(0));
        }
        self.records
            .entry(object)
            .or_default()
            .insert(id.to_string(), rec);
        id
    }
}

/// Contact.Name is "FirstName LastName", skipping a blank first name.
fn contact_name(rec: &Record) -> Value {
    let part = |k: &str| rec.get(k).and_then(Value::as_str).unwrap_or("").trim();
    let name = [part("FirstName"), part("LastName")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        Value::Null
    } else {
        Value::String(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_valid_and_prefixed() {
        let mut s = Store::default();
        let a = s.new_id("Account");
        let c = s.new_id("Contact");
        assert_eq!(a.key_prefix(), "001");
        assert_eq!(c.key_prefix(), "003");
        assert_eq!(SalesforceId::parse(a.as_str()).unwrap(), a);
        assert_eq!(SalesforceId::parse(a.to_15()).unwrap(), a);
    }

    #[test]
    fn modstamps_strictly_increase() {
        let mut s = Store::default();
        let mut last = String::new();
        for i in 0..50 {
            let f = json!({"Name": format!("A{i}")});
            let id = s.put("Account", None, f.as_object().unwrap(), Writer::User("005"));
            let stamp = s.get("Account", id.as_str()).unwrap()["SystemModstamp"]
                .as_str()
                .unwrap()
                .to_string();
            assert!(stamp > last, "{stamp} after {last}");
            last = stamp;
        }
    }

    #[test]
    fn seeding_keeps_explicit_audit_fields_and_users_cannot() {
        let mut s = Store::default();
        let f = json!({"Name": "Old", "SystemModstamp": "2020-01-01T00:00:00.000+0000", "LastModifiedById": "005000000000009AAA"});
        let id = s.put(
            "Account",
            None,
            f.as_object().unwrap(),
            Writer::Seed("005x"),
        );
        let rec = s.get("Account", id.as_str()).unwrap();
        assert_eq!(rec["SystemModstamp"], "2020-01-01T00:00:00.000+0000");
        assert_eq!(rec["LastModifiedById"], "005000000000009AAA");
        let id2 = s.put(
            "Account",
            None,
            f.as_object().unwrap(),
            Writer::User("005y"),
        );
        assert_ne!(
            s.get("Account", id2.as_str()).unwrap()["SystemModstamp"],
            "2020-01-01T00:00:00.000+0000"
        );
    }

    #[test]
    fn time_format_round_trips() {
        assert_eq!(
            format_time(1_704_067_200_000),
            "2024-01-01T00:00:00.000+0000"
        );
        assert_eq!(
            parse_time("2024-01-01T00:00:00.000+0000"),
            Some(1_704_067_200_000)
        );
        assert_eq!(parse_time("2024-01-01T00:00:00Z"), Some(1_704_067_200_000));
    }

    #[test]
    fn contact_name_is_compound() {
        let mut s = Store::default();
        let f = json!({"FirstName": "Ada", "LastName": "Lovelace"});
        let id = s.put("Contact", None, f.as_object().unwrap(), Writer::User("005"));
        assert_eq!(
            s.get("Contact", id.as_str()).unwrap()["Name"],
            "Ada Lovelace"
        );
    }
}
