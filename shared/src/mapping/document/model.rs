//! The mapping once read and checked: what the engine runs. Built only by `parse`, so every
//! value here has passed the document's rules (no field mapped twice in one direction, value
//! tables that can be read backwards where they must be, known address prefixes and flags).

use super::{Direction, Pair};
use std::collections::BTreeMap;

/// Which way a field mapping runs (the document's `direction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runs {
    Both,
    ToIpaas,
    FromIpaas,
}

impl Runs {
    pub fn includes(self, d: Direction) -> bool {
        match self {
            Runs::Both => true,
            Runs::ToIpaas => d == Direction::ToIpaas,
            Runs::FromIpaas => d == Direction::FromIpaas,
        }
    }

    /// `⇄`, `→` (to iPaaS.com) or `←` (from iPaaS.com), for tables.
    pub fn arrow(self) -> &'static str {
        match self {
            Runs::Both => "⇄",
            Runs::ToIpaas => "→",
            Runs::FromIpaas => "←",
        }
    }
}

/// An iPaaS.com field: a top-level field of the record, or a custom field by name (on the
/// wire `custom_fields: [{"name": …, "value": …}]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpaasField {
    Top(String),
    Custom(String),
}

impl std::fmt::Display for IpaasField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IpaasField::Top(n) => write!(f, "{n}"),
            IpaasField::Custom(n) => write!(f, "custom_fields.{n}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Trim,
    Lower,
    Upper,
}

impl Case {
    pub fn name(self) -> &'static str {
        match self {
            Case::Trim => "trim",
            Case::Lower => "lower",
            Case::Upper => "upper",
        }
    }
}

/// What a value table does with a value it does not list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unknown {
    /// The field is left out (not written, not compared).
    Skip,
    /// The record fails with an error naming the field and the value.
    Fail,
    /// This value is used instead.
    Default(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueTable {
    /// Source value → target value, for one direction.
    pub entries: BTreeMap<String, String>,
    pub unknown: Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    Truncate,
    Fail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxLength {
    pub length: usize,
    pub overflow: Overflow,
}

/// The transforms of one direction, applied in this order: case transforms (in the order
/// given), the value table, then the maximum length.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chain {
    pub cases: Vec<Case>,
    pub table: Option<ValueTable>,
    pub max_length: Option<MaxLength>,
}

impl Chain {
    pub fn is_empty(&self) -> bool {
        self.cases.is_empty() && self.table.is_none() && self.max_length.is_none()
    }
}

/// Salesforce field ⇄ iPaaS.com field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMap {
    pub salesforce: String,
    pub ipaas: IpaasField,
    pub runs: Runs,
    /// Salesforce value → iPaaS.com value.
    pub to_ipaas: Chain,
    /// iPaaS.com value → Salesforce value (for a `to_ipaas` mapping: how the iPaaS.com value
    /// is read back for comparison, the shared table reversed).
    pub from_ipaas: Chain,
    pub line: usize,
}

/// Which flagged address of the iPaaS.com record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    PrimaryBilling,
    PrimaryShipping,
}

impl Flag {
    /// The address's JSON flag.
    pub fn key(self) -> &'static str {
        match self {
            Flag::PrimaryBilling => "is_primary_billing",
            Flag::PrimaryShipping => "is_primary_shipping",
        }
    }

    /// The document's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Flag::PrimaryBilling => "primary_billing",
            Flag::PrimaryShipping => "primary_shipping",
        }
    }
}

/// Salesforce's five address fields of one prefix (`BillingStreet` …) ⇄ a flagged address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressMap {
    pub prefix: String,
    pub flag: Flag,
    pub runs: Runs,
    /// A new iPaaS.com address takes the record's first_name and last_name (Customers).
    pub copy_names: bool,
    pub line: usize,
}

/// The five parts of a Salesforce address and their iPaaS.com counterparts (the street is
/// one multi-line field in Salesforce and address_1..3 in iPaaS.com).
pub const ADDRESS_PARTS: [&str; 5] = ["Street", "City", "State", "PostalCode", "Country"];

impl AddressMap {
    /// `BillingStreet`, `BillingCity`, …
    pub fn fields(&self) -> Vec<String> {
        ADDRESS_PARTS
            .iter()
            .map(|p| format!("{}{p}", self.prefix))
            .collect()
    }
}

/// Where a constant is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Side {
    Salesforce(String),
    Ipaas(IpaasField),
}

/// A fixed value written to one side with every write of the pair there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constant {
    pub side: Side,
    pub value: String,
    pub line: usize,
}

/// One object pair's mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairMapping {
    pub(super) pair: Pair,
    pub(super) fields: Vec<FieldMap>,
    pub(super) addresses: Vec<AddressMap>,
    pub(super) constants: Vec<Constant>,
}
