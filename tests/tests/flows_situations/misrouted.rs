//! Issue 10, "Every failure has its entry", second bullet: a TO message whose Id is of another
//! object (a Contact's `003…` on the Account flow, a User's `005…`), is not an Id at all, or
//! names no record, is an Error Log entry naming the record and the flow, and the message is
//! rejected (on to the dead-letter queue). A record deleted in Salesforce (recycle bin) is a
//! quiet skip: deletes are not synced.
//!
//! Fails on the old code: `run` (372bab0:shared/src/flows/account_to_ipaas.rs) parsed any
//! Salesforce Id without looking at its key prefix, so the `003…`, the `005…` and the Id of
//! nothing were read, not returned, and skipped as "no longer exists" (INFO, no entry); a
//! non-Id was `rejected()` with a log line only. No entry for any of them.

use super::*;
use shared::flows::Outcome;
use shared::queue::WorkMessage;
use shared::salesforce::SalesforceId;

/// What became of each message id of `ids` sent to `flow` in one batch.
async fn one_batch(s: &LocalStack, flow: Flow, ids: &[String]) -> Vec<Outcome> {
    let messages: Vec<WorkMessage> = ids
        .iter()
        .map(|id| WorkMessage::new(flow, id.as_str(), None))
        .collect();
    s.queue.put_back(&messages);
    let batch = s.queue.take(flow, ids.len());
    s.invoke(flow, batch).await
}

/// The one entry about `id`: on `flow`, naming the record as the flow's object, and saying why.
fn explained(s: &LocalStack, flow: Flow, object: &str, id: &str, why: &str) {
    let all = entries_for(s, id);
    assert_eq!(all.len(), 1, "one entry about {id:?}: {all:#?}");
    assert_record(&all[0], flow, System::Salesforce, object, id);
    let detail = all[0].detail.clone().unwrap_or_default();
    assert!(detail.contains(why), "{why:?} in {detail:?}");
    assert!(
        s.ipaas
            .error_logs()
            .iter()
            .any(|e| e["record"]["id"] == id && e["flow"] == flow.slug()),
        "on the Error Logs page too"
    );
}

#[tokio::test]
async fn wrong_ids_are_explained_and_rejected_and_a_deleted_record_is_skipped() {
    let s = stack().await;
    let binned = s.person_creates("Account", json!({"Name": "Binned Account"}));
    let binned_contact = s.person_creates(
        "Contact",
        json!({"LastName": "Binned", "AccountId": binned.as_str()}),
    );
    // A person deletes the Account; its Contact goes to the recycle bin with it.
    assert!(s.salesforce.delete("Account", binned.as_str()));
    let live = s.person_creates("Account", json!({"Name": "Live Account"}));
    let a_contact = s.person_creates("Contact", json!({"LastName": "Elsewhere"}));
    let nobody = SalesforceId::from_parts("001", "8M0", 424_242);
    let user = s.salesforce.person_user_id();

    let ids = [
        a_contact.to_string(),
        user.clone(),
        "not-an-id".to_string(),
        nobody.to_string(),
        binned.to_string(),
    ];
    let outcomes = one_batch(&s, Flow::AccountToIpaas, &ids).await;
    let labels: Vec<&str> = outcomes.iter().map(Outcome::label).collect();
    assert_eq!(
        labels,
        ["rejected", "rejected", "rejected", "rejected", "skipped"],
        "{outcomes:#?}"
    );
    let contact_ids = [live.to_string(), binned_contact.to_string()];
    let outcomes = one_batch(&s, Flow::ContactToIpaas, &contact_ids).await;
    let labels: Vec<&str> = outcomes.iter().map(Outcome::label).collect();
    assert_eq!(labels, ["rejected", "skipped"], "{outcomes:#?}");
    s.drain().await;

    let flow = Flow::AccountToIpaas;
    explained(
        &s,
        flow,
        "Account",
        a_contact.as_str(),
        "not a Salesforce Account Id",
    );
    explained(&s, flow, "Account", &user, "not a Salesforce Account Id");
    explained(&s, flow, "Account", "not-an-id", "is not a Salesforce Id");
    explained(
        &s,
        flow,
        "Account",
        nobody.as_str(),
        "no Salesforce Account has the Id",
    );
    explained(
        &s,
        Flow::ContactToIpaas,
        "Contact",
        live.as_str(),
        "not a Salesforce Contact Id",
    );
    for deleted in [binned.as_str(), binned_contact.as_str()] {
        assert!(
            entries_for(&s, deleted).is_empty(),
            "a delete is a quiet skip"
        );
    }
    let mut dead: Vec<(Flow, String)> = s
        .dead_letters()
        .into_iter()
        .map(|m| (m.flow, m.record_id))
        .collect();
    dead.sort();
    let mut want: Vec<(Flow, String)> = ids[..4].iter().map(|id| (flow, id.clone())).collect();
    want.push((Flow::ContactToIpaas, live.to_string()));
    want.sort();
    assert_eq!(
        dead, want,
        "the rejected messages end in the dead-letter queue"
    );
    let tally = s.tally();
    assert_eq!(tally[&flow].get("skipped"), Some(&1), "{tally:?}");
    assert_eq!(tally[&Flow::ContactToIpaas].get("skipped"), Some(&1));
    assert!(s.ipaas.companies().is_empty() && s.ipaas.customers().is_empty());
}
