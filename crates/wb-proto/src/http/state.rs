//! Per-connection state of `http`: the parser of each direction and their pairing.

use super::config::HttpConfig;
use super::pairing::Pairing;
use super::stream::Stream;
use crate::{Analyzer, Cx, Dir, GapAction, Progress};
use std::sync::Arc;
use wb_wire::Timestamp;

/// Analyzer state of one HTTP connection.
pub struct HttpAnalyzer {
    /// `[requests, responses]`.
    streams: [Stream; 2],
    pairing: Pairing,
}

impl HttpAnalyzer {
    /// A fresh analyzer.
    pub fn new(config: Arc<HttpConfig>) -> Self {
        HttpAnalyzer {
            streams: [Stream::new(true), Stream::new(false)],
            pairing: Pairing::new(config),
        }
    }
}

impl Analyzer for HttpAnalyzer {
    fn on_data(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        dir.of(&mut self.streams).feed(data, cx, &mut self.pairing)
    }

    fn on_gap(&mut self, dir: Dir, missing: u32, cx: &mut Cx) -> GapAction {
        cx.anomaly("gap");
        dir.of(&mut self.streams)
            .gap(missing, cx, &mut self.pairing);
        GapAction::Continue
    }

    fn on_eof(&mut self, dir: Dir, cx: &mut Cx) {
        dir.of(&mut self.streams).eof(cx, &mut self.pairing);
    }

    fn on_expire(&mut self, _now: Timestamp, cx: &mut Cx) {
        let [requests, responses] = &mut self.streams;
        requests.eof(cx, &mut self.pairing);
        responses.eof(cx, &mut self.pairing);
        self.pairing.flush(cx);
    }
}
