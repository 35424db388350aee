//! The publisher: enrich, encode once, hand to the sink, count by event type.

use crate::Enrichment;
use wb_event::{write_json, Event, JsonStyle, Value};
use wb_outputs::{OutputError, Sink};

/// What the publisher did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublishStats {
    /// Events handed to the sink.
    pub written: u64,
    /// Events by `type`, in first-seen order.
    pub by_type: Vec<(String, u64)>,
}

/// Enriches, encodes and writes events to one sink.
pub struct Publisher {
    enrichment: Enrichment,
    style: JsonStyle,
    sink: Box<dyn Sink>,
    buf: Vec<u8>,
    stats: PublishStats,
}

impl Publisher {
    /// A publisher writing to `sink`.
    pub fn new(enrichment: Enrichment, style: JsonStyle, sink: Box<dyn Sink>) -> Self {
        Publisher {
            enrichment,
            style,
            sink,
            buf: Vec::with_capacity(4096),
            stats: PublishStats::default(),
        }
    }

    /// Publishes one batch and flushes the sink.
    pub fn publish_batch(&mut self, events: &mut [Event]) -> Result<(), OutputError> {
        for event in events.iter_mut() {
            self.enrichment.apply(event);
            self.buf.clear();
            write_json(event, self.style, &mut self.buf);
            self.sink.write_event(&self.buf)?;
            self.stats.written += 1;
            let kind = match event.get("type") {
                Some(Value::Static(s)) => *s,
                Some(Value::Str(s)) => s.as_str(),
                _ => "unknown",
            };
            match self.stats.by_type.iter_mut().find(|(k, _)| k == kind) {
                Some(entry) => entry.1 += 1,
                None => self.stats.by_type.push((kind.to_string(), 1)),
            }
        }
        self.sink.flush()
    }

    /// Flushes and closes the sink.
    pub fn close(&mut self) -> Result<(), OutputError> {
        self.sink.flush()?;
        self.sink.close()
    }

    /// Counters so far.
    pub fn stats(&self) -> &PublishStats {
        &self.stats
    }

    /// Where the events go, for the summary.
    pub fn describe(&self) -> String {
        self.sink.describe()
    }
}
