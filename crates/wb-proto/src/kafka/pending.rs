//! Requests waiting for their response on one connection, found by correlation id.

use super::message::Request;
use std::collections::VecDeque;

/// The waiting requests of one connection, oldest first.
#[derive(Debug)]
pub struct Pending {
    queue: VecDeque<Request>,
    max: usize,
}

impl Pending {
    /// An empty queue holding at most `max` requests.
    pub fn new(max: usize) -> Self {
        Pending {
            queue: VecDeque::new(),
            max,
        }
    }

    /// Adds a request; returns the oldest one when the queue was full.
    pub fn push(&mut self, req: Request) -> Option<Request> {
        let evicted = if self.queue.len() >= self.max {
            self.queue.pop_front()
        } else {
            None
        };
        self.queue.push_back(req);
        evicted
    }

    /// Whether a request with `correlation_id` waits.
    pub fn contains(&self, correlation_id: i32) -> bool {
        self.queue
            .iter()
            .any(|r| r.correlation_id == correlation_id)
    }

    /// Removes the request answered by `correlation_id`. Kafka answers in order on a
    /// connection, but pairing by id keeps a lost or reordered answer from shifting the rest.
    pub fn take(&mut self, correlation_id: i32) -> Option<Request> {
        let i = self
            .queue
            .iter()
            .position(|r| r.correlation_id == correlation_id)?;
        self.queue.remove(i)
    }

    /// Removes every waiting request.
    pub fn drain(&mut self) -> impl Iterator<Item = Request> + '_ {
        self.queue.drain(..)
    }
}
