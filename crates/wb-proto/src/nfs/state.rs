//! Per-connection NFS state: a record reader per direction, the calls waiting for replies
//! (paired by xid, in any order, bounded), their expiry as `NO_REPLY`, and resynchronisation
//! on the next record start after lost bytes.

use super::config::NfsConfig;
use super::ecs::{self, PendingCall, ReplyFacts};
use super::procedure::{describe_call, reply_status};
use super::record::{find_record_start, Record, RecordReader, Step};
use super::rpc::{self, Message, Reply};
use crate::{Analyzer, Cx, Dir, GapAction, Progress};
use std::collections::VecDeque;
use std::sync::Arc;
use wb_wire::Timestamp;

/// Bytes a resynchronising direction keeps while it looks for a record start.
const RESYNC_WINDOW: usize = 16;

/// Analyzer state of one NFS connection.
pub struct NfsAnalyzer {
    config: Arc<NfsConfig>,
    readers: [RecordReader; 2],
    /// Per direction: bytes were lost outside a fragment's data; look for a record start.
    resync: [bool; 2],
    pending: VecDeque<PendingCall>,
}

impl NfsAnalyzer {
    /// A fresh analyzer.
    pub fn new(config: Arc<NfsConfig>) -> Self {
        NfsAnalyzer {
            config,
            readers: Default::default(),
            resync: [false; 2],
            pending: VecDeque::new(),
        }
    }

    fn max_record(&self) -> u64 {
        self.config.common.max_message_size as u64
    }

    /// Publishes, as `NO_REPLY`, the calls older than the transaction timeout at `now`.
    fn expire_calls(&mut self, now: Timestamp, cx: &mut Cx) {
        let timeout = self.config.common.timeout_nanos();
        while let Some(call) = self.pending.front() {
            if now.nanos_since(call.start) < timeout {
                break;
            }
            if let Some(call) = self.pending.pop_front() {
                ecs::publish(&call, None, cx);
            }
        }
    }

    fn on_record(&mut self, dir: Dir, record: Record, cx: &mut Cx) {
        if record.damaged {
            cx.anomaly("damaged_record");
            return;
        }
        match (dir, rpc::parse(&record.head)) {
            (Dir::ToServer, Some(Message::Call(xid, call))) => {
                let Some(info) = describe_call(&call) else {
                    cx.anomaly("other_program");
                    return;
                };
                let call = PendingCall {
                    xid,
                    start: record.start,
                    bytes: record.size,
                    flavor: call.flavor,
                    sys: call.sys,
                    info,
                };
                self.add_call(call, cx);
            }
            (Dir::ToClient, Some(Message::Reply(xid, reply))) => {
                let Some(i) = self.pending.iter().position(|c| c.xid == xid) else {
                    cx.anomaly("unmatched_reply");
                    return;
                };
                let Some(call) = self.pending.remove(i) else {
                    return;
                };
                let nfs_status = match &reply {
                    Reply::Accepted { stat: 0, results } => reply_status(&call.info, results),
                    _ => None,
                };
                let facts = ReplyFacts {
                    end: cx.now(),
                    bytes: record.size,
                    rpc_status: rpc::reply_status(&reply),
                    denied: matches!(reply, Reply::Denied { .. }),
                    nfs_status,
                };
                ecs::publish(&call, Some(&facts), cx);
            }
            (_, Some(_)) => cx.anomaly("backchannel_message"),
            (_, None) => cx.anomaly("not_rpc"),
        }
    }

    fn add_call(&mut self, call: PendingCall, cx: &mut Cx) {
        if let Some(i) = self.pending.iter().position(|c| c.xid == call.xid) {
            // A retransmission: the newest copy is the one the reply answers.
            cx.anomaly("retransmitted_call");
            self.pending.remove(i);
        }
        if self.pending.len() >= self.config.max_pending {
            cx.anomaly("too_many_pending_calls");
            self.pending.pop_front();
        }
        self.pending.push_back(call);
    }
}

impl Analyzer for NfsAnalyzer {
    fn on_data(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        self.expire_calls(cx.now(), cx);
        let max = self.max_record();
        let mut pos = 0;
        // Every pass consumes at least one byte or returns.
        while pos < data.len() {
            let rest = data.get(pos..).unwrap_or_default();
            if *dir.of(&mut self.resync) {
                match find_record_start(rest, dir == Dir::ToServer, max) {
                    Some(i) => {
                        pos += i;
                        *dir.of(&mut self.resync) = false;
                        continue;
                    }
                    None => {
                        let keep = (RESYNC_WINDOW - 1).min(rest.len());
                        return Progress::NeedMore {
                            consumed: data.len() - keep,
                            needed: RESYNC_WINDOW,
                        };
                    }
                }
            }
            match dir.of(&mut self.readers).step(rest, cx.now(), max) {
                Step::NeedMore(needed) => {
                    return Progress::NeedMore {
                        consumed: pos,
                        needed,
                    }
                }
                Step::Consumed(n) => pos += n,
                Step::Done(n, record) => {
                    pos += n;
                    self.on_record(dir, record, cx);
                }
                Step::TooLarge => {
                    cx.anomaly("oversized_record");
                    *dir.of(&mut self.resync) = true;
                    pos += 1;
                }
            }
        }
        Progress::Done
    }

    fn on_gap(&mut self, dir: Dir, missing: u32, cx: &mut Cx) -> GapAction {
        cx.anomaly("gap");
        if !dir.of(&mut self.readers).lose(u64::from(missing)) {
            *dir.of(&mut self.resync) = true;
        }
        GapAction::Continue
    }

    fn on_eof(&mut self, _dir: Dir, _cx: &mut Cx) {}

    fn on_expire(&mut self, _now: Timestamp, cx: &mut Cx) {
        while let Some(call) = self.pending.pop_front() {
            ecs::publish(&call, None, cx);
        }
    }
}
