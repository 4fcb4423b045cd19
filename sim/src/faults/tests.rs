//! The dice: pre-apply fates, lost answers and slow commits.

use super::*;

#[test]
fn force_401_counts_down_and_only_where_honoured() {
    let h = FaultHandle::new(1);
    h.set(Faults {
        force_401: 2,
        ..Faults::default()
    });
    assert_eq!(h.roll(false, "/x").1, Fate::Serve);
    assert_eq!(h.roll(true, "/x").1, Fate::Status(StatusCode::UNAUTHORIZED));
    assert_eq!(h.roll(true, "/x").1, Fate::Status(StatusCode::UNAUTHORIZED));
    assert_eq!(h.roll(true, "/x").1, Fate::Serve);
}

#[test]
fn certain_rates_always_fire() {
    let h = FaultHandle::new(1);
    h.set(Faults {
        rate_503: 1.0,
        ..Faults::default()
    });
    for _ in 0..50 {
        assert_eq!(
            h.roll(true, "/x").1,
            Fate::Status(StatusCode::SERVICE_UNAVAILABLE)
        );
    }
    h.set(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    });
    assert_eq!(h.roll(true, "/x").1, Fate::Drop);
    h.set(Faults::default());
    assert_eq!(h.roll(true, "/x").1, Fate::Serve);
}

#[test]
fn faults_round_trip_as_json_with_millisecond_latency() {
    let f: Faults = serde_json::from_str(r#"{"rate_503":0.5,"latency":250}"#).unwrap();
    assert_eq!(f.latency, Duration::from_millis(250));
    assert_eq!(f.rate_503, 0.5);
    assert_eq!(serde_json::to_value(&f).unwrap()["latency"], 250);
}

#[test]
fn faults_can_target_some_paths_only() {
    let h = FaultHandle::new(1);
    h.set(Faults {
        rate_503: 1.0,
        only_paths: vec!["/External/".into()],
        ..Faults::default()
    });
    assert_eq!(h.roll(true, "/customers/v2/Customer/1").1, Fate::Serve);
    assert_eq!(
        h.roll(true, "/customers/v2/External/UpdateExternalId").1,
        Fate::Status(StatusCode::SERVICE_UNAVAILABLE)
    );
}

#[test]
fn lost_answers_hit_served_writes_only() {
    let h = FaultHandle::new(1);
    h.set(Faults {
        lost_answer_rate: 1.0,
        lost_answer_kinds: vec![LostAnswer::Status502],
        ..Faults::default()
    });
    for m in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        assert_eq!(
            h.roll_lost_answer(&m, "/x"),
            Some((LostAnswer::Status502, Duration::from_millis(2000))),
            "{m}"
        );
    }
    assert_eq!(h.roll_lost_answer(&Method::GET, "/x"), None);
    assert_eq!(h.roll_lost_answer(&Method::HEAD, "/x"), None);
    h.set(Faults::default());
    assert_eq!(h.roll_lost_answer(&Method::POST, "/x"), None);
}

#[test]
fn lost_answers_honour_only_paths() {
    let h = FaultHandle::new(1);
    h.set(Faults {
        lost_answer_rate: 1.0,
        only_paths: vec!["/composite/".into()],
        ..Faults::default()
    });
    assert_eq!(
        h.roll_lost_answer(&Method::POST, "/services/data/v64.0/sobjects/Account"),
        None
    );
    assert!(h
        .roll_lost_answer(&Method::POST, "/services/data/v64.0/composite/sobjects")
        .is_some());
}

#[test]
fn lost_answer_kinds_are_all_picked_when_none_is_named_and_the_seed_replays() {
    let h = FaultHandle::new(1);
    let faults = Faults {
        lost_answer_rate: 1.0,
        seed: Some(7),
        ..Faults::default()
    };
    h.set(faults.clone());
    let first: Vec<LostAnswer> = (0..200)
        .filter_map(|_| h.roll_lost_answer(&Method::POST, "/x").map(|(k, _)| k))
        .collect();
    for kind in LostAnswer::ALL {
        assert!(first.contains(&kind), "{kind:?} never picked");
    }
    h.set(faults);
    let again: Vec<LostAnswer> = (0..200)
        .filter_map(|_| h.roll_lost_answer(&Method::POST, "/x").map(|(k, _)| k))
        .collect();
    assert_eq!(first, again, "one seed, one run of dice");
}

#[test]
fn lost_answer_rate_is_roughly_honoured() {
    let h = FaultHandle::new(1);
    h.set(Faults {
        lost_answer_rate: 0.25,
        seed: Some(11),
        ..Faults::default()
    });
    let lost = (0..4000)
        .filter(|_| h.roll_lost_answer(&Method::PUT, "/x").is_some())
        .count();
    assert!((800..1200).contains(&lost), "{lost} of 4000 at 25%");
}

#[test]
fn slow_commits_roll_with_their_delay() {
    let h = FaultHandle::new(1);
    assert_eq!(h.roll_slow_commit("/x"), None);
    h.set(Faults {
        slow_commit_rate: 1.0,
        slow_commit_delay: Duration::from_millis(300),
        only_paths: vec!["/sobjects/".into()],
        ..Faults::default()
    });
    assert_eq!(
        h.roll_slow_commit("/services/data/v64.0/sobjects/Account"),
        Some(Duration::from_millis(300))
    );
    assert_eq!(
        h.roll_slow_commit("/services/data/v64.0/composite/sobjects"),
        None
    );
}

#[test]
fn new_faults_read_and_write_as_json() {
    let f: Faults = serde_json::from_str(
        r#"{"lost_answer_rate":0.03,"lost_answer_kinds":["502","drop","hang"],"hang":500,
            "slow_commit_rate":0.1,"slow_commit_delay":1500}"#,
    )
    .unwrap();
    assert_eq!(
        f.lost_answer_kinds,
        vec![LostAnswer::Status502, LostAnswer::Drop, LostAnswer::Hang]
    );
    assert_eq!(f.hang, Duration::from_millis(500));
    assert_eq!(f.slow_commit_delay, Duration::from_millis(1500));
    let v = serde_json::to_value(&f).unwrap();
    assert_eq!(
        v["lost_answer_kinds"],
        serde_json::json!(["502", "drop", "hang"])
    );
    let defaults: Faults = serde_json::from_str("{}").unwrap();
    assert_eq!(defaults, Faults::default());
    assert_eq!(defaults.hang, Duration::from_millis(2000));
    assert!(serde_json::from_str::<Faults>(r#"{"lost_answer_kinds":["404"]}"#).is_err());
}
