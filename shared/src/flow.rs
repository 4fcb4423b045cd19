//! The user's vocabulary for where work comes from and goes: the four flows, the two
//! systems, and a reference to one record in one of them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One direction of sync for one record kind, named as in iPaaS.com.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flow {
    AccountToIpaas,
    AccountFromIpaas,
    ContactToIpaas,
    ContactFromIpaas,
}

impl Flow {
    pub const ALL: [Flow; 4] = [
        Flow::AccountToIpaas,
        Flow::AccountFromIpaas,
        Flow::ContactToIpaas,
        Flow::ContactFromIpaas,
    ];

    /// The name a person sees ("Account TO iPaaS.com").
    pub fn title(self) -> &'static str {
        match self {
            Flow::AccountToIpaas => "Account TO iPaaS.com",
            Flow::AccountFromIpaas => "Account FROM iPaaS.com",
            Flow::ContactToIpaas => "Contact TO iPaaS.com",
            Flow::ContactFromIpaas => "Contact FROM iPaaS.com",
        }
    }

    /// The stable machine name, as used in queue messages and configuration.
    pub fn slug(self) -> &'static str {
        match self {
            Flow::AccountToIpaas => "account-to-ipaas",
            Flow::AccountFromIpaas => "account-from-ipaas",
            Flow::ContactToIpaas => "contact-to-ipaas",
            Flow::ContactFromIpaas => "contact-from-ipaas",
        }
    }

    /// The flow of the same record kind in the other direction: it keeps the other half of
    /// each linked pair's ledger (keyed by the other system's id).
    pub fn opposite(self) -> Flow {
        match self {
            Flow::AccountToIpaas => Flow::AccountFromIpaas,
            Flow::AccountFromIpaas => Flow::AccountToIpaas,
            Flow::ContactToIpaas => Flow::ContactFromIpaas,
            Flow::ContactFromIpaas => Flow::ContactToIpaas,
        }
    }

    /// The system a flow reads its records from.
    pub fn source(self) -> System {
        match self {
            Flow::AccountToIpaas | Flow::ContactToIpaas => System::Salesforce,
            Flow::AccountFromIpaas | Flow::ContactFromIpaas => System::Ipaas,
        }
    }
}

impl fmt::Display for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

impl std::str::FromStr for Flow {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Flow::ALL
            .into_iter()
            .find(|f| f.slug() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = Flow::ALL.iter().map(|f| f.slug()).collect();
                format!("unknown flow {s:?}; expected one of {}", known.join(", "))
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum System {
    Salesforce,
    Ipaas,
}

impl fmt::Display for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            System::Salesforce => "Salesforce",
            System::Ipaas => "iPaaS.com",
        })
    }
}

/// One record in one system, e.g. Salesforce Contact 003… or iPaaS.com Customer 42.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordRef {
    pub system: System,
    /// Account / Contact in Salesforce, Company / Customer in iPaaS.com.
    pub kind: String,
    pub id: String,
}

impl RecordRef {
    pub fn new(system: System, kind: &str, id: impl Into<String>) -> Self {
        RecordRef {
            system,
            kind: kind.to_string(),
            id: id.into(),
        }
    }
}

impl fmt::Display for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.system, self.kind, self.id)
    }
}
