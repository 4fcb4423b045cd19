//! The one `FlowWorker` every worker Lambda (and the local demo) runs: it hands a batch to
//! its flow's code.

use super::{account_from_ipaas, account_to_ipaas, contact_from_ipaas, contact_to_ipaas};
use super::{FlowContext, FlowSettings, FlowWorker, Outcome};
use crate::flow::Flow;
use crate::queue::WorkMessage;
use async_trait::async_trait;

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
}

#[async_trait]
impl FlowWorker for Worker {
    fn flow(&self) -> Flow {
        self.flow
    }

    async fn process(&self, messages: &[WorkMessage]) -> Vec<Outcome> {
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
}
