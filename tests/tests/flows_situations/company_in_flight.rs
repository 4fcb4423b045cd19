//! Issue 10, "Wrong message today", fourth bullet: a Company and its Customer created together
//! in iPaaS.com. While the Company's create into Salesforce is in flight (here: applied, its
//! answer lost, so its outcome is unknown until the create's lease has passed), the Customer
//! is put off, never "AccountId is null or empty on the iPaaS Customer record…".
//!
//! Fails on the old code: `account_of` (372bab0:shared/src/flows/contact_from_ipaas.rs) turned
//! every outcome of the Company's sync other than created/updated/linked/unchanged into
//! CustomerCompanyMissing (`_ => ctx.fail(…)`), a wait included, and the entry stayed after the
//! retry succeeded.

use super::*;
use e2e::link_of;
use shared::flows::Outcome;
use sim::faults::{Faults, LostAnswer};

#[tokio::test]
async fn a_customer_waits_for_its_company_whose_create_is_in_flight() {
    for contact_first in [true, false] {
        let s = stack().await;
        // Every sObject Collections create is applied, then its answer is lost.
        s.salesforce.set_faults(Faults {
            lost_answer_rate: 1.0,
            lost_answer_kinds: vec![LostAnswer::Status502],
            only_paths: vec!["/composite/sobjects".into()],
            ..Default::default()
        });
        let company = s
            .ipaas
            .edit_company_as_person(None, json!({"name": "In Flight Partners"}));
        let customer = s.ipaas.edit_customer_as_person(
            None,
            json!({"first_name": "Ina", "last_name": "Flight", "email_address": "ina@inflight.example", "company_id": company}),
        );
        s.ipaas.deliveries_settled().await;
        let order = if contact_first {
            [Flow::ContactFromIpaas, Flow::AccountFromIpaas]
        } else {
            [Flow::AccountFromIpaas, Flow::ContactFromIpaas]
        };
        for flow in order {
            let batch = s.queue.take(flow, 10);
            let outcomes = s.invoke(flow, batch).await;
            // The Customer is put off. (So is the Company, unless the create's short lease
            // has passed meanwhile on a slow machine: then it is found and linked.)
            let waits = matches!(outcomes.as_slice(), [Outcome::Postponed { .. }]);
            let found = matches!(outcomes.as_slice(), [Outcome::Created { .. }]);
            assert!(
                waits || (found && flow == Flow::AccountFromIpaas),
                "contact_first={contact_first} {flow}: put off while the create is in flight: {outcomes:?}"
            );
        }
        assert_eq!(
            s.salesforce.records("Account").len(),
            1,
            "contact_first={contact_first}: the Company's create was applied once"
        );
        assert!(
            s.error_log().is_empty(),
            "contact_first={contact_first}: a wait is not an Error Log entry: {:#?}",
            s.error_log()
        );

        s.salesforce.set_faults(Faults::default());
        s.drain().await;
        let account = link_of(&s.ipaas.company(company).unwrap())
            .unwrap_or_else(|| panic!("contact_first={contact_first}: the Company is linked"));
        let contact = link_of(&s.ipaas.customer(customer).unwrap())
            .unwrap_or_else(|| panic!("contact_first={contact_first}: the Customer is linked"));
        assert_eq!(s.salesforce.records("Account").len(), 1);
        let c = s.salesforce.record("Contact", &contact).unwrap();
        assert_eq!(
            c["AccountId"],
            account.as_str(),
            "contact_first={contact_first}: the Contact is under the Company's Account"
        );
        assert!(
            s.error_log().is_empty(),
            "contact_first={contact_first}: nothing in the Error Log at any point: {:#?}",
            s.error_log()
        );
        assert!(s.dead_letters().is_empty());
    }
}
