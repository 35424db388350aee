//! Requests waiting for their response on one connection, matched by stream id or, as
//! Packetbeat does, in order. Bounded by count and by the size of what they hold.

use super::config::Pairing;
use super::message::Message;
use std::collections::VecDeque;

/// The waiting requests of one connection.
#[derive(Debug)]
pub struct Pending {
    pairing: Pairing,
    queue: VecDeque<Message>,
    weight: usize,
    max_count: usize,
    max_weight: usize,
}

impl Pending {
    /// An empty queue holding at most `max_count` requests and `max_weight` bytes of fields.
    pub fn new(pairing: Pairing, max_count: usize, max_weight: usize) -> Self {
        Pending {
            pairing,
            queue: VecDeque::new(),
            weight: 0,
            max_count,
            max_weight,
        }
    }

    /// Adds a request. Returns whether an older request on the same stream was replaced (when
    /// pairing by stream id: its answer can no longer be told apart) and how many of the
    /// oldest requests were dropped to stay within the limits.
    pub fn push(&mut self, msg: Message) -> (bool, usize) {
        let reused =
            self.pairing == Pairing::StreamId && self.remove_stream(msg.header.stream).is_some();
        self.weight += msg.fields.weight();
        self.queue.push_back(msg);
        let mut evicted = 0;
        while self.queue.len() > self.max_count
            || (self.weight > self.max_weight && self.queue.len() > 1)
        {
            if self.pop_front().is_some() {
                evicted += 1;
            }
        }
        (reused, evicted)
    }

    /// The request a response on `stream` answers.
    pub fn take(&mut self, stream: i16) -> Option<Message> {
        match self.pairing {
            Pairing::Fifo => self.pop_front(),
            Pairing::StreamId => self.remove_stream(stream),
        }
    }

    /// Drops every waiting request; returns how many there were.
    pub fn clear(&mut self) -> usize {
        let n = self.queue.len();
        self.queue.clear();
        self.weight = 0;
        n
    }

    fn pop_front(&mut self) -> Option<Message> {
        let msg = self.queue.pop_front()?;
        self.weight = self.weight.saturating_sub(msg.fields.weight());
        Some(msg)
    }

    fn remove_stream(&mut self, stream: i16) -> Option<Message> {
        let i = self.queue.iter().position(|m| m.header.stream == stream)?;
        let msg = self.queue.remove(i)?;
        self.weight = self.weight.saturating_sub(msg.fields.weight());
        Some(msg)
    }
}
