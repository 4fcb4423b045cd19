//! What a flow did with one message, in the words of the demo report.

use crate::catalog::Raised;

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A new record was created in the target system and linked.
    Created { target: String },
    /// The linked target record was updated.
    Updated { target: String },
    /// An existing target record was found (by email, customer number or a duplicate
    /// rule), linked, and updated.
    Linked { target: String },
    /// The target already holds exactly these values; nothing was written.
    Unchanged { target: String },
    /// Passed over by design (not an error, not in the Error Logs).
    Skipped { reason: String },
    /// An older change than one already applied; nothing was written.
    Stale,
    /// Failed; the Error Log has the entry. `retry` says whether the cause is transient.
    Failed { raised: Raised, retry: bool },
    /// Not processed now for a reason of our own (state store outage, API budget); sent
    /// back to the queue, logged, no Error Log entry.
    Deferred { reason: String },
    /// Put off on purpose (the API budget is nearly spent, or another delivery of the same
    /// record is creating it right now): sent again after `delay`, not a failure.
    Postponed {
        delay: std::time::Duration,
        reason: String,
    },
    /// The message itself is unusable (e.g. not a Salesforce Id); logged as an error and
    /// left to reach the dead-letter queue.
    Rejected { reason: String },
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Created { .. } => "created",
            Outcome::Updated { .. } => "updated",
            Outcome::Linked { .. } => "linked",
            Outcome::Unchanged { .. } => "unchanged",
            Outcome::Skipped { .. } => "skipped",
            Outcome::Stale => "stale",
            Outcome::Failed { .. } => "failed",
            Outcome::Deferred { .. } => "deferred",
            Outcome::Rejected { .. } => "rejected",
            Outcome::Postponed { .. } => "postponed",
        }
    }

    /// Whether SQS should deliver the message again. Every failure does: a transient one
    /// may succeed next time, and a permanent one reaches the dead-letter queue after the
    /// queue's receive limit, where `sfsync replay` can send it again once the data is fixed.
    pub fn redeliver(&self) -> bool {
        matches!(
            self,
            Outcome::Failed { .. } | Outcome::Deferred { .. } | Outcome::Rejected { .. }
        )
    }
}
