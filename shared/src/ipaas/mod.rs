//! iPaaS.com API client (docs/ipaas-api.md is the contract): Customers, Companies, their
//! external-id links and Error Log entries, with retries and API-key rotation.

mod client;
mod companies;
mod config;
mod customers;
mod error;
mod error_logs;
mod key;
mod links;
mod pager;
mod paging;
mod records;

pub use crate::http::retry::RetryPolicy;
pub use client::IpaasClient;
pub use config::{IpaasConfig, IpaasPaths, DEFAULT_BASE_URL, SYSTEM_ID_RANGE};
pub use error::{excerpt, truncate_chars, IpaasError, EXCERPT_CHARS};
pub use links::LinkTable;
pub use pager::Pager;
pub use paging::{Page, Pagination, MAX_PAGE_SIZE};
pub use records::{Address, Company, Customer, ExternalId};

#[cfg(test)]
mod client_tests;
