//! The iPaaS.com fields a mapping may name: the top-level text fields of the Company and
//! Customer records (`ipaas::records`); custom fields (`custom_fields.<Name>`) are free.
//! iPaaS.com has no call that lists a record's fields, so this list is the contract.

/// What an iPaaS.com field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpaasFieldKind {
    Text,
    /// Text that iPaaS.com checks is an e-mail address.
    Email,
    /// A value whose type is not part of the contract (kept as sent, never mapped).
    Opaque,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpaasFieldInfo {
    pub name: &'static str,
    pub kind: IpaasFieldKind,
}

/// The known top-level fields of each record kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpaasFields {
    pub company: Vec<IpaasFieldInfo>,
    pub customer: Vec<IpaasFieldInfo>,
}

const fn f(name: &'static str, kind: IpaasFieldKind) -> IpaasFieldInfo {
    IpaasFieldInfo { name, kind }
}

impl IpaasFields {
    /// The fields of `ipaas::Company` and `ipaas::Customer` (ids, links, addresses and
    /// custom_fields aside).
    pub fn known() -> IpaasFields {
        use IpaasFieldKind::*;
        IpaasFields {
            company: vec![
                f("name", Text),
                f("description", Text),
                f("email_address", Email),
                f("phone_number", Text),
                f("fax_number", Text),
                f("url", Text),
                f("account_number", Text),
            ],
            customer: vec![
                f("first_name", Text),
                f("last_name", Text),
                f("email_address", Email),
                f("company", Text),
                f("comment", Text),
                f("category_id", Opaque),
            ],
        }
    }

    /// The fields of the record kind (`Company` or `Customer`).
    pub fn of(&self, kind: &str) -> &[IpaasFieldInfo] {
        match kind {
            "Company" => &self.company,
            _ => &self.customer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipaas::{Company, Customer};
    use serde_json::json;

    /// Each listed field is a field of the typed record (it does not land in `extra`).
    #[test]
    fn the_list_is_the_typed_records_fields() {
        let known = IpaasFields::known();
        for f in &known.company {
            let c: Company = serde_json::from_value(json!({ f.name: "x" })).unwrap();
            assert!(c.extra.is_empty(), "Company.{} is not a field", f.name);
        }
        for f in &known.customer {
            let c: Customer = serde_json::from_value(json!({ f.name: "x" })).unwrap();
            assert!(c.extra.is_empty(), "Customer.{} is not a field", f.name);
        }
    }
}
