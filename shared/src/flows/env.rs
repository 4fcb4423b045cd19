//! Flow settings from the environment, as the SAM template sets them: `SYNC_TYPE_<FLOW>` for
//! each flow, and `COLLISION_METHOD_<FLOW>` for the two FROM flows (only Salesforce answers
//! DUPLICATES_DETECTED), e.g. `COLLISION_METHOD_ACCOUNT_FROM_IPAAS="Update and Link"`.

use super::worker::AllSettings;
use super::FlowSettings;
use crate::config::{parsed, ConfigError, Env};
use crate::flow::Flow;

/// The variable names of one flow's settings: collision method (FROM flows only), sync type.
pub fn variables(flow: Flow) -> (Option<&'static str>, &'static str) {
    match flow {
        Flow::AccountToIpaas => (None, "SYNC_TYPE_ACCOUNT_TO_IPAAS"),
        Flow::ContactToIpaas => (None, "SYNC_TYPE_CONTACT_TO_IPAAS"),
        Flow::AccountFromIpaas => (
            Some("COLLISION_METHOD_ACCOUNT_FROM_IPAAS"),
            "SYNC_TYPE_ACCOUNT_FROM_IPAAS",
        ),
        Flow::ContactFromIpaas => (
            Some("COLLISION_METHOD_CONTACT_FROM_IPAAS"),
            "SYNC_TYPE_CONTACT_FROM_IPAAS",
        ),
    }
}

pub fn settings_from_env(env: &dyn Env) -> Result<AllSettings, ConfigError> {
    let mut all = AllSettings::default();
    for flow in Flow::ALL {
        let (collision, sync) = variables(flow);
        all.set(
            flow,
            FlowSettings {
                collision: match collision {
                    Some(name) => parsed(env, name, Default::default())?,
                    None => Default::default(),
                },
                sync_type: parsed(env, sync, Default::default())?,
            },
        );
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::{CollisionMethod, SyncType};
    use std::collections::HashMap;

    #[test]
    fn reads_each_flow_and_names_a_bad_variable() {
        let mut env: HashMap<String, String> = [
            (
                "COLLISION_METHOD_ACCOUNT_FROM_IPAAS".to_string(),
                "Update and Link".to_string(),
            ),
            ("SYNC_TYPE_CONTACT_TO_IPAAS".to_string(), "Add".to_string()),
        ]
        .into();
        let s = settings_from_env(&env).unwrap();
        assert_eq!(
            s.account_from_ipaas.collision,
            CollisionMethod::UpdateAndLink
        );
        assert_eq!(s.contact_to_ipaas.sync_type, SyncType::Add);
        assert_eq!(s.account_to_ipaas, FlowSettings::default());
        env.insert("SYNC_TYPE_CONTACT_FROM_IPAAS".into(), "Upsert".into());
        let e = settings_from_env(&env).unwrap_err().to_string();
        assert!(
            e.contains("SYNC_TYPE_CONTACT_FROM_IPAAS") && e.contains("Add and Update"),
            "{e}"
        );
    }
}
