//! Account ⇄ Company: Name⇄name, AccountNumber⇄account_number, Phone⇄phone_number,
//! Fax⇄fax_number, Website⇄url, Description⇄description; Billing ⇄ the primary billing
//! address, Shipping ⇄ the primary shipping address (one address may carry both flags).

use super::address;
use crate::ipaas::{Address, Company};
use crate::records::Account;
use std::collections::BTreeSet;

fn set(target: &mut Option<String>, value: &Option<String>) {
    if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        *target = Some(v.to_string());
    }
}

/// The Company to write for an Account. Starts from the existing Company (if any) so
/// iPaaS.com fields this integration does not map, and other addresses, are kept; empty
/// Salesforce fields do not clear values. With `only`, just those Salesforce fields are
/// written (the three-way merge's choice); the others keep the Company's values.
pub fn account_to_company(
    account: &Account,
    existing: Option<&Company>,
    only: Option<&BTreeSet<String>>,
) -> Company {
    let wants = |f: &str| only.is_none_or(|o| o.contains(f));
    let mut c = existing.cloned().unwrap_or_default();
    let pick = |f: &str, v: &Option<String>| wants(f).then(|| v.clone()).flatten();
    set(&mut c.name, &pick("Name", &account.name));
    set(
        &mut c.account_number,
        &pick("AccountNumber", &account.account_number),
    );
    set(&mut c.phone_number, &pick("Phone", &account.phone));
    set(&mut c.fax_number, &pick("Fax", &account.fax));
    set(&mut c.url, &pick("Website", &account.website));
    set(
        &mut c.description,
        &pick("Description", &account.description),
    );

    // Whether one address carries both flags is judged on the whole addresses.
    let same = account.billing == account.shipping;
    let billing = if same {
        let b = account.billing.only("Billing", wants);
        let s = account.shipping.only("Shipping", wants);
        b.or(&s)
    } else {
        account.billing.only("Billing", wants)
    };
    let shipping = account.shipping.only("Shipping", wants);
    if !billing.is_empty() {
        let i = primary(&mut c.addresses, |a| a.is_primary_billing == Some(true));
        let a = &mut c.addresses[i];
        *a = address::to_ipaas(&billing, a.clone());
        a.is_primary_billing = Some(true);
        if same {
            a.is_primary_shipping = Some(true);
        }
    }
    if !shipping.is_empty() && !same {
        let i = primary(&mut c.addresses, |a| {
            a.is_primary_shipping == Some(true) && a.is_primary_billing != Some(true)
        });
        // If the billing address also carried the shipping flag, it moves to its own address.
        for (j, a) in c.addresses.iter_mut().enumerate() {
            if j != i && a.is_primary_shipping == Some(true) {
                a.is_primary_shipping = Some(false);
            }
        }
        let a = &mut c.addresses[i];
        *a = address::to_ipaas(&shipping, a.clone());
        a.is_primary_shipping = Some(true);
    }
    c
}

/// Index of the address matching `is`, adding an empty one when there is none.
fn primary(list: &mut Vec<Address>, is: impl Fn(&Address) -> bool) -> usize {
    match list.iter().position(is) {
        Some(i) => i,
        None => {
            list.push(Address::default());
            list.len() - 1
        }
    }
}

/// The Account fields to write for a Company (only fields with values).
pub fn company_to_account(company: &Company) -> Account {
    Account {
        name: company.name.clone(),
        account_number: company.account_number.clone(),
        phone: company.phone_number.clone(),
        fax: company.fax_number.clone(),
        website: company.url.clone(),
        description: company.description.clone(),
        billing: company
            .primary_billing()
            .map(address::to_salesforce)
            .unwrap_or_default(),
        shipping: company
            .primary_shipping()
            .map(address::to_salesforce)
            .unwrap_or_default(),
        ..Default::default()
    }
}
