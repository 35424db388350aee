//! Per-connection state of `template`: the parse loop of each direction and FIFO matching of
//! responses to pipelined requests.

use super::config::TemplateConfig;
use super::ecs::{self, Txn};
use super::parser::{parse_line, request_verb, response_kind, ResponseKind};
use crate::{Analyzer, Cx, Dir, GapAction, Progress};
use std::collections::VecDeque;
use std::sync::Arc;
use wb_wire::Timestamp;

/// Note written when a gap hit a request.
pub const NOTE_REQUEST_LOSS: &str = "Packet loss while capturing the request";
/// Note written when a gap hit a response.
pub const NOTE_RESPONSE_LOSS: &str = "Packet loss while capturing the response";
/// Note of a request that never got a response.
pub const NOTE_UNMATCHED_REQUEST: &str = "Unmatched request";
/// Note of a response without a request.
pub const NOTE_UNMATCHED_RESPONSE: &str = "Unmatched response";

/// Analyzer state of one `template` connection.
pub struct TemplateAnalyzer {
    config: Arc<TemplateConfig>,
    pending: VecDeque<Txn>,
    /// Per direction: the bytes before the next line start were lost, skip to the next `\n`.
    resync: [bool; 2],
    /// Per direction: a note to attach to the next message of that direction.
    loss_note: [bool; 2],
}

impl TemplateAnalyzer {
    /// A fresh analyzer.
    pub fn new(config: Arc<TemplateConfig>) -> Self {
        TemplateAnalyzer {
            config,
            pending: VecDeque::new(),
            resync: [false; 2],
            loss_note: [false; 2],
        }
    }

    fn on_request(&mut self, text: &[u8], wire_len: usize, cx: &mut Cx) {
        if self.pending.len() >= self.config.max_pending {
            cx.anomaly("too_many_pending_requests");
            if let Some(mut old) = self.pending.pop_front() {
                old.notes.push(NOTE_UNMATCHED_REQUEST.into());
                ecs::publish(&old, &self.config, cx);
            }
        }
        let mut txn = Txn {
            start: Some(cx.now()),
            method: Some(String::from_utf8_lossy(request_verb(text)).into_owned()),
            request: Some(String::from_utf8_lossy(text).into_owned()),
            request_bytes: wire_len as u64,
            ..Txn::default()
        };
        if std::mem::take(Dir::ToServer.of(&mut self.loss_note)) {
            txn.notes.push(NOTE_REQUEST_LOSS.into());
        }
        self.pending.push_back(txn);
    }

    fn on_response(&mut self, text: &[u8], wire_len: usize, cx: &mut Cx) {
        let mut txn = match self.pending.pop_front() {
            Some(txn) => txn,
            None => {
                cx.anomaly("unmatched_response");
                Txn {
                    notes: vec![NOTE_UNMATCHED_RESPONSE.into()],
                    ..Txn::default()
                }
            }
        };
        txn.end = Some(cx.now());
        txn.response_bytes = wire_len as u64;
        txn.response = Some(String::from_utf8_lossy(text).into_owned());
        txn.error = match response_kind(text) {
            ResponseKind::Ok => false,
            ResponseKind::Err | ResponseKind::Unknown => true,
        };
        if std::mem::take(Dir::ToClient.of(&mut self.loss_note)) {
            txn.notes.push(NOTE_RESPONSE_LOSS.into());
        }
        ecs::publish(&txn, &self.config, cx);
    }
}

impl Analyzer for TemplateAnalyzer {
    fn on_data(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        let mut consumed = 0;
        while let Some(line) = data.get(consumed..).and_then(parse_line) {
            consumed += line.len;
            if std::mem::take(dir.of(&mut self.resync)) {
                // The start of this line was lost in a gap: skip it.
                continue;
            }
            match dir {
                Dir::ToServer => self.on_request(line.text, line.len, cx),
                Dir::ToClient => self.on_response(line.text, line.len, cx),
            }
        }
        if consumed == data.len() {
            Progress::Done
        } else {
            Progress::NeedMore {
                consumed,
                needed: 0,
            }
        }
    }

    fn on_gap(&mut self, dir: Dir, _missing: u32, cx: &mut Cx) -> GapAction {
        cx.anomaly("gap");
        *dir.of(&mut self.resync) = true;
        *dir.of(&mut self.loss_note) = true;
        GapAction::Continue
    }

    fn on_eof(&mut self, _dir: Dir, _cx: &mut Cx) {}

    fn on_expire(&mut self, _now: Timestamp, cx: &mut Cx) {
        while let Some(mut txn) = self.pending.pop_front() {
            txn.notes.push(NOTE_UNMATCHED_REQUEST.into());
            txn.error = true;
            ecs::publish(&txn, &self.config, cx);
        }
    }
}
