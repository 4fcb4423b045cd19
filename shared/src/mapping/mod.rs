//! Field mapping between the two systems (DESIGN.md §3), and the fingerprint used to skip
//! writes that would change nothing.

mod account;
mod address;
mod contact;
pub mod document;

pub use account::{account_to_company, company_to_account};
pub use contact::{contact_to_customer, customer_to_contact};

use sha2::{Digest, Sha256};

/// A stable fingerprint of the fields a flow is about to write (keys sorted by serde_json's
/// map order), stored in the ledger: an identical next write is skipped.
pub fn fingerprint(fields: &serde_json::Value) -> String {
    let canonical = serde_json::to_string(fields).unwrap_or_default();
    let digest = Sha256::digest(canonical.as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}
