//! Record storage: Ids, audit fields, the org-wide SystemModstamp clock, the recycle bin flag,
//! and transactions that commit late. Readers only ever see committed versions; a version
//! waiting for its commit is stamped already, and it holds its row's lock until it commits.

use super::matching;
use super::schema::{self, Schema};
use chrono::Utc;
use serde_json::{json, Map, Value};
use shared::salesforce::SalesforceId;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

pub type Record = Map<String, Value>;

/// Who wrote a record, and whether explicit audit values in the fields are honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer<'a> {
    /// An API call as the integration user (or a person in the UI): the platform stamps.
    User(&'a str),
    /// Test seeding: explicit SystemModstamp / LastModifiedById / CreatedDate are kept.
    Seed(&'a str),
}

/// A version written but not committed yet.
struct Pending {
    object: &'static str,
    id: String,
    record: Record,
    due: Instant,
    ticket: u64,
}

/// A write whose commit is pending: the handler that made it answers once it is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    pub id: u64,
    pub due: Instant,
}

#[derive(Default)]
pub struct Store {
    pub schema: Schema,
    /// object -> 18-char Id -> committed record. Generated Ids sort in creation order.
    records: HashMap<&'static str, BTreeMap<String, Record>>,
    /// In write order; a row has at most one.
    pending: Vec<Pending>,
    /// Duplicate-rule candidates: match key -> Ids of committed live records holding it.
    index: HashMap<String, BTreeSet<String>>,
    seq: u64,
    last_stamp_ms: i64,
    last_ticket: u64,
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

/// Whether a record sits in the recycle bin.
pub fn is_deleted(rec: &Record) -> bool {
    rec.get("IsDeleted").and_then(Value::as_bool) == Some(true)
}

impl Store {
    pub fn new_id(&mut self, object: &str) -> SalesforceId {
        self.seq += 1;
        SalesforceId::from_parts(schema::key_prefix(object), "8M0", self.seq)
    }

    /// Never decreasing across the org, at millisecond precision (ties allowed).
    fn next_stamp(&mut self) -> i64 {
        // Never backwards, but ties allowed, as on the platform: a strictly increasing
        // stamp would run ahead of the clock under a burst of writes (one millisecond per
        // record of a 200-record Collections call), and a person's edit made after it
        // elsewhere would then look older than it is.
        let now = Utc::now().timestamp_millis();
        self.last_stamp_ms = now.max(self.last_stamp_ms);
        self.last_stamp_ms
    }

    /// The committed record of `object` with Id `id` (15 or 18 characters), deleted or not.
    pub fn get(&self, object: &str, id: &str) -> Option<&Record> {
        let id = SalesforceId::parse(id).ok()?;
        self.records.get(object)?.get(id.as_str())
    }

    /// The committed record when it is not in the recycle bin.
    pub fn live(&self, object: &str, id: &str) -> Option<&Record> {
        self.get(object, id).filter(|r| !is_deleted(r))
    }

    /// Every committed record of `object`, the recycle bin included.
    pub fn all(&self, object: &str) -> impl Iterator<Item = &Record> {
        self.records
            .get(object)
            .into_iter()
            .flat_map(|m| m.values())
    }

    /// Every committed record of `object` outside the recycle bin.
    pub fn all_live(&self, object: &str) -> impl Iterator<Item = &Record> {
        self.all(object).filter(|r| !is_deleted(r))
    }

    /// Versions of `object` written but not committed (for unique-value locks).
    pub fn uncommitted(&self, object: &str) -> impl Iterator<Item = &Record> {
        let object = object.to_string();
        self.pending
            .iter()
            .filter(move |p| p.object == object)
            .map(|p| &p.record)
    }

    /// Whether a transaction still holds the row (its change is not committed).
    pub fn locked(&self, object: &str, id: &str) -> bool {
        let Ok(id) = SalesforceId::parse(id) else {
            return false;
        };
        self.pending
            .iter()
            .any(|p| p.object == object && p.id == id.as_str())
    }

    /// Builds the next version of a record (a new one when `id` is None) from its committed
    /// version; `fields` are validated already. Stamps it now, commits nothing.
    pub fn stage(
        &mut self,
        object: &'static str,
        id: Option<&SalesforceId>,
        fields: &Record,
        writer: Writer<'_>,
    ) -> (SalesforceId, Record) {
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
            let field = self.schema.field(object, k);
            let name = field.map_or(k.as_str(), |f| f.name);
            let platform_owned = field.is_some_and(|f| !f.writable);
            if platform_owned && !seeding {
                continue;
            }
            rec.insert(name.to_string(), v.clone());
        }
        if matches!(object, "Contact" | "Lead") {
            rec.insert("Name".into(), person_name(&rec));
        }
        if seeding {
            // A seeded stamp in the future still keeps later writes strictly after it.
            let seeded = rec
                .get("SystemModstamp")
                .and_then(Value::as_str)
                .and_then(parse_time);
            self.last_stamp_ms = self.last_stamp_ms.max(seeded.unwrap_or(0));
        }
        (id, rec)
    }

    /// The next version of a record with only its recycle-bin flag changed.
    pub fn stage_deleted(
        &mut self,
        object: &'static str,
        id: &SalesforceId,
        deleted: bool,
        user: &str,
    ) -> Option<Record> {
        self.get(object, id.as_str())?;
        let (_, mut rec) = self.stage(object, Some(id), &Record::new(), Writer::User(user));
        rec.insert("IsDeleted".into(), json!(deleted));
        Some(rec)
    }

    /// Makes a version visible to every reader.
    pub fn commit(&mut self, object: &'static str, rec: Record) {
        let id = rec
            .get("Id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if let Some(old) = self.records.get(object).and_then(|m| m.get(&id)) {
            for key in index_keys(object, old) {
                if let Some(ids) = self.index.get_mut(&key) {
                    ids.remove(&id);
                }
            }
        }
        if !is_deleted(&rec) {
            for key in index_keys(object, &rec) {
                self.index.entry(key).or_default().insert(id.clone());
            }
        }
        self.records.entry(object).or_default().insert(id, rec);
    }

    /// The committed live records of `object` whose `field` equals one of `values`
    /// (case-insensitive, as SOQL compares text), for a field that is indexed (`Email`);
    /// `None` for one that is not (the caller scans).
    pub fn with_values(
        &self,
        object: &str,
        field: &str,
        values: &[String],
    ) -> Option<Vec<&Record>> {
        if !INDEXED
            .iter()
            .any(|(o, f)| *o == object && f.eq_ignore_ascii_case(field))
        {
            return None;
        }
        let keys: Vec<String> = values.iter().map(|v| value_key(object, field, v)).collect();
        Some(self.candidates(object, &keys))
    }

    /// The committed live records of `object` filed under any of `keys`.
    pub fn candidates(&self, object: &str, keys: &[String]) -> Vec<&Record> {
        let mut ids: BTreeSet<&String> = BTreeSet::new();
        for k in keys {
            ids.extend(self.index.get(k).into_iter().flatten());
        }
        ids.into_iter()
            .filter_map(|id| self.live(object, id))
            .collect()
    }

    /// The duplicate rule's candidates: as Salesforce's match keys narrow them "to the 100
    /// most likely duplicate records" before the matching equation runs, at most
    /// `MATCH_CANDIDATES` of those filed under `keys`, the last in Id order (the newest), so,
    /// as on the platform, a duplicate among very many similar records can go undetected.
    pub fn match_candidates(&self, object: &str, keys: &[String]) -> Vec<&Record> {
        let mut found = self.candidates(object, keys);
        if found.len() > MATCH_CANDIDATES {
            found.drain(..found.len() - MATCH_CANDIDATES);
        }
        found
    }

    /// Commits now, or after `delay` when the transaction is slow; a slow one answers the
    /// ticket its writer waits on.
    pub fn save(
        &mut self,
        object: &'static str,
        rec: Record,
        delay: Option<Duration>,
        due: Option<Instant>,
    ) -> Option<Ticket> {
        let Some(delay) = delay else {
            self.commit(object, rec);
            return None;
        };
        let due = due.unwrap_or_else(|| Instant::now() + delay);
        self.last_ticket += 1;
        let id = rec
            .get("Id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        self.pending.push(Pending {
            object,
            id,
            record: rec,
            due,
            ticket: self.last_ticket,
        });
        Some(Ticket {
            id: self.last_ticket,
            due,
        })
    }

    /// Creates or changes a record and commits it at once; returns the Id.
    pub fn put(
        &mut self,
        object: &'static str,
        id: Option<&SalesforceId>,
        fields: &Record,
        writer: Writer<'_>,
    ) -> SalesforceId {
        let (id, rec) = self.stage(object, id, fields, writer);
        self.commit(object, rec);
        id
    }

    /// Commits every pending version whose time has come, in write order.
    pub fn commit_due(&mut self, now: Instant) {
        if self.pending.iter().all(|p| p.due > now) {
            return;
        }
        let (due, later): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|p| p.due <= now);
        self.pending = later;
        for p in due {
            self.commit(p.object, p.record);
        }
    }

    /// Commits every pending version now.
    pub fn commit_all(&mut self) -> usize {
        let all = std::mem::take(&mut self.pending);
        let n = all.len();
        for p in all {
            self.commit(p.object, p.record);
        }
        n
    }

    /// Commits the pending version of one row, if any (a person's edit waits for the lock).
    pub fn force(&mut self, object: &str, id: &str) {
        let Ok(id) = SalesforceId::parse(id) else {
            return;
        };
        let (mine, rest): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|p| p.object == object && p.id == id.as_str());
        self.pending = rest;
        for p in mine {
            self.commit(p.object, p.record);
        }
    }

    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_pending(&self, ticket: u64) -> bool {
        self.pending.iter().any(|p| p.ticket == ticket)
    }
}

/// Contact.Name (and Lead.Name) is "FirstName LastName", skipping a blank first name.
fn person_name(rec: &Record) -> Value {
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
mod tests;

/// Most candidates a duplicate rule compares a record with (Salesforce: "the 100 most likely").
pub const MATCH_CANDIDATES: usize = 100;

/// Fields whose values are indexed for queries (`Email IN (…)`: the FROM flows' lookups),
/// so a query naming them looks the rows up instead of scanning every record.
const INDEXED: [(&str, &str); 2] = [("Contact", "Email"), ("Lead", "Email")];

fn value_key(object: &str, field: &str, value: &str) -> String {
    format!(
        "value|{object}|{}|{}",
        field.to_ascii_lowercase(),
        value.trim().to_lowercase()
    )
}

/// The keys a record is filed under: its duplicate-rule match keys and its indexed values.
fn index_keys(object: &str, rec: &Record) -> Vec<String> {
    let mut keys = matching::keys(object, rec);
    for (o, f) in INDEXED {
        if o == object {
            if let Some(v) = rec
                .get(f)
                .and_then(Value::as_str)
                .filter(|v| !v.trim().is_empty())
            {
                keys.push(value_key(object, f, v));
            }
        }
    }
    keys
}
