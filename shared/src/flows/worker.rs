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
            None => self.run(messages).await,
        };
        self.requeue_postponed(messages, outcomes).await
    }
}

impl Worker {
    async fn run(&self, messages: &[WorkMessage]) -> Vec<Outcome> {
        let s = &self.settings;
        match self.flow {
            Flow::AccountToIpaas => {
                account_to_ipaas::run(&self.ctx, s.account_to_ipaas, messages).await
            }
            Flow::ContactToIpaas => {
                contact_to_ipaas::run(&self.ctx, s.contact_to_ipaas, s.account_to_ipaas, messages)
                    .await
            }
            Flow::AccountFromIpaas => {
                account_from_ipaas::run(&self.ctx, s.account_from_ipaas, messages).await
            }
            Flow::ContactFromIpaas => {
                contact_from_ipaas::run(
                    &self.ctx,
                    s.contact_from_ipaas,
                    s.account_from_ipaas,
                    messages,
                )
                .await
            }
        }
    }

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
