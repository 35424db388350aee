//! Per-connection MySQL state: the connection phase (greeting, handshake response, SSL
//! request, authentication) and the command phase, where each command's response (OK, ERR,
//! result sets in text or binary form, PREPARE_OK with its definitions) is read packet by
//! packet and becomes one transaction.

use super::config::{MysqlConfig, MAX_STATEMENTS};
use super::ecs::{self, Txn};
use super::wire::{
    column, eof_status, err_packet, execute_params, ok_packet, packet, text_row, Reader,
    MAX_PAYLOAD,
};
use crate::sql::csv_line;
use crate::{Analyzer, Cx, Dir, GapAction, Progress};
use std::collections::VecDeque;
use std::sync::Arc;
use wb_wire::Timestamp;

/// Note of a response cut by lost packets.
pub const NOTE_RESPONSE_LOSS: &str = "Packet loss while capturing the response";

/// Note of an execute whose statement was not seen prepared (or was forgotten after
/// `statement_timeout`): the transaction is written without `query` (Packetbeat drops it).
pub const NOTE_UNKNOWN_STATEMENT: &str = "The actual query being used is unknown";

const CLIENT_SSL: u32 = 0x0800;
const CLIENT_DEPRECATE_EOF: u32 = 0x0100_0000;
const SERVER_MORE_RESULTS_EXISTS: u16 = 0x0008;

const COM_QUIT: u8 = 0x01;
const COM_QUERY: u8 = 0x03;
const COM_FIELD_LIST: u8 = 0x04;
const COM_CHANGE_USER: u8 = 0x11;
const COM_STMT_PREPARE: u8 = 0x16;
const COM_STMT_EXECUTE: u8 = 0x17;
const COM_STMT_SEND_LONG_DATA: u8 = 0x18;
const COM_STMT_CLOSE: u8 = 0x19;

/// Where the connection is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Nothing seen yet (the capture may start mid-connection).
    Unknown,
    /// The server greeted; the client's handshake response is next.
    Greeted,
    /// Authentication exchange until the server's OK or ERR.
    Auth,
    /// Commands.
    Command,
    /// TLS after an SSL request: nothing more is readable.
    Encrypted,
}

/// What the server's next packets are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Nothing asked.
    Nothing,
    /// One packet that makes no event (ping, init_db, statistics…).
    Ignored,
    /// Column definitions up to an EOF (COM_FIELD_LIST), no event.
    IgnoredUntilEof,
    /// A result: OK, ERR or a result set.
    Result(Stage),
    /// PREPARE_OK and its parameter and column definitions.
    Prepare(PrepStage),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    First,
    Columns(u64),
    ColumnsEof,
    Rows,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PrepStage {
    First,
    Defs { params: u64, columns: u64 },
}

/// A command waiting for its turn to be answered.
struct Pending {
    txn: Option<Txn>,
    expect: Expect,
    preparing: Option<String>,
}

/// Most commands waiting behind the current one.
const MAX_QUEUED: usize = 64;

/// True when no PREPARE is still waiting for its PREPARE_OK (so the last cached statement is
/// the one an id-less EXECUTE means).
fn next_prepare_done(queued: &VecDeque<Pending>, current: Option<&String>) -> bool {
    current.is_none() && queued.iter().all(|p| p.preparing.is_none())
}

struct Statement {
    id: u32,
    sql: String,
    params: usize,
    bound: Vec<u16>,
    used: Timestamp,
}

/// Analyzer state of one MySQL connection.
pub struct MysqlAnalyzer {
    config: Arc<MysqlConfig>,
    phase: Phase,
    server_caps: u32,
    deprecate_eof: bool,
    expect: Expect,
    txn: Option<Txn>,
    /// The SQL of a COM_STMT_PREPARE waiting for its PREPARE_OK.
    preparing: Option<String>,
    /// The SQL of the last COM_STMT_PREPARE the client sent.
    last_prepared_sql: Option<String>,
    /// Commands sent while an earlier one still waits for its answer.
    queued: VecDeque<Pending>,
    statements: Vec<Statement>,
    /// Per direction: the last packet was a full 16 MB one; the next continues it.
    continued: [bool; 2],
    /// Per direction: bytes were lost; skip until a readable boundary.
    lost: [bool; 2],
}

impl MysqlAnalyzer {
    /// A fresh analyzer.
    pub fn new(config: Arc<MysqlConfig>) -> Self {
        MysqlAnalyzer {
            config,
            phase: Phase::Unknown,
            server_caps: 0,
            deprecate_eof: false,
            expect: Expect::Nothing,
            txn: None,
            preparing: None,
            last_prepared_sql: None,
            queued: VecDeque::new(),
            statements: Vec::new(),
            continued: [false; 2],
            lost: [false; 2],
        }
    }

    fn client(&mut self, seq: u8, payload: &[u8], len: usize, cx: &mut Cx) {
        match self.phase {
            Phase::Greeted if seq == 1 => {
                let caps = Reader::new(payload).uint(4).unwrap_or(0) as u32;
                if caps & CLIENT_SSL != 0 && payload.len() <= 32 {
                    self.phase = Phase::Encrypted;
                    cx.anomaly("encrypted_connection");
                    return;
                }
                self.deprecate_eof = caps & self.server_caps & CLIENT_DEPRECATE_EOF != 0;
                self.phase = Phase::Auth;
                return;
            }
            Phase::Auth | Phase::Greeted => return,
            _ => {}
        }
        if seq != 0 {
            return;
        }
        let Some((&command, body)) = payload.split_first() else {
            return;
        };
        self.phase = Phase::Command;
        self.lost = [false; 2];
        let now = cx.now();
        let new_txn = |query: String| Txn {
            query,
            start: Some(now),
            request_bytes: len as u64,
            ..Txn::default()
        };
        let mut next = Pending {
            txn: None,
            expect: Expect::Ignored,
            preparing: None,
        };
        match command {
            COM_QUERY => {
                next.txn = Some(new_txn(String::from_utf8_lossy(body).into_owned()));
                next.expect = Expect::Result(Stage::First);
            }
            COM_STMT_PREPARE => {
                let sql = String::from_utf8_lossy(body).into_owned();
                self.last_prepared_sql = Some(sql.clone());
                next.preparing = Some(sql.clone());
                next.txn = Some(new_txn(sql));
                next.expect = Expect::Prepare(PrepStage::First);
            }
            COM_STMT_EXECUTE => {
                let id = Reader::new(body).uint(4).unwrap_or(0) as u32;
                // MariaDB sends id 0xffffffff for "the statement just prepared", possibly
                // before its PREPARE_OK has come back.
                let stmt = if id == u32::MAX {
                    self.statements.last_mut()
                } else {
                    self.statements.iter_mut().find(|s| s.id == id)
                };
                let (sql, params) = match stmt {
                    Some(s)
                        if id != u32::MAX
                            || next_prepare_done(&self.queued, self.preparing.as_ref()) =>
                    {
                        s.used = now;
                        let decoded = execute_params(body, s.params, &s.bound);
                        if let Some((_, _, kinds)) = &decoded {
                            s.bound.clone_from(kinds);
                        }
                        (s.sql.clone(), decoded.map(|(_, v, _)| v))
                    }
                    _ if id == u32::MAX => {
                        (self.last_prepared_sql.clone().unwrap_or_default(), None)
                    }
                    _ => {
                        cx.anomaly("unknown_statement");
                        (String::new(), None)
                    }
                };
                let mut txn = new_txn(sql);
                if txn.query.is_empty() {
                    txn.notes.push(NOTE_UNKNOWN_STATEMENT.into());
                }
                txn.params = params;
                next.txn = Some(txn);
                next.expect = Expect::Result(Stage::First);
            }
            COM_STMT_CLOSE => {
                let id = Reader::new(body).uint(4).unwrap_or(0) as u32;
                self.statements.retain(|s| s.id != id);
                return;
            }
            COM_STMT_SEND_LONG_DATA | COM_QUIT => return,
            COM_FIELD_LIST => next.expect = Expect::IgnoredUntilEof,
            COM_CHANGE_USER => {
                self.phase = Phase::Auth;
                self.queued.clear();
                self.txn = None;
                self.expect = Expect::Nothing;
                return;
            }
            _ => {}
        }
        // Commands sent before the previous answer (MariaDB pipelines PREPARE and EXECUTE)
        // wait their turn: the server answers in order.
        if self.queued.len() >= MAX_QUEUED {
            cx.anomaly("request_without_response");
            self.queued.pop_front();
        }
        self.queued.push_back(next);
        self.advance();
    }

    /// Makes the oldest waiting command the current one once the current one is answered.
    fn advance(&mut self) {
        if self.expect != Expect::Nothing {
            return;
        }
        if let Some(next) = self.queued.pop_front() {
            self.txn = next.txn;
            self.expect = next.expect;
            self.preparing = next.preparing;
        }
    }

    fn server(&mut self, seq: u8, payload: &[u8], len: usize, cx: &mut Cx) {
        let first = payload.first().copied();
        match self.phase {
            Phase::Unknown if seq == 0 && first == Some(10) => {
                self.server_caps = greeting_caps(payload);
                self.phase = Phase::Greeted;
                return;
            }
            Phase::Auth => {
                if matches!(first, Some(0x00 | 0xff)) {
                    self.phase = Phase::Command;
                }
                return;
            }
            Phase::Unknown | Phase::Greeted | Phase::Encrypted => return,
            Phase::Command => {}
        }
        let now = cx.now();
        if let Some(txn) = self.txn.as_mut() {
            txn.response_bytes += len as u64;
            txn.end.get_or_insert(now);
        }
        let eof = first == Some(0xfe) && payload.len() < 9;
        let end_ok = first == Some(0xfe) && self.deprecate_eof && payload.len() < MAX_PAYLOAD;
        match self.expect {
            Expect::Nothing => cx.anomaly("unmatched_response"),
            Expect::Ignored => self.expect = Expect::Nothing,
            Expect::IgnoredUntilEof => {
                if eof || end_ok || first == Some(0xff) {
                    self.expect = Expect::Nothing;
                }
            }
            Expect::Result(stage) => self.result(stage, payload, first, eof || end_ok, cx),
            Expect::Prepare(stage) => self.prepare(stage, payload, first, cx),
        }
        self.advance();
    }

    fn result(&mut self, stage: Stage, payload: &[u8], first: Option<u8>, end: bool, cx: &mut Cx) {
        let Some(txn) = self.txn.as_mut() else {
            self.expect = Expect::Nothing;
            return;
        };
        if first == Some(0xff) {
            txn.error = Some(err_packet(payload));
            self.finish(cx);
            return;
        }
        match stage {
            Stage::First => match first {
                Some(0x00) => {
                    let ok = ok_packet(payload).unwrap_or_default();
                    txn.affected_rows += ok.affected_rows;
                    txn.insert_id = ok.insert_id;
                    self.more_or_finish(ok.status, cx);
                }
                Some(0xfb) => self.expect = Expect::Ignored, // LOCAL INFILE request
                _ => {
                    let count = Reader::new(payload).lenenc().flatten().unwrap_or(0);
                    self.expect = Expect::Result(if count == 0 {
                        Stage::Rows
                    } else {
                        Stage::Columns(count)
                    });
                }
            },
            Stage::Columns(left) => {
                if let Some((schema, table, name)) = column(payload) {
                    if !table.is_empty() {
                        let path = if schema.is_empty() {
                            table
                        } else {
                            format!("{schema}.{table}")
                        };
                        if !txn.tables.contains(&path) {
                            txn.tables.push(path);
                        }
                    }
                    txn.fields.push(name);
                }
                self.expect = Expect::Result(match left.saturating_sub(1) {
                    0 if self.deprecate_eof => Stage::Rows,
                    0 => Stage::ColumnsEof,
                    n => Stage::Columns(n),
                });
            }
            Stage::ColumnsEof => {
                if first == Some(0xfe) && payload.len() < 9 {
                    self.expect = Expect::Result(Stage::Rows);
                } else {
                    // No EOF after the definitions: the client asked for CLIENT_DEPRECATE_EOF
                    // in a handshake the capture did not show.
                    self.deprecate_eof = true;
                    self.expect = Expect::Result(Stage::Rows);
                    self.row(payload);
                }
            }
            Stage::Rows => {
                if end {
                    let status = if payload.len() < 9 && !self.deprecate_eof {
                        eof_status(payload)
                    } else {
                        ok_packet(payload).map_or(0, |o| o.status)
                    };
                    self.more_or_finish(status, cx);
                } else {
                    self.row(payload);
                }
            }
        }
    }

    fn row(&mut self, payload: &[u8]) {
        let Some(txn) = self.txn.as_mut() else { return };
        txn.num_rows += 1;
        if txn.rows.len() >= self.config.rows.max_rows {
            return;
        }
        // Binary rows (COM_STMT_EXECUTE) start with 0x00; they are counted, not rendered.
        if txn.params.is_some() && payload.first() == Some(&0x00) {
            return;
        }
        let values = text_row(payload).unwrap_or_default();
        let line = csv_line(values, self.config.rows.max_row_length);
        txn.rows.push(line);
    }

    fn more_or_finish(&mut self, status: u16, cx: &mut Cx) {
        if status & SERVER_MORE_RESULTS_EXISTS != 0 {
            self.expect = Expect::Result(Stage::First);
        } else {
            self.finish(cx);
        }
    }

    /// A packet of a PREPARE answer: PREPARE_OK, then one packet per parameter and column
    /// definition (and their closing EOFs, counted in the stage).
    fn prepare(&mut self, stage: PrepStage, payload: &[u8], first: Option<u8>, cx: &mut Cx) {
        if first == Some(0xff) {
            if let Some(txn) = self.txn.as_mut() {
                txn.error = Some(err_packet(payload));
            }
            self.preparing = None;
            self.finish(cx);
            return;
        }
        match stage {
            PrepStage::First => {
                let mut r = Reader::new(payload.get(1..).unwrap_or_default());
                let id = r.uint(4).unwrap_or(0) as u32;
                let columns = r.uint(2).unwrap_or(0);
                let params = r.uint(2).unwrap_or(0);
                if let Some(sql) = self.preparing.take() {
                    if self.statements.len() >= MAX_STATEMENTS {
                        cx.anomaly("too_many_statements");
                        self.statements.remove(0);
                    }
                    self.statements.push(Statement {
                        id,
                        sql,
                        params: params as usize,
                        bound: Vec::new(),
                        used: cx.now(),
                    });
                }
                let timeout =
                    i64::try_from(self.config.statement_timeout.as_nanos()).unwrap_or(i64::MAX);
                let now = cx.now();
                self.statements
                    .retain(|s| now.nanos_since(s.used) <= timeout);
                // The definitions follow, each list closed by EOF unless CLIENT_DEPRECATE_EOF.
                let eofs = |n: u64| {
                    if n > 0 && !self.deprecate_eof {
                        n + 1
                    } else {
                        n
                    }
                };
                let (params, columns) = (eofs(params), eofs(columns));
                if params + columns == 0 {
                    self.finish(cx);
                } else {
                    self.expect = Expect::Prepare(PrepStage::Defs { params, columns });
                }
            }
            PrepStage::Defs { params, columns } => {
                let (params, columns) = if params > 0 {
                    (params - 1, columns)
                } else {
                    (0, columns.saturating_sub(1))
                };
                if params + columns == 0 {
                    self.finish(cx);
                } else {
                    self.expect = Expect::Prepare(PrepStage::Defs { params, columns });
                }
            }
        }
    }

    fn finish(&mut self, cx: &mut Cx) {
        self.expect = Expect::Nothing;
        if let Some(txn) = self.txn.take() {
            ecs::publish(&txn, &self.config, cx);
        }
    }
}

/// The capability flags of the server greeting (protocol 10).
fn greeting_caps(payload: &[u8]) -> u32 {
    let mut r = Reader::new(payload.get(1..).unwrap_or_default());
    // server version (NUL-terminated)
    let version_len = r.rest().iter().position(|&b| b == 0).unwrap_or(0);
    let _ = r.bytes(version_len + 1);
    let _thread = r.uint(4);
    let _auth1 = r.bytes(9);
    let low = r.uint(2).unwrap_or(0);
    let _charset = r.uint(1);
    let _status = r.uint(2);
    let high = r.uint(2).unwrap_or(0);
    (low | high << 16) as u32
}

impl Analyzer for MysqlAnalyzer {
    fn on_data(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        if self.phase == Phase::Encrypted {
            return Progress::Done;
        }
        let mut consumed = 0;
        while let Some(rest) = data.get(consumed..).filter(|r| !r.is_empty()) {
            if *dir.of(&mut self.lost) {
                // After lost bytes: the server's stream resumes with the next command's
                // response; the client's with a plausible command packet.
                let plausible = dir == Dir::ToServer
                    && matches!(packet(rest), Ok((0, p, _)) if p.first().is_some_and(|&c| c < 0x20));
                if !plausible {
                    return Progress::Done;
                }
                *dir.of(&mut self.lost) = false;
            }
            match packet(rest) {
                Ok((seq, payload, len)) => {
                    consumed += len;
                    if std::mem::replace(dir.of(&mut self.continued), payload.len() == MAX_PAYLOAD)
                    {
                        continue;
                    }
                    match dir {
                        Dir::ToServer => self.client(seq, payload, len, cx),
                        Dir::ToClient => self.server(seq, payload, len, cx),
                    }
                    if self.phase == Phase::Encrypted {
                        return Progress::Done;
                    }
                }
                Err(needed) => return Progress::NeedMore { consumed, needed },
            }
        }
        Progress::Done
    }

    fn on_gap(&mut self, dir: Dir, _missing: u32, cx: &mut Cx) -> GapAction {
        cx.anomaly("gap");
        *dir.of(&mut self.lost) = true;
        *dir.of(&mut self.continued) = false;
        if dir == Dir::ToClient {
            if let Some(mut txn) = self.txn.take() {
                if txn.end.is_some() {
                    txn.notes.push(NOTE_RESPONSE_LOSS.into());
                    ecs::publish(&txn, &self.config, cx);
                }
            }
        } else {
            self.txn = None;
        }
        self.expect = Expect::Nothing;
        self.queued.clear();
        GapAction::Continue
    }

    fn on_eof(&mut self, _dir: Dir, _cx: &mut Cx) {}

    fn on_expire(&mut self, _now: Timestamp, cx: &mut Cx) {
        if self.txn.take().is_some() {
            cx.anomaly("request_without_response");
        }
        for _ in self.queued.drain(..) {
            cx.anomaly("request_without_response");
        }
    }
}
