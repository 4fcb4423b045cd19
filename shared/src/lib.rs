//! Shared core of the Salesforce ⇄ iPaaS.com sync: the error catalog, the clients of both
//! systems, the ports (secrets, queue, state, error log) and their adapters.

pub mod aws;
pub mod catalog;
pub mod config;
pub mod error_log;
pub mod flow;
pub mod flows;
pub mod http;
pub mod ipaas;
pub mod lambda;
pub mod mapping;
pub mod metrics;
pub mod poller;
pub mod queue;
pub mod records;
pub mod salesforce;
pub mod secrets;
pub mod state;
pub mod telemetry;
pub mod webhook;
