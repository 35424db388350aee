//! Per-connection PostgreSQL state: the start-up phase (SSLRequest, GSSENCRequest, start-up
//! message), statements of simple queries and of the extended protocol (Parse/Bind/Execute)
//! queued in the order the server answers them, and the results (rows, CommandComplete,
//! ErrorResponse) matched to them; ReadyForQuery closes each batch.

use super::config::{PgsqlConfig, MAX_PENDING, MAX_STATEMENTS};
use super::ecs::{self, Txn};
use super::split::statements;
use super::wire::{
    bind_message, cstr, data_row, error_fields, parse_message, row_description, typed, untyped,
    Frame, GSSENC_REQUEST, SSL_REQUEST,
};
use crate::sql::csv_line;
use crate::{Analyzer, Cx, Dir, GapAction, Progress};
use std::collections::VecDeque;
use std::sync::Arc;
use wb_wire::Timestamp;

/// Note of a result cut by lost packets.
pub const NOTE_RESPONSE_LOSS: &str = "Packet loss while capturing the response";

/// A statement waiting for its result.
struct Item {
    txn: Txn,
    /// The frontend batch (a Query, or the messages up to a Sync) it belongs to.
    batch: u64,
    /// An empty query string: answered, but not published.
    silent: bool,
}

/// Analyzer state of one PostgreSQL connection.
pub struct PgsqlAnalyzer {
    config: Arc<PgsqlConfig>,
    /// The next frontend message may be an untyped start-up message.
    startup: bool,
    /// The server's next byte answers an SSLRequest / GSSENCRequest.
    encryption_answer_due: bool,
    /// The connection switched to TLS/GSS: nothing more is readable.
    encrypted: bool,
    /// Prepared statements: name → SQL.
    statements: VecDeque<(Vec<u8>, String)>,
    /// Portals: name → SQL of the bound statement.
    portals: VecDeque<(Vec<u8>, String)>,
    /// Extended-protocol bytes sent since the last Execute, and when the first of them came.
    ext_bytes: u64,
    ext_start: Option<Timestamp>,
    pending: VecDeque<Item>,
    /// Batches sent and batches answered (ReadyForQuery).
    batches_sent: u64,
    batches_done: u64,
    /// Result bytes received for the front item so far, and when the first came.
    resp_bytes: u64,
    resp_start: Option<Timestamp>,
    /// Per direction: bytes were lost; skip to a readable message.
    lost: [bool; 2],
}

impl PgsqlAnalyzer {
    /// A fresh analyzer.
    pub fn new(config: Arc<PgsqlConfig>) -> Self {
        PgsqlAnalyzer {
            config,
            startup: true,
            encryption_answer_due: false,
            encrypted: false,
            statements: VecDeque::new(),
            portals: VecDeque::new(),
            ext_bytes: 0,
            ext_start: None,
            pending: VecDeque::new(),
            batches_sent: 0,
            batches_done: 0,
            resp_bytes: 0,
            resp_start: None,
            lost: [false; 2],
        }
    }

    fn push(&mut self, item: Item, cx: &mut Cx) {
        if self.pending.len() >= MAX_PENDING {
            self.pending.pop_front();
            cx.anomaly("too_many_pending_statements");
        }
        self.pending.push_back(item);
    }

    fn frontend(&mut self, kind: u8, body: &[u8], len: usize, cx: &mut Cx) {
        let now = cx.now();
        match kind {
            b'Q' => {
                let sql = cstr(body, 0).map_or(body, |(s, _)| s);
                let sql = String::from_utf8_lossy(sql);
                let batch = self.batches_sent;
                let parts = statements(&sql);
                let silent = parts.is_empty();
                for query in if silent { vec![""] } else { parts } {
                    let txn = Txn {
                        query: query.to_string(),
                        start: Some(now),
                        request_bytes: len as u64,
                        ..Txn::default()
                    };
                    self.push(Item { txn, batch, silent }, cx);
                }
                self.batches_sent += 1;
            }
            b'P' => {
                if let Some((name, sql)) = parse_message(body) {
                    remember(
                        &mut self.statements,
                        name,
                        String::from_utf8_lossy(sql).into_owned(),
                    );
                }
                self.extended_bytes(len, now);
            }
            b'B' => {
                if let Some((portal, statement)) = bind_message(body) {
                    let sql = lookup(&self.statements, statement).unwrap_or_default();
                    remember(&mut self.portals, portal, sql);
                }
                self.extended_bytes(len, now);
            }
            b'D' | b'C' | b'H' => self.extended_bytes(len, now),
            b'E' => {
                let portal = cstr(body, 0).map_or(&b""[..], |(p, _)| p);
                let query = lookup(&self.portals, portal).unwrap_or_default();
                let txn = Txn {
                    query,
                    start: Some(self.ext_start.take().unwrap_or(now)),
                    request_bytes: std::mem::take(&mut self.ext_bytes) + len as u64,
                    ..Txn::default()
                };
                let batch = self.batches_sent;
                self.push(
                    Item {
                        txn,
                        batch,
                        silent: false,
                    },
                    cx,
                );
            }
            b'S' => {
                // Sync ends the extended batch; its bytes go to the batch's last Execute.
                match self
                    .pending
                    .back_mut()
                    .filter(|i| i.batch == self.batches_sent)
                {
                    Some(last) => last.txn.request_bytes += len as u64,
                    None => self.extended_bytes(len, now),
                }
                self.batches_sent += 1;
            }
            // Terminate, password/SASL, function call, COPY data: nothing to report.
            _ => {}
        }
    }

    fn extended_bytes(&mut self, len: usize, now: Timestamp) {
        self.ext_bytes += len as u64;
        self.ext_start.get_or_insert(now);
    }

    fn backend(&mut self, kind: u8, body: &[u8], len: usize, cx: &mut Cx) {
        let now = cx.now();
        match kind {
            // Authentication, parameters, key data, notices, notifications: not results.
            b'R' | b'S' | b'K' | b'N' | b'A' | b'v' => {}
            b'Z' => {
                if self.batches_done < self.batches_sent {
                    let done = self.batches_done;
                    let before = self.pending.len();
                    self.pending.retain(|i| i.batch != done);
                    for _ in self.pending.len()..before {
                        cx.anomaly("statement_not_answered");
                    }
                    self.batches_done += 1;
                }
                self.resp_bytes = 0;
                self.resp_start = None;
            }
            _ => {
                let Some(front) = self.pending.front_mut() else {
                    cx.anomaly("unmatched_response");
                    return;
                };
                // Parse/Bind/Close acknowledgements are not part of the result (as in
                // Packetbeat's byte counts).
                if !matches!(kind, b'1' | b'2' | b'3') {
                    self.resp_bytes += len as u64;
                    self.resp_start.get_or_insert(now);
                }
                let txn = &mut front.txn;
                match kind {
                    b'T' => txn.fields = row_description(body).unwrap_or_default(),
                    b'D' => {
                        txn.num_rows += 1;
                        if txn.rows.len() < self.config.rows.max_rows {
                            let values = data_row(body).unwrap_or_default();
                            txn.rows
                                .push(csv_line(values, self.config.rows.max_row_length));
                        }
                    }
                    b'C' => {
                        txn.tag =
                            cstr(body, 0).map(|(t, _)| String::from_utf8_lossy(t).into_owned());
                        self.complete(cx);
                    }
                    b'I' | b's' => self.complete(cx),
                    b'E' => {
                        let fields = error_fields(body);
                        let get = |c: u8| {
                            fields
                                .iter()
                                .find(|(k, _)| *k == c)
                                .map(|(_, v)| v.clone())
                                .unwrap_or_default()
                        };
                        txn.error = Some((get(b'S'), get(b'C'), get(b'M')));
                        let batch = front.batch;
                        self.complete(cx);
                        // The server skips the rest of the batch after an error.
                        let before = self.pending.len();
                        self.pending.retain(|i| i.batch != batch);
                        for _ in self.pending.len()..before {
                            cx.anomaly("statement_skipped_after_error");
                        }
                    }
                    // ParseComplete, BindComplete, CloseComplete, NoData, ParameterDescription,
                    // COPY responses and data: part of the result's bytes.
                    _ => {}
                }
            }
        }
    }

    /// The front statement's result is complete: publish it.
    fn complete(&mut self, cx: &mut Cx) {
        let Some(mut item) = self.pending.pop_front() else {
            return;
        };
        item.txn.end = self.resp_start.take();
        item.txn.response_bytes = std::mem::take(&mut self.resp_bytes);
        if !item.silent {
            ecs::publish(&item.txn, &self.config, cx);
        }
    }

    /// One message at the front of `data` in `dir`: `Ok(Some(used))`, `Ok(None)` with the
    /// bytes needed, or `Err` when not PostgreSQL.
    fn message(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Result<usize, usize> {
        if dir == Dir::ToClient && self.encryption_answer_due {
            self.encryption_answer_due = false;
            if matches!(data.first(), Some(b'S' | b'G')) {
                self.encrypted = true;
                cx.anomaly("encrypted_connection");
            }
            if matches!(data.first(), Some(b'S' | b'G' | b'N')) {
                return Ok(1);
            }
        }
        if dir == Dir::ToServer && self.startup && data.first() == Some(&0) {
            return match untyped(data) {
                Ok(Some((code, n))) => {
                    match code {
                        SSL_REQUEST | GSSENC_REQUEST => self.encryption_answer_due = true,
                        c if c >> 16 == 3 => self.startup = false,
                        _ => {}
                    }
                    Ok(n)
                }
                Ok(None) => Err(8),
                Err(()) => Err(0),
            };
        }
        match typed(data) {
            Frame::Typed { kind, body, len } => {
                self.startup = false;
                match dir {
                    Dir::ToServer => self.frontend(kind, body, len, cx),
                    Dir::ToClient => self.backend(kind, body, len, cx),
                }
                Ok(len)
            }
            Frame::Incomplete(n) => Err(n.max(1)),
            Frame::Invalid => Err(0),
        }
    }
}

fn remember(list: &mut VecDeque<(Vec<u8>, String)>, name: &[u8], sql: String) {
    list.retain(|(n, _)| n != name);
    if list.len() >= MAX_STATEMENTS {
        list.pop_front();
    }
    list.push_back((name.to_vec(), sql));
}

fn lookup(list: &VecDeque<(Vec<u8>, String)>, name: &[u8]) -> Option<String> {
    list.iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s.clone())
}

impl Analyzer for PgsqlAnalyzer {
    fn on_data(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        if self.encrypted {
            return Progress::Done;
        }
        let mut consumed = 0;
        while let Some(rest) = data.get(consumed..).filter(|r| !r.is_empty()) {
            match self.message(dir, rest, cx) {
                Ok(used) => {
                    *dir.of(&mut self.lost) = false;
                    consumed += used;
                    if self.encrypted {
                        return Progress::Done;
                    }
                }
                Err(0) if std::mem::take(dir.of(&mut self.lost)) => {
                    // After lost bytes this delivery starts inside a message: skip it.
                    return Progress::Done;
                }
                Err(0) => {
                    cx.anomaly("not_pgsql");
                    return Progress::Invalid;
                }
                Err(needed) => return Progress::NeedMore { consumed, needed },
            }
        }
        Progress::Done
    }

    fn on_gap(&mut self, dir: Dir, _missing: u32, cx: &mut Cx) -> GapAction {
        cx.anomaly("gap");
        *dir.of(&mut self.lost) = true;
        if dir == Dir::ToClient {
            if let Some(mut item) = self.pending.pop_front() {
                if self.resp_start.is_some() && !item.silent {
                    item.txn.end = self.resp_start;
                    item.txn.response_bytes = self.resp_bytes;
                    item.txn.notes.push(NOTE_RESPONSE_LOSS.into());
                    ecs::publish(&item.txn, &self.config, cx);
                }
            }
        }
        // What is still queued can no longer be matched reliably.
        for _ in self.pending.drain(..) {
            cx.anomaly("statement_not_answered");
        }
        self.batches_done = self.batches_sent;
        self.resp_bytes = 0;
        self.resp_start = None;
        GapAction::Continue
    }

    fn on_eof(&mut self, _dir: Dir, _cx: &mut Cx) {}

    fn on_expire(&mut self, _now: Timestamp, cx: &mut Cx) {
        for _ in self.pending.drain(..) {
            cx.anomaly("statement_not_answered");
        }
    }
}
