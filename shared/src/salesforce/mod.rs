//! Salesforce REST client: OAuth refresh with rotation, records, SOQL, sObject Collections.

pub mod id;

pub use id::{IdError, SalesforceId};
