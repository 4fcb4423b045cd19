//! The mapping as it was written in code before the mapping document (tests only): the
//! reference the built-in document is checked against, case by case.

mod account;
mod address;
mod contact;

pub use account::{account_to_company, company_to_account};
pub use contact::{contact_to_customer, customer_to_contact};
