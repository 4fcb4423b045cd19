//! Issue 10, "Every failure has its entry", first bullet: when a TO worker's Salesforce read
//! of its batch fails, every message of the batch gets its Error Log entry, and goes on to the
//! dead-letter queue explained.
//!
//! Fails on the old code, both tests: `read_accounts` / `read_contacts`
//! (372bab0:shared/src/flows/account_to_ipaas.rs, contact_to_ipaas.rs) mapped the error
//! straight to `Outcome::Failed` without `ctx.fail`, so the Error Log stayed empty while every
//! message went to the dead-letter queue.

use super::*;
use shared::queue::WorkMessage;
use shared::salesforce::SalesforceId;
use sim::faults::Faults;

/// An Account and a Contact a person made, and one TO message for each (the poller's work,
/// done by hand because the poller reads Salesforce too).
fn queued_pair(s: &LocalStack, name: &str) -> (SalesforceId, SalesforceId) {
    let account = s.person_creates("Account", json!({ "Name": name }));
    let contact = s.person_creates(
        "Contact",
        json!({"LastName": name, "AccountId": account.as_str()}),
    );
    s.queue.put_back(&[
        WorkMessage::new(Flow::AccountToIpaas, account.as_str(), None),
        WorkMessage::new(Flow::ContactToIpaas, contact.as_str(), None),
    ]);
    (account, contact)
}

/// Each TO message of `queued` (flow, record) has exactly one `text` entry naming it and
/// its flow, and is a dead letter; nothing reached iPaaS.com.
fn explained_dead_letters(s: &LocalStack, queued: &[(Flow, &SalesforceId)], text: &str) {
    for (flow, id) in queued {
        let kind = if *flow == Flow::AccountToIpaas {
            "Account"
        } else {
            "Contact"
        };
        let e = the_entry(s, id.as_str(), text);
        assert_record(&e, *flow, System::Salesforce, kind, id.as_str());
    }
    let mut dead: Vec<(Flow, String)> = s
        .dead_letters()
        .into_iter()
        .map(|m| (m.flow, m.record_id))
        .collect();
    dead.sort();
    let mut want: Vec<(Flow, String)> = queued.iter().map(|(f, id)| (*f, id.to_string())).collect();
    want.sort();
    assert_eq!(dead, want);
    assert!(s.ipaas.companies().is_empty() && s.ipaas.customers().is_empty());
}

#[tokio::test]
async fn a_revoked_refresh_token_explains_every_to_message() {
    let mut s = stack().await;
    let (account, contact) = queued_pair(&s, "Revoked");
    for t in s.salesforce.live_refresh_tokens() {
        s.salesforce.revoke_refresh_token(&t);
    }
    // A fresh container: no access token cached, the refresh is refused (invalid_grant).
    s.restart_clients().unwrap();
    s.drain().await;
    let queued = [
        (Flow::AccountToIpaas, &account),
        (Flow::ContactToIpaas, &contact),
    ];
    explained_dead_letters(&s, &queued, REFRESH);
}

#[tokio::test]
async fn a_failing_query_endpoint_explains_every_to_message() {
    let s = stack().await;
    let (account, contact) = queued_pair(&s, "Outage");
    // More Accounts, so one batch's read fails for several messages at once.
    let more: Vec<SalesforceId> = (0..3)
        .map(|i| s.person_creates("Account", json!({ "Name": format!("Outage {i}") })))
        .collect();
    let messages: Vec<WorkMessage> = more
        .iter()
        .map(|a| WorkMessage::new(Flow::AccountToIpaas, a.as_str(), None))
        .collect();
    s.queue.put_back(&messages);
    s.salesforce.set_faults(Faults {
        rate_500: 1.0,
        only_paths: vec!["/query".into()],
        ..Default::default()
    });
    s.drain().await;
    let mut queued = vec![
        (Flow::AccountToIpaas, &account),
        (Flow::ContactToIpaas, &contact),
    ];
    queued.extend(more.iter().map(|a| (Flow::AccountToIpaas, a)));
    explained_dead_letters(&s, &queued, "Error calling SalesForce (Http Code: 500)");
}
