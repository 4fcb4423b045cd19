//! Faithful simulators of a Salesforce org and an iPaaS.com tenant, served over HTTP on
//! loopback, with fault injection and per-endpoint call counters for tests and benchmarks.

pub mod counters;
pub mod faults;
pub mod ipaas;
pub mod salesforce;
