//! What both TO flows do with messages they cannot sync: a failed Salesforce read, an Id
//! that is not of their object, a record that is not there. Each is explained in the Error
//! Log (a dead letter never arrives unexplained); only a record deleted in Salesforce is a
//! quiet skip (deletes are not synced). And the link step both share after a create.

use super::context::{salesforce_transient, FlowContext};
use super::Outcome;
use crate::catalog::{MessageId, Raised};
use crate::flow::{Flow, RecordRef, System};
use crate::ipaas::{IpaasError, LinkTable};
use crate::queue::WorkMessage;
use crate::salesforce::{SalesforceError, SalesforceId};

/// The batch's Salesforce read failed: every message gets the failure's entry.
pub(super) async fn read_failed(
    ctx: &FlowContext,
    flow: Flow,
    object: &str,
    messages: &[WorkMessage],
    e: SalesforceError,
) -> Vec<Outcome> {
    let (raised, retry) = (e.to_raised(), salesforce_transient(&e));
    let mut out = Vec::with_capacity(messages.len());
    for m in messages {
        let record = RecordRef::new(System::Salesforce, object, m.record_id.clone());
        out.push(ctx.fail(flow, record, raised.clone(), retry).await);
    }
    out
}

/// A message whose record id is not an Id of this flow's object (another object's Id, a
/// User Id, not an Id at all): misrouted, explained, sent on towards the dead-letter queue.
pub(super) async fn misrouted(
    ctx: &FlowContext,
    flow: Flow,
    object: &str,
    m: &WorkMessage,
) -> Outcome {
    let what = match SalesforceId::parse(&m.record_id) {
        Ok(id) => format!(
            "{id} is not a Salesforce {object} Id (key prefix {})",
            id.key_prefix()
        ),
        Err(e) => format!("{:?} is not a Salesforce Id: {e}", m.record_id),
    };
    let reason = format!("misrouted message on the {flow} queue: {what}");
    let record = RecordRef::new(System::Salesforce, object, m.record_id.clone());
    let raised = Raised::with(MessageId::SalesforceHttpError, &[("code", "404")]).detail(&reason);
    ctx.log(flow, record, raised).await;
    Outcome::Rejected { reason }
}

/// A record the batch read did not return: deleted since it changed (a skip, deletes are
/// not synced), or never there (an Error Log entry: the message names nothing).
pub(super) async fn missing(
    ctx: &FlowContext,
    flow: Flow,
    object: &str,
    id: &SalesforceId,
) -> Outcome {
    match ctx.salesforce.is_deleted(object, id).await {
        Ok(true) => Outcome::Skipped {
            reason: format!("the {object} was deleted in Salesforce (deletes are not synced)"),
        },
        Ok(false) => {
            let reason = format!("no Salesforce {object} has the Id {id}");
            let record = RecordRef::new(System::Salesforce, object, id.to_string());
            let raised =
                Raised::with(MessageId::SalesforceHttpError, &[("code", "404")]).detail(&reason);
            ctx.log(flow, record, raised).await;
            Outcome::Rejected { reason }
        }
        Err(e) => {
            let record = RecordRef::new(System::Salesforce, object, id.to_string());
            let retry = salesforce_transient(&e);
            ctx.fail(flow, record, e.to_raised(), retry).await
        }
    }
}

/// Whether a create's answer carries the link it was sent with (`link_on_create`); the
/// client remembers what the service does.
pub(super) fn linked_by_create(
    ctx: &FlowContext,
    sf_id: &str,
    answered_link: Option<&str>,
) -> bool {
    let taken = answered_link.is_some_and(|l| super::context::same_id(l, sf_id));
    ctx.ipaas.saw_link_on_create(taken);
    taken
}

/// After a create whose answer lacks its link: the link, written on its own.
pub(super) async fn link_created(
    ctx: &FlowContext,
    table: LinkTable,
    sf_id: &str,
    id: u64,
) -> Result<(), IpaasError> {
    ctx.ipaas.write_link(table, sf_id, id).await
}
