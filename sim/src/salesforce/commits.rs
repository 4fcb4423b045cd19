//! Slow commits seen from the writer's side: an API write that commits late answers only
//! once it is committed, waiting without holding the org lock.

use super::state::SimState;
use super::store::Ticket;

impl SimState {
    /// Returns once the write behind `ticket` is committed (at its due time, or earlier when
    /// a test forces every pending commit).
    pub async fn settle(&self, ticket: Option<Ticket>) {
        let Some(ticket) = ticket else {
            return;
        };
        let mut forced = self.commits.subscribe();
        loop {
            // Locking the org commits whatever is due.
            if !self.org().store.is_pending(ticket.id) {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep_until(ticket.due.into()) => {}
                changed = forced.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
            }
        }
    }

    /// Commits every pending write now and wakes their writers; answers how many there were.
    pub fn commit_pending_now(&self) -> usize {
        let n = self.org().store.commit_all();
        self.wake_writers();
        n
    }

    /// Tells writers waiting on late commits to look again (some were forced).
    pub fn wake_writers(&self) {
        self.commits.send_modify(|v| *v += 1);
    }

    /// The slow-commit dice for a write at `path`.
    pub fn slow_commit(&self, path: &str) -> super::org::Commit {
        super::org::Commit::after(self.faults.roll_slow_commit(path))
    }
}
