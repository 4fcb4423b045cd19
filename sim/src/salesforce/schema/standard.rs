//! The standard fields of Account, Contact and Lead, with Salesforce's types, lengths and
//! required flags, and each object's key prefix.

use super::{Field, Kind};

const fn field(name: &'static str, label: &'static str, kind: Kind) -> Field {
    Field {
        name,
        label,
        kind,
        required: false,
        writable: true,
        custom: false,
        external_id: false,
        unique: false,
    }
}

const fn text(name: &'static str, label: &'static str, len: usize) -> Field {
    field(name, label, Kind::Text(len))
}

const fn required(mut f: Field) -> Field {
    f.required = true;
    f
}

const fn system(name: &'static str, label: &'static str, kind: Kind) -> Field {
    let mut f = field(name, label, kind);
    f.writable = false;
    f
}

const SYSTEM: [Field; 7] = [
    system("Id", "Record ID", Kind::Id),
    system("IsDeleted", "Deleted", Kind::Boolean),
    system("CreatedDate", "Created Date", Kind::DateTime),
    system("CreatedById", "Created By ID", Kind::Reference("User")),
    system("LastModifiedDate", "Last Modified Date", Kind::DateTime),
    system(
        "LastModifiedById",
        "Last Modified By ID",
        Kind::Reference("User"),
    ),
    system("SystemModstamp", "System Modstamp", Kind::DateTime),
];

/// Street (a text area), city, state, postal code, country.
const fn address(prefix: [&'static str; 5], label: [&'static str; 5]) -> [Field; 5] {
    [
        field(prefix[0], label[0], Kind::TextArea(255)),
        text(prefix[1], label[1], 40),
        text(prefix[2], label[2], 80),
        text(prefix[3], label[3], 20),
        text(prefix[4], label[4], 80),
    ]
}

const ACCOUNT: [Field; 16] = {
    let b = address(
        [
            "BillingStreet",
            "BillingCity",
            "BillingState",
            "BillingPostalCode",
            "BillingCountry",
        ],
        [
            "Billing Street",
            "Billing City",
            "Billing State/Province",
            "Billing Zip/Postal Code",
            "Billing Country",
        ],
    );
    let s = address(
        [
            "ShippingStreet",
            "ShippingCity",
            "ShippingState",
            "ShippingPostalCode",
            "ShippingCountry",
        ],
        [
            "Shipping Street",
            "Shipping City",
            "Shipping State/Province",
            "Shipping Zip/Postal Code",
            "Shipping Country",
        ],
    );
    [
        required(text("Name", "Account Name", 255)),
        text("AccountNumber", "Account Number", 40),
        field("Phone", "Account Phone", Kind::Phone(40)),
        field("Fax", "Account Fax", Kind::Phone(40)),
        field("Website", "Website", Kind::Url(255)),
        field("Description", "Account Description", Kind::TextArea(32000)),
        b[0],
        b[1],
        b[2],
        b[3],
        b[4],
        s[0],
        s[1],
        s[2],
        s[3],
        s[4],
    ]
};

const CONTACT: [Field; 14] = {
    let m = address(
        [
            "MailingStreet",
            "MailingCity",
            "MailingState",
            "MailingPostalCode",
            "MailingCountry",
        ],
        [
            "Mailing Street",
            "Mailing City",
            "Mailing State/Province",
            "Mailing Zip/Postal Code",
            "Mailing Country",
        ],
    );
    [
        text("FirstName", "First Name", 40),
        required(text("LastName", "Last Name", 80)),
        field("Email", "Email", Kind::Email(80)),
        field("AccountId", "Account ID", Kind::Reference("Account")),
        text("Title", "Title", 128),
        field("Phone", "Business Phone", Kind::Phone(40)),
        field("Fax", "Business Fax", Kind::Phone(40)),
        field("Description", "Contact Description", Kind::TextArea(32000)),
        m[0],
        m[1],
        m[2],
        m[3],
        m[4],
        // Name is the compound of FirstName and LastName: readable, never writable.
        system("Name", "Full Name", Kind::Text(121)),
    ]
};

const LEAD: [Field; 7] = [
    text("FirstName", "First Name", 40),
    required(text("LastName", "Last Name", 80)),
    field("Email", "Email", Kind::Email(80)),
    field("Phone", "Phone", Kind::Phone(40)),
    required(text("Company", "Company", 255)),
    text("Title", "Title", 128),
    system("Name", "Full Name", Kind::Text(121)),
];

const fn concat<const A: usize, const B: usize, const N: usize>(
    a: [Field; A],
    b: [Field; B],
) -> [Field; N] {
    let mut out = [a[0]; N];
    let mut i = 0;
    while i < A {
        out[i] = a[i];
        i += 1;
    }
    while i < N {
        out[i] = b[i - A];
        i += 1;
    }
    out
}

static ACCOUNT_ALL: [Field; 23] = concat(SYSTEM, ACCOUNT);
static CONTACT_ALL: [Field; 21] = concat(SYSTEM, CONTACT);
static LEAD_ALL: [Field; 14] = concat(SYSTEM, LEAD);

/// The objects the simulator knows, with their key prefixes.
const OBJECTS: [(&str, &str); 3] = [("Account", "001"), ("Contact", "003"), ("Lead", "00Q")];

/// Every standard field of `object`, system fields first.
pub fn fields(object: &str) -> &'static [Field] {
    match object {
        "Account" => &ACCOUNT_ALL,
        "Contact" => &CONTACT_ALL,
        "Lead" => &LEAD_ALL,
        _ => &[],
    }
}

/// Key prefix of each object's Ids.
pub fn key_prefix(object: &str) -> &'static str {
    match object {
        "User" => "005",
        _ => OBJECTS
            .iter()
            .find(|(o, _)| *o == object)
            .map_or("000", |(_, p)| p),
    }
}

/// Canonical object name (`account` -> `Account`), if the simulator knows it.
pub fn object(name: &str) -> Option<&'static str> {
    OBJECTS
        .iter()
        .map(|(o, _)| *o)
        .find(|o| o.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::super::Schema;
    use super::*;

    #[test]
    fn lookups_are_case_insensitive_and_canonical() {
        let s = Schema::default();
        assert_eq!(
            s.field("Account", "billingcity").map(|f| f.name),
            Some("BillingCity")
        );
        assert_eq!(object("contact"), Some("Contact"));
        assert_eq!(object("LEAD"), Some("Lead"));
        assert!(s.field("Account", "Email").is_none());
        assert!(fields("Opportunity").is_empty());
        assert_eq!(key_prefix("Lead"), "00Q");
        assert_eq!(key_prefix("User"), "005");
    }

    #[test]
    fn required_system_and_typed_fields() {
        let s = Schema::default();
        assert!(s
            .field("Account", "Name")
            .is_some_and(|f| f.required && f.writable));
        assert!(s.field("Contact", "LastName").is_some_and(|f| f.required));
        assert!(s.field("Lead", "Company").is_some_and(|f| f.required));
        assert!(s.field("Contact", "Name").is_some_and(|f| !f.writable));
        assert_eq!(
            s.field("Contact", "SystemModstamp").map(|f| f.kind),
            Some(Kind::DateTime)
        );
        assert_eq!(
            s.field("Account", "Description").map(|f| f.kind),
            Some(Kind::TextArea(32000))
        );
        assert_eq!(
            s.field("Account", "Website")
                .map(|f| f.kind.describe_type()),
            Some("url")
        );
        assert_eq!(
            s.field("Contact", "MailingStreet")
                .map(|f| f.kind.describe_type()),
            Some("textarea")
        );
    }
}
