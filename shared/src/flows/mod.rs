//! The four flows (DESIGN.md §3) and what they share: settings, outcomes, and the SQS batch
//! runner every worker Lambda uses.

pub mod account_from_ipaas;
pub mod account_to_ipaas;
pub mod contact_from_ipaas;
pub mod contact_to_ipaas;
mod context;
pub mod env;
mod from_ipaas;
mod mapped;
pub mod merge;
mod origin;
mod outcome;
mod runner;
mod settings;
mod to_ipaas;
mod worker;

pub use context::{ExternalIdFields, FlowContext, FlowSettings, Pacing};
pub use mapped::polled_fields;
pub use outcome::Outcome;
pub use runner::{run_batch, BatchReport, FlowWorker};
pub use settings::{CollisionMethod, SyncType};
pub use worker::{code, AllSettings, FlowCode, Worker};

#[cfg(test)]
mod runner_tests;
