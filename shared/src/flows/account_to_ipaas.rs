//! Account TO iPaaS.com: a changed Salesforce Account becomes an iPaaS.com Company (with its
//! billing and shipping addresses) linked to the Account's Id.
//!
//! Target: the ledger, else the link, else (after an interrupted or unanswered create) the
//! unlinked Company of the same name made since the attempt began. An Account the
//! integration itself created (from a Company) is left to that flow to link. Only fields
//! changed in Salesforce since the last sync are written (three-way merge), so a person's
//! newer edit in iPaaS.com is never written over; a change that holds nothing new (the
//! echo of our own write) costs no iPaaS.com call. A create is claimed in the ledger first
//! and never sent twice: a lost answer is recovered, not repeated.

use super::context::{ipaas_transient, is_stale, state_failure, FlowContext, FlowSettings};
use super::mapped::{self, refused_to_ipaas};
use super::merge::{agreed, decide, nothing_new, Later, Values};
use super::{origin, Outcome};
use crate::flow::{Flow, RecordRef, System};
use crate::ipaas::{Company, IpaasError, LinkTable};
use crate::mapping::document::{Direction, MappingError, Pair};
use crate::queue::WorkMessage;
use crate::records::Account;
use crate::salesforce::SalesforceId;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use std::collections::{BTreeSet, HashMap};

const FLOW: Flow = Flow::AccountToIpaas;

/// Processes a batch: the Accounts as the poller read them (one SOQL read for any message
/// that does not carry its row), then one sync per Account, at once (bounded).
pub async fn run(
    ctx: &FlowContext,
    settings: FlowSettings,
    messages: &[WorkMessage],
) -> Vec<Outcome> {
    let ids: Vec<Option<SalesforceId>> = messages.iter().map(|m| id_of(m, "001")).collect();
    // The rows the poller handed on need no second read; only the others are read, in one
    // query.
    let carried = mapped::carried_rows(ctx, Pair::Account, messages);
    let valid: Vec<&SalesforceId> = ids
        .iter()
        .flatten()
        .filter(|id| !carried.contains_key(id.as_str()))
        .collect();
    let read = if valid.is_empty() {
        Ok(HashMap::new())
    } else {
        read_accounts(ctx, &valid).await
    };
    let accounts = match read.map(|mut read| {
        read.extend(
            carried
                .iter()
                .map(|(id, row)| (id.clone(), Account::from_fields(row))),
        );
        read
    }) {
        Ok(a) => a,
        Err(e) => return super::to_ipaas::read_failed(ctx, FLOW, "Account", messages, e).await,
    };
    // The records of a batch are worked at once, bounded; outcomes stay in message order.
    let work: Vec<_> = messages
        .iter()
        .zip(&ids)
        .map(|(m, id)| one(ctx, settings, &accounts, m, id.as_ref()))
        .collect();
    futures::stream::iter(work)
        .buffered(ctx.pacing.concurrency.max(1))
        .collect()
        .await
}

async fn one(
    ctx: &FlowContext,
    settings: FlowSettings,
    accounts: &HashMap<String, Account>,
    m: &WorkMessage,
    id: Option<&SalesforceId>,
) -> Outcome {
    let Some(id) = id else {
        return super::to_ipaas::misrouted(ctx, FLOW, "Account", m).await;
    };
    match accounts.get(id.as_str()) {
        Some(account) => sync(ctx, settings, account, m.changed_at).await,
        None => super::to_ipaas::missing(ctx, FLOW, "Account", id).await,
    }
}

/// The message's record as a Salesforce Id of the object whose key prefix is `prefix`.
pub(super) fn id_of(m: &WorkMessage, prefix: &str) -> Option<SalesforceId> {
    SalesforceId::parse(&m.record_id)
        .ok()
        .filter(|id| id.key_prefix() == prefix)
}

/// Reads Accounts by Id in one query (per 200 Ids).
pub(super) async fn read_accounts(
    ctx: &FlowContext,
    ids: &[&SalesforceId],
) -> Result<HashMap<String, Account>, crate::salesforce::SalesforceError> {
    let rows = ctx
        .salesforce
        .query_by_ids("Account", &mapped::read_fields(ctx, Pair::Account), ids)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, fields)| (id, Account::from_fields(&fields)))
        .collect())
}

/// How the Company was found.
enum Found {
    /// Linked to this Account already (ledger or iPaaS.com link).
    Linked(Company),
    /// Made by an earlier attempt of this create whose answer was lost; to be linked.
    Recovered(Company),
    Nothing,
}

/// Syncs one Account that has been read from Salesforce.
pub async fn sync(
    ctx: &FlowContext,
    settings: FlowSettings,
    account: &Account,
    changed_at: Option<DateTime<Utc>>,
) -> Outcome {
    let Some(sf_id) = account.id.as_ref().map(|i| i.to_string()) else {
        return Outcome::Rejected {
            reason: "an Account without an Id".into(),
        };
    };
    let record = RecordRef::new(System::Salesforce, "Account", sf_id.clone());
    let entry = match ctx.ledger(FLOW, &sf_id).await {
        Ok(e) => e,
        Err(e) => return state_failure(FLOW, &sf_id, e),
    };
    let version = account.system_modstamp.or(changed_at);
    if is_stale(&entry, version) {
        return Outcome::Stale;
    }
    let source = mapped::salesforce_values(ctx, Pair::Account, &account.row, Direction::ToIpaas);
    // Nothing new since the last sync (our own write coming back, or a redelivery).
    if let (Some(target), Some(base)) = (&entry.target_id, &entry.synced) {
        if nothing_new(&source, base) {
            return Outcome::Unchanged {
                target: target.clone(),
            };
        }
    }
    let found = match find(ctx, account, &sf_id, &entry).await {
        Ok(f) => f,
        Err(Ok(outcome)) => return outcome,
        Err(Err(e)) => {
            return ctx
                .fail(FLOW, record, e.to_raised(), ipaas_transient(&e))
                .await
        }
    };
    let sync = Sync {
        ctx,
        settings,
        account,
        sf_id: &sf_id,
        record: &record,
        source: &source,
        version,
    };
    match found {
        Found::Linked(c) => sync.update(entry, c, false).await,
        Found::Recovered(c) => sync.update(entry, c, true).await,
        Found::Nothing => sync.create(entry).await,
    }
}

/// The Company for this Account: ledger, link, then an unanswered create's result.
/// `Err(Ok(_))` decides the outcome (wait), `Err(Err(_))` is an iPaaS.com failure.
async fn find(
    ctx: &FlowContext,
    account: &Account,
    sf_id: &str,
    entry: &crate::state::LedgerEntry,
) -> Result<Found, Result<Outcome, IpaasError>> {
    let known = entry
        .target_id
        .as_deref()
        .and_then(|t| t.parse::<u64>().ok());
    let unlinked = known.is_none()
        && ctx
            .known_unlinked(
                entry,
                account.created_by_id.as_deref(),
                account.created_date,
            )
            .await;
    let linked = match known {
        Some(id) => Some(id),
        None if unlinked => None,
        None => ctx
            .ipaas
            .lookup_link(LinkTable::Company, sf_id)
            .await
            .map_err(Err)?,
    };
    if let Some(id) = linked {
        // A Company deleted in iPaaS.com is made again: deletes are not synced. One found by
        // its link while a create is unsettled is that create's (it carried the link).
        return Ok(match ctx.ipaas.get_company(id).await.map_err(Err)? {
            Some(c) if known.is_none() && entry.creating_since.is_some() => Found::Recovered(c),
            Some(c) => Found::Linked(c),
            None => Found::Nothing,
        });
    }
    if let Some(since) = entry.creating_since {
        if let Some(wait) = ctx.pending_create(entry) {
            return Err(Ok(wait));
        }
        if let Some(c) = recover_created(ctx, account, since).await.map_err(Err)? {
            return Ok(Found::Recovered(c));
        }
    }
    let ours = ctx
        .made_by_us_recently(account.created_by_id.as_deref(), account.created_date)
        .await;
    if ours.unwrap_or(false) {
        return Err(Ok(Outcome::Postponed {
            delay: ctx.pacing.create_lease,
            reason: "this Account was made by Account FROM iPaaS.com; its link is on its way"
                .into(),
        }));
    }
    Ok(Found::Nothing)
}

/// One Account's sync once its Company is known (or known to be missing).
struct Sync<'a> {
    ctx: &'a FlowContext,
    settings: FlowSettings,
    account: &'a Account,
    sf_id: &'a str,
    record: &'a RecordRef,
    source: &'a Values,
    version: Option<DateTime<Utc>>,
}

impl Sync<'_> {
    /// The mapping refuses the record (a value it may not translate).
    async fn refused(&self, e: &MappingError) -> Outcome {
        self.ctx
            .fail(FLOW, self.record.clone(), refused_to_ipaas(e), false)
            .await
    }

    async fn fail(&self, e: IpaasError) -> Outcome {
        let retry = ipaas_transient(&e);
        self.ctx
            .fail(FLOW, self.record.clone(), e.to_raised(), retry)
            .await
    }

    /// Claims the pair (this Account, Company `id`) in both ledgers before the link is
    /// written; a Company another Account has taken (an indistinguishable twin's recovery)
    /// is looked for again later.
    async fn pair(
        &self,
        entry: crate::state::LedgerEntry,
        id: u64,
    ) -> Result<crate::state::LedgerEntry, Outcome> {
        match self
            .ctx
            .pair_up(FLOW, self.sf_id, entry, &id.to_string())
            .await
        {
            Ok(Some(e)) => Ok(e),
            Ok(None) => Err(Outcome::Postponed {
                delay: self.ctx.pacing.create_lease,
                reason: format!("Company {id} is paired with another Account; looking again"),
            }),
            Err(e) => Err(state_failure(FLOW, self.sf_id, e)),
        }
    }

    /// Writes the fields changed in Salesforce since the last sync, links if needed.
    async fn update(
        &self,
        entry: crate::state::LedgerEntry,
        company: Company,
        recovered: bool,
    ) -> Outcome {
        let ctx = self.ctx;
        let id = company.id.unwrap_or_default();
        let target = match company_values(ctx, &company) {
            Ok(v) => v,
            Err(e) => return self.refused(&e).await,
        };
        let base = (entry.target_id.as_deref() == Some(id.to_string().as_str()))
            .then(|| entry.synced.clone())
            .flatten();
        let base = base.as_ref();
        let later = later(self.account.system_modstamp, company.last_modified_date);
        let decision = decide(self.source, &target, base, later);
        tracing::debug!(flow = %FLOW, record = self.sf_id, company = id, ?later,
            write = ?decision.write.keys().collect::<Vec<_>>(), kept = ?decision.kept, "merged");
        let after = if decision.write.is_empty() {
            target
        } else if !self.settings.sync_type.may_update() && !recovered {
            return Outcome::Skipped {
                reason: "sync type Add: existing Companies are not updated".into(),
            };
        } else {
            let only: BTreeSet<String> = decision.write.keys().cloned().collect();
            let body = match mapped::write_ipaas(
                ctx,
                Pair::Account,
                Some(&company),
                self.source,
                Some(&only),
            ) {
                Ok(b) => b,
                Err(e) => return self.refused(&e).await,
            };
            match ctx.ipaas.update_company(id, &body).await {
                Ok(stored) => match company_values(ctx, &stored) {
                    Ok(v) => v,
                    Err(e) => return self.refused(&e).await,
                },
                Err(e) => return self.fail(e).await,
            }
        };
        let linked = company
            .link_for(ctx.ipaas.system_id())
            .is_some_and(|l| super::context::same_id(l, self.sf_id));
        let mut entry = entry;
        if !linked {
            entry = match self.pair(entry, id).await {
                Ok(e) => e,
                Err(outcome) => return outcome,
            };
            if let Err(e) = ctx
                .ipaas
                .write_link(LinkTable::Company, self.sf_id, id)
                .await
            {
                return self.fail(e).await;
            }
        }
        let base = agreed(self.source, &after, base);
        if let Err(e) = ctx
            .settle(
                FLOW,
                self.sf_id,
                entry,
                &id.to_string(),
                &base,
                self.version,
            )
            .await
        {
            return state_failure(FLOW, self.sf_id, e);
        }
        if recovered {
            origin::unmark(ctx, self.account.name.as_deref().unwrap_or(""), self.sf_id).await;
        }
        let target = id.to_string();
        match (recovered, decision.write.is_empty()) {
            (true, _) => Outcome::Created { target },
            (false, true) => Outcome::Unchanged { target },
            (false, false) => Outcome::Updated { target },
        }
    }

    /// Creates the Company (claimed first; never sent twice), then links it.
    async fn create(&self, entry: crate::state::LedgerEntry) -> Outcome {
        let ctx = self.ctx;
        if !self.settings.sync_type.may_create() {
            return Outcome::Skipped {
                reason: "sync type Update: no linked Company to update".into(),
            };
        }
        let name = self.account.name.clone().unwrap_or_default();
        let mut entry = match ctx.creating(FLOW, self.sf_id, entry).await {
            Ok(e) => e,
            Err(outcome) => return outcome,
        };
        // The create carries its link. Until the service is seen to take it, an unanswered
        // create could leave an unlinked Company whose echo Account FROM would copy: the
        // name is noted for that flow to leave alone (`origin`).
        let noted = ctx.ipaas.links_on_create() != Some(true);
        if noted {
            origin::mark(ctx, &name, self.sf_id).await;
        }
        let unnote = || async {
            if noted {
                origin::unmark(ctx, &name, self.sf_id).await;
            }
        };
        let body = match mapped::write_ipaas::<Company>(ctx, Pair::Account, None, self.source, None)
        {
            Ok(mut b) => {
                b.external_ids = vec![ctx.ipaas.link_on_create(self.sf_id)];
                b
            }
            Err(e) => {
                ctx.abandon_create(FLOW, self.sf_id, &mut entry).await;
                unnote().await;
                return self.refused(&e).await;
            }
        };
        let created = match ctx.ipaas.create_company(&body).await {
            Ok(c) => c,
            Err(e @ (IpaasError::Ambiguous { .. } | IpaasError::Decode { .. })) => {
                return ctx.create_unconfirmed("a Company", &e.to_string());
            }
            Err(e) => {
                // Refused with an answer, or never sent: nothing was created.
                ctx.abandon_create(FLOW, self.sf_id, &mut entry).await;
                unnote().await;
                return self.fail(e).await;
            }
        };
        let id = created.id.unwrap_or_default();
        let answered = created.link_for(ctx.ipaas.system_id());
        let entry = if super::to_ipaas::linked_by_create(ctx, self.sf_id, answered) {
            // A Company this very create made, carrying this Account's link: nothing else
            // can hold it, so there is no pair to claim first.
            entry
        } else {
            let entry = match self.pair(entry, id).await {
                Ok(e) => e,
                Err(outcome) => return outcome,
            };
            if let Err(e) =
                super::to_ipaas::link_created(ctx, LinkTable::Company, self.sf_id, id).await
            {
                // The pair stays claimed: the next delivery links this Company.
                return self.fail(e).await;
            }
            entry
        };
        let after = company_values(ctx, &created).unwrap_or_default();
        let base = agreed(self.source, &after, None);
        if let Err(e) = ctx
            .settle(
                FLOW,
                self.sf_id,
                entry,
                &id.to_string(),
                &base,
                self.version,
            )
            .await
        {
            return state_failure(FLOW, self.sf_id, e);
        }
        unnote().await;
        Outcome::Created {
            target: id.to_string(),
        }
    }
}

/// A Company's values in the Account's field names (the mapping's iPaaS.com → Salesforce
/// reading, as the TO direction compares them).
fn company_values(ctx: &FlowContext, company: &Company) -> Result<Values, MappingError> {
    mapped::ipaas_values(ctx, Pair::Account, company, Direction::ToIpaas)
}

/// Which side changed last: Salesforce's SystemModstamp against iPaaS.com's
/// last_modified_date (ties and unknowns go to Salesforce, the source here).
pub(super) fn later(sf: Option<DateTime<Utc>>, ipaas: Option<DateTime<Utc>>) -> Later {
    match (sf, ipaas) {
        (Some(s), Some(i)) if i > s => Later::Target,
        _ => Later::Source,
    }
}

/// After a create whose answer was lost (or a crash after it): the Company of this name,
/// changed since the attempt began, linked to nothing in this Salesforce org and not being
/// worked on by Account FROM iPaaS.com, is ours. Among several, the one holding exactly what
/// was sent, else the oldest.
async fn recover_created(
    ctx: &FlowContext,
    account: &Account,
    since: DateTime<Utc>,
) -> Result<Option<Company>, IpaasError> {
    let Some(name) = account
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    else {
        return Ok(None);
    };
    let system = ctx.ipaas.system_id();
    let mut candidates = Vec::new();
    for c in ctx.ipaas.find_companies_by_name(name).await? {
        let recent = c
            .last_modified_date
            .is_none_or(|t| t >= since - chrono::Duration::seconds(5));
        let Some(id) = c.id else { continue };
        if c.link_for(system).is_some() || !recent {
            continue;
        }
        // A Company the other direction is working on (or has linked) is a person's.
        let theirs = ctx.ledger(Flow::AccountFromIpaas, &id.to_string()).await;
        if theirs.is_ok_and(|e| e.target_id.is_some() || e.creating_since.is_some()) {
            continue;
        }
        candidates.push(c);
    }
    candidates.sort_by_key(|c| c.id);
    let source = mapped::salesforce_values(ctx, Pair::Account, &account.row, Direction::ToIpaas);
    let sent: Option<Company> = mapped::write_ipaas(ctx, Pair::Account, None, &source, None).ok();
    let sent = sent.and_then(|c| company_values(ctx, &c).ok());
    let exact = candidates
        .iter()
        .position(|c| sent.is_some() && company_values(ctx, c).ok() == sent);
    let pick = exact.or((!candidates.is_empty()).then_some(0));
    Ok(pick.map(|i| {
        tracing::info!(company = ?candidates[i].id, "found the Company an unanswered create made");
        candidates.swap_remove(i)
    }))
}
