//! Soak (issue 9): 20,000 records through the whole local stack with the faults real
//! systems have and people working while the sync runs.
//!
//! - 5,000 Accounts (4,000 made in Salesforce, 1,000 as Companies in iPaaS.com) and 15,000
//!   Contacts (12,100 in Salesforce, of which pairs of people share one email address; 3,100
//!   Customers in iPaaS.com, of which 100 were entered twice and 200 are people who also
//!   have a Contact already, same names and email).
//! - Both simulators: 10% transient failures before a request is served, 3% of writes
//!   applied and then their answer lost (5xx, dropped connection, no answer before the
//!   client's timeout); Salesforce commits 2% of writes late (visible after later rows).
//! - SQS delivers 5% of messages twice; 5% of worker invocations are killed mid-way.
//! - After the first sync, people edit 10% of the linked pairs on both sides while the sync
//!   runs: one side only, the same field on both sides, or different fields.
//!
//! At the end a table is printed and every row is asserted: duplicated records, stolen
//! links, person edits lost, messages acknowledged without effect, records not converged
//! (each unconverged record must have its Error Log entry), dead letters unexplained.

use e2e::link_of;
use serde_json::{json, Value};
use sfsync::people::{lost_edits, People, PlannedEdit, Snapshot};
use sfsync::stack::{LocalStack, StackOptions};
use shared::flow::System;
use shared::http::retry::RetryPolicy;
use sim::faults::{Faults, LostAnswer};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Divides every count (for a quick local run: `SOAK_SCALE` is not read; change here).
const SCALE: usize = 1;
const SF_ACCOUNTS: usize = 4_000 / SCALE;
const SF_CONTACTS: usize = 12_100 / SCALE;
/// Every Nth Salesforce Contact shares the email of the one before (another person).
const SHARED_EMAIL_EVERY: usize = 40;
const IPAAS_COMPANIES: usize = 1_000 / SCALE;
const IPAAS_CUSTOMERS: usize = 3_000 / SCALE;
const ENTERED_TWICE: usize = 100 / SCALE;
/// iPaaS.com Customers who are people with a Salesforce Contact already.
const SAME_PERSON: usize = 200 / SCALE;

fn faults(seed: u64, slow_commits: bool) -> Faults {
    Faults {
        rate_503: 0.04,
        rate_500: 0.02,
        rate_429: 0.02,
        drop_rate: 0.02,
        lost_answer_rate: 0.03,
        lost_answer_kinds: vec![
            LostAnswer::Status500,
            LostAnswer::Status502,
            LostAnswer::Status504,
            LostAnswer::Drop,
            LostAnswer::Hang,
        ],
        hang: Duration::from_millis(400),
        slow_commit_rate: if slow_commits { 0.02 } else { 0.0 },
        slow_commit_delay: Duration::from_millis(150),
        seed: Some(seed),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_with_lost_answers_slow_commits_and_people_at_work() {
    if std::env::var("SOAK_LOG").is_ok() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("shared::flows=debug"))
            .with_ansi(false)
            .try_init();
    }
    let started = Instant::now();
    let s = Arc::new(
        LocalStack::start(StackOptions {
            duplicate_rate: 0.05,
            kill_rate: 0.05,
            concurrency: 4,
            max_receives: 12,
            request_timeout: Duration::from_secs(5),
            retry: RetryPolicy {
                max_attempts: 8,
                base_delay: Duration::from_millis(1),
                max_delay: Duration::from_millis(20),
            },
            ..Default::default()
        })
        .await
        .unwrap(),
    );

    // The data, made by people on both sides before the first sync.
    let mut accounts = Vec::new();
    for i in 0..SF_ACCOUNTS {
        accounts.push(s.person_creates(
            "Account",
            json!({"Name": format!("Soak Account {i:05}"), "Phone": format!("555-{i:05}"), "BillingCity": "Springfield"}),
        ));
    }
    let email = |i: usize| {
        let owner = if i % SHARED_EMAIL_EVERY == 1 {
            i - 1
        } else {
            i
        };
        format!("sf{owner}@soak.example")
    };
    for i in 0..SF_CONTACTS {
        s.person_creates(
            "Contact",
            json!({"FirstName": format!("F{i}"), "LastName": format!("Soak Contact {i:05}"), "Email": email(i),
                   "AccountId": accounts[i % SF_ACCOUNTS].as_str()}),
        );
    }
    let mut companies = Vec::new();
    for i in 0..IPAAS_COMPANIES {
        companies.push(s.ipaas.edit_company_as_person(
            None,
            json!({"name": format!("Soak Company {i:05}"), "phone_number": format!("777-{i:05}")}),
        ));
    }
    for i in 0..IPAAS_CUSTOMERS {
        let copies = if i < ENTERED_TWICE { 2 } else { 1 };
        for _ in 0..copies {
            s.ipaas.edit_customer_as_person(
                None,
                json!({"first_name": format!("G{i}"), "last_name": format!("Soak Customer {i:05}"),
                       "email_address": format!("ip{i}@soak.example"), "company_id": companies[i % IPAAS_COMPANIES]}),
            );
        }
    }
    // People who are in both systems already (same names and email as a Contact).
    for k in 0..SAME_PERSON {
        let i = 2 + k * 50; // never one of the shared addresses
        s.ipaas.edit_customer_as_person(
            None,
            json!({"first_name": format!("F{i}"), "last_name": format!("Soak Contact {i:05}"),
                   "email_address": email(i), "company_id": companies[k % IPAAS_COMPANIES]}),
        );
    }
    s.salesforce.set_faults(faults(1, true));
    s.ipaas.set_faults(faults(2, false));
    s.sync().await.unwrap();
    eprintln!(
        "soak: first sync {:.1} s; tally {:?}",
        started.elapsed().as_secs_f64(),
        s.tally()
    );
    s.sync().await.unwrap();
    let first_links = links(&s);
    eprintln!("soak: second sync {:.1} s", started.elapsed().as_secs_f64());

    // People edit a tenth of the linked pairs on both sides while the sync runs.
    let plan = edit_plan(&s);
    let people = People::new();
    let editing = people.run(
        s.clone(),
        plan.clone(),
        Duration::from_millis(3),
        Duration::from_millis(2),
    );
    while !editing.is_finished() {
        s.sync().await.unwrap();
    }
    editing.await.unwrap();
    eprintln!("soak: people done {:.1} s", started.elapsed().as_secs_f64());
    s.sync().await.unwrap();
    // A quiet end: whatever is still owed (nothing, if all went well) is done.
    s.salesforce.set_faults(Faults::default());
    s.ipaas.set_faults(Faults::default());
    s.salesforce.commit_pending_now();
    s.sync().await.unwrap();
    s.sync().await.unwrap();

    let report = Report::build(&s, &people, &first_links);
    println!(
        "soak: {:.1} s; {} kills; Salesforce calls {}, iPaaS.com calls {}; tally {:?}",
        started.elapsed().as_secs_f64(),
        s.kills(),
        s.salesforce.counters().total(),
        s.ipaas.counters().total(),
        s.tally()
    );
    println!("{}", report.table());
    let mut seen = HashSet::new();
    for e in s.error_log() {
        if seen.insert((
            e.flow,
            e.message.clone(),
            e.detail
                .clone()
                .unwrap_or_default()
                .chars()
                .take(60)
                .collect::<String>(),
        )) {
            println!(
                "error log: {:?} {} | {}",
                e.flow,
                e.message,
                e.detail.unwrap_or_default()
            );
        }
    }
    report.assert_clean();
    let edits: usize = plan.iter().map(Vec::len).sum();
    assert!(edits >= 3_000 / SCALE, "people made {edits} edits");
}

/// (Salesforce Id, iPaaS.com id) of every linked pair, per object.
fn links(s: &LocalStack) -> HashMap<(&'static str, u64), String> {
    let mut out = HashMap::new();
    for (object, list) in [
        ("Account", s.ipaas.companies()),
        ("Contact", s.ipaas.customers()),
    ] {
        for r in list {
            if let (Some(id), Some(sf)) = (r["id"].as_u64(), link_of(&r)) {
                out.insert((object, id), sf);
            }
        }
    }
    out
}

/// A tenth of the linked pairs, each edited one of five ways (one burst per pair).
fn edit_plan(s: &LocalStack) -> Vec<Vec<PlannedEdit>> {
    let mut plan = Vec::new();
    let mut pairs: Vec<_> = links(s).into_iter().collect();
    pairs.sort();
    for (n, ((object, ipaas_id), sf_id)) in
        pairs.into_iter().enumerate().filter(|(n, _)| n % 10 == 0)
    {
        let (a, b) = match object {
            "Account" => ("Phone", "Fax"),
            _ => ("FirstName", "LastName"),
        };
        let value = |side: &str, field: &str| format!("{side}-{field}-{n}");
        let sf = |field: &'static str| PlannedEdit {
            side: System::Salesforce,
            object,
            id: sf_id.clone(),
            field,
            value: value("sf", field),
        };
        let ip = |field: &'static str| PlannedEdit {
            side: System::Ipaas,
            object,
            id: ipaas_id.to_string(),
            field,
            value: value("ip", field),
        };
        plan.push(match (n / 10) % 5 {
            0 => vec![sf(a)],
            1 => vec![ip(a)],
            2 => vec![sf(a), ip(a)],
            3 => vec![ip(a), sf(a)],
            _ => vec![sf(a), ip(b)],
        });
    }
    plan
}

#[derive(Default)]
struct Report {
    rows: Vec<(&'static str, usize, Vec<String>)>,
}

impl Report {
    fn build(
        s: &LocalStack,
        people: &People,
        first_links: &HashMap<(&'static str, u64), String>,
    ) -> Report {
        let sf_accounts = s.salesforce.records("Account");
        let sf_contacts = s.salesforce.records("Contact");
        let companies = s.ipaas.companies();
        let customers = s.ipaas.customers();
        let errors = s.error_log();
        let explained: HashSet<String> = errors
            .iter()
            .filter_map(|e| e.record.as_ref().map(|r| r.id.clone()))
            .collect();
        let now = links(s);

        // Duplicated: a record linked from two records, or more records than people.
        let mut duplicated = Vec::new();
        let mut by_sf: HashMap<&String, usize> = HashMap::new();
        for sf in now.values() {
            *by_sf.entry(sf).or_default() += 1;
        }
        duplicated.extend(
            by_sf
                .iter()
                .filter(|(_, n)| **n > 1)
                .map(|(sf, n)| format!("{sf} is linked from {n} iPaaS.com records")),
        );
        let want_accounts = SF_ACCOUNTS + IPAAS_COMPANIES;
        let want_contacts = SF_CONTACTS + IPAAS_CUSTOMERS + ENTERED_TWICE;
        for (what, have, most) in [
            ("Salesforce Accounts", sf_accounts.len(), want_accounts),
            ("iPaaS.com Companies", companies.len(), want_accounts),
            // People in both systems already are one pair each, not two.
            ("Salesforce Contacts", sf_contacts.len(), want_contacts),
            ("iPaaS.com Customers", customers.len(), want_contacts),
        ] {
            if have > most {
                duplicated.push(format!("{what}: {have}, at most {most}"));
            }
        }
        let mut by_name: HashMap<String, Vec<String>> = HashMap::new();
        for r in &sf_contacts {
            by_name
                .entry(r["LastName"].as_str().unwrap_or_default().to_string())
                .or_default()
                .push(format!(
                    "{} by {} first {}",
                    r["Id"], r["CreatedById"], r["FirstName"]
                ));
        }
        for (name, list) in &by_name {
            let twin = (0..ENTERED_TWICE).any(|i| *name == format!("Soak Customer {i:05}"));
            if list.len() > if twin { 2 } else { 1 } {
                duplicated.push(format!("{name}: {list:?}"));
            }
        }
        let linked_sf: HashSet<&String> = now.values().collect();
        for r in sf_accounts.iter().chain(&sf_contacts) {
            let id = r["Id"].as_str().unwrap_or_default().to_string();
            if !linked_sf.contains(&id) && !r["AccountId"].is_null() {
                duplicated.push(format!(
                    "unpaired {id} {} {} created by {} explained={}",
                    r["Name"],
                    r["Email"],
                    r["CreatedById"],
                    explained.contains(&id)
                ));
            }
        }

        // Stolen: a pair linked after the first sync now linked elsewhere.
        let stolen: Vec<String> = first_links
            .iter()
            .filter(|(k, sf)| now.get(*k) != Some(*sf))
            .map(|(k, sf)| format!("{k:?} was linked to {sf}, now {:?}", now.get(k)))
            .collect();

        // Person edits lost.
        let snap = Snapshot::take(s);
        let sf_to_ipaas: HashMap<String, String> = now
            .iter()
            .map(|((_, i), sf)| (sf.clone(), i.to_string()))
            .collect();
        let ipaas_to_sf: HashMap<(&str, String), String> = now
            .iter()
            .map(|((o, i), sf)| ((*o, i.to_string()), sf.clone()))
            .collect();
        let pair_of = |side: System, object: &str, id: &str| match side {
            System::Salesforce => sf_to_ipaas.contains_key(id).then(|| id.to_string()),
            System::Ipaas => ipaas_to_sf.get(&(object, id.to_string())).cloned(),
        };
        let counterpart = |side: System, object: &str, id: &str| match side {
            System::Salesforce => sf_to_ipaas.get(id).cloned(),
            System::Ipaas => ipaas_to_sf.get(&(object, id.to_string())).cloned(),
        };
        let lost = lost_edits(
            &people.journal(),
            pair_of,
            |side, object, id, field| snap.value(side, object, id, field),
            counterpart,
        );

        // Not converged: a linked pair whose fields differ, or a record with no link,
        // without an Error Log entry.
        let sf_by_id: HashMap<&str, &Value> = sf_accounts
            .iter()
            .chain(&sf_contacts)
            .filter_map(|r| Some((r["Id"].as_str()?, r)))
            .collect();
        let company_link: HashMap<u64, String> = companies
            .iter()
            .filter_map(|c| Some((c["id"].as_u64()?, link_of(c)?)))
            .collect();
        let mut unconverged = Vec::new();
        let pairs = [
            (
                "Account",
                &companies,
                vec![
                    ("Name", "name"),
                    ("Phone", "phone_number"),
                    ("Fax", "fax_number"),
                ],
            ),
            (
                "Contact",
                &customers,
                vec![
                    ("FirstName", "first_name"),
                    ("LastName", "last_name"),
                    ("Email", "email_address"),
                ],
            ),
        ];
        for (object, list, fields) in pairs {
            for r in list.iter() {
                let id = r["id"].as_u64().unwrap_or_default().to_string();
                let Some(sf) = link_of(r) else {
                    if !explained.contains(&id) {
                        unconverged.push(format!(
                            "{object} {id} is not linked and has no Error Log entry"
                        ));
                    }
                    continue;
                };
                let Some(rec) = sf_by_id.get(sf.as_str()) else {
                    unconverged.push(format!(
                        "{object} {id} is linked to {sf}, which does not exist"
                    ));
                    continue;
                };
                for (sf_field, ip_field) in &fields {
                    if rec[*sf_field] != r[*ip_field]
                        && !explained.contains(&id)
                        && !explained.contains(&sf)
                    {
                        unconverged.push(format!(
                            "{object} {sf} / {id}: {sf_field} {} vs {}",
                            rec[*sf_field], r[*ip_field]
                        ));
                    }
                }
                if object == "Contact" {
                    let want = r["company_id"].as_u64().and_then(|c| company_link.get(&c));
                    if rec["AccountId"].as_str() != want.map(String::as_str)
                        && !explained.contains(&id)
                    {
                        unconverged.push(format!(
                            "Contact {sf} / {id}: AccountId {} vs Company link {want:?}",
                            rec["AccountId"]
                        ));
                    }
                }
            }
        }
        for (object, list) in [("Account", &sf_accounts), ("Contact", &sf_contacts)] {
            for r in list.iter() {
                let sf = r["Id"].as_str().unwrap_or_default();
                let contact_without_account = object == "Contact" && r["AccountId"].is_null();
                if !sf_to_ipaas.contains_key(sf)
                    && !explained.contains(sf)
                    && !contact_without_account
                {
                    unconverged.push(format!(
                        "{object} {sf} is in no pair and has no Error Log entry"
                    ));
                }
            }
        }

        // Dead letters without an Error Log entry for their record.
        let dead: Vec<String> = s
            .dead_letters()
            .into_iter()
            .filter(|m| !explained.contains(&m.record_id))
            .map(|m| format!("{} {} ({})", m.flow, m.record_id, m.trace_id))
            .collect();
        // A message acknowledged while its record never reached the other side, unexplained.
        let acked_without_effect: Vec<String> = unconverged
            .iter()
            .filter(|u| u.contains("in no pair") || u.contains("is not linked"))
            .cloned()
            .collect();

        Report {
            rows: vec![
                ("duplicated records", duplicated.len(), duplicated),
                ("stolen links", stolen.len(), stolen),
                ("person edits lost", lost.len(), lost),
                (
                    "messages acknowledged without effect",
                    acked_without_effect.len(),
                    acked_without_effect,
                ),
                (
                    "records not converged (unexplained)",
                    unconverged.len(),
                    unconverged,
                ),
                ("dead letters unexplained", dead.len(), dead),
            ],
        }
    }

    fn table(&self) -> String {
        let mut out = String::from("| check | count |\n|---|---|\n");
        for (name, n, _) in &self.rows {
            out.push_str(&format!("| {name} | {n} |\n"));
        }
        out
    }

    fn assert_clean(&self) {
        for (name, n, examples) in &self.rows {
            assert_eq!(
                *n,
                0,
                "{name}: {:?}",
                examples.iter().take(40).collect::<Vec<_>>()
            );
        }
    }
}
