//! Documents the engine refuses, each with the line and the field named; and the ones it
//! reads, in both of TOML's spellings of a list of mappings.

use crate::mapping::document::{Direction, Mapping, DEFAULT_DOCUMENT};

/// A document with the built-in contact pair and `account` as the account pair.
fn with_account(account: &str) -> String {
    let contact = &DEFAULT_DOCUMENT[DEFAULT_DOCUMENT.find("[contact]").unwrap()..];
    format!("version = 1\n[account]\n{account}\n{contact}")
}

fn refused(doc: &str) -> (usize, String) {
    let e = Mapping::parse(doc).expect_err("refused");
    (e.line, e.to_string())
}

#[track_caller]
fn says(account: &str, line: usize, words: &[&str]) {
    let (l, msg) = refused(&with_account(account));
    assert_eq!(l, line, "{msg}");
    assert!(msg.starts_with(&format!("line {line}: ")), "{msg}");
    for w in words {
        assert!(msg.contains(w), "{msg:?} should say {w:?}");
    }
}

#[test]
fn toml_syntax_and_unknown_keys_name_the_line() {
    // An unclosed list: TOML notices on the next line.
    says(
        "fields = [ { salesforce = \"Name\", ipaas = \"name\" }",
        4,
        &["missing comma"],
    );
    says(
        "fields = [\n { salesforce = \"Name\", ipas = \"name\" },\n]",
        4,
        &["unknown field `ipas`"],
    );
    says(
        "[[account.fields]]\nsalesforce = \"Name\"\nipaas = \"name\"\ndirection = \"sideways\"",
        6,
        &["sideways"],
    );
    says(
        "[[account.fields]]\nsalesforce = \"Name\"\nipaas = \"name\"\ntransform = [\"reverse\"]",
        6,
        &["reverse"],
    );
    let (_, msg) = refused(&format!("{DEFAULT_DOCUMENT}\n[[account.fields]]\nsalesforce = \"Site\"\nipaas = \"custom_fields.Site\"\n"));
    assert!(
        msg.contains("duplicate key") && msg.contains("not both"),
        "{msg}"
    );
    let (l, msg) = refused("version = 2\n[account]\n[contact]\n");
    assert_eq!(l, 1, "{msg}");
    assert!(msg.contains("version = 2"), "{msg}");
    let (l, msg) = refused("version = 1\n[account]\n");
    assert_eq!(l, 0);
    assert!(msg.contains("no [contact] table"), "{msg}");
}

#[test]
fn field_names_are_checked_where_they_are_written() {
    says(
        "fields = [{ salesforce = \"Bad Name\", ipaas = \"name\" }]",
        3,
        &["\"Bad Name\" is not a Salesforce field API name"],
    );
    says(
        "fields = [{ salesforce = \"Id\", ipaas = \"name\" }]",
        3,
        &["Account.Id is set by Salesforce"],
    );
    says(
        "fields = [{ salesforce = \"Name\", ipaas = \"Name\" }]",
        3,
        &["\"Name\" is not an iPaaS.com field"],
    );
    says(
        "fields = [{ salesforce = \"Name\", ipaas = \"external_ids\" }]",
        3,
        &["Company.external_ids holds the links"],
    );
    says(
        "fields = [{ salesforce = \"Name\", ipaas = \"custom_fields.\" }]",
        3,
        &["custom field's name"],
    );
    says(
        "fields = [{ salesforce = \"Name\" }]",
        3,
        &["names both sides"],
    );
    let doc = DEFAULT_DOCUMENT.replace(
        "{ salesforce = \"Email\", ipaas = \"email_address\" },",
        "{ salesforce = \"AccountId\", ipaas = \"company_id\" },",
    );
    let (_, msg) = refused(&doc);
    assert!(
        msg.contains("Contact.AccountId follows the Customer's company"),
        "{msg}"
    );
    let doc = DEFAULT_DOCUMENT.replace(
        "{ salesforce = \"Email\", ipaas = \"email_address\" },",
        "{ salesforce = \"Email\", ipaas = \"customer_number\" },",
    );
    let (_, msg) = refused(&doc);
    assert!(
        msg.contains("Customer.customer_number is the Contact Id"),
        "{msg}"
    );
}

#[test]
fn each_field_is_mapped_once_per_direction() {
    says(
        "fields = [\n{ salesforce = \"Name\", ipaas = \"name\" },\n{ salesforce = \"name\", ipaas = \"custom_fields.Legal\" },\n]",
        5,
        &["Account.name is already mapped to iPaaS.com on line 4"],
    );
    // One way each: allowed.
    let doc = with_account("fields = [\n{ salesforce = \"Name\", ipaas = \"name\", direction = \"to_ipaas\" },\n{ salesforce = \"Name\", ipaas = \"custom_fields.Legal\", direction = \"from_ipaas\" },\n]");
    let m = Mapping::parse(&doc).unwrap();
    assert_eq!(m.account().fields(Direction::ToIpaas), ["Name"]);
    says(
        "fields = [\n{ salesforce = \"Name\", ipaas = \"name\" },\n{ salesforce = \"AccountNumber\", ipaas = \"name\" },\n]",
        5,
        &["Company.name is already written on line 4"],
    );
    says(
        "fields = [{ salesforce = \"BillingCity\", ipaas = \"custom_fields.City\" }]\naddresses = [{ salesforce = \"Billing\", ipaas = \"primary_billing\" }]",
        4,
        &["Account.BillingCity is already mapped"],
    );
    says(
        "addresses = [\n{ salesforce = \"Billing\", ipaas = \"primary_billing\" },\n{ salesforce = \"Shipping\", ipaas = \"primary_billing\" },\n]",
        5,
        &["primary_billing address are already mapped on line 4"],
    );
    says(
        "addresses = [{ salesforce = \"Mailing\", ipaas = \"primary_billing\" }]",
        3,
        &["\"Mailing\" is not a Account address", "Billing, Shipping"],
    );
    says(
        "addresses = [{ salesforce = \"Billing\", ipaas = \"home\" }]",
        3,
        &["\"home\" is not an iPaaS.com address"],
    );
    says("addresses = [{ salesforce = \"Billing\", ipaas = \"primary_billing\", copy_names = true }]", 3, &["a Company has none"]);
}

#[test]
fn value_tables_say_what_to_do_with_unknown_values() {
    says(
        "[[account.fields]]\nsalesforce = \"Tier__c\"\nipaas = \"custom_fields.Tier\"\ntable = { Gold = \"G\" }",
        6,
        &["a value table needs unknown"],
    );
    says(
        "[[account.fields]]\nsalesforce = \"Tier__c\"\nipaas = \"custom_fields.Tier\"\nunknown = \"skip\"",
        6,
        &["has none"],
    );
    says(
        "[[account.fields]]\nsalesforce = \"Tier__c\"\nipaas = \"custom_fields.Tier\"\ntable = { Gold = \"G\" }\nunknown = \"ignore\"",
        7,
        &["unknown = \"ignore\" is not a policy"],
    );
    says(
        "[[account.fields]]\nsalesforce = \"Tier__c\"\nipaas = \"custom_fields.Tier\"\ntable = { Gold = \"G\" }\nunknown = { default = \"S\" }",
        3,
        &["under [to_ipaas] or [from_ipaas]"],
    );
    says(
        "[[account.fields]]\nsalesforce = \"Tier__c\"\nipaas = \"custom_fields.Tier\"\ntable = { Gold = \"G\", Platinum = \"G\" }\nunknown = \"skip\"",
        6,
        &["maps both \"Gold\" and \"Platinum\" to \"G\"", "give [from_ipaas] its own table"],
    );
    says(
        "[[account.fields]]\nsalesforce = \"Tier__c\"\nipaas = \"custom_fields.Tier\"\ntable = { \" Gold\" = \"G\" }\nunknown = \"skip\"",
        6,
        &["spaces at an end"],
    );
    // A many-to-one table is fine one way, or with its own table back.
    let doc = with_account("[[account.fields]]\nsalesforce = \"Tier__c\"\nipaas = \"custom_fields.Tier\"\ndirection = \"to_ipaas\"\ntable = { Gold = \"G\", Platinum = \"G\" }\nunknown = \"skip\"");
    Mapping::parse(&doc).unwrap();
    let doc = with_account("[[account.fields]]\nsalesforce = \"Tier__c\"\nipaas = \"custom_fields.Tier\"\ntable = { Gold = \"G\", Platinum = \"G\" }\nunknown = \"skip\"\n[account.fields.from_ipaas]\ntable = { G = \"Gold\" }");
    Mapping::parse(&doc).unwrap();
    says(
        "[[account.fields]]\nsalesforce = \"Tier__c\"\nipaas = \"custom_fields.Tier\"\ndirection = \"to_ipaas\"\n[account.fields.from_ipaas]\ntable = { G = \"Gold\" }",
        3,
        &["[from_ipaas] rules would never apply"],
    );
}

#[test]
fn max_length_and_constants() {
    says(
        "fields = [{ salesforce = \"Name\", ipaas = \"name\", max_length = 0 }]",
        3,
        &["max_length = 0 must be at least 1"],
    );
    says(
        "fields = [{ salesforce = \"Name\", ipaas = \"name\", overflow = \"truncate\" }]",
        3,
        &["overflow = … applies to max_length"],
    );
    says(
        "fields = [{ salesforce = \"Name\", ipaas = \"name\", overflow = \"wrap\" }]",
        3,
        &["wrap"],
    );
    says(
        "fields = [{ salesforce = \"Source__c\", ipaas = \"name\", constant = \"x\" }]",
        3,
        &["not both"],
    );
    says("fields = [{ constant = \"x\" }]", 3, &["names the side"]);
    says(
        "fields = [{ salesforce = \"Source__c\", constant = \"  \" }]",
        3,
        &["cannot be empty"],
    );
    says(
        "fields = [{ salesforce = \"Source__c\", constant = \"x\", transform = [\"upper\"] }]",
        3,
        &["takes no transforms"],
    );
    says(
        "fields = [{ salesforce = \"Source__c\", constant = \"x\", direction = \"to_ipaas\" }]",
        3,
        &["leave direction out"],
    );
    says(
        "fields = [\n{ salesforce = \"Name\", ipaas = \"name\" },\n{ salesforce = \"Name\", constant = \"x\" },\n]",
        5,
        &["Account.Name is already mapped from iPaaS.com on line 4"],
    );
    says(
        "fields = [\n{ salesforce = \"Name\", ipaas = \"name\" },\n{ ipaas = \"name\", constant = \"x\" },\n]",
        5,
        &["Company.name is already written on line 4"],
    );
}

#[test]
fn both_spellings_read_the_same_and_files_name_themselves() {
    let inline = with_account(
        "fields = [{ salesforce = \"Name\", ipaas = \"name\", transform = [\"upper\"] }]",
    );
    let tables = with_account(
        "[[account.fields]]\nsalesforce = \"Name\"\nipaas = \"name\"\ntransform = [\"upper\"]",
    );
    let a = Mapping::parse(&inline).unwrap();
    let b = Mapping::parse(&tables).unwrap();
    let strip = |m: &Mapping| {
        m.account()
            .entries()
            .into_iter()
            .map(|e| (e.salesforce, e.ipaas, e.runs, e.rules))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&a), strip(&b));
    let dir = std::env::temp_dir().join(format!("sfsync-mapping-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("bad.toml");
    std::fs::write(&p, "version = 1\n[account]\nfields = 3\n[contact]\n").unwrap();
    let e = Mapping::from_file(&p).unwrap_err().to_string();
    assert!(e.starts_with("line 3: ") && e.contains("bad.toml"), "{e}");
    let e = Mapping::from_file(&dir.join("absent.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("cannot read") && e.contains("absent.toml"),
        "{e}"
    );
}
