//! Per-connection Redis state: a streaming reader per direction, the queue of requests waiting
//! for replies (bounded as Packetbeat bounds it), FIFO pairing (pipelining, MULTI/EXEC), and
//! pub/sub: subscription confirmations pair with their command, pushed messages are events of
//! their own.

use super::command::{describe, Command};
use super::config::RedisConfig;
use super::ecs;
use super::message::{Builder, Fed, Message, Top};
use super::resp::{is_type_byte, read, Read};
use crate::{Analyzer, Cx, Dir, GapAction, Progress};
use std::collections::VecDeque;
use std::sync::Arc;
use wb_wire::Timestamp;

/// Longest inline command line.
const MAX_INLINE: usize = 64 * 1024;

/// A request waiting for its reply.
struct Pending {
    cmd: Command,
    msg: Message,
    /// Further subscription confirmations this command will get (they make no event).
    extra_confirmations: usize,
}

/// Analyzer state of one Redis connection.
pub struct RedisAnalyzer {
    config: Arc<RedisConfig>,
    builders: [Builder; 2],
    pending: VecDeque<Pending>,
    pending_bytes: usize,
    /// Confirmations still expected from earlier (un)subscribe commands.
    confirmations_due: usize,
    /// The connection is in RESP2 subscribed mode.
    subscribed: bool,
}

impl RedisAnalyzer {
    /// A fresh analyzer.
    pub fn new(config: Arc<RedisConfig>) -> Self {
        let cap = config.queue_max_bytes.min(config.common.max_message_size);
        RedisAnalyzer {
            builders: [Builder::new(cap), Builder::new(cap)],
            config,
            pending: VecDeque::new(),
            pending_bytes: 0,
            confirmations_due: 0,
            subscribed: false,
        }
    }

    fn on_request(&mut self, msg: Message, cx: &mut Cx) {
        if msg.elements.is_empty() {
            return;
        }
        let cmd = describe(&msg.elements);
        let channels = msg.elements.len().saturating_sub(1);
        let extra_confirmations = if is_subscription_command(&cmd.method) {
            channels.saturating_sub(1)
        } else {
            0
        };
        let size = msg.text.len();
        while !self.pending.is_empty()
            && (self.pending.len() >= self.config.queue_max_messages
                || self.pending_bytes.saturating_add(size) > self.config.queue_max_bytes)
        {
            if let Some(old) = self.pending.pop_front() {
                self.pending_bytes -= old.msg.text.len().min(self.pending_bytes);
                cx.anomaly("unmatched_request");
            }
        }
        self.pending_bytes += size;
        self.pending.push_back(Pending {
            cmd,
            msg,
            extra_confirmations,
        });
    }

    fn on_response(&mut self, msg: Message, cx: &mut Cx) {
        let first = msg.elements.first().map(|k| k.to_ascii_lowercase());
        let head_subscribes = self
            .pending
            .front()
            .is_some_and(|p| is_subscription_command(&p.cmd.method));
        let in_pub_sub = self.subscribed || self.confirmations_due > 0 || head_subscribes;
        let is_push_shape = msg.top == Top::Push || (in_pub_sub && msg.top == Top::Array);
        if let (true, Some(kind)) = (is_push_shape, first.as_deref()) {
            match kind {
                "subscribe" | "psubscribe" | "ssubscribe" | "unsubscribe" | "punsubscribe"
                | "sunsubscribe" => {
                    self.subscribed = msg
                        .elements
                        .get(2)
                        .and_then(|n| n.parse::<u64>().ok())
                        .is_some_and(|n| n > 0);
                    if self.confirmations_due > 0 {
                        // A further confirmation of an earlier multi-channel command.
                        self.confirmations_due -= 1;
                        return;
                    }
                    let head_matches = self
                        .pending
                        .front()
                        .is_some_and(|p| p.cmd.method.eq_ignore_ascii_case(kind));
                    if !head_matches {
                        return;
                    }
                }
                "message" | "smessage" => {
                    ecs::publish_push(
                        kind,
                        msg.elements.get(1).map(String::as_str),
                        &payload(&msg, 2),
                        &self.config,
                        cx,
                    );
                    return;
                }
                "pmessage" => {
                    ecs::publish_push(
                        kind,
                        msg.elements.get(2).map(String::as_str),
                        &payload(&msg, 3),
                        &self.config,
                        cx,
                    );
                    return;
                }
                _ if msg.top == Top::Push => {
                    ecs::publish_push(kind, None, &msg, &self.config, cx);
                    return;
                }
                _ => {}
            }
        }
        let Some(req) = self.pending.pop_front() else {
            cx.anomaly("unmatched_response");
            return;
        };
        self.pending_bytes -= req.msg.text.len().min(self.pending_bytes);
        self.confirmations_due += req.extra_confirmations;
        ecs::publish(&req.cmd, &req.msg, &msg, &self.config, cx);
    }
}

/// (Un)subscribe commands: answered by one confirmation per channel.
fn is_subscription_command(method: &str) -> bool {
    matches!(
        method,
        "SUBSCRIBE" | "PSUBSCRIBE" | "SSUBSCRIBE" | "UNSUBSCRIBE" | "PUNSUBSCRIBE" | "SUNSUBSCRIBE"
    )
}

/// The pushed payload of a pub/sub message (element `index`), as its own message.
fn payload(msg: &Message, index: usize) -> Message {
    Message {
        text: msg.elements.get(index).cloned().unwrap_or_default(),
        elements: Vec::new(),
        top: Top::Scalar,
        ..msg.clone()
    }
}

impl Analyzer for RedisAnalyzer {
    fn on_data(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        let mut consumed = 0;
        loop {
            let Some(rest) = data.get(consumed..).filter(|r| !r.is_empty()) else {
                return Progress::Done;
            };
            let builder = dir.of(&mut self.builders);
            if builder.idle() && rest.first().is_some_and(|&b| !is_type_byte(b)) {
                if dir == Dir::ToClient {
                    cx.anomaly("not_resp");
                    return Progress::Invalid;
                }
                // An inline command: one text line.
                let Some(nl) = rest.iter().position(|&b| b == b'\n') else {
                    if rest.len() > MAX_INLINE {
                        cx.anomaly("not_resp");
                        return Progress::Invalid;
                    }
                    return Progress::NeedMore {
                        consumed,
                        needed: 0,
                    };
                };
                let line = rest.get(..nl).unwrap_or_default();
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                consumed += nl + 1;
                let msg = Message::inline(line, (nl + 1) as u64, cx.now());
                self.on_request(msg, cx);
                continue;
            }
            match read(rest) {
                Read::Item(item, used) => {
                    consumed += used;
                    match builder.feed(&item, used, cx.now()) {
                        Fed::More => {}
                        Fed::Done(msg) => match dir {
                            Dir::ToServer => self.on_request(msg, cx),
                            Dir::ToClient => self.on_response(msg, cx),
                        },
                        Fed::TooDeep => {
                            cx.anomaly("too_deep");
                            return Progress::Invalid;
                        }
                    }
                }
                Read::Incomplete(needed) => return Progress::NeedMore { consumed, needed },
                Read::Invalid => {
                    builder.reset();
                    cx.anomaly("not_resp");
                    return Progress::Invalid;
                }
            }
        }
    }

    fn on_gap(&mut self, _dir: Dir, _missing: u32, cx: &mut Cx) -> GapAction {
        // As Packetbeat: the connection's state is dropped and parsing restarts.
        cx.anomaly("gap");
        GapAction::Reset
    }

    fn on_eof(&mut self, _dir: Dir, _cx: &mut Cx) {}

    fn on_expire(&mut self, _now: Timestamp, cx: &mut Cx) {
        // Packetbeat publishes no request without reply; they are counted.
        for _ in self.pending.drain(..) {
            cx.anomaly("unmatched_request");
        }
    }
}
