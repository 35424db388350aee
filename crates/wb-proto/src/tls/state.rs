//! Per-connection state of `tls`: the record loop of each direction, handshake messages
//! reassembled across records, and the one event of the connection.
//!
//! Buffering: the analyzer keeps no stream bytes. A handshake message that spans records is
//! reassembled from the records the flow layer still holds: the analyzer reports the start
//! of the first record as consumed-up-to and asks for the bytes through the end of the record
//! that completes the message. `hs_skip` remembers how many handshake bytes at the front of
//! that first record were already handled. What goes into the event (hello bodies,
//! certificates) is copied, bounded by `max_message_size` and [`MAX_CERTIFICATES`].
//!
//! Emission: TLS 1.0-1.2: when both directions have sent ChangeCipherSpec (status OK,
//! established). TLS 1.3 (ServerHello selecting 0x0304): CCS records are middlebox-compat
//! noise and ignored; the handshake is established when the client sends its first
//! encrypted record after the server's, unless that record is too short to be a Finished
//! (a probable encrypted alert). Otherwise the event is written on FIN, gap, non-TLS data or
//! expiry with status Error.

use super::config::TlsConfig;
use super::ecs;
use super::parser::{
    self, content, ext, handshake_header, hs, record_header, Header, HANDSHAKE_HEADER_LEN,
    RECORD_HEADER_LEN,
};
use crate::{Analyzer, Cx, Dir, GapAction, Progress};
use std::sync::Arc;
use wb_wire::Timestamp;

/// Most certificates kept per direction; further ones are counted
/// (`too_many_certificates`) and left out.
pub const MAX_CERTIFICATES: usize = 16;

/// Most alerts kept per direction.
pub const MAX_ALERTS: usize = 16;

/// A TLS 1.3 client record shorter than this cannot be a Finished message (4-byte header +
/// 32-byte verify data + content type + 16-byte AEAD tag = 53): it is taken to be an
/// encrypted alert.
pub const MIN_TLS13_FINISHED_RECORD: usize = 53;

/// Note of a handshake cut by lost bytes.
pub const NOTE_GAP: &str = "Packet loss while capturing the handshake";
/// Note of data that is not TLS.
pub const NOTE_NON_TLS: &str = "Non-TLS data, analysis stopped";
/// Note of a handshake message above `max_message_size`.
pub const NOTE_TOO_LARGE: &str = "Handshake message too large, analysis stopped";
/// Note of a probable encrypted alert ending a TLS 1.3 handshake.
pub const NOTE_TLS13_ALERT: &str = "Encrypted alert during the TLS 1.3 handshake";

/// What one direction has shown.
#[derive(Debug, Default)]
pub struct Side {
    /// ChangeCipherSpec (≤ 1.2) or encrypted handshake (1.3) seen: the rest is not parsed.
    pub encrypted: bool,
    /// Handshake bytes at the front of the first held record already handled.
    hs_skip: usize,
    /// Body of the first hello of this direction.
    pub hello: Option<Vec<u8>>,
    /// DER certificates of the Certificate message, leaf first.
    pub certificates: Vec<Vec<u8>>,
    /// Plaintext alerts `(level, description)`.
    pub alerts: Vec<(u8, u8)>,
    /// A Certificate or key exchange message was sent (a full handshake).
    pub key_exchanged: bool,
    /// Time of the first handshake message.
    pub first_seen: Option<Timestamp>,
}

/// Everything the event is built from.
#[derive(Debug, Default)]
pub struct Handshake {
    /// `[client, server]`.
    pub sides: [Side; 2],
    /// The server asked for a client certificate.
    pub client_certificate_requested: bool,
    /// The status of a stapled OCSP response (CertificateStatus message).
    pub ocsp_response: Option<&'static str>,
    /// ECDHE curve of the ServerKeyExchange (≤ 1.2).
    pub curve: Option<u16>,
    /// The ServerHello selected TLS 1.3.
    pub tls13: bool,
    /// Handshake completed.
    pub established: bool,
    /// Time the handshake completed.
    pub end: Option<Timestamp>,
    /// Notes for `error.message`.
    pub notes: Vec<String>,
}

impl Handshake {
    /// Whether anything worth an event was seen.
    pub fn has_info(&self) -> bool {
        self.sides.iter().any(|s| s.hello.is_some())
    }

    /// The client side.
    pub fn client(&self) -> &Side {
        let [client, _] = &self.sides;
        client
    }

    /// The server side.
    pub fn server(&self) -> &Side {
        let [_, server] = &self.sides;
        server
    }
}

/// What the handshake step did.
enum Step {
    /// Continue the record loop at this offset.
    Advance(usize),
    /// Wait until this many bytes (from the first unconsumed one) are held.
    Need(usize),
    /// A handshake message is longer than allowed.
    TooLarge,
    /// The bytes are not TLS.
    NotTls,
}

/// Analyzer state of one TLS connection.
pub struct TlsAnalyzer {
    config: Arc<TlsConfig>,
    hs: Handshake,
    /// The event was written (or the connection is not TLS): everything else is ignored.
    done: bool,
}

impl TlsAnalyzer {
    /// A fresh analyzer.
    pub fn new(config: Arc<TlsConfig>) -> Self {
        TlsAnalyzer {
            config,
            hs: Handshake::default(),
            done: false,
        }
    }

    fn emit(&mut self, cx: &mut Cx) {
        if !self.done && self.hs.has_info() {
            ecs::publish(&self.hs, &self.config, cx);
        }
        self.done = true;
    }

    fn stop(&mut self, note: &str, cx: &mut Cx) {
        if !self.done {
            self.hs.notes.push(note.to_string());
        }
        self.emit(cx);
    }

    /// Both directions have switched to encrypted records (≤ 1.2).
    fn check_complete(&mut self, cx: &mut Cx) {
        if !self.hs.tls13 && self.hs.sides.iter().all(|s| s.encrypted) {
            self.hs.established = true;
            self.hs.end = Some(cx.now());
            self.emit(cx);
        }
    }

    fn on_application_data(&mut self, dir: Dir, length: usize, cx: &mut Cx) {
        if !self.hs.tls13 {
            return;
        }
        dir.of(&mut self.hs.sides).encrypted = true;
        if dir == Dir::ToServer && self.hs.server().encrypted {
            if length < MIN_TLS13_FINISHED_RECORD {
                cx.anomaly("tls13_encrypted_alert");
                self.hs.notes.push(NOTE_TLS13_ALERT.to_string());
            } else {
                self.hs.established = true;
                self.hs.end = Some(cx.now());
            }
            self.emit(cx);
        }
    }

    fn on_message(&mut self, dir: Dir, kind: u8, body: &[u8], cx: &mut Cx) {
        let now = cx.now();
        let side = dir.of(&mut self.hs.sides);
        side.first_seen.get_or_insert(now);
        match (dir, kind) {
            (Dir::ToServer, hs::CLIENT_HELLO) => {
                if parser::client_hello(body).is_none() {
                    cx.anomaly("malformed_hello");
                } else if side.hello.is_none() {
                    side.hello = Some(body.to_vec());
                }
            }
            (Dir::ToClient, hs::SERVER_HELLO) => {
                let Some(h) = parser::server_hello(body) else {
                    cx.anomaly("malformed_hello");
                    return;
                };
                let selected = h
                    .extension(ext::SUPPORTED_VERSIONS)
                    .and_then(|d| parser::supported_versions(d, false))
                    .and_then(|v| v.first().copied());
                if selected == Some(0x0304) {
                    self.hs.tls13 = true;
                }
                // A later ServerHello replaces a HelloRetryRequest.
                side.hello = Some(body.to_vec());
            }
            (_, hs::CERTIFICATE) => {
                side.key_exchanged = true;
                if !(self.config.send_certificates || self.config.include_raw_certificates)
                    || !side.certificates.is_empty()
                {
                    return;
                }
                match parser::certificates(body) {
                    Some(list) => {
                        if list.len() > MAX_CERTIFICATES {
                            cx.anomaly("too_many_certificates");
                        }
                        side.certificates = list
                            .into_iter()
                            .take(MAX_CERTIFICATES)
                            .map(<[u8]>::to_vec)
                            .collect();
                    }
                    None => cx.anomaly("malformed_certificate"),
                }
            }
            (Dir::ToClient, hs::SERVER_KEY_EXCHANGE) => {
                side.key_exchanged = true;
                self.hs.curve = parser::server_key_exchange_curve(body);
            }
            (Dir::ToServer, hs::CLIENT_KEY_EXCHANGE) => side.key_exchanged = true,
            (Dir::ToClient, hs::CERTIFICATE_REQUEST) => {
                self.hs.client_certificate_requested = true;
            }
            (Dir::ToClient, hs::CERTIFICATE_STATUS) => {
                self.hs.ocsp_response = parser::ocsp_response_status(body);
            }
            _ => {}
        }
    }

    /// Handles the handshake record at `pos` (complete in `data`): the next message in it,
    /// reassembled with the following records when it spans them.
    fn handshake(&mut self, dir: Dir, data: &[u8], pos: usize, len: usize, cx: &mut Cx) -> Step {
        let max = self.config.common.max_message_size;
        let rec_end = pos + RECORD_HEADER_LEN + len;
        let skip = dir.of(&mut self.hs.sides).hs_skip;
        let Some(avail) = data.get(pos + RECORD_HEADER_LEN + skip..rec_end) else {
            dir.of(&mut self.hs.sides).hs_skip = 0;
            return Step::Advance(rec_end);
        };
        if avail.is_empty() {
            dir.of(&mut self.hs.sides).hs_skip = 0;
            return Step::Advance(rec_end);
        }
        if let Some((kind, mlen)) = handshake_header(avail) {
            if HANDSHAKE_HEADER_LEN + mlen > max {
                return Step::TooLarge;
            }
            if let Some(body) = avail.get(HANDSHAKE_HEADER_LEN..HANDSHAKE_HEADER_LEN + mlen) {
                self.on_message(dir, kind, body, cx);
                let used = skip + HANDSHAKE_HEADER_LEN + mlen;
                let side = dir.of(&mut self.hs.sides);
                if used >= len {
                    side.hs_skip = 0;
                    return Step::Advance(rec_end);
                }
                side.hs_skip = used;
                return Step::Advance(pos);
            }
        }
        // The message continues in the next handshake records: gather them.
        let mut joined = avail.to_vec();
        let mut p = rec_end;
        loop {
            let Some(rest) = data.get(p..) else {
                return Step::Need(p + RECORD_HEADER_LEN - pos);
            };
            let h = match record_header(rest) {
                Header::Incomplete => return Step::Need(p + RECORD_HEADER_LEN - pos),
                Header::NotTls => return Step::NotTls,
                Header::Record(h) => h,
            };
            if h.content_type != content::HANDSHAKE {
                // Handshake messages may not be interleaved with other records.
                cx.anomaly("interleaved_handshake");
                return Step::NotTls;
            }
            let next_end = p + RECORD_HEADER_LEN + h.length;
            let Some(payload) = data.get(p + RECORD_HEADER_LEN..next_end) else {
                return Step::Need(next_end - pos);
            };
            joined.extend_from_slice(payload);
            if let Some((kind, mlen)) = handshake_header(&joined) {
                if HANDSHAKE_HEADER_LEN + mlen > max {
                    return Step::TooLarge;
                }
                let total = HANDSHAKE_HEADER_LEN + mlen;
                if let Some(body) = joined.get(HANDSHAKE_HEADER_LEN..total) {
                    self.on_message(dir, kind, body, cx);
                    // Bytes of this last record that belong to the message.
                    let used_here =
                        total.saturating_sub(joined.len().saturating_sub(payload.len()));
                    let side = dir.of(&mut self.hs.sides);
                    if used_here >= h.length {
                        side.hs_skip = 0;
                        return Step::Advance(next_end);
                    }
                    side.hs_skip = used_here;
                    return Step::Advance(p);
                }
            }
            p = next_end;
        }
    }
}

impl Analyzer for TlsAnalyzer {
    fn on_data(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        let mut pos = 0;
        loop {
            if self.done || dir.of(&mut self.hs.sides).encrypted {
                return Progress::Done;
            }
            let Some(rest) = data.get(pos..) else {
                return Progress::Done;
            };
            if rest.is_empty() {
                return Progress::Done;
            }
            let h = match record_header(rest) {
                Header::Incomplete => {
                    return Progress::NeedMore {
                        consumed: pos,
                        needed: RECORD_HEADER_LEN,
                    }
                }
                Header::NotTls => {
                    cx.anomaly("non_tls");
                    self.stop(NOTE_NON_TLS, cx);
                    return Progress::Invalid;
                }
                Header::Record(h) => h,
            };
            let end = pos + RECORD_HEADER_LEN + h.length;
            let Some(payload) = data.get(pos + RECORD_HEADER_LEN..end) else {
                return Progress::NeedMore {
                    consumed: pos,
                    needed: RECORD_HEADER_LEN + h.length,
                };
            };
            match h.content_type {
                content::HANDSHAKE => match self.handshake(dir, data, pos, h.length, cx) {
                    Step::Advance(next) => pos = next,
                    Step::Need(needed) => {
                        return Progress::NeedMore {
                            consumed: pos,
                            needed,
                        }
                    }
                    Step::TooLarge => {
                        cx.anomaly("handshake_message_too_large");
                        self.stop(NOTE_TOO_LARGE, cx);
                        return Progress::Invalid;
                    }
                    Step::NotTls => {
                        cx.anomaly("non_tls");
                        self.stop(NOTE_NON_TLS, cx);
                        return Progress::Invalid;
                    }
                },
                content::CHANGE_CIPHER_SPEC => {
                    if !self.hs.tls13 {
                        dir.of(&mut self.hs.sides).encrypted = true;
                        self.check_complete(cx);
                    }
                    pos = end;
                }
                content::ALERT => {
                    match parser::alert(payload) {
                        Some(a) => {
                            let side = dir.of(&mut self.hs.sides);
                            if side.alerts.len() < MAX_ALERTS {
                                side.alerts.push(a);
                            }
                        }
                        None => cx.anomaly("encrypted_alert"),
                    }
                    pos = end;
                }
                content::APPLICATION_DATA => {
                    self.on_application_data(dir, h.length, cx);
                    pos = end;
                }
                _ => pos = end,
            }
        }
    }

    fn on_gap(&mut self, dir: Dir, _missing: u32, cx: &mut Cx) -> GapAction {
        cx.anomaly("gap");
        // Encrypted bytes are not parsed, so losing some does not matter; a plaintext
        // handshake cut by a gap is written now and the connection is not analysed further.
        if !dir.of(&mut self.hs.sides).encrypted {
            self.stop(NOTE_GAP, cx);
        }
        GapAction::Continue
    }

    fn on_eof(&mut self, _dir: Dir, cx: &mut Cx) {
        self.emit(cx);
    }

    fn on_expire(&mut self, _now: Timestamp, cx: &mut Cx) {
        self.emit(cx);
    }
}
