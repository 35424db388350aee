//! The end-of-run summary on stderr: what was read, dropped, tracked and written, and where.

use std::time::Duration;
use wb_flow::EngineStats;
use wb_outputs::OutputError;
use wb_pipeline::PublishStats;
use wb_proto::AnomalyCounts;

/// What the output thread reports when it ends.
pub struct OutputReport {
    /// Counters of the publisher.
    pub stats: PublishStats,
    /// Where events went.
    pub location: String,
    /// The error that stopped the output, if any.
    pub error: Option<OutputError>,
}

/// Everything the summary prints.
pub struct Summary {
    /// The capture file.
    pub source: String,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// Engine counters.
    pub engine: EngineStats,
    /// Analyzer anomalies.
    pub anomalies: AnomalyCounts,
    /// Capture records skipped as malformed.
    pub skipped_records: u64,
    /// Output report.
    pub output: OutputReport,
}

impl Summary {
    /// Prints the summary to stderr.
    pub fn print(&self) {
        eprint!("{}", self.render());
    }

    /// The summary text.
    pub fn render(&self) -> String {
        let e = &self.engine;
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        let mut s = String::new();
        s.push_str(&format!("Wirebeat summary for {}\n", self.source));
        s.push_str(&format!(
            "  packets:      {} ({} bytes) in {:.3} s: {:.0} packets/s, {:.3} Gbit/s\n",
            e.packets,
            e.bytes,
            secs,
            e.packets as f64 / secs,
            e.bytes as f64 * 8.0 / secs / 1e9
        ));
        let mut drops: Vec<(String, u64)> = e
            .decode_errors_by_reason()
            .into_iter()
            .map(|(r, n)| (format!("decode.{r}"), n))
            .collect();
        for (name, n) in [
            ("capture.skipped_records", self.skipped_records),
            ("flows.table_full", e.flow_table_full),
            ("defrag.incomplete_fragments", e.fragments_incomplete()),
            ("defrag.timed_out", e.defrag.timed_out),
            ("defrag.dropped_limit", e.defrag.dropped_limit),
            ("defrag.dropped_invalid", e.defrag.dropped_invalid),
            ("tcp.gaps", e.tcp.gaps),
            ("tcp.out_of_window", e.tcp.out_of_window),
            ("analyzer.invalid_data", e.dispatch.invalid),
            ("analyzer.oversized_messages", e.dispatch.oversized),
        ] {
            if n > 0 {
                drops.push((name.to_string(), n));
            }
        }
        s.push_str(&format!("  drops:        {}\n", list(&drops)));
        s.push_str(&format!(
            "  flows:        {} created, {} flow events; {} connections analyzed\n",
            e.flows_created, e.flow_events, e.connections
        ));
        if e.untracked_packets > 0 {
            s.push_str(&format!(
                "  untracked:    {} packets on no configured port (flows disabled)\n",
                e.untracked_packets
            ));
        }
        let txns: Vec<(String, u64)> = self
            .output
            .stats
            .by_type
            .iter()
            .filter(|(k, _)| k != "flow")
            .cloned()
            .collect();
        s.push_str(&format!("  transactions: {}\n", list(&txns)));
        let anomalies: Vec<(String, u64)> = self
            .anomalies
            .iter()
            .map(|(p, k, n)| (format!("{p}.{k}"), n))
            .collect();
        if !anomalies.is_empty() {
            s.push_str(&format!("  anomalies:    {}\n", list(&anomalies)));
        }
        s.push_str(&format!(
            "  events:       {} written to {}\n",
            self.output.stats.written, self.output.location
        ));
        s
    }
}

fn list(items: &[(String, u64)]) -> String {
    if items.is_empty() {
        return "none".to_string();
    }
    items
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
