//! The StateStore contract, run against DynamoDB on moto server and against memory: cursors
//! only move forward (ties on SystemModstamp ordered by Id), ledger writes are optimistic.

use chrono::{TimeZone, Utc};
use e2e::{aws_config, unique};
use shared::flow::Flow;
use shared::state::{
    Cursor, DynamoStateStore, LedgerEntry, MemoryStateStore, Seen, StateError, StateStore,
};
use std::sync::Arc;

async fn dynamo() -> DynamoStateStore {
    let client = aws_sdk_dynamodb::Client::new(&aws_config().await);
    DynamoStateStore::create_table(client, unique("sfsync-state"))
        .await
        .unwrap()
}

fn at(ms: i64, id: &str) -> Cursor {
    Cursor::at(Utc.timestamp_millis_opt(ms).unwrap(), id)
}

async fn cursors_move_forward_only(store: &dyn StateStore) {
    assert_eq!(store.cursor("account").await.unwrap(), None);
    store
        .advance_cursor("account", &at(1_000, "001A"))
        .await
        .unwrap();
    // Same SystemModstamp, later Id: a tie that must not be lost.
    store
        .advance_cursor("account", &at(1_000, "001B"))
        .await
        .unwrap();
    assert_eq!(
        store.cursor("account").await.unwrap(),
        Some(at(1_000, "001B"))
    );
    for stale in [at(1_000, "001A"), at(999, "001Z")] {
        let err = store.advance_cursor("account", &stale).await.unwrap_err();
        assert!(matches!(err, StateError::Conflict(_)), "{stale:?}: {err:?}");
    }
    // The same position may be stored again with the rows seen in the overlap window.
    let mut same = at(1_000, "001B");
    same.recent = vec![
        Seen::of("001A", &same.modstamp),
        Seen::of("001B", &same.modstamp),
    ];
    store.advance_cursor("account", &same).await.unwrap();
    assert_eq!(store.cursor("account").await.unwrap(), Some(same));
    store
        .advance_cursor("account", &at(2_000, "0010"))
        .await
        .unwrap();
    assert_eq!(
        store.cursor("account").await.unwrap(),
        Some(at(2_000, "0010"))
    );
    // Cursors are independent.
    assert_eq!(store.cursor("contact").await.unwrap(), None);
}

async fn ledger_is_optimistic(store: Arc<dyn StateStore>) {
    let flow = Flow::ContactToIpaas;
    assert_eq!(store.ledger(flow, "003X").await.unwrap(), None);
    let first = LedgerEntry {
        creating_since: Some(Utc.timestamp_millis_opt(5_000).unwrap()),
        ..Default::default()
    };
    assert_eq!(store.put_ledger(flow, "003X", &first).await.unwrap(), 1);
    // A second writer that also saw "absent" loses.
    assert!(matches!(
        store.put_ledger(flow, "003X", &first).await,
        Err(StateError::Conflict(_))
    ));

    let mut e = store.ledger(flow, "003X").await.unwrap().unwrap();
    assert_eq!(e.version, 1);
    assert_eq!(e.creating_since, first.creating_since);
    e.target_id = Some("42".into());
    e.applied_change = Some(Utc.timestamp_millis_opt(6_000).unwrap());
    e.synced = Some([("Name".to_string(), "abc".to_string())].into());
    e.creating_since = None;
    assert_eq!(store.put_ledger(flow, "003X", &e).await.unwrap(), 2);
    let got = store.ledger(flow, "003X").await.unwrap().unwrap();
    assert_eq!(got.target_id.as_deref(), Some("42"));
    assert_eq!(got.creating_since, None);
    assert_eq!(got.synced, e.synced);
    assert_eq!(got.version, 2);

    // Ten concurrent writers from version 2: exactly one wins.
    let mut tasks = Vec::new();
    for i in 0..10 {
        let store = store.clone();
        let mut mine = got.clone();
        mine.last_error = Some(format!("w{i}"));
        tasks.push(tokio::spawn(async move {
            store.put_ledger(flow, "003X", &mine).await
        }));
    }
    let mut wins = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(v) => {
                assert_eq!(v, 3);
                wins += 1;
            }
            Err(StateError::Conflict(_)) => {}
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(wins, 1);
    // Entries are per flow.
    assert_eq!(
        store.ledger(Flow::ContactFromIpaas, "003X").await.unwrap(),
        None
    );
}

/// Both halves of a pair are written at once or not at all; the other half can be noted
/// without reading it, and a writer that read before then loses its condition.
async fn pairs_are_written_together(store: Arc<dyn StateStore>) {
    let (to, from) = (Flow::ContactToIpaas, Flow::ContactFromIpaas);
    let mine = LedgerEntry {
        target_id: Some("7".into()),
        ..Default::default()
    };
    let theirs = LedgerEntry {
        target_id: Some("003A".into()),
        ..Default::default()
    };
    store
        .put_ledgers(&[(to, "003A", &mine), (from, "7", &theirs)])
        .await
        .unwrap();
    // A second claim from the same (stale) versions changes neither half.
    let other = LedgerEntry {
        target_id: Some("8".into()),
        ..Default::default()
    };
    let fresh = LedgerEntry::default();
    let err = store
        .put_ledgers(&[(to, "003A", &other), (from, "8", &fresh)])
        .await
        .unwrap_err();
    assert!(matches!(err, StateError::Conflict(_)), "{err:?}");
    assert_eq!(store.ledger(from, "8").await.unwrap(), None);
    let held = store.ledger(to, "003A").await.unwrap().unwrap();
    assert_eq!(held.target_id.as_deref(), Some("7"));

    let synced = [("Email".to_string(), "h1".to_string())].into();
    store.note_pair(from, "7", "003A", &synced).await.unwrap();
    store.note_pair(from, "9", "003B", &synced).await.unwrap();
    let noted = store.ledger(from, "7").await.unwrap().unwrap();
    assert_eq!(noted.synced.as_ref(), Some(&synced));
    assert_eq!(noted.version, 2);
    assert_eq!(
        store
            .ledger(from, "9")
            .await
            .unwrap()
            .unwrap()
            .target_id
            .as_deref(),
        Some("003B")
    );
    // Someone who read version 1 loses to the note.
    let mut stale = noted.clone();
    stale.version = 1;
    assert!(matches!(
        store.put_ledger(from, "7", &stale).await,
        Err(StateError::Conflict(_))
    ));
}

#[tokio::test]
async fn dynamodb_on_moto() {
    let store = dynamo().await;
    cursors_move_forward_only(&store).await;
    ledger_is_optimistic(Arc::new(store)).await;
    pairs_are_written_together(Arc::new(dynamo().await)).await;
}

#[tokio::test]
async fn memory() {
    let store = MemoryStateStore::new();
    cursors_move_forward_only(&store).await;
    ledger_is_optimistic(Arc::new(MemoryStateStore::new())).await;
    pairs_are_written_together(Arc::new(MemoryStateStore::new())).await;
}

#[tokio::test]
async fn missing_table_is_a_backend_error() {
    let client = aws_sdk_dynamodb::Client::new(&aws_config().await);
    let store = DynamoStateStore::new(client, unique("absent-table"));
    assert!(matches!(
        store.cursor("x").await,
        Err(StateError::Backend(_))
    ));
}
