use super::{QueueError, WorkMessage, WorkQueue};
use crate::flow::Flow;
use async_trait::async_trait;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Queues held in process memory, for unit tests and the local demo.
#[derive(Default)]
pub struct MemoryWorkQueue {
    queues: Mutex<HashMap<Flow, VecDeque<WorkMessage>>>,
}

impl MemoryWorkQueue {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes up to `max` messages of one flow, oldest first.
    pub fn take(&self, flow: Flow, max: usize) -> Vec<WorkMessage> {
        let mut q = self.lock();
        let queue = q.entry(flow).or_default();
        let n = max.min(queue.len());
        queue.drain(..n).collect()
    }

    /// Puts messages back at the end of their flows' queues (a redelivery).
    pub fn put_back(&self, messages: &[WorkMessage]) {
        let mut q = self.lock();
        for m in messages {
            q.entry(m.flow).or_default().push_back(m.clone());
        }
    }

    pub fn len(&self, flow: Flow) -> usize {
        self.lock().get(&flow).map_or(0, VecDeque::len)
    }

    pub fn is_empty(&self) -> bool {
        self.lock().values().all(VecDeque::is_empty)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Flow, VecDeque<WorkMessage>>> {
        self.queues.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl WorkQueue for MemoryWorkQueue {
    async fn enqueue(&self, messages: &[WorkMessage]) -> Result<(), QueueError> {
        self.put_back(messages);
        Ok(())
    }
}
