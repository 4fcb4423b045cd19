//! The one `FlowWorker` every worker Lambda (and the local demo) runs: it hands a batch to
//! its flow's code.

use super::{account_from_ipaas, account_to_ipaas, contact_from_ipaas, contact_to_ipaas};
use super::{FlowContext, FlowSettings, FlowWorker, Outcome};
use crate::flow::Flow;
use crate::queue::{WorkMessage, WorkQueue};
use async_trait::async_trait;
use std::sync::Arc;

/// Each flow's settings. The Contact flows read their Account flow's settings too, for the
/// Account they bring along when it has not been synced yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AllSettings {
    pub account_to_ipaas: FlowSettings,
    pub contact_to_ipaas: FlowSettings,
    pub account_from_ipaas: FlowSettings,
    pub contact_from_ipaas: FlowSettings,
}

impl AllSettings {
    pub fn get(&self, flow: Flow) -> FlowSettings {
        match flow {
            Flow::AccountToIpaas => self.account_to_ipaas,
            Flow::ContactToIpaas => self.contact_to_ipaas,
            Flow::AccountFromIpaas => self.account_from_ipaas,
            Flow::ContactFromIpaas => self.contact_from_ipaas,
        }
    }

    pub fn set(&mut self, flow: Flow, settings: FlowSettings) {
        match flow {
            Flow::AccountToIpaas => self.account_to_ipaas = settings,
            Flow::ContactToIpaas => self.contact_to_ipaas = settings,
            Flow::AccountFromIpaas => self.account_from_ipaas = settings,
            Flow::ContactFromIpaas => self.contact_from_ipaas = settings,
        }
    }
}

pub struct Worker {
    pub flow: Flow,
    pub ctx: FlowContext,
    pub settings: AllSettings,
    /// Where put-off messages go (the flow's own queue, with a delay). Without it they are
    /// answered as failures and SQS delivers them again after the visibility timeout.
    pub requeue: Option<Arc<dyn WorkQueue>>,
    /// The flow's code (`code::of(flow)`). A Lambda names its own flow's, so its bootstrap
    /// holds no other flow's code.
    pub run: FlowCode,
}

/// One flow's code: a batch of messages in, an outcome per message out, in order.
pub type FlowCode = for<'a> fn(
    &'a FlowContext,
    &'a AllSettings,
    &'a [WorkMessage],
) -> futures::future::BoxFuture<'a, Vec<Outcome>>;

/// Each flow's code, to be named by the Lambda that runs it.
pub mod code {
    use super::*;
    use futures::future::BoxFuture;

    pub fn account_to_ipaas<'a>(
        ctx: &'a FlowContext,
        s: &'a AllSettings,
        m: &'a [WorkMessage],
    ) -> BoxFuture<'a, Vec<Outcome>> {
        Box::pin(super::account_to_ipaas::run(ctx, s.account_to_ipaas, m))
    }

    /// The Account TO settings come along for an Account that must go first.
    pub fn contact_to_ipaas<'a>(
        ctx: &'a FlowContext,
        s: &'a AllSettings,
        m: &'a [WorkMessage],
    ) -> BoxFuture<'a, Vec<Outcome>> {
        Box::pin(super::contact_to_ipaas::run(
            ctx,
            s.contact_to_ipaas,
            s.account_to_ipaas,
            m,
        ))
    }

    pub fn account_from_ipaas<'a>(
        ctx: &'a FlowContext,
        s: &'a AllSettings,
        m: &'a [WorkMessage],
    ) -> BoxFuture<'a, Vec<Outcome>> {
        Box::pin(super::account_from_ipaas::run(ctx, s.account_from_ipaas, m))
    }

    /// The Account FROM settings come along for a Company that must go first.
    pub fn contact_from_ipaas<'a>(
        ctx: &'a FlowContext,
        s: &'a AllSettings,
        m: &'a [WorkMessage],
    ) -> BoxFuture<'a, Vec<Outcome>> {
        Box::pin(super::contact_from_ipaas::run(
            ctx,
            s.contact_from_ipaas,
            s.account_from_ipaas,
            m,
        ))
    }

    /// The code of `flow` (the local stack's, which runs all four).
    pub fn of(flow: Flow) -> FlowCode {
        match flow {
            Flow::AccountToIpaas => account_to_ipaas,
            Flow::ContactToIpaas => contact_to_ipaas,
            Flow::AccountFromIpaas => account_from_ipaas,
            Flow::ContactFromIpaas => contact_from_ipaas,
        }
    }
}

#[async_trait]
impl FlowWorker for Worker {
    fn flow(&self) -> Flow {
        self.flow
    }

    async fn process(&self, messages: &[WorkMessage]) -> Vec<Outcome> {
        // Above the API budget nothing touches Salesforce: the batch waits for the allowance.
        let outcomes = match self.ctx.over_budget() {
            Some(postponed) => {
                tracing::warn!(flow = %self.flow, messages = messages.len(), ?postponed, "API budget reached; putting the batch off");
                messages.iter().map(|_| postponed.clone()).collect()
            }
            None => (self.run)(&self.ctx, &self.settings, messages).await,
        };
        self.requeue_postponed(messages, outcomes).await
    }
}

impl Worker {
    /// Sends put-off messages back to the flow's queue with their delay. Without that queue,
    /// or if sending fails, they are answered as failures instead, so SQS delivers them again
    /// after the visibility timeout: a put-off message is never acknowledged unless re-sent.
    async fn requeue_postponed(
        &self,
        messages: &[WorkMessage],
        mut outcomes: Vec<Outcome>,
    ) -> Vec<Outcome> {
        for (m, o) in messages.iter().zip(outcomes.iter_mut()) {
            let Outcome::Postponed { delay, reason } = o else {
                continue;
            };
            let sent = match &self.requeue {
                Some(queue) => queue
                    .enqueue_after(std::slice::from_ref(m), *delay)
                    .await
                    .map_err(|e| e.to_string()),
                None => Err("the flow's own queue URL is not set".to_string()),
            };
            if let Err(why) = sent {
                tracing::info!(record = %m.record_id, %why, "put-off message left to SQS to deliver again");
                *o = Outcome::Deferred {
                    reason: reason.clone(),
                };
            }
        }
        outcomes
    }
}
