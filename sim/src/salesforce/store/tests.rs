//! Ids, stamps, seeding, and versions that commit late.

use super::*;

#[test]
fn ids_are_valid_and_prefixed() {
    let mut s = Store::default();
    let a = s.new_id("Account");
    let c = s.new_id("Contact");
    assert_eq!(a.key_prefix(), "001");
    assert_eq!(c.key_prefix(), "003");
    assert_eq!(SalesforceId::parse(a.as_str()).unwrap(), a);
    assert_eq!(SalesforceId::parse(a.to_15()).unwrap(), a);
}

#[test]
fn modstamps_strictly_increase() {
    let mut s = Store::default();
    let mut last = String::new();
    for i in 0..50 {
        let f = json!({"Name": format!("A{i}")});
        let id = s.put("Account", None, f.as_object().unwrap(), Writer::User("005"));
        let stamp = s.get("Account", id.as_str()).unwrap()["SystemModstamp"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(stamp > last, "{stamp} after {last}");
        last = stamp;
    }
}

#[test]
fn seeding_keeps_explicit_audit_fields_and_users_cannot() {
    let mut s = Store::default();
    let f = json!({"Name": "Old", "SystemModstamp": "2020-01-01T00:00:00.000+0000", "LastModifiedById": "005000000000009AAA"});
    let id = s.put(
        "Account",
        None,
        f.as_object().unwrap(),
        Writer::Seed("005x"),
    );
    let rec = s.get("Account", id.as_str()).unwrap();
    assert_eq!(rec["SystemModstamp"], "2020-01-01T00:00:00.000+0000");
    assert_eq!(rec["LastModifiedById"], "005000000000009AAA");
    let id2 = s.put(
        "Account",
        None,
        f.as_object().unwrap(),
        Writer::User("005y"),
    );
    assert_ne!(
        s.get("Account", id2.as_str()).unwrap()["SystemModstamp"],
        "2020-01-01T00:00:00.000+0000"
    );
}

#[test]
fn time_format_round_trips() {
    assert_eq!(
        format_time(1_704_067_200_000),
        "2024-01-01T00:00:00.000+0000"
    );
    assert_eq!(
        parse_time("2024-01-01T00:00:00.000+0000"),
        Some(1_704_067_200_000)
    );
    assert_eq!(parse_time("2024-01-01T00:00:00Z"), Some(1_704_067_200_000));
}

#[test]
fn contact_name_is_compound() {
    let mut s = Store::default();
    let f = json!({"FirstName": "Ada", "LastName": "Lovelace"});
    let id = s.put("Contact", None, f.as_object().unwrap(), Writer::User("005"));
    assert_eq!(
        s.get("Contact", id.as_str()).unwrap()["Name"],
        "Ada Lovelace"
    );
}

#[test]
fn a_late_commit_is_stamped_early_and_seen_late() {
    let mut s = Store::default();
    let f = json!({"Name": "Early"});
    let id = s.put("Account", None, f.as_object().unwrap(), Writer::User("005"));
    let (_, rec) = s.stage(
        "Account",
        Some(&id),
        json!({"Phone": "1"}).as_object().unwrap(),
        Writer::User("005"),
    );
    let early = rec["SystemModstamp"].clone();
    let ticket = s
        .save("Account", rec, Some(Duration::from_secs(60)), None)
        .expect("a ticket");
    assert!(s.locked("Account", id.as_str()));
    assert!(s.locked("Account", id.to_15()));
    assert_eq!(s.get("Account", id.as_str()).unwrap().get("Phone"), None);
    let later = s.put(
        "Account",
        None,
        json!({"Name": "Later"}).as_object().unwrap(),
        Writer::User("005"),
    );
    let later_stamp = s.get("Account", later.as_str()).unwrap()["SystemModstamp"].clone();
    assert!(later_stamp.as_str() > early.as_str());
    s.commit_due(Instant::now());
    assert!(s.is_pending(ticket.id), "not due yet");
    s.commit_due(ticket.due);
    assert!(!s.is_pending(ticket.id));
    let rec = s.get("Account", id.as_str()).unwrap();
    assert_eq!(
        (rec["Phone"].clone(), rec["SystemModstamp"].clone()),
        (json!("1"), early)
    );
    assert!(!s.locked("Account", id.as_str()));
}

#[test]
fn forcing_and_committing_everything() {
    let mut s = Store::default();
    let (a, rec) = s.stage(
        "Account",
        None,
        json!({"Name": "A"}).as_object().unwrap(),
        Writer::User("005"),
    );
    s.save("Account", rec, Some(Duration::from_secs(60)), None);
    let (_, rec) = s.stage(
        "Contact",
        None,
        json!({"LastName": "B"}).as_object().unwrap(),
        Writer::User("005"),
    );
    s.save("Contact", rec, Some(Duration::from_secs(60)), None);
    assert_eq!(s.pending_len(), 2);
    assert!(
        s.get("Account", a.as_str()).is_none(),
        "a slow create is invisible"
    );
    assert_eq!(s.uncommitted("Account").count(), 1);
    s.force("Account", a.as_str());
    assert!(s.get("Account", a.as_str()).is_some());
    assert_eq!(s.commit_all(), 1);
    assert_eq!(s.pending_len(), 0);
}

#[test]
fn deleted_records_stay_but_are_not_live() {
    let mut s = Store::default();
    let id = s.put(
        "Account",
        None,
        json!({"Name": "Gone"}).as_object().unwrap(),
        Writer::User("005"),
    );
    let rec = s.stage_deleted("Account", &id, true, "005").unwrap();
    s.commit("Account", rec);
    assert!(s.get("Account", id.as_str()).is_some_and(is_deleted));
    assert!(s.live("Account", id.as_str()).is_none());
    assert_eq!(s.all("Account").count(), 1);
    assert_eq!(s.all_live("Account").count(), 0);
}
