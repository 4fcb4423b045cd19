//! Salesforce's five address fields ⇄ an iPaaS.com Address. Salesforce keeps the street as
//! one multi-line field; iPaaS.com has address_1..3.

use crate::ipaas::Address;
use crate::records::SfAddress;

fn clean(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

pub fn to_ipaas(sf: &SfAddress, mut base: Address) -> Address {
    if let Some(street) = clean(&sf.street) {
        let mut lines = street.lines().map(str::trim).filter(|l| !l.is_empty());
        base.address_1 = lines.next().map(str::to_string);
        base.address_2 = lines.next().map(str::to_string);
        let rest: Vec<&str> = lines.collect();
        base.address_3 = (!rest.is_empty()).then(|| rest.join(", "));
    }
    if let Some(v) = clean(&sf.city) {
        base.city = Some(v);
    }
    if let Some(v) = clean(&sf.state) {
        base.region = Some(v);
    }
    if let Some(v) = clean(&sf.postal_code) {
        base.postal_code = Some(v);
    }
    if let Some(v) = clean(&sf.country) {
        base.country = Some(v);
    }
    base
}

pub fn to_salesforce(a: &Address) -> SfAddress {
    let street: Vec<String> = [&a.address_1, &a.address_2, &a.address_3]
        .into_iter()
        .filter_map(clean)
        .collect();
    SfAddress {
        street: (!street.is_empty()).then(|| street.join("\n")),
        city: clean(&a.city),
        state: clean(&a.region),
        postal_code: clean(&a.postal_code),
        country: clean(&a.country),
    }
}
