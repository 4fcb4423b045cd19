//! The mapping document (issue 12, docs/mapping.md): which Salesforce field goes to which
//! iPaaS.com field, per object pair and direction, with constants and transforms, read from
//! one TOML file. Today's mapping is the built-in default (`default.toml`), so with no
//! document nothing changes.
//!
//! Values are always compared in Salesforce terms, keyed by Salesforce field name (the
//! merge's `Values`): Salesforce rows as they are (`salesforce_values`), iPaaS.com records
//! through the iPaaS.com → Salesforce transforms (`ipaas_values`). Translation the other way
//! happens when an iPaaS.com record is written (`write_ipaas`); Salesforce writes take the
//! values as they are (`write_salesforce`). The relationship between the records (the
//! Contact's AccountId ⇄ the Customer's company_id, the customer_number) stays with the
//! flows: the document never names it.

mod address;
mod check;
mod entries;
mod error;
mod ipaas_fields;
mod load;
mod model;
mod parse;
mod read;
mod record;
mod schema;
mod transform;
mod write;

#[cfg(test)]
mod tests;

pub use check::{check, check_org, Finding, Severity};
pub use entries::{Entry, EntryKind};
pub use error::{DocumentError, MappingError};
pub use ipaas_fields::{IpaasFieldInfo, IpaasFieldKind, IpaasFields};
pub use load::{load_from_env, MAPPING_PARAMETER};
pub use model::{PairMapping, Runs};
pub use parse::VERSION;

use std::collections::BTreeMap;

/// Field → non-empty value, keyed by Salesforce field name (the same type as the merge's
/// `flows::merge::Values`).
pub type Values = BTreeMap<String, String>;

/// The built-in document: today's mapping (DESIGN.md §3).
pub const DEFAULT_DOCUMENT: &str = include_str!("../default.toml");

/// Which way a value travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Salesforce → iPaaS.com (the TO flows).
    ToIpaas,
    /// iPaaS.com → Salesforce (the FROM flows).
    FromIpaas,
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Direction::ToIpaas => "to iPaaS.com",
            Direction::FromIpaas => "from iPaaS.com",
        })
    }
}

/// An object pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pair {
    /// Salesforce Account ⇄ iPaaS.com Company.
    Account,
    /// Salesforce Contact ⇄ iPaaS.com Customer.
    Contact,
}

impl Pair {
    pub const ALL: [Pair; 2] = [Pair::Account, Pair::Contact];

    pub fn salesforce_object(self) -> &'static str {
        match self {
            Pair::Account => "Account",
            Pair::Contact => "Contact",
        }
    }

    pub fn ipaas_kind(self) -> &'static str {
        match self {
            Pair::Account => "Company",
            Pair::Contact => "Customer",
        }
    }

    /// The pair's table in the document (`[account]`, `[contact]`).
    pub fn key(self) -> &'static str {
        match self {
            Pair::Account => "account",
            Pair::Contact => "contact",
        }
    }

    /// The Salesforce field that relates the record to its parent, kept by the flows.
    pub fn relationship(self) -> Option<&'static str> {
        match self {
            Pair::Account => None,
            Pair::Contact => Some("AccountId"),
        }
    }

    /// The object's standard compound addresses.
    pub fn address_prefixes(self) -> &'static [&'static str] {
        match self {
            Pair::Account => &["Billing", "Shipping"],
            Pair::Contact => &["Mailing", "Other"],
        }
    }
}

/// A whole mapping document: both object pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    account: PairMapping,
    contact: PairMapping,
}

impl Mapping {
    /// Reads a document; an error names the line and the problem.
    pub fn parse(text: &str) -> Result<Mapping, DocumentError> {
        parse::parse(text)
    }

    /// The built-in default (today's mapping).
    pub fn builtin() -> Mapping {
        Mapping::parse(DEFAULT_DOCUMENT).expect("the built-in mapping document is valid")
    }

    /// Reads a document from a file (`sfsync … --mapping FILE`).
    pub fn from_file(path: &std::path::Path) -> Result<Mapping, DocumentError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| DocumentError::new(0, format!("cannot read {}: {e}", path.display())))?;
        Mapping::parse(&text).map_err(|e| DocumentError {
            message: format!("{}: {}", path.display(), e.message),
            ..e
        })
    }

    pub fn account(&self) -> &PairMapping {
        &self.account
    }

    pub fn contact(&self) -> &PairMapping {
        &self.contact
    }

    pub fn pair(&self, pair: Pair) -> &PairMapping {
        match pair {
            Pair::Account => &self.account,
            Pair::Contact => &self.contact,
        }
    }
}

impl Default for Mapping {
    /// The built-in document.
    fn default() -> Self {
        Mapping::builtin()
    }
}

impl PairMapping {
    pub fn pair(&self) -> Pair {
        self.pair
    }

    /// The fields a flow reads from Salesforce: Id, the system fields the flows need
    /// (SystemModstamp, CreatedById, CreatedDate), the relationship field (Contact:
    /// AccountId), then every mapped Salesforce field, each once.
    pub fn soql_fields(&self) -> Vec<String> {
        let mut out: Vec<String> = ["Id", "SystemModstamp", "CreatedById", "CreatedDate"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        out.extend(self.pair.relationship().map(str::to_string));
        let mapped = self
            .fields
            .iter()
            .map(|f| vec![f.salesforce.clone()])
            .chain(self.addresses.iter().map(|a| a.fields()))
            .flatten();
        for f in mapped {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(&f)) {
                out.push(f);
            }
        }
        out
    }

    /// The keys of the `Values` compared in `direction` (for the merge and the echo
    /// fingerprints): the Salesforce fields mapped that way, address parts included, and
    /// the relationship field (Contact: AccountId).
    pub fn fields(&self, direction: Direction) -> Vec<String> {
        let mut out: Vec<String> = self
            .fields
            .iter()
            .filter(|f| f.runs.includes(direction))
            .map(|f| f.salesforce.clone())
            .collect();
        for a in self.addresses.iter().filter(|a| a.runs.includes(direction)) {
            out.extend(a.fields());
        }
        out.extend(self.pair.relationship().map(str::to_string));
        out
    }
}
