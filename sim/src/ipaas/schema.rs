//! The two record kinds and their fields: types, length limits, required fields
//! (docs/ipaas-api.md, "Records" and "Errors").

/// Names and emails may hold this many characters…
pub const NAME_MAX: usize = 255;
/// …every other text this many.
pub const TEXT_MAX: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Customer,
    Company,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// A string of at most this many characters.
    Text(usize),
    /// A string that must look like an e-mail address.
    Email,
    /// An integer id.
    Id,
    Bool,
    /// Any scalar, kept as sent (its type is not part of the contract).
    Scalar,
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
}

const fn f(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: false,
    }
}

const fn req(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: true,
    }
}

const NAME: Ty = Ty::Text(NAME_MAX);
const TEXT: Ty = Ty::Text(TEXT_MAX);

const CUSTOMER: &[Field] = &[
    f("customer_number", TEXT),
    f("first_name", NAME),
    req("last_name", NAME),
    // Optional: a person without an address is a customer too (a Salesforce Contact need
    // not have an Email either).
    f("email_address", Ty::Email),
    f("company", NAME),
    f("company_id", Ty::Id),
    f("comment", TEXT),
    f("category_id", Ty::Scalar),
];

const COMPANY: &[Field] = &[
    req("name", NAME),
    f("description", TEXT),
    f("email_address", Ty::Email),
    f("phone_number", TEXT),
    f("fax_number", TEXT),
    f("url", TEXT),
    f("account_number", TEXT),
    f("parent_company_id", Ty::Id),
];

pub const ADDRESS: &[Field] = &[
    f("type", TEXT),
    f("first_name", NAME),
    f("last_name", NAME),
    f("company", NAME),
    f("address_1", TEXT),
    f("address_2", TEXT),
    f("address_3", TEXT),
    f("city", TEXT),
    f("region", TEXT),
    f("country", TEXT),
    f("postal_code", TEXT),
    f("phone_number", TEXT),
    f("is_primary_billing", Ty::Bool),
    f("is_primary_shipping", Ty::Bool),
];

impl Kind {
    /// The writable top-level fields besides `addresses` and `custom_fields`.
    pub fn fields(self) -> &'static [Field] {
        match self {
            Kind::Customer => CUSTOMER,
            Kind::Company => COMPANY,
        }
    }

    /// The `table_name` of its links.
    pub fn table_name(self) -> &'static str {
        match self {
            Kind::Customer => "Customer",
            Kind::Company => "Company",
        }
    }

    /// `table_name` as a client may spell it (ASP.NET binds enums case-insensitively).
    pub fn from_table_name(name: &str) -> Option<Kind> {
        [Kind::Customer, Kind::Company]
            .into_iter()
            .find(|k| k.table_name().eq_ignore_ascii_case(name.trim()))
    }

    /// The webhook scope of a change made to a record of this kind.
    pub fn scope(self, created: bool) -> &'static str {
        match (self, created) {
            (Kind::Customer, true) => "customer/created",
            (Kind::Customer, false) => "customer/updated",
            (Kind::Company, true) => "customer/company/created",
            (Kind::Company, false) => "customer/company/updated",
        }
    }

    /// The query parameter a search names a field by (`EmailAddress` -> `email_address`),
    /// when it is a searchable field of this kind.
    pub fn search_field(self, param: &str) -> Option<&'static str> {
        let snake = snake_case(param);
        if snake == "id" {
            return Some("id");
        }
        self.fields()
            .iter()
            .find(|f| f.name == snake && f.ty != Ty::Bool)
            .map(|f| f.name)
    }
}

/// `EmailAddress` or `emailAddress` -> `email_address`; snake_case stays as it is.
fn snake_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_parameters_map_to_fields() {
        assert_eq!(
            Kind::Customer.search_field("EmailAddress"),
            Some("email_address")
        );
        assert_eq!(
            Kind::Customer.search_field("email_address"),
            Some("email_address")
        );
        assert_eq!(Kind::Company.search_field("Name"), Some("name"));
        assert_eq!(
            Kind::Company.search_field("EmailAddress"),
            Some("email_address")
        );
        assert_eq!(Kind::Customer.search_field("Name"), None);
        assert_eq!(Kind::Customer.search_field("pageSize"), None);
    }

    #[test]
    fn table_names_read_case_insensitively() {
        assert_eq!(Kind::from_table_name("customer"), Some(Kind::Customer));
        assert_eq!(Kind::from_table_name("Company"), Some(Kind::Company));
        assert_eq!(Kind::from_table_name("Product"), None);
    }
}
