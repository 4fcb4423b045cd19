//! External-id links: one per (table, system, record), found by (table, system, external
//! id). A record's `external_ids` are read from here, so they never drift from the links.

use super::schema::Kind;
use super::tenant::{Link, Tenant};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

/// Every link, indexed both ways so lookups and record rendering stay cheap at the
/// sizes the soak test and the benchmarks use.
#[derive(Default)]
pub struct Links {
    by_id: BTreeMap<u64, Link>,
    by_external: HashMap<(Kind, u64, String), u64>,
    by_record: HashMap<(Kind, u64), Vec<u64>>,
}

impl Links {
    fn insert(&mut self, link: Link) {
        self.by_external.insert(
            (link.kind, link.system_id, link.external_id.clone()),
            link.id,
        );
        self.by_record
            .entry((link.kind, link.internal_id))
            .or_default()
            .push(link.id);
        self.by_id.insert(link.id, link);
    }

    fn remove(&mut self, id: u64) -> Option<Link> {
        let link = self.by_id.remove(&id)?;
        self.by_external
            .remove(&(link.kind, link.system_id, link.external_id.clone()));
        if let Some(ids) = self.by_record.get_mut(&(link.kind, link.internal_id)) {
            ids.retain(|x| *x != id);
        }
        Some(link)
    }

    fn of_record(&self, kind: Kind, internal_id: u64) -> Vec<&Link> {
        let mut links: Vec<&Link> = self
            .by_record
            .get(&(kind, internal_id))
            .into_iter()
            .flatten()
            .filter_map(|id| self.by_id.get(id))
            .collect();
        links.sort_by_key(|l| l.id);
        links
    }
}

impl Tenant {
    /// The link of `external_id` in `system_id`, if any.
    pub fn lookup(&self, kind: Kind, system_id: u64, external_id: &str) -> Option<Link> {
        let id = self
            .links
            .by_external
            .get(&(kind, system_id, external_id.to_string()))?;
        self.links.by_id.get(id).cloned()
    }

    /// Links record `internal_id` to `external_id` in `system_id`, replacing the record's
    /// link for that system (it keeps its id) and taking the external id from any other
    /// record it named. `None` when the record does not exist.
    pub fn write_link(
        &mut self,
        kind: Kind,
        system_id: u64,
        external_id: &str,
        internal_id: u64,
    ) -> Option<Link> {
        if !self.exists(kind, internal_id) {
            return None;
        }
        Some(self.put_link(kind, system_id, external_id, internal_id))
    }

    pub(super) fn put_link(
        &mut self,
        kind: Kind,
        system_id: u64,
        external_id: &str,
        internal_id: u64,
    ) -> Link {
        // The record's own link for this system keeps its id.
        let own = self
            .links
            .of_record(kind, internal_id)
            .into_iter()
            .find(|l| l.system_id == system_id)
            .map(|l| l.id);
        let kept_id = own.and_then(|id| self.links.remove(id)).map(|l| l.id);
        // Another record that held this external id loses it.
        let mut touched = Vec::new();
        if let Some(&other) =
            self.links
                .by_external
                .get(&(kind, system_id, external_id.to_string()))
        {
            if let Some(l) = self.links.remove(other) {
                touched.push(l.internal_id);
            }
        }
        let id = kept_id.unwrap_or_else(|| {
            self.last_link_id += 1;
            self.last_link_id
        });
        let link = Link {
            id,
            kind,
            system_id,
            external_id: external_id.to_string(),
            internal_id,
        };
        self.links.insert(link.clone());
        for other in touched {
            self.touch(kind, other);
        }
        self.touch(kind, internal_id);
        link
    }

    /// The record's `external_ids`, oldest link first.
    pub(super) fn external_ids(&self, kind: Kind, id: u64) -> Value {
        Value::Array(
            self.links
                .of_record(kind, id)
                .into_iter()
                .map(|l| {
                    json!({
                        "id": l.id,
                        "system_id": l.system_id,
                        "system_name": Value::Null,
                        "external_id": l.external_id,
                        "internal_id": l.internal_id,
                    })
                })
                .collect(),
        )
    }
}

impl Link {
    /// The body of LookupSpecial and UpdateExternalId answers.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "table_name": self.kind.table_name(),
            "system_id": self.system_id,
            "external_id": self.external_id,
            "internal_id": self.internal_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant() -> Tenant {
        let mut t = Tenant::default();
        t.seed(Kind::Company, &json!({"name": "A"}));
        t.seed(Kind::Company, &json!({"name": "B"}));
        t
    }

    #[test]
    fn links_replace_per_record_and_system() {
        let mut t = tenant();
        assert!(t.lookup(Kind::Company, 7, "001A").is_none());
        let first = t.write_link(Kind::Company, 7, "001A", 1).unwrap();
        assert_eq!(t.lookup(Kind::Company, 7, "001A").unwrap().internal_id, 1);
        assert!(t.lookup(Kind::Customer, 7, "001A").is_none());
        assert!(t.lookup(Kind::Company, 8, "001A").is_none());
        // The record's link for system 7 is replaced, keeping its id.
        let again = t.write_link(Kind::Company, 7, "001B", 1).unwrap();
        assert_eq!(again.id, first.id);
        assert!(t.lookup(Kind::Company, 7, "001A").is_none());
        let ids = &t.get(Kind::Company, 1).unwrap()["external_ids"];
        assert_eq!(ids.as_array().map(Vec::len), Some(1));
        assert_eq!(ids[0]["external_id"], "001B");
        // Another system adds a second link.
        t.write_link(Kind::Company, 9, "x", 1).unwrap();
        assert_eq!(
            t.get(Kind::Company, 1).unwrap()["external_ids"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
    }

    #[test]
    fn an_external_id_moves_to_its_new_record() {
        let mut t = tenant();
        t.write_link(Kind::Company, 7, "001A", 1).unwrap();
        t.write_link(Kind::Company, 7, "001A", 2).unwrap();
        assert_eq!(t.lookup(Kind::Company, 7, "001A").unwrap().internal_id, 2);
        assert_eq!(t.get(Kind::Company, 1).unwrap()["external_ids"], json!([]));
        assert!(t.write_link(Kind::Company, 7, "001C", 99).is_none());
    }
}
