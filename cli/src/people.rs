//! People editing records on both sides while the sync runs, as in a live org: each edit
//! goes through the simulators' UI paths (a person's edit, with its own modification time and,
//! on iPaaS.com, its webhook), and is written in a journal so a test can check afterwards
//! that no person's edit was lost: every edit is on both sides unless a later edit of the
//! same field of the same pair superseded it.

use crate::stack::LocalStack;
use serde_json::{json, Value};
use shared::flow::System;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One person's edit: a mapped field (by its Salesforce name) of one record on one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Order of the edits (they are made one after another, so this is time order).
    pub seq: usize,
    pub side: System,
    /// "Account" or "Contact" (the Salesforce object; Company or Customer in iPaaS.com).
    pub object: &'static str,
    /// The record's id on its side.
    pub id: String,
    pub field: &'static str,
    pub value: String,
}

/// The iPaaS.com field a mapped Salesforce field is written to (top-level fields only).
pub fn ipaas_field(object: &str, field: &str) -> Option<&'static str> {
    Some(match (object, field) {
        ("Account", "Name") => "name",
        ("Account", "Phone") => "phone_number",
        ("Account", "Fax") => "fax_number",
        ("Account", "Website") => "url",
        ("Account", "Description") => "description",
        ("Account", "AccountNumber") => "account_number",
        ("Contact", "FirstName") => "first_name",
        ("Contact", "LastName") => "last_name",
        ("Contact", "Email") => "email_address",
        _ => return None,
    })
}

/// The journal of edits made so far.
#[derive(Clone, Default)]
pub struct People {
    journal: Arc<Mutex<Vec<Edit>>>,
}

impl People {
    pub fn new() -> People {
        People::default()
    }

    /// Makes the edit as a person and notes it.
    pub fn edit(&self, stack: &LocalStack, edit: PlannedEdit) {
        let mut journal = self.journal.lock().unwrap();
        let seq = journal.len();
        match edit.side {
            System::Salesforce => stack.salesforce.edit_as_person(
                edit.object,
                &edit.id,
                json!({ edit.field: edit.value }),
            ),
            System::Ipaas => {
                let id: u64 = edit.id.parse().unwrap_or_default();
                let field = ipaas_field(edit.object, edit.field).unwrap_or(edit.field);
                let body = json!({ field: edit.value });
                match edit.object {
                    "Account" => stack.ipaas.edit_company_as_person(Some(id), body),
                    _ => stack.ipaas.edit_customer_as_person(Some(id), body),
                };
            }
        }
        journal.push(Edit {
            seq,
            side: edit.side,
            object: edit.object,
            id: edit.id,
            field: edit.field,
            value: edit.value,
        });
    }

    /// Makes `plan`'s edits one after another, `gap` apart, in a task of its own (so the
    /// sync runs meanwhile). The task ends when the plan is done.
    pub fn run(
        &self,
        stack: Arc<LocalStack>,
        plan: Vec<PlannedEdit>,
        gap: Duration,
    ) -> tokio::task::JoinHandle<()> {
        let people = self.clone();
        tokio::spawn(async move {
            for e in plan {
                people.edit(&stack, e);
                tokio::time::sleep(gap).await;
            }
        })
    }

    pub fn journal(&self) -> Vec<Edit> {
        self.journal.lock().unwrap().clone()
    }
}

/// An edit to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEdit {
    pub side: System,
    pub object: &'static str,
    pub id: String,
    pub field: &'static str,
    pub value: String,
}

/// The edits that did not survive: for each pair and field, the last edit's value must be
/// on both sides. `pair_of` maps a record (side, id) to its pair's key; `value_of` reads a
/// field on a side. Returns one line per lost edit.
pub fn lost_edits(
    journal: &[Edit],
    pair_of: impl Fn(System, &str) -> Option<String>,
    value_of: impl Fn(System, &str, &str, &str) -> Option<String>,
    counterpart: impl Fn(System, &str) -> Option<String>,
) -> Vec<String> {
    let mut last: BTreeMap<(String, &'static str), &Edit> = BTreeMap::new();
    let mut lost = Vec::new();
    for e in journal {
        let Some(pair) = pair_of(e.side, &e.id) else {
            lost.push(format!("{e:?}: its record is not linked"));
            continue;
        };
        let slot = last.entry((pair, e.field)).or_insert(e);
        if e.seq > slot.seq {
            *slot = e;
        }
    }
    for e in last.values() {
        let other_side = match e.side {
            System::Salesforce => System::Ipaas,
            System::Ipaas => System::Salesforce,
        };
        let Some(other) = counterpart(e.side, &e.id) else {
            lost.push(format!("{e:?}: no counterpart"));
            continue;
        };
        let here = value_of(e.side, e.object, &e.id, e.field);
        let there = value_of(other_side, e.object, &other, e.field);
        if here.as_deref() != Some(e.value.as_str()) || there.as_deref() != Some(e.value.as_str()) {
            lost.push(format!(
                "{e:?}: now {here:?} on {} and {there:?} on {}",
                e.side, other_side
            ));
        }
    }
    lost
}

/// Reads a mapped field of a record as a snapshot taken from the simulators.
pub struct Snapshot {
    salesforce: HashMap<String, Value>,
    ipaas: HashMap<(String, String), Value>,
}

impl Snapshot {
    pub fn take(stack: &LocalStack) -> Snapshot {
        let mut salesforce = HashMap::new();
        for object in ["Account", "Contact"] {
            for r in stack.salesforce.records(object) {
                if let Some(id) = r["Id"].as_str() {
                    salesforce.insert(id.to_string(), r);
                }
            }
        }
        let mut ipaas = HashMap::new();
        for (object, list) in [
            ("Account", stack.ipaas.companies()),
            ("Contact", stack.ipaas.customers()),
        ] {
            for r in list {
                if let Some(id) = r["id"].as_u64() {
                    ipaas.insert((object.to_string(), id.to_string()), r);
                }
            }
        }
        Snapshot { salesforce, ipaas }
    }

    pub fn value(&self, side: System, object: &str, id: &str, field: &str) -> Option<String> {
        let v = match side {
            System::Salesforce => self.salesforce.get(id)?.get(field)?,
            System::Ipaas => {
                let r = self.ipaas.get(&(object.to_string(), id.to_string()))?;
                r.get(ipaas_field(object, field)?)?
            }
        };
        v.as_str().map(str::to_string)
    }
}
