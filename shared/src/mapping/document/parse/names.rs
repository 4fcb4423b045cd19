//! Field names as the document writes them: Salesforce API names and iPaaS.com fields,
//! with the fields the flows own refused.

use super::super::error::DocumentError;
use super::super::model::IpaasField;
use super::super::Pair;
use super::Reader;
use toml::Spanned;

impl Reader<'_> {
    pub(super) fn salesforce_field(&self, s: &Spanned<String>) -> Result<String, DocumentError> {
        let name = s.get_ref().trim();
        let line = self.line(s);
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(DocumentError::new(
                line,
                format!("{name:?} is not a Salesforce field API name (letters, digits and underscores, e.g. Phone or Customer_Tier__c)"),
            ));
        }
        let owned = [
            "Id",
            "SystemModstamp",
            "CreatedById",
            "CreatedDate",
            "LastModifiedDate",
            "LastModifiedById",
            "IsDeleted",
        ];
        if owned.iter().any(|o| o.eq_ignore_ascii_case(name)) {
            return Err(DocumentError::new(
                line,
                format!("{}.{name} is set by Salesforce and read by the flows themselves; it cannot be mapped", self.pair.salesforce_object()),
            ));
        }
        if let Some(rel) = self.pair.relationship() {
            if rel.eq_ignore_ascii_case(name) {
                return Err(DocumentError::new(
                    line,
                    format!("Contact.{rel} follows the Customer's company through the Company's link; the flows keep it, not the document"),
                ));
            }
        }
        Ok(name.to_string())
    }

    pub(super) fn ipaas_field(&self, s: &Spanned<String>) -> Result<IpaasField, DocumentError> {
        let raw = s.get_ref().trim();
        let line = self.line(s);
        if let Some(name) = raw.strip_prefix("custom_fields.") {
            let name = name.trim();
            if name.is_empty() {
                return Err(DocumentError::new(
                    line,
                    "custom_fields. needs the custom field's name, e.g. custom_fields.Tier",
                ));
            }
            return Ok(IpaasField::Custom(name.to_string()));
        }
        let valid = raw.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(DocumentError::new(
                line,
                format!("{raw:?} is not an iPaaS.com field: name a top-level field (snake_case, e.g. phone_number) or custom_fields.<Name>"),
            ));
        }
        let kind = self.pair.ipaas_kind();
        let why = match raw {
            "id" | "last_modified_date" => Some("is set by iPaaS.com"),
            "external_ids" => Some("holds the links, which the flows keep"),
            "addresses" => {
                Some("is mapped with [[…addresses]] entries (primary_billing, primary_shipping)")
            }
            "custom_fields" => Some("holds the custom fields: name one as custom_fields.<Name>"),
            "customer_number" if self.pair == Pair::Contact => {
                Some("is the Contact Id, which the flows set to find the pair again")
            }
            "company_id" if self.pair == Pair::Contact => Some(
                "follows the Contact's AccountId through the Account's link; the flows keep it",
            ),
            _ => None,
        };
        match why {
            Some(w) => Err(DocumentError::new(
                line,
                format!("{kind}.{raw} {w}; it cannot be mapped"),
            )),
            None => Ok(IpaasField::Top(raw.to_string())),
        }
    }
}
