//! Memory of recently ended TCP conversations (both FINs, or a RST). After a conversation has
//! ended, data without a new SYN is a late duplicate (some captures hold copies of old
//! segments): it still counts in its flow, but it must not start an analyzer connection that
//! would report half a message as a transaction. A SYN that repeats the ended conversation's
//! first SYN is such a duplicate too; a SYN with a new sequence number opens a new one.

use crate::key::FlowKey;
use std::collections::{HashMap, VecDeque};

/// How many ended conversations are remembered; the oldest are forgotten first.
const CAPACITY: usize = 4096;

/// A bounded set of ended conversations.
#[derive(Default)]
pub struct EndedConversations {
    /// Ended conversations and the sequence number of their first SYN.
    keys: HashMap<FlowKey, Option<u32>>,
    order: VecDeque<FlowKey>,
}

impl EndedConversations {
    /// Remembers that the conversation `key`, opened by a SYN with `syn_seq`, ended.
    pub fn insert(&mut self, key: FlowKey, syn_seq: Option<u32>) {
        if self.keys.insert(key, syn_seq).is_some() {
            return;
        }
        self.order.push_back(key);
        if self.order.len() > CAPACITY {
            if let Some(old) = self.order.pop_front() {
                self.keys.remove(&old);
            }
        }
    }

    /// Whether a packet of `key` belongs to a conversation that already ended: any packet but
    /// a SYN with a new sequence number (`syn` is the sequence number of a SYN without ACK).
    /// A new SYN makes the key forgotten.
    pub fn is_late(&mut self, key: &FlowKey, syn: Option<u32>) -> bool {
        let Some(&first_syn) = self.keys.get(key) else {
            return false;
        };
        match syn {
            Some(seq) if Some(seq) != first_syn => {
                self.keys.remove(key);
                self.order.retain(|k| k != key);
                false
            }
            _ => true,
        }
    }
}
