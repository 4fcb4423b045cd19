//! Contact TO iPaaS.com: a changed Salesforce Contact becomes an iPaaS.com Customer (with its
//! mailing address as the primary shipping address and its Account's Company), linked to
//! the Contact's Id.
//!
//! Target: the ledger, else the link, else (after an unanswered create) the Customer whose
//! customer_number is this Contact's Id, else the one Customer with this email that is free
//! (not linked, not made for another Contact, not being worked on by Contact FROM) → linked
//! by claiming both halves of the pair at once; otherwise create. A Contact without
//! AccountId is skipped by design. A Contact whose Account has not reached iPaaS.com yet
//! brings it along. Only fields changed in Salesforce since the last sync are written.

use super::account_to_ipaas::{self, id_of, later};
use super::context::{ipaas_transient, is_stale, state_failure, FlowContext, FlowSettings};
use super::mapped::{self, refused_to_ipaas};
use super::merge::{agreed, decide, nothing_new, Values};
use super::Outcome;
use crate::catalog::{MessageId, Raised};
use crate::flow::{Flow, RecordRef, System};
use crate::ipaas::{Customer, IpaasError, LinkTable};
use crate::mapping::document::{Direction, MappingError, Pair};
use crate::queue::WorkMessage;
use crate::records::Contact;
use crate::salesforce::SalesforceId;
use crate::state::{LedgerEntry, StateError};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use std::collections::{BTreeSet, HashMap};

const FLOW: Flow = Flow::ContactToIpaas;

/// Processes a batch: the Contacts as the poller read them (one SOQL read for any message
/// that does not carry its row), then one sync per Contact, at once (bounded).
/// `account_settings` are the Account TO flow's, used when an Account must go first.
pub async fn run(
    ctx: &FlowContext,
    settings: FlowSettings,
    account_settings: FlowSettings,
    messages: &[WorkMessage],
) -> Vec<Outcome> {
    let ids: Vec<Option<SalesforceId>> = messages.iter().map(|m| id_of(m, "003")).collect();
    // The rows the poller handed on need no second read; only the others are read, in one
    // query.
    let carried = mapped::carried_rows(ctx, Pair::Contact, messages);
    let valid: Vec<&SalesforceId> = ids
        .iter()
        .flatten()
        .filter(|id| !carried.contains_key(id.as_str()))
        .collect();
    let read = if valid.is_empty() {
        Ok(HashMap::new())
    } else {
        read_contacts(ctx, &valid).await
    };
    let contacts = match read.map(|mut read| {
        read.extend(
            carried
                .iter()
                .map(|(id, row)| (id.clone(), Contact::from_fields(row))),
        );
        read
    }) {
        Ok(a) => a,
        Err(e) => return super::to_ipaas::read_failed(ctx, FLOW, "Contact", messages, e).await,
    };
    // The records of a batch are worked at once, bounded; outcomes stay in message order.
    let work: Vec<_> = messages
        .iter()
        .zip(&ids)
        .map(|(m, id)| one(ctx, settings, account_settings, &contacts, m, id.as_ref()))
        .collect();
    futures::stream::iter(work)
        .buffered(ctx.pacing.concurrency.max(1))
        .collect()
        .await
}

async fn one(
    ctx: &FlowContext,
    settings: FlowSettings,
    account_settings: FlowSettings,
    contacts: &HashMap<String, Contact>,
    m: &WorkMessage,
    id: Option<&SalesforceId>,
) -> Outcome {
    let Some(id) = id else {
        return super::to_ipaas::misrouted(ctx, FLOW, "Contact", m).await;
    };
    match contacts.get(id.as_str()) {
        Some(contact) => sync(ctx, settings, account_settings, contact, m.changed_at).await,
        None => super::to_ipaas::missing(ctx, FLOW, "Contact", id).await,
    }
}

async fn read_contacts(
    ctx: &FlowContext,
    ids: &[&SalesforceId],
) -> Result<HashMap<String, Contact>, crate::salesforce::SalesforceError> {
    let rows = ctx
        .salesforce
        .query_by_ids("Contact", &mapped::read_fields(ctx, Pair::Contact), ids)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, fields)| (id, Contact::from_fields(&fields)))
        .collect())
}

/// How the Customer was found.
enum Found {
    /// Linked to this Contact already (ledger or iPaaS.com link).
    Linked(Customer),
    /// Made for this Contact before (customer_number), by a create whose answer was lost.
    Recovered(Customer),
    /// The one free Customer with the Contact's email, now claimed for it.
    ByEmail(Customer),
    Nothing,
}

pub async fn sync(
    ctx: &FlowContext,
    settings: FlowSettings,
    account_settings: FlowSettings,
    contact: &Contact,
    changed_at: Option<DateTime<Utc>>,
) -> Outcome {
    let Some(sf_id) = contact.id.as_ref().map(|i| i.to_string()) else {
        return Outcome::Rejected {
            reason: "a Contact without an Id".into(),
        };
    };
    let Some(account_id) = contact.account_id.clone() else {
        tracing::info!(contact = %sf_id, "skipped: contact has no AccountId (by design, not an error)");
        return Outcome::Skipped {
            reason: "the Contact has no AccountId".into(),
        };
    };
    let record = RecordRef::new(System::Salesforce, "Contact", sf_id.clone());
    let entry = match ctx.ledger(FLOW, &sf_id).await {
        Ok(e) => e,
        Err(e) => return state_failure(FLOW, &sf_id, e),
    };
    let version = contact.system_modstamp.or(changed_at);
    if is_stale(&entry, version) {
        return Outcome::Stale;
    }
    let source = mapped::salesforce_values(ctx, Pair::Contact, &contact.row, Direction::ToIpaas);
    if let (Some(target), Some(base)) = (&entry.target_id, &entry.synced) {
        if nothing_new(&source, base) {
            return Outcome::Unchanged {
                target: target.clone(),
            };
        }
    }
    let company_id = match company_for(ctx, account_settings, &account_id, &record).await {
        Ok(id) => id,
        Err(outcome) => return outcome,
    };
    let sync = Sync {
        ctx,
        settings,
        contact,
        sf_id: &sf_id,
        account_id: &account_id,
        company_id,
        record: &record,
        source: &source,
        version,
    };
    let (entry, found) = match sync.find(entry).await {
        Ok(f) => f,
        Err(outcome) => return outcome,
    };
    match found {
        Found::Linked(c) => sync.update(entry, c, How::Linked).await,
        Found::Recovered(c) => sync.update(entry, c, How::Recovered).await,
        Found::ByEmail(c) => sync.update(entry, c, How::ByEmail).await,
        Found::Nothing => sync.create(entry).await,
    }
}

/// The iPaaS.com Company of the Contact's Account: from the Account's own sync (ledger),
/// else its link; an Account not in iPaaS.com yet is synced first.
async fn company_for(
    ctx: &FlowContext,
    account_settings: FlowSettings,
    account_id: &SalesforceId,
    record: &RecordRef,
) -> Result<u64, Outcome> {
    let account = account_id.to_string();
    if let Ok(e) = ctx.ledger(Flow::AccountToIpaas, &account).await {
        if let Some(id) = e.target_id.as_deref().and_then(|t| t.parse().ok()) {
            return Ok(id);
        }
    }
    match ctx.ipaas.lookup_link(LinkTable::Company, &account).await {
        Ok(Some(id)) => return Ok(id),
        Ok(None) => {}
        Err(e) => {
            let retry = ipaas_transient(&e);
            return Err(ctx.fail(FLOW, record.clone(), e.to_raised(), retry).await);
        }
    }
    tracing::info!(account = %account_id, "the Contact's Account is not in iPaaS.com yet; syncing it first");
    let accounts = match account_to_ipaas::read_accounts(ctx, &[account_id]).await {
        Ok(a) => a,
        Err(e) => {
            let retry = super::context::salesforce_transient(&e);
            return Err(ctx.fail(FLOW, record.clone(), e.to_raised(), retry).await);
        }
    };
    let Some(a) = accounts.get(account_id.as_str()) else {
        return Err(Outcome::Deferred {
            reason: format!("the Contact's Account {account_id} is not readable in Salesforce"),
        });
    };
    match account_to_ipaas::sync(ctx, account_settings, a, None).await {
        Outcome::Created { target }
        | Outcome::Updated { target }
        | Outcome::Unchanged { target }
        | Outcome::Linked { target } => target.parse().map_err(|_| Outcome::Deferred {
            reason: format!("the Company {target} of Account {account_id} is not an id"),
        }),
        // The Account waits (its create is in flight, the budget…): so does its Contact.
        wait @ Outcome::Postponed { .. } => Err(wait),
        other => Err(Outcome::Deferred {
            reason: format!(
                "the Contact's Account {account_id} could not be brought to iPaaS.com: {}",
                other.label()
            ),
        }),
    }
}

/// How an existing Customer came to be this Contact's, for the outcome's name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum How {
    Linked,
    Recovered,
    ByEmail,
}

struct Sync<'a> {
    ctx: &'a FlowContext,
    settings: FlowSettings,
    contact: &'a Contact,
    sf_id: &'a str,
    account_id: &'a SalesforceId,
    company_id: u64,
    record: &'a RecordRef,
    source: &'a Values,
    version: Option<DateTime<Utc>>,
}

impl Sync<'_> {
    async fn fail(&self, e: IpaasError) -> Outcome {
        let retry = ipaas_transient(&e);
        self.ctx
            .fail(FLOW, self.record.clone(), e.to_raised(), retry)
            .await
    }

    /// The Customer for this Contact (see the module comment).
    async fn find(&self, entry: LedgerEntry) -> Result<(LedgerEntry, Found), Outcome> {
        let ctx = self.ctx;
        let known = entry
            .target_id
            .as_deref()
            .and_then(|t| t.parse::<u64>().ok());
        let unlinked = known.is_none()
            && ctx
                .known_unlinked(
                    &entry,
                    self.contact.created_by_id.as_deref(),
                    self.contact.created_date,
                )
                .await;
        let linked = match known {
            Some(id) => Some(id),
            None if unlinked => None,
            None => match ctx.ipaas.lookup_link(LinkTable::Customer, self.sf_id).await {
                Ok(l) => l,
                Err(e) => return Err(self.fail(e).await),
            },
        };
        if let Some(id) = linked {
            // One found by its link while a create is unsettled is that create's (it carried
            // the link).
            let recovering = known.is_none() && entry.creating_since.is_some();
            return match ctx.ipaas.get_customer(id).await {
                Ok(Some(c)) if recovering => Ok((entry, Found::Recovered(c))),
                Ok(Some(c)) => Ok((entry, Found::Linked(c))),
                // Deleted in iPaaS.com: made again (deletes are not synced).
                Ok(None) => Ok((entry, Found::Nothing)),
                Err(e) => Err(self.fail(e).await),
            };
        }
        if entry.creating_since.is_some() {
            if let Some(wait) = ctx.pending_create(&entry) {
                return Err(wait);
            }
            match self.made_for_me().await {
                Ok(Some(c)) => return Ok((entry, Found::Recovered(c))),
                Ok(None) => {}
                Err(e) => return Err(self.fail(e).await),
            }
        }
        let ours = ctx
            .made_by_us_recently(
                self.contact.created_by_id.as_deref(),
                self.contact.created_date,
            )
            .await;
        if ours.unwrap_or(false) {
            return Err(Outcome::Postponed {
                delay: ctx.pacing.create_lease,
                reason: "this Contact was made by Contact FROM iPaaS.com; its link is on its way"
                    .into(),
            });
        }
        self.by_email(entry).await
    }

    /// The Customer an earlier create made for this Contact (its customer_number is this
    /// Contact's Id), found even when the Contact has no email.
    async fn made_for_me(&self) -> Result<Option<Customer>, IpaasError> {
        let system = self.ctx.ipaas.system_id();
        let found = self.ctx.ipaas.find_customers_by_number(self.sf_id).await?;
        Ok(found
            .into_iter()
            .filter(|c| c.link_for(system).is_none_or(|l| l == self.sf_id))
            .min_by_key(|c| c.id))
    }

    /// The one free Customer with this Contact's email, claimed for it with the other
    /// direction's half of the pair in one write; none, or none free → create.
    async fn by_email(&self, entry: LedgerEntry) -> Result<(LedgerEntry, Found), Outcome> {
        let ctx = self.ctx;
        let Some(email) = self
            .contact
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
        else {
            return Ok((entry, Found::Nothing));
        };
        let found = match ctx.ipaas.find_customers_by_email(email).await {
            Ok(f) => f,
            Err(e) => return Err(self.fail(e).await),
        };
        if found.is_empty() {
            return Ok((entry, Found::Nothing));
        }
        let system = ctx.ipaas.system_id();
        // One made for this very Contact (an earlier create, its link lost) is ours.
        if let Some(c) = found.iter().find(|c| {
            c.customer_number.as_deref() == Some(self.sf_id) && c.link_for(system).is_none()
        }) {
            return Ok((entry, Found::Recovered(c.clone())));
        }
        let free: Vec<&Customer> = found
            .iter()
            .filter(|c| c.link_for(system).is_none() && !made_for_another(c, self.sf_id))
            .collect();
        let why = match free.as_slice() {
            [one] => match self.claim(entry.clone(), one).await {
                Ok(Some(entry)) => return Ok((entry, Found::ByEmail((*one).clone()))),
                Ok(None) => {
                    "the one Customer with this email is being linked elsewhere".to_string()
                }
                Err(e) => return Err(state_failure(FLOW, self.sf_id, e)),
            },
            [] => format!(
                "{} Customer(s) have this email, each linked to (or made for) another Contact",
                found.len()
            ),
            many => format!("{} unlinked Customers have this email", many.len()),
        };
        let raised = Raised::new(MessageId::EmailLinkFailed).detail(why);
        let mut entry = entry;
        ctx.log_on(FLOW, self.record.clone(), raised, &mut entry)
            .await;
        Ok((entry, Found::Nothing))
    }

    /// Claims the pair before the link is written (see `FlowContext::pair_up`).
    async fn pair(&self, entry: LedgerEntry, id: u64) -> Result<LedgerEntry, Outcome> {
        match self
            .ctx
            .pair_up(FLOW, self.sf_id, entry, &id.to_string())
            .await
        {
            Ok(Some(e)) => Ok(e),
            Ok(None) => Err(Outcome::Postponed {
                delay: self.ctx.pacing.create_lease,
                reason: format!("Customer {id} is paired with another Contact; looking again"),
            }),
            Err(e) => Err(state_failure(FLOW, self.sf_id, e)),
        }
    }

    /// Claims the pair (this Contact, `customer`) in both ledgers at once. `None`: the
    /// Customer is paired with (or being created from) something else.
    async fn claim(
        &self,
        entry: LedgerEntry,
        customer: &Customer,
    ) -> Result<Option<LedgerEntry>, StateError> {
        let id = customer.id.unwrap_or_default().to_string();
        self.ctx.pair_up(FLOW, self.sf_id, entry, &id).await
    }

    /// The Customer's values in the Contact's field names; its company stands for this
    /// Contact's Account when it is the Account's Company.
    fn target_values(&self, customer: &Customer) -> Result<Values, MappingError> {
        let mut v = mapped::ipaas_values(self.ctx, Pair::Contact, customer, Direction::ToIpaas)?;
        match customer.company_id {
            Some(c) if c == self.company_id => {
                v.insert("AccountId".into(), self.account_id.to_string());
            }
            Some(other) => {
                v.insert("AccountId".into(), format!("ipaas-company:{other}"));
            }
            None => {}
        }
        Ok(v)
    }

    /// The Customer to send: `existing` with the chosen fields laid over it, its
    /// customer_number this Contact's Id, its company the Account's Company.
    fn customer(
        &self,
        existing: Option<&Customer>,
        only: Option<&BTreeSet<String>>,
    ) -> Result<Customer, MappingError> {
        let mut c: Customer =
            mapped::write_ipaas(self.ctx, Pair::Contact, existing, self.source, only)?;
        c.customer_number = Some(self.sf_id.to_string());
        if only.is_none_or(|o| o.contains("AccountId")) {
            c.company_id = Some(self.company_id);
        }
        Ok(c)
    }

    /// The mapping refuses the record (a value it may not translate).
    async fn refused(&self, e: &MappingError) -> Outcome {
        self.ctx
            .fail(FLOW, self.record.clone(), refused_to_ipaas(e), false)
            .await
    }

    async fn update(&self, entry: LedgerEntry, customer: Customer, how: How) -> Outcome {
        let ctx = self.ctx;
        let id = customer.id.unwrap_or_default();
        let target = match self.target_values(&customer) {
            Ok(v) => v,
            Err(e) => return self.refused(&e).await,
        };
        let base = (entry.target_id.as_deref() == Some(id.to_string().as_str()))
            .then(|| entry.synced.clone())
            .flatten();
        let base = base.as_ref();
        let later = later(self.contact.system_modstamp, customer.last_modified_date);
        let decision = decide(self.source, &target, base, later);
        tracing::debug!(flow = %FLOW, record = self.sf_id, customer = id, ?later,
            write = ?decision.write.keys().collect::<Vec<_>>(), kept = ?decision.kept, "merged");
        let after = if decision.write.is_empty() {
            target
        } else if !self.settings.sync_type.may_update() && how != How::Recovered {
            return Outcome::Skipped {
                reason: "sync type Add: existing Customers are not updated".into(),
            };
        } else {
            let only: BTreeSet<String> = decision.write.keys().cloned().collect();
            let body = match self.customer(Some(&customer), Some(&only)) {
                Ok(b) => b,
                Err(e) => return self.refused(&e).await,
            };
            match ctx.ipaas.update_customer(id, &body).await {
                Ok(stored) => match self.target_values(&stored) {
                    Ok(v) => v,
                    Err(e) => return self.refused(&e).await,
                },
                Err(e) => return self.fail(e).await,
            }
        };
        let link_written = customer
            .link_for(ctx.ipaas.system_id())
            .is_some_and(|l| super::context::same_id(l, self.sf_id));
        let mut entry = entry;
        if !link_written {
            entry = match self.pair(entry, id).await {
                Ok(e) => e,
                Err(outcome) => return outcome,
            };
            if let Err(e) = ctx
                .ipaas
                .write_link(LinkTable::Customer, self.sf_id, id)
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
        let target = id.to_string();
        match how {
            How::Recovered => Outcome::Created { target },
            How::ByEmail => Outcome::Linked { target },
            How::Linked if decision.write.is_empty() => Outcome::Unchanged { target },
            How::Linked => Outcome::Updated { target },
        }
    }

    async fn create(&self, entry: LedgerEntry) -> Outcome {
        let ctx = self.ctx;
        if !self.settings.sync_type.may_create() {
            return Outcome::Skipped {
                reason: "sync type Update: no linked Customer to update".into(),
            };
        }
        let mut entry = match ctx.creating(FLOW, self.sf_id, entry).await {
            Ok(e) => e,
            Err(outcome) => return outcome,
        };
        let body = match self.customer(None, None) {
            Ok(mut b) => {
                // Linked by its own create: one call, and an unanswered create is found by
                // its link.
                b.external_ids = vec![ctx.ipaas.link_on_create(self.sf_id)];
                b
            }
            Err(e) => {
                ctx.abandon_create(FLOW, self.sf_id, &mut entry).await;
                return self.refused(&e).await;
            }
        };
        let created = match ctx.ipaas.create_customer(&body).await {
            Ok(c) => c,
            Err(e @ (IpaasError::Ambiguous { .. } | IpaasError::Decode { .. })) => {
                return ctx.create_unconfirmed("a Customer", &e.to_string());
            }
            Err(e) => {
                ctx.abandon_create(FLOW, self.sf_id, &mut entry).await;
                return self.fail(e).await;
            }
        };
        let id = created.id.unwrap_or_default();
        let answered = created.link_for(ctx.ipaas.system_id());
        let entry = if super::to_ipaas::linked_by_create(ctx, self.sf_id, answered) {
            // A Customer this very create made, carrying this Contact's link: nothing else
            // can hold it, so there is no pair to claim first.
            entry
        } else {
            let entry = match self.pair(entry, id).await {
                Ok(e) => e,
                Err(outcome) => return outcome,
            };
            if let Err(e) =
                super::to_ipaas::link_created(ctx, LinkTable::Customer, self.sf_id, id).await
            {
                // The pair stays claimed: the next delivery links this Customer.
                return self.fail(e).await;
            }
            entry
        };
        let after = self.target_values(&created).unwrap_or_default();
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
        Outcome::Created {
            target: id.to_string(),
        }
    }
}

/// A Customer whose customer_number is another Contact's Id was made for that Contact.
fn made_for_another(c: &Customer, sf_id: &str) -> bool {
    c.customer_number
        .as_deref()
        .and_then(|n| SalesforceId::parse(n.trim()).ok())
        .is_some_and(|n| n.key_prefix() == "003" && !super::context::same_id(n.as_str(), sf_id))
}
