//! Issue 10 on the local stack: the situations that got the wrong message (or none), made the
//! way they happen for real, one test per bullet. Each test says what the code before this
//! session (commit 372bab0) did wrong; that code cannot run against today's simulators, so
//! this is read from its source (`git show 372bab0:shared/src/flows/…`), and a test that the
//! old code would have passed says so.

use serde_json::json;
use sfsync::stack::{LocalStack, StackOptions};
use shared::catalog::MessageId;
use shared::error_log::ErrorLogEntry;
use shared::flow::{Flow, System};
use shared::flows::AllSettings;

#[path = "flows_situations/company_in_flight.rs"]
mod company_in_flight;
#[path = "flows_situations/deleted_account.rs"]
mod deleted_account;
#[path = "flows_situations/lead_matches.rs"]
mod lead_matches;
#[path = "flows_situations/misrouted.rs"]
mod misrouted;
#[path = "flows_situations/refused_creates.rs"]
mod refused_creates;
#[path = "flows_situations/to_reads.rs"]
mod to_reads;
#[path = "flows_situations/update_only_contacts.rs"]
mod update_only_contacts;

/// This file's own copies of spec/messages.txt.
const REFRESH: &str = "Refresh token value is either null or empty and is required for obtaining an AccessToken. Please re-authenticate from the Subscription Settings page in iPaaS.";
const ACCOUNT_REJECTED: &str = "Salesforce rejected the new account.";
const CONTACT_REJECTED: &str = "Salesforce rejected the new contact.";
const DUPLICATES: &str = "DUPLICATES_DETECTED. This means that the record sent in the request already exists in Salesforce.";

fn account_not_found(id: &str) -> String {
    format!("Could not locate account by Id: {id} in Salesforce. Account must exist in Salesforce before attempting to create the contact under it.")
}

async fn stack_with(settings: AllSettings) -> LocalStack {
    LocalStack::start(StackOptions {
        settings,
        ..Default::default()
    })
    .await
    .unwrap()
}

async fn stack() -> LocalStack {
    stack_with(AllSettings::default()).await
}

/// The entries about one record (of the stack's memory Error Log).
fn entries_for(s: &LocalStack, id: &str) -> Vec<ErrorLogEntry> {
    s.error_log()
        .into_iter()
        .filter(|e| e.record.as_ref().is_some_and(|r| r.id == id))
        .collect()
}

/// The one entry about `id`, with `text`; shown on the simulator's Error Logs page too.
fn the_entry(s: &LocalStack, id: &str, text: &str) -> ErrorLogEntry {
    let all = entries_for(s, id);
    let hits: Vec<&ErrorLogEntry> = all.iter().filter(|e| e.message == text).collect();
    assert_eq!(hits.len(), 1, "one {text:?} about {id} in {all:#?}");
    assert!(
        s.ipaas
            .error_logs()
            .iter()
            .any(|e| e["message"] == text && e["record"]["id"] == id),
        "on the Error Logs page too: {:#?}",
        s.ipaas.error_logs()
    );
    hits[0].clone()
}

fn assert_record(e: &ErrorLogEntry, flow: Flow, system: System, kind: &str, id: &str) {
    assert_eq!(e.flow, Some(flow), "{e:?}");
    let r = e.record.as_ref().expect("the entry names its record");
    assert_eq!(
        (r.system, r.kind.as_str(), r.id.as_str()),
        (system, kind, id),
        "{e:?}"
    );
}

/// No entry with this catalog message anywhere in the Error Log.
fn assert_none_of(s: &LocalStack, id: MessageId) {
    let hits: Vec<ErrorLogEntry> = s
        .error_log()
        .into_iter()
        .filter(|e| e.message_id == id)
        .collect();
    assert!(hits.is_empty(), "no {id:?} entry: {hits:#?}");
}

/// A Company made in iPaaS.com and synced to Salesforce; returns (company id, Account Id).
async fn linked_company(s: &LocalStack, name: &str) -> (u64, String) {
    let company = s.ipaas.edit_company_as_person(None, json!({"name": name}));
    s.drain().await;
    let account = s
        .salesforce
        .records("Account")
        .into_iter()
        .find(|a| a["Name"] == name)
        .expect("the Account was created");
    (company, account["Id"].as_str().unwrap().to_string())
}
