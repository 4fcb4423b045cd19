//! Hostile input, each case with the answer a user should get: queue message bodies that
//! are not ours (refused, logged, sent on towards the dead-letter queue), record fields that
//! are oversized, full of control characters, odd unicode or SOQL metacharacters (a clear
//! Error Log entry, or synced intact), and configuration values that cannot work (the
//! function stops at start naming the variable). Nothing panics; nothing vanishes silently.
//! The webhook bodies have their own corpus in shared/tests/webhook.rs (30 cases).

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use serde_json::{json, Value};
use sfsync::stack::{LocalStack, StackOptions};
use shared::config::Env;
use shared::flow::Flow;
use shared::flows::run_batch;
use shared::queue::WorkMessage;
use std::collections::HashMap;

fn event(bodies: &[String]) -> SqsEvent {
    let mut e = SqsEvent::default();
    e.records = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut m = SqsMessage::default();
            m.message_id = Some(format!("m{i}"));
            m.body = Some(b.clone());
            m
        })
        .collect();
    e
}

fn envelope(flow: &str, record: &str) -> String {
    json!({"v": 1, "flow": flow, "record_id": record, "source": "salesforce", "trace_id": "t"})
        .to_string()
}

#[tokio::test]
async fn hostile_queue_messages_are_refused_and_sent_on_to_the_dead_letter_queue() {
    let s = LocalStack::start(StackOptions::default()).await.unwrap();
    let bodies: Vec<String> = vec![
        String::new(),
        "not json".into(),
        "{}".into(),
        "[]".into(),
        "null".into(),
        json!({"v": 2, "flow": "account-to-ipaas", "record_id": "001", "source": "salesforce"})
            .to_string(),
        envelope("no-such-flow", "0018M00000Fx001QAB"),
        envelope("contact-from-ipaas", "42"),
        envelope("account-to-ipaas", ""),
        envelope("account-to-ipaas", &"0".repeat(10_000)),
        envelope("account-to-ipaas", "001\u{0}\u{1b}[31m"),
        envelope("account-to-ipaas", "001'; DELETE FROM Account --"),
        envelope("account-to-ipaas", "001M000000qfPyS!"),
        envelope("account-to-ipaas", "\u{202e}001M000000qfPyS"),
        format!(
            "{{\"v\":1,\"flow\":\"account-to-ipaas\",\"record_id\":\"{}\"}}",
            "x".repeat(300_000)
        ),
        json!({"v": 1, "flow": "account-to-ipaas", "record_id": 12345, "source": "salesforce"})
            .to_string(),
    ];
    let worker = s.worker(Flow::AccountToIpaas);
    let (response, report) = run_batch(&worker, event(&bodies)).await;
    let failed: Vec<String> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect();
    for (i, body) in bodies.iter().enumerate() {
        assert!(
            failed.contains(&format!("m{i}")),
            "case {i} must come back (then the DLQ): {:?}",
            body.chars().take(80).collect::<String>()
        );
    }
    assert_eq!(
        report.counts.get("created"),
        None,
        "nothing was written for them"
    );
    assert!(s.ipaas.companies().is_empty());

    // The FROM flows refuse ids that are not iPaaS.com ids the same way.
    let worker = s.worker(Flow::AccountFromIpaas);
    let bodies: Vec<String> = ["-5", "18446744073709551616", "4.2", "1e3", "0x10", " ", "١٢٣"]
        .iter()
        .map(|id| json!({"v": 1, "flow": "account-from-ipaas", "record_id": id, "source": "ipaas", "trace_id": "t"}).to_string())
        .collect();
    let (response, _) = run_batch(&worker, event(&bodies)).await;
    assert_eq!(response.batch_item_failures.len(), bodies.len());
    assert!(s.salesforce.records("Account").is_empty());
}

#[tokio::test]
async fn hostile_record_fields_get_a_clear_entry_or_arrive_intact() {
    let s = LocalStack::start(StackOptions::default()).await.unwrap();
    let parent = s
        .ipaas
        .edit_company_as_person(None, json!({"name": "Corpus Parent"}));
    s.drain().await;

    // Synced intact: quotes, backslashes, SOQL wildcards, unicode, RTL marks, emoji.
    let intact = [
        "O'Brien & Sons",
        "Back\\slash \\' Ltd",
        "100% _Real_ Co",
        "Zoë Ångström AB",
        "東京株式会社",
        "\u{202e}Reversed Inc",
        "Party 🎉🎉 GmbH",
        "Semi; colon -- Co",
    ];
    for name in intact {
        s.ipaas.edit_company_as_person(None, json!({"name": name}));
    }
    // Emails a lookup must escape (and must not match anyone else with).
    s.salesforce.insert(
        "Contact",
        json!({"LastName": "Decoy", "Email": "anyone@corpus.example"}),
    );
    let emails = [
        "o'brien@corpus.example",
        "%@corpus.example",
        "_nyone@corpus.example",
        "back\\slash@corpus.example",
    ];
    for (i, e) in emails.iter().enumerate() {
        s.ipaas.edit_customer_as_person(
            None,
            json!({"last_name": format!("Mail {i}"), "email_address": e, "company_id": parent}),
        );
    }
    // Refused by Salesforce, explained: an oversized name.
    let huge = s
        .ipaas
        .edit_company_as_person(None, json!({"name": "N".repeat(250) + &"é".repeat(10)}));
    s.drain().await;

    let accounts: Vec<Value> = s.salesforce.records("Account");
    for name in intact {
        assert!(
            accounts.iter().any(|a| a["Name"] == name),
            "{name:?} arrived intact"
        );
    }
    let contacts = s.salesforce.records("Contact");
    for e in emails {
        assert_eq!(
            contacts.iter().filter(|c| c["Email"] == e).count(),
            1,
            "{e:?}: its own Contact, no false match"
        );
    }
    assert_eq!(
        contacts
            .iter()
            .filter(|c| c["Email"] == "anyone@corpus.example")
            .count(),
        1
    );
    let entries = s.error_log();
    let too_long: Vec<_> = entries
        .iter()
        .filter(|e| e.record.as_ref().is_some_and(|r| r.id == huge.to_string()))
        .collect();
    assert_eq!(too_long.len(), 1, "{entries:#?}");
    assert_eq!(too_long[0].message, "Salesforce rejected the new account.");
    assert!(too_long[0]
        .detail
        .as_deref()
        .unwrap_or("")
        .contains("STRING_TOO_LONG"));
    assert_eq!(entries.len(), 1, "nothing else went wrong: {entries:#?}");
}

#[tokio::test]
async fn an_email_no_soql_literal_can_hold_creates_with_the_warning() {
    let s = LocalStack::start(StackOptions::default()).await.unwrap();
    let parent = s.ipaas.insert_company(json!({"name": "Control Parent"}));
    s.ipaas
        .edit_company_as_person(Some(parent), json!({"phone_number": "1"}));
    s.drain().await;
    // iPaaS.com would refuse this email over its API; a record seeded by an import has it.
    let customer = s.ipaas.insert_customer(
        json!({"last_name": "Ctrl", "email_address": "ctrl\u{1}@x.example", "company_id": parent}),
    );
    s.ipaas
        .edit_customer_as_person(Some(customer), json!({"first_name": "Edited"}));
    s.drain().await;
    let e = s.error_log();
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].message, "Unable to dynamically link to existing Salesforce customer using email address. This may result in duplicate customer records.");
    assert!(e[0]
        .detail
        .as_deref()
        .unwrap()
        .contains("cannot be looked up"));
}

struct Vars(HashMap<String, String>);

impl Env for Vars {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

fn good() -> HashMap<String, String> {
    [
        ("SALESFORCE_SECRET_ID", "sf"),
        ("IPAAS_SECRET_ID", "ip"),
        ("IPAAS_SYSTEM_ID", "7"),
        ("STATE_TABLE", "state"),
        (
            "ACCOUNT_TO_IPAAS_QUEUE_URL",
            "http://127.0.0.1:1/123456789012/q1",
        ),
        (
            "CONTACT_TO_IPAAS_QUEUE_URL",
            "http://127.0.0.1:1/123456789012/q2",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Each case stops the start with a message naming its variable, before any network call.
/// The cases marked "new" fail on the old code (accepted, then a panic on every tick, a
/// stall, links under no subscription, or a silent logger).
#[test]
fn unusable_configuration_stops_the_start_naming_the_variable() {
    let cases: Vec<(&str, Option<&str>)> = vec![
        ("SALESFORCE_SECRET_ID", None),
        ("SALESFORCE_SECRET_ID", Some("   ")),
        ("SALESFORCE_SECRET_ID", Some("two words")), // new
        ("IPAAS_SECRET_ID", None),
        ("IPAAS_SECRET_ID", Some("ip\u{0}")), // new
        ("IPAAS_SYSTEM_ID", Some("abc")),
        ("IPAAS_SYSTEM_ID", Some("-1")),
        ("IPAAS_SYSTEM_ID", Some("0")), // new
        ("IPAAS_SYSTEM_ID", None),
        ("IPAAS_BASE_URL", Some("ftp://api.ipaas.com")),
        ("IPAAS_BASE_URL", Some("not a url")),
        ("IPAAS_BASE_URL", Some("http://api.ipaas.com")), // new: the key would go out bare
        ("SALESFORCE_API_VERSION", Some("v64")),
        ("SALESFORCE_API_VERSION", Some("64.0/../../x")),
        ("SALESFORCE_API_VERSION", Some("30.0")), // new: no sObject Collections
        ("SALESFORCE_API_BUDGET", Some("1.5")),
        ("SALESFORCE_API_BUDGET", Some("lots")),
        ("SALESFORCE_API_BUDGET", Some("0")), // new: everything put off for ever
        ("SALESFORCE_API_BUDGET", Some("NaN")), // new
        ("SALESFORCE_INTEGRATION_USER_ID", Some("0018M00000Fx001QAB")), // new: an Account Id
        ("STATE_TABLE", None),
        ("STATE_TABLE", Some("my state table")), // new
        ("SYNC_TYPE_CONTACT_FROM_IPAAS", Some("Upsert")),
        ("COLLISION_METHOD_ACCOUNT_FROM_IPAAS", Some("Merge")),
        ("POLL_DAYS", Some("-3")),
        ("POLL_DAYS", Some("seven")),
        ("POLL_DAYS", Some("100000000")), // new: panicked the poller on every tick
        ("POLL_MAX_PER_TICK", Some("many")),
        ("POLL_MAX_PER_TICK", Some("0")), // new: polled nothing, for ever
        ("ACCOUNT_TO_IPAAS_QUEUE_URL", None),
        ("ACCOUNT_TO_IPAAS_QUEUE_URL", Some("account-to-ipaas")), // new
        (
            "CONTACT_TO_IPAAS_QUEUE_URL",
            Some("https://sqs.us-east-1.amazonaws.com"),
        ), // new
        ("LOG_LEVEL", Some("verbose")), // new: silenced every line, errors included
        ("LOG_LEVEL", Some("off")),     // new
    ];
    for (name, value) in cases {
        let mut vars = good();
        match value {
            Some(v) => vars.insert(name.into(), v.into()),
            None => vars.remove(name),
        };
        let env = Vars(vars);
        let poller = shared::lambda::PollerSettings::from_env(&env)
            .err()
            .map(|e| e.to_string());
        let settings = shared::flows::env::settings_from_env(&env)
            .err()
            .map(|e| e.to_string());
        let logging = shared::telemetry::log_filter(&env)
            .err()
            .map(|e| e.to_string());
        let message = poller
            .or(settings)
            .or(logging)
            .unwrap_or_else(|| panic!("{name}={value:?} was accepted"));
        assert!(message.contains(name), "{name}={value:?}: {message}");
    }
    // And the good configuration is accepted.
    shared::lambda::PollerSettings::from_env(&Vars(good())).unwrap();
}

#[test]
fn envelopes_never_carry_more_than_ids() {
    let m = WorkMessage::new(Flow::ContactFromIpaas, "42", None);
    let v: Value = serde_json::from_str(&m.to_json()).unwrap();
    let allowed = ["v", "flow", "record_id", "source", "changed_at", "trace_id"];
    for key in v.as_object().unwrap().keys() {
        assert!(allowed.contains(&key.as_str()), "{key}");
    }
}
