//! What an analyzer can reach while it runs: packet time, the connection, the event output and
//! the anomaly counters.

use crate::ConnMeta;
use wb_event::Event;
use wb_wire::Timestamp;

/// Anomaly counters, keyed by protocol and a static anomaly name. Anomalies are rare, so a
/// short list searched linearly is enough and keeps the packet path free of maps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnomalyCounts {
    counts: Vec<(&'static str, &'static str, u64)>,
}

impl AnomalyCounts {
    /// Adds one occurrence of `kind` for `protocol`.
    pub fn add(&mut self, protocol: &'static str, kind: &'static str) {
        if let Some(entry) = self
            .counts
            .iter_mut()
            .find(|(p, k, _)| *p == protocol && *k == kind)
        {
            entry.2 += 1;
        } else {
            self.counts.push((protocol, kind, 1));
        }
    }

    /// `(protocol, anomaly, count)` triples in first-seen order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'static str, u64)> + '_ {
        self.counts.iter().copied()
    }

    /// The count of one anomaly.
    pub fn get(&self, protocol: &str, kind: &str) -> u64 {
        self.counts
            .iter()
            .find(|(p, k, _)| *p == protocol && *k == kind)
            .map_or(0, |e| e.2)
    }
}

/// The context of one analyzer call.
pub struct Cx<'a> {
    now: Timestamp,
    conn: &'a ConnMeta,
    protocol: &'static str,
    out: &'a mut Vec<Event>,
    anomalies: &'a mut AnomalyCounts,
}

impl<'a> Cx<'a> {
    /// A context for a call at packet time `now` on `conn`, emitting into `out`.
    pub fn new(
        now: Timestamp,
        conn: &'a ConnMeta,
        protocol: &'static str,
        out: &'a mut Vec<Event>,
        anomalies: &'a mut AnomalyCounts,
    ) -> Self {
        Cx {
            now,
            conn,
            protocol,
            out,
            anomalies,
        }
    }

    /// Packet time of the data being delivered (or of the tick, for expiry).
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The connection.
    pub fn conn(&self) -> &ConnMeta {
        self.conn
    }

    /// Publishes one transaction event.
    pub fn emit(&mut self, event: Event) {
        self.out.push(event);
    }

    /// Counts one anomaly of this protocol (a stable snake_case name).
    pub fn anomaly(&mut self, kind: &'static str) {
        self.anomalies.add(self.protocol, kind);
    }
}
