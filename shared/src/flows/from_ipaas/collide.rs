//! A duplicate rule matched on create: the flow's collision-handling method decides. Only
//! matches of the object being written count (a Contact rule may match Leads too), and a
//! matched record already linked to another iPaaS.com record is never taken (no stolen
//! links); none left is "DUPLICATES_DETECTED…". The create's claim is held until the
//! record is settled, since the call that asks for the matches may itself create.

use super::{finish, How, Kind, Plan};
use crate::catalog::{MessageId, Raised};
use crate::flow::Flow;
use crate::flows::context::{ipaas_transient, same_id, state_failure, FlowContext};
use crate::flows::merge::agreed;
use crate::flows::{CollisionMethod, FlowSettings, Outcome};
use crate::salesforce::{DuplicateRuleHeader, SalesforceError, SalesforceId};
use crate::state::{LedgerEntry, StateError};

pub(crate) async fn collide(
    ctx: &FlowContext,
    kind: &Kind,
    settings: FlowSettings,
    mut p: Plan,
    message: String,
) -> Outcome {
    let duplicate =
        || Raised::new(MessageId::DuplicatesDetected).detail(format!("{}: {message}", kind.object));
    if settings.collision == CollisionMethod::Error {
        ctx.abandon_create(kind.flow, &p.source_id(), &mut p.entry)
            .await;
        return ctx
            .fail(kind.flow, p.record.clone(), duplicate(), false)
            .await;
    }
    // Collections results carry no matched Ids; one single-record call asks for them.
    let asked = match ctx.external_ids.of(kind.object) {
        Some(field) => {
            ctx.salesforce
                .upsert(kind.object, field, &p.source_id(), &p.fields, None)
                .await
        }
        None => ctx
            .salesforce
            .create(kind.object, &p.fields)
            .await
            .map(|id| (id, true)),
    };
    let matches = match asked {
        Err(SalesforceError::Duplicates { matches, .. }) => matches,
        Ok((id, created)) => {
            // The rule let it through this time: a plain create after all.
            p.target = Some(id.clone());
            p.linked = false;
            p.how = if created { How::Linked } else { How::Recovered };
            let base = agreed(&p.source, &p.source, None);
            return match finish(ctx, kind, &p, &id, &base, true).await {
                Outcome::Linked { target } => Outcome::Created { target },
                other => other,
            };
        }
        Err(e @ (SalesforceError::Ambiguous { .. } | SalesforceError::Decode { .. })) => {
            return ctx.create_unconfirmed(kind.object, &e.to_string());
        }
        Err(e) => {
            ctx.abandon_create(kind.flow, &p.source_id(), &mut p.entry)
                .await;
            let (raised, retry) = kind.raise_create(&e, &p.fields);
            return ctx.fail(kind.flow, p.record.clone(), raised, retry).await;
        }
    };
    let mut matched = None;
    for m in matches.iter().filter(|m| kind.owns(m)) {
        let Ok(id) = SalesforceId::parse(m) else {
            continue;
        };
        match free(ctx, kind, &id, p.ipaas_id).await {
            Ok(true) => {
                matched = Some(id);
                break;
            }
            Ok(false) => tracing::info!(object = kind.object, %id,
                "a duplicate-rule match is linked to another record; not taken"),
            Err(outcome) => return outcome,
        }
    }
    let Some(matched) = matched else {
        ctx.abandon_create(kind.flow, &p.source_id(), &mut p.entry)
            .await;
        return ctx
            .fail(kind.flow, p.record.clone(), duplicate(), false)
            .await;
    };
    let linking = settings.collision != CollisionMethod::UpdateAndNoLink;
    if linking {
        match claim(ctx, kind, &p, &matched).await {
            Ok(Some(entry)) => p.entry = entry,
            Ok(None) => {
                ctx.abandon_create(kind.flow, &p.source_id(), &mut p.entry)
                    .await;
                return ctx
                    .fail(kind.flow, p.record.clone(), duplicate(), false)
                    .await;
            }
            Err(e) => return state_failure(kind.flow, &p.source_id(), e),
        }
    }
    if settings.collision == CollisionMethod::RemapAndLink {
        if let Err(e) = ctx
            .ipaas
            .write_link(kind.table, matched.as_str(), p.ipaas_id)
            .await
        {
            let retry = ipaas_transient(&e);
            return ctx
                .fail(kind.flow, p.record.clone(), e.to_raised(), retry)
                .await;
        }
        p.linked = true;
    }
    // The matched record is the duplicate by definition: its update must not be stopped by
    // the same rule (the header only passes rules that alert, never ones that block).
    let allow = DuplicateRuleHeader {
        allow_save: true,
        include_record_details: false,
        run_as_current_user: false,
    };
    if let Err(e) = ctx
        .salesforce
        .update_with(kind.object, &matched, &p.fields, Some(allow))
        .await
    {
        let (raised, retry) = kind.raise(&e);
        return ctx.fail(kind.flow, p.record.clone(), raised, retry).await;
    }
    if !linking {
        // Not linked on purpose: the ledger keeps no target either, so the next change
        // meets the duplicate rule again and updates the same record again.
        ctx.abandon_create(kind.flow, &p.source_id(), &mut p.entry)
            .await;
        return Outcome::Updated {
            target: matched.to_string(),
        };
    }
    p.target = Some(matched.clone());
    p.how = How::Matched;
    let base = agreed(&p.source, &p.source, None);
    finish(ctx, kind, &p, &matched, &base, true).await
}

/// Whether the matched record is free: not paired with another iPaaS.com record in the
/// other direction's ledger, nor linked to one in iPaaS.com.
async fn free(
    ctx: &FlowContext,
    kind: &Kind,
    id: &SalesforceId,
    mine: u64,
) -> Result<bool, Outcome> {
    let other_flow: Flow = kind.flow.opposite();
    let theirs = ctx
        .ledger(other_flow, id.as_str())
        .await
        .map_err(|e| state_failure(kind.flow, &mine.to_string(), e))?;
    if theirs
        .target_id
        .as_deref()
        .is_some_and(|t| !same_id(t, &mine.to_string()))
    {
        return Ok(false);
    }
    match ctx.ipaas.lookup_link(kind.table, id.as_str()).await {
        Ok(Some(other)) => Ok(other == mine),
        Ok(None) => Ok(true),
        Err(e) => {
            let retry = ipaas_transient(&e);
            Err(Outcome::Failed {
                raised: e.to_raised(),
                retry,
            })
        }
    }
}

/// Claims the pair (this iPaaS.com record, `matched`) in both directions' ledgers at once.
/// `None`: another delivery claimed one side first.
pub(crate) async fn claim(
    ctx: &FlowContext,
    kind: &Kind,
    p: &Plan,
    matched: &SalesforceId,
) -> Result<Option<LedgerEntry>, StateError> {
    let source = p.source_id();
    let theirs = ctx.ledger(kind.flow.opposite(), matched.as_str()).await?;
    let taken = theirs
        .target_id
        .as_deref()
        .is_some_and(|t| !same_id(t, &source))
        || theirs.creating_since.is_some();
    if taken {
        return Ok(None);
    }
    let mine = LedgerEntry {
        target_id: Some(matched.to_string()),
        ..p.entry.clone()
    };
    let other = LedgerEntry {
        target_id: Some(source.clone()),
        ..theirs
    };
    let pair = [
        (kind.flow, source.as_str(), &mine),
        (kind.flow.opposite(), matched.as_str(), &other),
    ];
    match ctx.state.put_ledgers(&pair).await {
        Ok(()) => Ok(Some(LedgerEntry {
            version: mine.version + 1,
            ..mine
        })),
        Err(StateError::Conflict(_)) => {
            // The other direction may have claimed this very pair meanwhile.
            let now = ctx.ledger(kind.flow, &source).await?;
            let same = now
                .target_id
                .as_deref()
                .is_some_and(|t| same_id(t, matched.as_str()));
            Ok(same.then_some(now))
        }
        Err(e) => Err(e),
    }
}
