//! The Account and Contact fields the simulator knows, with Salesforce's types, lengths and
//! required flags.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A text field with a maximum length in characters.
    Text(usize),
    Email(usize),
    /// A lookup to another object (Contact.AccountId -> Account).
    Reference(&'static str),
    Id,
    DateTime,
    Boolean,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub required: bool,
    /// False for fields the platform sets (Id, audit fields).
    pub writable: bool,
}

const fn text(name: &'static str, label: &'static str, len: usize) -> Field {
    Field {
        name,
        label,
        kind: Kind::Text(len),
        required: false,
        writable: true,
    }
}

const fn required(mut f: Field) -> Field {
    f.required = true;
    f
}

const fn system(name: &'static str, label: &'static str, kind: Kind) -> Field {
    Field {
        name,
        label,
        kind,
        required: false,
        writable: false,
    }
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

const fn address(prefix: [&'static str; 5], label: [&'static str; 5]) -> [Field; 5] {
    [
        text(prefix[0], label[0], 255),
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
        text("Phone", "Account Phone", 40),
        text("Fax", "Account Fax", 40),
        text("Website", "Website", 255),
        text("Description", "Account Description", 32000),
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

const CONTACT: [Field; 13] = {
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
        Field {
            name: "Email",
            label: "Email",
            kind: Kind::Email(80),
            required: false,
            writable: true,
        },
        Field {
            name: "AccountId",
            label: "Account ID",
            kind: Kind::Reference("Account"),
            required: false,
            writable: true,
        },
        text("Phone", "Business Phone", 40),
        text("Fax", "Business Fax", 40),
        text("Description", "Contact Description", 32000),
        m[0],
        m[1],
        m[2],
        m[3],
        m[4],
        // Name is the compound of FirstName and LastName: readable, never writable.
        system("Name", "Full Name", Kind::Text(121)),
    ]
};

/// Every field of `object`, system fields first.
pub fn fields(object: &str) -> &'static [Field] {
    match object {
        "Account" => &ACCOUNT_ALL,
        "Contact" => &CONTACT_ALL,
        _ => &[],
    }
}

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
static CONTACT_ALL: [Field; 20] = concat(SYSTEM, CONTACT);

/// The field of `object` named `name`; API names are case-insensitive.
pub fn field(object: &str, name: &str) -> Option<Field> {
    fields(object)
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(name))
        .copied()
}

/// Key prefix of each object's Ids.
pub fn key_prefix(object: &str) -> &'static str {
    match object {
        "Account" => "001",
        "Contact" => "003",
        "User" => "005",
        _ => "000",
    }
}

/// Canonical object name (`account` -> `Account`), if the simulator knows it.
pub fn object(name: &str) -> Option<&'static str> {
    ["Account", "Contact"]
        .into_iter()
        .find(|o| o.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_are_case_insensitive_and_canonical() {
        assert_eq!(
            field("Account", "billingcity").map(|f| f.name),
            Some("BillingCity")
        );
        assert_eq!(object("contact"), Some("Contact"));
        assert!(field("Account", "Email").is_none());
        assert!(fields("Lead").is_empty());
    }

    #[test]
    fn required_and_system_fields() {
        assert!(field("Account", "Name").is_some_and(|f| f.required && f.writable));
        assert!(field("Contact", "LastName").is_some_and(|f| f.required));
        assert!(field("Contact", "Name").is_some_and(|f| !f.writable));
        assert!(field("Contact", "SystemModstamp").is_some_and(|f| f.kind == Kind::DateTime));
        assert_eq!(
            field("Account", "Description").map(|f| f.kind),
            Some(Kind::Text(32000))
        );
    }
}
