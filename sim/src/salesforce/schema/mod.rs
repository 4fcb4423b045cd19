//! The org's schema: the standard Account, Contact and Lead fields with Salesforce's types,
//! lengths and required flags (static), the custom fields a test adds at run time, and the
//! field-level security of the integration user. Custom field names and labels are leaked to
//! `&'static str`, which a simulator can afford.

mod custom;
mod standard;

pub use custom::{CustomField, CustomKind, FieldAccess};
pub use standard::{key_prefix, object};

use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A text field with a maximum length in characters.
    Text(usize),
    /// A long text (Description, the street lines of an address).
    TextArea(usize),
    Email(usize),
    Phone(usize),
    Url(usize),
    /// A lookup to another object (Contact.AccountId -> Account).
    Reference(&'static str),
    Id,
    DateTime,
    Boolean,
    /// A number with `precision` digits in all, `scale` of them after the point.
    Number {
        precision: u8,
        scale: u8,
    },
    Picklist {
        values: &'static [&'static str],
        restricted: bool,
    },
}

impl Kind {
    /// Compared and stored as text (LIKE applies, literals are quoted).
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Kind::Text(_)
                | Kind::TextArea(_)
                | Kind::Email(_)
                | Kind::Phone(_)
                | Kind::Url(_)
                | Kind::Picklist { .. }
        )
    }

    /// The longest text the field holds.
    pub fn max_len(self) -> Option<usize> {
        match self {
            Kind::Text(n) | Kind::TextArea(n) | Kind::Email(n) | Kind::Phone(n) | Kind::Url(n) => {
                Some(n)
            }
            Kind::Picklist { .. } => Some(255),
            Kind::Id => Some(18),
            _ => None,
        }
    }

    /// The type name `describe` gives (Salesforce's SOAP type names).
    pub fn describe_type(self) -> &'static str {
        match self {
            Kind::Text(_) => "string",
            Kind::TextArea(_) => "textarea",
            Kind::Email(_) => "email",
            Kind::Phone(_) => "phone",
            Kind::Url(_) => "url",
            Kind::Reference(_) => "reference",
            Kind::Id => "id",
            Kind::DateTime => "datetime",
            Kind::Boolean => "boolean",
            Kind::Number { .. } => "double",
            Kind::Picklist { .. } => "picklist",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub required: bool,
    /// False for fields the platform sets (Id, audit fields, compound names).
    pub writable: bool,
    pub custom: bool,
    pub external_id: bool,
    pub unique: bool,
}

impl Field {
    /// Whether the platform keeps its values unique (an external-id text field always is).
    pub fn enforces_unique(&self) -> bool {
        self.unique || (self.external_id && matches!(self.kind, Kind::Text(_)))
    }
}

/// The per-org part of the schema. Readers that act for the integration user go through the
/// `api_*` methods, which honour field-level security; seeding and person edits see all.
#[derive(Default)]
pub struct Schema {
    custom: HashMap<&'static str, Vec<Field>>,
    access: HashMap<(&'static str, &'static str), FieldAccess>,
}

impl Schema {
    /// Every field of `object`: system fields, standard fields, then custom fields.
    pub fn fields<'a>(&'a self, object: &str) -> impl Iterator<Item = Field> + 'a {
        let custom = self.custom.get(object).map(Vec::as_slice).unwrap_or(&[]);
        standard::fields(object)
            .iter()
            .chain(custom.iter())
            .copied()
    }

    /// The field of `object` named `name`; API names are case-insensitive.
    pub fn field(&self, object: &str, name: &str) -> Option<Field> {
        self.fields(object)
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The field as the integration user sees it: `None` when hidden from it.
    pub fn api_field(&self, object: &str, name: &str) -> Option<Field> {
        self.field(object, name)
            .filter(|f| self.access(object, f.name) != FieldAccess::Hidden)
    }

    /// Every field the integration user can see.
    pub fn api_fields<'a>(&'a self, object: &'a str) -> impl Iterator<Item = Field> + 'a {
        self.fields(object)
            .filter(move |f| self.access(object, f.name) != FieldAccess::Hidden)
    }

    /// The integration user's access to a field (canonical name); read-write by default.
    pub fn access(&self, object: &str, field: &str) -> FieldAccess {
        self.access
            .get(&(object, field))
            .copied()
            .unwrap_or(FieldAccess::ReadWrite)
    }

    pub fn set_access(
        &mut self,
        object: &'static str,
        field: &str,
        access: FieldAccess,
    ) -> Result<(), String> {
        let f = self
            .field(object, field)
            .ok_or_else(|| format!("{object} has no field {field}"))?;
        if f.kind == Kind::Id && access == FieldAccess::Hidden {
            return Err("the Id field cannot be hidden".into());
        }
        self.access.insert((object, f.name), access);
        Ok(())
    }

    /// Adds a custom field to `object` after checking it as Setup would.
    pub fn add_custom(&mut self, object: &'static str, field: CustomField) -> Result<(), String> {
        if self.field(object, &field.name).is_some() {
            return Err(format!("{object} already has a field {}", field.name));
        }
        let f = field.into_field()?;
        self.custom.entry(object).or_default().push(f);
        Ok(())
    }
}
