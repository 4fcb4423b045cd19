//! Flow settings from the environment: `<FLOW>_COLLISION_METHOD` and `<FLOW>_SYNC_TYPE`
//! for each flow (e.g. `ACCOUNT_FROM_IPAAS_COLLISION_METHOD="Update and Link"`).

use super::worker::AllSettings;
use super::FlowSettings;
use crate::config::{parsed, ConfigError, Env};
use crate::flow::Flow;

/// The variable names of one flow's two settings.
pub fn variables(flow: Flow) -> (&'static str, &'static str) {
    match flow {
        Flow::AccountToIpaas => (
            "ACCOUNT_TO_IPAAS_COLLISION_METHOD",
            "ACCOUNT_TO_IPAAS_SYNC_TYPE",
        ),
        Flow::ContactToIpaas => (
            "CONTACT_TO_IPAAS_COLLISION_METHOD",
            "CONTACT_TO_IPAAS_SYNC_TYPE",
        ),
        Flow::AccountFromIpaas => (
            "ACCOUNT_FROM_IPAAS_COLLISION_METHOD",
            "ACCOUNT_FROM_IPAAS_SYNC_TYPE",
        ),
        Flow::ContactFromIpaas => (
            "CONTACT_FROM_IPAAS_COLLISION_METHOD",
            "CONTACT_FROM_IPAAS_SYNC_TYPE",
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
                collision: parsed(env, collision, Default::default())?,
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
                "ACCOUNT_FROM_IPAAS_COLLISION_METHOD".to_string(),
                "Update and Link".to_string(),
            ),
            ("CONTACT_TO_IPAAS_SYNC_TYPE".to_string(), "Add".to_string()),
        ]
        .into();
        let s = settings_from_env(&env).unwrap();
        assert_eq!(
            s.account_from_ipaas.collision,
            CollisionMethod::UpdateAndLink
        );
        assert_eq!(s.contact_to_ipaas.sync_type, SyncType::Add);
        assert_eq!(s.account_to_ipaas, FlowSettings::default());
        env.insert("CONTACT_FROM_IPAAS_SYNC_TYPE".into(), "Upsert".into());
        let e = settings_from_env(&env).unwrap_err().to_string();
        assert!(
            e.contains("CONTACT_FROM_IPAAS_SYNC_TYPE") && e.contains("Add and Update"),
            "{e}"
        );
    }
}
