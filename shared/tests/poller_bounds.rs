//! No `POLL_DAYS` can panic a tick: the first-run look-back is computed with checked
//! arithmetic (the start check keeps the setting in 0–3650; this guards the arithmetic).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use shared::flow::Flow;
use shared::poller::{poll_object, ChangeSource, ChangesPage, PollSettings};
use shared::queue::MemoryWorkQueue;
use shared::state::{Cursor, MemoryStateStore};
use std::sync::Mutex;

/// An org with no changes that remembers the cursor it was asked from.
#[derive(Default)]
struct Empty {
    asked_from: Mutex<Option<DateTime<Utc>>>,
}

#[async_trait]
impl ChangeSource for Empty {
    async fn changed_after(
        &self,
        _: &str,
        c: &Cursor,
        _: usize,
    ) -> Result<ChangesPage, shared::catalog::Raised> {
        *self.asked_from.lock().unwrap() = Some(c.modstamp);
        Ok(ChangesPage::default())
    }
}

/// Fails on the old code: `now - Duration::days(100000000)` panicked ("DateTime - TimeDelta
/// overflowed") on every tick.
#[tokio::test]
async fn a_huge_look_back_starts_at_the_epoch_instead_of_panicking() {
    for days in [100_000_000, i64::MAX] {
        let org = Empty::default();
        let settings = PollSettings {
            poll_days: days,
            ..PollSettings::default()
        };
        poll_object(
            "Account",
            Flow::AccountToIpaas,
            &org,
            &MemoryWorkQueue::new(),
            &MemoryStateStore::new(),
            &settings,
            Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(
            *org.asked_from.lock().unwrap(),
            Some(DateTime::UNIX_EPOCH),
            "{days}"
        );
    }
}
