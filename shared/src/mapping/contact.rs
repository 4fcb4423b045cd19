//! Contact ⇄ Customer: FirstName⇄first_name, LastName⇄last_name, Email⇄email_address;
//! the Contact Id is the customer_number; Mailing ⇄ the primary shipping address (other
//! addresses are skipped by design); AccountId ⇄ company (through the company's link).

use super::address;
use crate::ipaas::{Address, Customer};
use crate::records::Contact;
use crate::salesforce::SalesforceId;
use std::collections::BTreeSet;

fn set(target: &mut Option<String>, value: &Option<String>) {
    if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        *target = Some(v.to_string());
    }
}

/// The Customer to write for a Contact, on top of the existing one (if any).
/// `company_id` is the iPaaS.com Company linked to the Contact's Account. With `only`, just
/// those Salesforce fields are written (`AccountId` stands for the company).
pub fn contact_to_customer(
    contact: &Contact,
    existing: Option<&Customer>,
    company_id: Option<u64>,
    only: Option<&BTreeSet<String>>,
) -> Customer {
    let wants = |f: &str| only.is_none_or(|o| o.contains(f));
    let pick = |f: &str, v: &Option<String>| wants(f).then(|| v.clone()).flatten();
    let mut c = existing.cloned().unwrap_or_default();
    set(&mut c.first_name, &pick("FirstName", &contact.first_name));
    set(&mut c.last_name, &pick("LastName", &contact.last_name));
    set(&mut c.email_address, &pick("Email", &contact.email));
    if let Some(id) = &contact.id {
        c.customer_number = Some(id.to_string());
    }
    if company_id.is_some() && wants("AccountId") {
        c.company_id = company_id;
    }
    let mailing = contact.mailing.only("Mailing", wants);
    if !mailing.is_empty() {
        let i = match c
            .addresses
            .iter()
            .position(|a| a.is_primary_shipping == Some(true))
        {
            Some(i) => i,
            None => {
                c.addresses.push(Address::default());
                c.addresses.len() - 1
            }
        };
        let a = &mut c.addresses[i];
        *a = address::to_ipaas(&mailing, a.clone());
        a.is_primary_shipping = Some(true);
        if a.first_name.is_none() {
            a.first_name = c.first_name.clone();
        }
        if a.last_name.is_none() {
            a.last_name = c.last_name.clone();
        }
    }
    c
}

/// The Contact fields to write for a Customer. Only the primary shipping address becomes
/// the Mailing address; any other address is passed over (a skip, not an error).
pub fn customer_to_contact(customer: &Customer, account_id: Option<SalesforceId>) -> Contact {
    Contact {
        first_name: customer.first_name.clone(),
        last_name: customer.last_name.clone(),
        email: customer.email_address.clone(),
        account_id,
        mailing: customer
            .primary_shipping()
            .map(address::to_salesforce)
            .unwrap_or_default(),
        ..Default::default()
    }
}
