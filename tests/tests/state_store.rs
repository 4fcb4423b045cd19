//! The StateStore contract, run against DynamoDB on moto server and against memory: cursors
//! only move forward (ties on SystemModstamp ordered by Id), ledger writes are optimistic.

use chrono::{TimeZone, Utc};
use e2e::{aws_config, unique};
use shared::flow::Flow;
use shared::state::{
    Cursor, DynamoStateStore, LedgerEntry, MemoryStateStore, StateError, StateStore,
};
use std::sync::Arc;

async fn dynamo() -> DynamoStateStore {
    let client = aws_sdk_dynamodb::Client::new(&aws_config().await);
    DynamoStateStore::create_table(client, unique("sfsync-state"))
        .await
        .unwrap()
}

fn at(ms: i64, id: &str) -> Cursor {
    Cursor {
        modstamp: Utc.timestamp_millis_opt(ms).unwrap(),
        id: id.into(),
    }
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
    for stale in [at(1_000, "001B"), at(1_000, "001A"), at(999, "001Z")] {
        let err = store.advance_cursor("account", &stale).await.unwrap_err();
        assert!(matches!(err, StateError::Conflict(_)), "{stale:?}: {err:?}");
    }
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
    e.written_hash = Some("abc".into());
    e.creating_since = None;
    assert_eq!(store.put_ledger(flow, "003X", &e).await.unwrap(), 2);
    let got = store.ledger(flow, "003X").await.unwrap().unwrap();
    assert_eq!(got.target_id.as_deref(), Some("42"));
    assert_eq!(got.creating_since, None);
    assert_eq!(got.version, 2);

    // Ten concurrent writers from version 2: exactly one wins.
    let mut tasks = Vec::new();
    for i in 0..10 {
        let store = store.clone();
        let mut mine = got.clone();
        mine.written_hash = Some(format!("w{i}"));
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

#[tokio::test]
async fn dynamodb_on_moto() {
    let store = dynamo().await;
    cursors_move_forward_only(&store).await;
    ledger_is_optimistic(Arc::new(store)).await;
}

#[tokio::test]
async fn memory() {
    let store = MemoryStateStore::new();
    cursors_move_forward_only(&store).await;
    ledger_is_optimistic(Arc::new(MemoryStateStore::new())).await;
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
