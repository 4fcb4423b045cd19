//! The poller over an in-memory change source: ties on SystemModstamp, bounded ticks over a
//! large backlog, the first-run window, and the cursor moving only after enqueue.

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use shared::flow::Flow;
use shared::poller::{poll_object, ChangeSource, ChangedRecord, ChangesPage, PollSettings};
use shared::queue::{MemoryWorkQueue, QueueError, WorkMessage, WorkQueue};
use shared::state::{Cursor, MemoryStateStore, StateStore};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Records sorted by (modstamp, id), answering like the poller's SOQL.
struct Org {
    records: Vec<ChangedRecord>,
}

impl Org {
    fn new(mut records: Vec<ChangedRecord>) -> Self {
        records.sort_by(|a, b| (a.modstamp, &a.id).cmp(&(b.modstamp, &b.id)));
        Org { records }
    }
}

#[async_trait]
impl ChangeSource for Org {
    async fn changed_after(
        &self,
        _: &str,
        c: &Cursor,
        limit: usize,
    ) -> Result<ChangesPage, shared::catalog::Raised> {
        let rows: Vec<ChangedRecord> = self
            .records
            .iter()
            .filter(|r| (r.modstamp, &r.id) > (c.modstamp, &c.id))
            .take(limit)
            .cloned()
            .collect();
        Ok(ChangesPage {
            full: rows.len() == limit,
            rows,
            unreadable: Vec::new(),
        })
    }
}

/// An org whose visible rows can change between ticks (a transaction committing late).
struct Live(std::sync::Mutex<Vec<ChangedRecord>>);

#[async_trait]
impl ChangeSource for Live {
    async fn changed_after(
        &self,
        object: &str,
        c: &Cursor,
        limit: usize,
    ) -> Result<ChangesPage, shared::catalog::Raised> {
        let now = Org::new(self.0.lock().unwrap().clone());
        now.changed_after(object, c, limit).await
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap()
}

fn rec(i: usize, ms: i64) -> ChangedRecord {
    ChangedRecord {
        id: format!("003{i:015}"),
        modstamp: t0() + Duration::milliseconds(ms),
        has_account: !i.is_multiple_of(10),
        row: None,
    }
}

fn now() -> DateTime<Utc> {
    t0() + Duration::days(1)
}

#[tokio::test]
async fn ties_on_systemmodstamp_across_page_boundaries_lose_nothing() {
    // 7 records share one SystemModstamp; pages of 3 split the tie twice.
    let mut records: Vec<_> = (0..7).map(|i| rec(i + 1, 500)).collect();
    records.push(rec(100, 400));
    records.push(rec(101, 600));
    let org = Org::new(records.clone());
    let (queue, state) = (MemoryWorkQueue::new(), MemoryStateStore::new());
    let settings = PollSettings {
        page_size: 3,
        ..Default::default()
    };
    let report = poll_object(
        "Account",
        Flow::AccountToIpaas,
        &org,
        &queue,
        &state,
        &settings,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(report.enqueued, 9);
    let got: Vec<_> = queue
        .take(Flow::AccountToIpaas, 100)
        .into_iter()
        .map(|m| m.record_id)
        .collect();
    let want: Vec<_> = org.records.iter().map(|r| r.id.clone()).collect();
    assert_eq!(got, want);
    // A second run finds nothing new.
    let again = poll_object(
        "Account",
        Flow::AccountToIpaas,
        &org,
        &queue,
        &state,
        &settings,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(again.enqueued, 0);
}

#[tokio::test]
async fn a_100k_backlog_finishes_over_several_ticks_each_record_exactly_once() {
    // 100,000 changes, ~40% sharing a timestamp with a neighbour.
    let records: Vec<_> = (0..100_000)
        .map(|i| rec(i, (i as i64 / 5) * 3 + (i as i64 % 2)))
        .collect();
    let org = Org::new(records);
    let (queue, state) = (MemoryWorkQueue::new(), MemoryStateStore::new());
    let settings = PollSettings {
        page_size: 2000,
        max_per_tick: 30_000,
        poll_days: 7,
        ..Default::default()
    };
    let mut ticks = 0;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut skipped = 0;
    loop {
        ticks += 1;
        let r = poll_object(
            "Contact",
            Flow::ContactToIpaas,
            &org,
            &queue,
            &state,
            &settings,
            now(),
        )
        .await
        .unwrap();
        skipped += r.skipped_no_account;
        for m in queue.take(Flow::ContactToIpaas, usize::MAX) {
            *seen.entry(m.record_id).or_default() += 1;
        }
        if !r.backlog {
            break;
        }
        assert!(ticks < 10, "backlog never finished");
    }
    assert!(
        ticks >= 4,
        "work per tick must be bounded (took {ticks} ticks)"
    );
    assert_eq!(
        skipped, 10_000,
        "contacts without AccountId are skipped, not sent"
    );
    assert_eq!(seen.len(), 90_000);
    assert!(seen.values().all(|&n| n == 1), "every record exactly once");
}

#[tokio::test]
async fn first_run_looks_back_poll_days_only() {
    let old = ChangedRecord {
        id: "001000000000000001".into(),
        modstamp: now() - Duration::days(8),
        has_account: true,
        row: None,
    };
    let recent = ChangedRecord {
        id: "001000000000000002".into(),
        modstamp: now() - Duration::days(6),
        has_account: true,
        row: None,
    };
    let org = Org::new(vec![old, recent.clone()]);
    let (queue, state) = (MemoryWorkQueue::new(), MemoryStateStore::new());
    poll_object(
        "Account",
        Flow::AccountToIpaas,
        &org,
        &queue,
        &state,
        &PollSettings::default(),
        now(),
    )
    .await
    .unwrap();
    let got: Vec<_> = queue
        .take(Flow::AccountToIpaas, 10)
        .into_iter()
        .map(|m| m.record_id)
        .collect();
    assert_eq!(got, vec![recent.id]);
}

/// A queue that refuses the first `fail` calls.
struct Flaky {
    inner: MemoryWorkQueue,
    fail: AtomicUsize,
}

#[async_trait]
impl WorkQueue for Flaky {
    async fn enqueue(&self, m: &[WorkMessage]) -> Result<(), QueueError> {
        if self.fail.load(Ordering::SeqCst) > 0 {
            self.fail.fetch_sub(1, Ordering::SeqCst);
            return Err(QueueError::NotEnqueued {
                failed: m.iter().map(|m| m.record_id.clone()).collect(),
                reason: "down".into(),
            });
        }
        self.inner.enqueue(m).await
    }
}

#[tokio::test]
async fn the_cursor_moves_only_after_the_messages_are_accepted() {
    let org = Org::new((0..5).map(|i| rec(i + 1, i as i64)).collect());
    let queue = Flaky {
        inner: MemoryWorkQueue::new(),
        fail: AtomicUsize::new(1),
    };
    let state = MemoryStateStore::new();
    let s = PollSettings::default();
    assert!(poll_object(
        "Account",
        Flow::AccountToIpaas,
        &org,
        &queue,
        &state,
        &s,
        now()
    )
    .await
    .is_err());
    assert_eq!(
        state.cursor("poll-account").await.unwrap(),
        None,
        "cursor must not move past unsent records"
    );
    let r = poll_object(
        "Account",
        Flow::AccountToIpaas,
        &org,
        &queue,
        &state,
        &s,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(r.enqueued, 5);
    assert_eq!(queue.inner.len(Flow::AccountToIpaas), 5);
}

/// A change whose transaction committed after later rows were polled carries a
/// SystemModstamp behind the cursor. Fails on a poller without an overlap window (the row
/// is never read); the rows already sent cost no second message.
#[tokio::test]
async fn a_slow_commit_behind_the_cursor_is_read_on_the_next_tick_and_nothing_is_sent_twice() {
    let org = Live(std::sync::Mutex::new(vec![rec(1, 1_000), rec(3, 3_000)]));
    let (queue, state) = (MemoryWorkQueue::new(), MemoryStateStore::new());
    let s = PollSettings::default();
    let tick = || {
        poll_object(
            "Account",
            Flow::AccountToIpaas,
            &org,
            &queue,
            &state,
            &s,
            now(),
        )
    };
    let first = tick().await.unwrap();
    assert_eq!(first.enqueued, 2);
    // Row 2 was written at 2,000 ms but committed only now.
    org.0.lock().unwrap().push(rec(2, 2_000));
    let second = tick().await.unwrap();
    assert_eq!(
        (second.enqueued, second.late, second.already_sent),
        (1, 1, 2)
    );
    let third = tick().await.unwrap();
    assert_eq!((third.enqueued, third.already_sent), (0, 3));
    let got: Vec<_> = queue
        .take(Flow::AccountToIpaas, 10)
        .into_iter()
        .map(|m| m.record_id)
        .collect();
    assert_eq!(got, vec![rec(1, 0).id, rec(3, 0).id, rec(2, 0).id]);
    // A row that changes again (a new SystemModstamp) is a new change.
    org.0.lock().unwrap().push(rec(1, 4_000));
    assert_eq!(tick().await.unwrap().enqueued, 1);
}
