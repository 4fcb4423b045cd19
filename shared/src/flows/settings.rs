//! Per-flow choices a deployer makes, named as in iPaaS.com's mapping configuration.

use std::str::FromStr;

/// What to do when Salesforce answers DUPLICATES_DETECTED on create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CollisionMethod {
    /// No method selected: report "DUPLICATES_DETECTED…" in the Error Logs.
    #[default]
    Error,
    /// Link to the matched record, then apply the update.
    RemapAndLink,
    /// Update the matched record and link it.
    UpdateAndLink,
    /// Update the matched record, do not link.
    UpdateAndNoLink,
}

impl FromStr for CollisionMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace(['-', '_'], " ").as_str() {
            "" | "error" | "none" => Ok(CollisionMethod::Error),
            "remap and link" => Ok(CollisionMethod::RemapAndLink),
            "update and link" => Ok(CollisionMethod::UpdateAndLink),
            "update and no link" => Ok(CollisionMethod::UpdateAndNoLink),
            _ => Err(format!(
                "{s:?} is not a collision-handling method; use Error, Remap and Link, Update and Link, or Update and No Link"
            )),
        }
    }
}

/// Which writes a flow may make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncType {
    Add,
    Update,
    #[default]
    AddAndUpdate,
}

impl SyncType {
    pub fn may_create(self) -> bool {
        matches!(self, SyncType::Add | SyncType::AddAndUpdate)
    }

    pub fn may_update(self) -> bool {
        matches!(self, SyncType::Update | SyncType::AddAndUpdate)
    }
}

impl FromStr for SyncType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_'], " ")
            .as_str()
        {
            "add" => Ok(SyncType::Add),
            "update" => Ok(SyncType::Update),
            "" | "add and update" => Ok(SyncType::AddAndUpdate),
            _ => Err(format!(
                "{s:?} is not a sync type; use Add, Update, or Add and Update"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ipaas_names() {
        assert_eq!(
            "Update and No Link".parse(),
            Ok(CollisionMethod::UpdateAndNoLink)
        );
        assert_eq!("remap-and-link".parse(), Ok(CollisionMethod::RemapAndLink));
        assert_eq!("".parse(), Ok(CollisionMethod::Error));
        assert!("merge"
            .parse::<CollisionMethod>()
            .unwrap_err()
            .contains("Remap and Link"));
        assert_eq!("Add and Update".parse(), Ok(SyncType::AddAndUpdate));
        assert!(!SyncType::Update.may_create());
        assert!("upsert".parse::<SyncType>().is_err());
    }
}
