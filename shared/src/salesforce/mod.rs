//! Salesforce REST client: OAuth refresh with rotation, records, SOQL, sObject Collections.

mod auth;
mod client;
mod collections;
mod credentials;
mod describe;
mod error;
pub mod id;
mod limits;
mod query;
mod records;
pub mod soql;

pub use client::{SalesforceClient, SalesforceConfig, DEFAULT_API_VERSION};
pub use collections::{SaveResult, MAX_PER_CALL};
pub use credentials::{Credentials, CredentialsError, DEFAULT_LOGIN_URL};
pub use describe::{Describe, DescribeField, FieldKind, PicklistValue};
pub use error::{ApiError, AuthFailure, SalesforceError};
pub use id::{IdError, SalesforceId};
pub use limits::ApiUsage;
pub use query::QueryPage;
pub use records::DuplicateRuleHeader;
