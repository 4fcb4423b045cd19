//! External-id links: one per (table, system, record), found by (table, system, external
//! id). A record's `external_ids` are read from here, so they never drift from the links.

use super::schema::Kind;
use super::tenant::{Link, Tenant};
use serde_json::{json, Value};

impl Tenant {
    /// The link of `external_id` in `system_id`, if any.
    pub fn lookup(&self, kind: Kind, system_id: u64, external_id: &str) -> Option<Link> {
        self.links
            .iter()
            .find(|l| l.kind == kind && l.system_id == system_id && l.external_id == external_id)
            .cloned()
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
        let same_system = |l: &Link| l.kind == kind && l.system_id == system_id;
        let mut touched = Vec::new();
        let mut kept_id = None;
        self.links.retain(|l| {
            if !same_system(l) {
                return true;
            }
            if l.internal_id == internal_id {
                kept_id = Some(l.id);
                return false;
            }
            if l.external_id == external_id {
                touched.push(l.internal_id);
                return false;
            }
            true
        });
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
        self.links.push(link.clone());
        for other in touched {
            self.touch(kind, other);
        }
        self.touch(kind, internal_id);
        link
    }

    /// The record's `external_ids`, oldest link first.
    pub(super) fn external_ids(&self, kind: Kind, id: u64) -> Value {
        let mut links: Vec<&Link> = self
            .links
            .iter()
            .filter(|l| l.kind == kind && l.internal_id == id)
            .collect();
        links.sort_by_key(|l| l.id);
        Value::Array(
            links
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
