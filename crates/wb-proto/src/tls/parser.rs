//! Pure TLS parsing: record headers, handshake message headers, hellos with their extensions,
//! the Certificate message, alerts and the ECDHE curve of a ServerKeyExchange. Borrowed
//! `&[u8]` in, views out; no state, no config. Every read goes through [`Reader`], which
//! returns `None` past the end, so malformed input can never panic.

/// Record content types (RFC 8446 §5.1).
pub mod content {
    /// change_cipher_spec.
    pub const CHANGE_CIPHER_SPEC: u8 = 20;
    /// alert.
    pub const ALERT: u8 = 21;
    /// handshake.
    pub const HANDSHAKE: u8 = 22;
    /// application_data.
    pub const APPLICATION_DATA: u8 = 23;
    /// heartbeat (RFC 6520).
    pub const HEARTBEAT: u8 = 24;
}

/// Handshake message types.
pub mod hs {
    /// hello_request.
    pub const HELLO_REQUEST: u8 = 0;
    /// client_hello.
    pub const CLIENT_HELLO: u8 = 1;
    /// server_hello.
    pub const SERVER_HELLO: u8 = 2;
    /// new_session_ticket.
    pub const NEW_SESSION_TICKET: u8 = 4;
    /// certificate.
    pub const CERTIFICATE: u8 = 11;
    /// server_key_exchange.
    pub const SERVER_KEY_EXCHANGE: u8 = 12;
    /// certificate_request.
    pub const CERTIFICATE_REQUEST: u8 = 13;
    /// server_hello_done.
    pub const SERVER_HELLO_DONE: u8 = 14;
    /// certificate_verify.
    pub const CERTIFICATE_VERIFY: u8 = 15;
    /// client_key_exchange.
    pub const CLIENT_KEY_EXCHANGE: u8 = 16;
    /// finished.
    pub const FINISHED: u8 = 20;
    /// certificate_status (OCSP stapling, RFC 6066).
    pub const CERTIFICATE_STATUS: u8 = 22;
}

/// Extension type numbers used by the analyzer.
pub mod ext {
    /// server_name.
    pub const SERVER_NAME: u16 = 0;
    /// supported_groups.
    pub const SUPPORTED_GROUPS: u16 = 10;
    /// ec_point_formats.
    pub const EC_POINT_FORMATS: u16 = 11;
    /// signature_algorithms.
    pub const SIGNATURE_ALGORITHMS: u16 = 13;
    /// application_layer_protocol_negotiation.
    pub const ALPN: u16 = 16;
    /// session_ticket.
    pub const SESSION_TICKET: u16 = 35;
    /// pre_shared_key.
    pub const PRE_SHARED_KEY: u16 = 41;
    /// supported_versions.
    pub const SUPPORTED_VERSIONS: u16 = 43;
    /// key_share.
    pub const KEY_SHARE: u16 = 51;
}

/// Largest record payload accepted: 2^14 plus the 2048 bytes of expansion TLS 1.2 allows
/// for compression and encryption (RFC 5246 §6.2.3). Anything longer is not TLS.
pub const MAX_RECORD_LEN: usize = 16384 + 2048;

/// Record header length.
pub const RECORD_HEADER_LEN: usize = 5;

/// Handshake message header length.
pub const HANDSHAKE_HEADER_LEN: usize = 4;

/// A bounds-checked big-endian reader over borrowed bytes.
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    /// Bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.data
    }

    /// Whether everything was read.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.data.len() {
            return None;
        }
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        Some(head)
    }

    /// One byte.
    pub fn u8(&mut self) -> Option<u8> {
        let (&b, tail) = self.data.split_first()?;
        self.data = tail;
        Some(b)
    }

    /// A big-endian u16.
    pub fn u16(&mut self) -> Option<u16> {
        let b = self.bytes(2)?;
        Some(u16::from_be_bytes([*b.first()?, *b.get(1)?]))
    }

    /// A big-endian 24-bit length.
    pub fn u24(&mut self) -> Option<usize> {
        let b = self.bytes(3)?;
        Some(
            usize::from(*b.first()?) << 16 | usize::from(*b.get(1)?) << 8 | usize::from(*b.get(2)?),
        )
    }

    /// A vector with a one-byte length prefix.
    pub fn vec8(&mut self) -> Option<&'a [u8]> {
        let n = self.u8()?;
        self.bytes(usize::from(n))
    }

    /// A vector with a two-byte length prefix.
    pub fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.bytes(usize::from(n))
    }

    /// A vector with a three-byte length prefix.
    pub fn vec24(&mut self) -> Option<&'a [u8]> {
        let n = self.u24()?;
        self.bytes(n)
    }
}

/// Every big-endian u16 of `data` (a trailing odd byte is ignored).
pub fn u16_list(data: &[u8]) -> Vec<u16> {
    data.chunks_exact(2)
        .map(|c| match c {
            [a, b] => u16::from_be_bytes([*a, *b]),
            _ => 0,
        })
        .collect()
}

/// A record header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordHeader {
    /// Content type.
    pub content_type: u8,
    /// Record layer version.
    pub version: u16,
    /// Payload length.
    pub length: usize,
}

/// Result of reading a record header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Header {
    /// Fewer than 5 bytes.
    Incomplete,
    /// The 5 bytes cannot start a TLS record.
    NotTls,
    /// A plausible header.
    Record(RecordHeader),
}

/// Reads and checks the record header at the start of `data`: known content type, version
/// major 3 (SSL 3.0 to TLS 1.3) and a length within [`MAX_RECORD_LEN`].
pub fn record_header(data: &[u8]) -> Header {
    let mut r = Reader::new(data);
    let (Some(content_type), Some(version), Some(length)) = (r.u8(), r.u16(), r.u16()) else {
        return Header::Incomplete;
    };
    let length = usize::from(length);
    let known = (content::CHANGE_CIPHER_SPEC..=content::HEARTBEAT).contains(&content_type);
    if !known || version >> 8 != 3 || length > MAX_RECORD_LEN {
        return Header::NotTls;
    }
    Header::Record(RecordHeader {
        content_type,
        version,
        length,
    })
}

/// A handshake message header: type and body length.
pub fn handshake_header(data: &[u8]) -> Option<(u8, usize)> {
    let mut r = Reader::new(data);
    Some((r.u8()?, r.u24()?))
}

/// One extension, its body borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extension<'a> {
    /// Extension type.
    pub kind: u16,
    /// Extension body.
    pub data: &'a [u8],
}

/// A ClientHello or ServerHello.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hello<'a> {
    /// `legacy_version` of the hello.
    pub version: u16,
    /// 32 random bytes.
    pub random: &'a [u8],
    /// Session id (may be empty).
    pub session_id: &'a [u8],
    /// Offered cipher suites (client) or the one selected (server).
    pub ciphers: Vec<u16>,
    /// Offered compression methods (client) or the one selected (server).
    pub compression: Vec<u8>,
    /// Extensions in wire order.
    pub extensions: Vec<Extension<'a>>,
}

impl<'a> Hello<'a> {
    /// The body of extension `kind`, if present.
    pub fn extension(&self, kind: u16) -> Option<&'a [u8]> {
        self.extensions
            .iter()
            .find(|e| e.kind == kind)
            .map(|e| e.data)
    }
}

fn extensions<'a>(r: &mut Reader<'a>) -> Option<Vec<Extension<'a>>> {
    if r.is_empty() {
        // Extensions are optional before TLS 1.3.
        return Some(Vec::new());
    }
    let mut list = Reader::new(r.vec16()?);
    let mut out = Vec::new();
    while !list.is_empty() {
        let kind = list.u16()?;
        let data = list.vec16()?;
        out.push(Extension { kind, data });
    }
    Some(out)
}

/// Parses a ClientHello body (after the handshake header).
pub fn client_hello(body: &[u8]) -> Option<Hello<'_>> {
    let mut r = Reader::new(body);
    let version = r.u16()?;
    let random = r.bytes(32)?;
    let session_id = r.vec8()?;
    let ciphers = u16_list(r.vec16()?);
    let compression = r.vec8()?.to_vec();
    let extensions = extensions(&mut r)?;
    Some(Hello {
        version,
        random,
        session_id,
        ciphers,
        compression,
        extensions,
    })
}

/// Parses a ServerHello body (after the handshake header).
pub fn server_hello(body: &[u8]) -> Option<Hello<'_>> {
    let mut r = Reader::new(body);
    let version = r.u16()?;
    let random = r.bytes(32)?;
    let session_id = r.vec8()?;
    let cipher = r.u16()?;
    let compression = r.u8()?;
    let extensions = extensions(&mut r)?;
    Some(Hello {
        version,
        random,
        session_id,
        ciphers: vec![cipher],
        compression: vec![compression],
        extensions,
    })
}

/// Host names of a server_name extension (name type 0 only).
pub fn sni(data: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let Some(list) = Reader::new(data).vec16() else {
        return out;
    };
    let mut r = Reader::new(list);
    while let (Some(kind), Some(name)) = (r.u8(), r.vec16()) {
        if kind == 0 {
            out.push(String::from_utf8_lossy(name).into_owned());
        }
    }
    out
}

/// Protocol names of an ALPN extension, as bytes.
pub fn alpn_raw(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let Some(list) = Reader::new(data).vec16() else {
        return out;
    };
    let mut r = Reader::new(list);
    while let Some(name) = r.vec8() {
        out.push(name);
    }
    out
}

/// Protocol names of an ALPN extension.
pub fn alpn(data: &[u8]) -> Vec<String> {
    alpn_raw(data)
        .into_iter()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect()
}

/// A u16 list with a two-byte length prefix (supported_groups, signature_algorithms).
pub fn u16_vec16(data: &[u8]) -> Option<Vec<u16>> {
    let mut r = Reader::new(data);
    let list = r.vec16()?;
    r.is_empty().then(|| u16_list(list))
}

/// The point formats of an ec_point_formats extension.
pub fn ec_point_formats(data: &[u8]) -> Option<Vec<u8>> {
    let mut r = Reader::new(data);
    let list = r.vec8()?;
    r.is_empty().then(|| list.to_vec())
}

/// Versions of a supported_versions extension: a list in a ClientHello, one value in a
/// ServerHello.
pub fn supported_versions(data: &[u8], client: bool) -> Option<Vec<u16>> {
    let mut r = Reader::new(data);
    if client {
        Some(u16_list(r.vec8()?))
    } else {
        Some(vec![r.u16()?])
    }
}

/// The group of a ServerHello key_share extension (TLS 1.3).
pub fn server_key_share_group(data: &[u8]) -> Option<u16> {
    Reader::new(data).u16()
}

/// The `responseStatus` of the OCSP response stapled in a CertificateStatus message
/// (`status_type` 1, then a 3-byte length and the DER `OCSPResponse`, RFC 6960 §4.2.1).
pub fn ocsp_response_status(body: &[u8]) -> Option<&'static str> {
    if body.first() != Some(&1) {
        return None;
    }
    let der = body.get(4..)?;
    // SEQUENCE, its length (short or long form), then ENUMERATED of length 1.
    if der.first() != Some(&0x30) {
        return None;
    }
    let len_byte = *der.get(1)?;
    let header = if len_byte & 0x80 == 0 {
        2
    } else {
        2 + usize::from(len_byte & 0x7f)
    };
    match der.get(header..header + 3)? {
        [0x0a, 0x01, status] => Some(match status {
            0 => "successful",
            1 => "malformedRequest",
            2 => "internalError",
            3 => "tryLater",
            5 => "sigRequired",
            6 => "unauthorized",
            _ => "unknown",
        }),
        _ => None,
    }
}

/// The named curve of an ECDHE ServerKeyExchange (`curve_type` 3 = named_curve); `None`
/// for other key exchanges.
pub fn server_key_exchange_curve(body: &[u8]) -> Option<u16> {
    let mut r = Reader::new(body);
    if r.u8()? != 3 {
        return None;
    }
    r.u16()
}

/// The DER certificates of a TLS 1.0-1.2 Certificate message, leaf first. `None` when the
/// message is malformed.
pub fn certificates(body: &[u8]) -> Option<Vec<&[u8]>> {
    let mut r = Reader::new(body);
    let mut list = Reader::new(r.vec24()?);
    let mut out = Vec::new();
    while !list.is_empty() {
        out.push(list.vec24()?);
    }
    Some(out)
}

/// A plaintext alert: `(level, description)`; `None` unless the record holds exactly 2
/// bytes (longer alerts are encrypted).
pub fn alert(payload: &[u8]) -> Option<(u8, u8)> {
    match payload {
        [level, description] => Some((*level, *description)),
        _ => None,
    }
}

/// GREASE values (RFC 8701): 0x0A0A, 0x1A1A, … 0xFAFA.
pub fn is_grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && v >> 8 == v & 0xff
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn stapled_ocsp_status() {
        // status_type ocsp, length, SEQUENCE (long form, 2 length bytes), ENUMERATED 0.
        let body = [
            1, 0, 0, 9, 0x30, 0x82, 0x01, 0x00, 0x0a, 0x01, 0x00, 0xa0, 0x00,
        ];
        assert_eq!(ocsp_response_status(&body), Some("successful"));
        let short = [1, 0, 0, 5, 0x30, 0x03, 0x0a, 0x01, 0x03];
        assert_eq!(ocsp_response_status(&short), Some("tryLater"));
        assert_eq!(ocsp_response_status(&[2, 0, 0, 0]), None);
        assert_eq!(ocsp_response_status(&[1, 0, 0, 2, 0x30]), None);
    }

    /// A ClientHello record: TLS 1.2, SNI `example.com`, ALPN h2/http1.1, GREASE values in
    /// ciphers, extensions and groups.
    pub(crate) fn client_hello_record() -> Vec<u8> {
        let mut ext = Vec::new();
        // GREASE extension 0x0a0a, empty.
        ext.extend_from_slice(&[0x0a, 0x0a, 0x00, 0x00]);
        // server_name: list len 14, type 0, name len 11, "example.com".
        ext.extend_from_slice(&[0x00, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x00, 0x0b]);
        ext.extend_from_slice(b"example.com");
        // supported_groups: GREASE 0x2a2a, x25519 (29), secp256r1 (23).
        ext.extend_from_slice(&[
            0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x2a, 0x2a, 0x00, 0x1d, 0x00, 0x17,
        ]);
        // ec_point_formats: uncompressed.
        ext.extend_from_slice(&[0x00, 0x0b, 0x00, 0x02, 0x01, 0x00]);
        // signature_algorithms: ecdsa_secp256r1_sha256, rsa_pss_sha256.
        ext.extend_from_slice(&[0x00, 0x0d, 0x00, 0x06, 0x00, 0x04, 0x04, 0x03, 0x08, 0x04]);
        // ALPN: "h2", "http/1.1".
        ext.extend_from_slice(&[0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 0x02, b'h', b'2', 0x08]);
        ext.extend_from_slice(b"http/1.1");
        let mut body = vec![0x03, 0x03]; // legacy_version TLS 1.2
        body.extend_from_slice(&[0x11; 32]); // random
        body.push(0); // empty session id
                      // cipher_suites: GREASE 0x3a3a, 0xc02f, 0x1301.
        body.extend_from_slice(&[0x00, 0x06, 0x3a, 0x3a, 0xc0, 0x2f, 0x13, 0x01]);
        body.extend_from_slice(&[0x01, 0x00]); // compression: NULL
        body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
        body.extend_from_slice(&ext);
        handshake_record(hs::CLIENT_HELLO, &body)
    }

    /// Wraps a handshake body into one handshake record (TLS 1.0 record version).
    pub(crate) fn handshake_record(kind: u8, body: &[u8]) -> Vec<u8> {
        let len = body.len();
        let mut msg = vec![kind, (len >> 16) as u8, (len >> 8) as u8, len as u8];
        msg.extend_from_slice(body);
        record(content::HANDSHAKE, &msg)
    }

    /// One record of `kind` around `payload`.
    pub(crate) fn record(kind: u8, payload: &[u8]) -> Vec<u8> {
        let mut r = vec![kind, 0x03, 0x01];
        r.extend_from_slice(&(payload.len() as u16).to_be_bytes());
        r.extend_from_slice(payload);
        r
    }

    #[test]
    fn record_headers() {
        // 16 03 01 00 05: handshake, TLS 1.0 record version, 5 bytes.
        assert_eq!(
            record_header(&[0x16, 0x03, 0x01, 0x00, 0x05]),
            Header::Record(RecordHeader {
                content_type: 22,
                version: 0x0301,
                length: 5
            })
        );
        assert_eq!(record_header(&[0x16, 0x03, 0x01, 0x00]), Header::Incomplete);
        // "GET /" is not TLS: content type 0x47.
        assert_eq!(record_header(b"GET / HTTP/1.1"), Header::NotTls);
        // Version major 2 is not accepted.
        assert_eq!(
            record_header(&[0x16, 0x02, 0x00, 0x00, 0x05]),
            Header::NotTls
        );
        // Length 18433 = 16384 + 2048 + 1: too long.
        assert_eq!(
            record_header(&[0x17, 0x03, 0x03, 0x48, 0x01]),
            Header::NotTls
        );
        assert!(matches!(
            record_header(&[0x17, 0x03, 0x03, 0x48, 0x00]),
            Header::Record(_)
        ));
    }

    #[test]
    fn handshake_headers() {
        // 01 000123: ClientHello of 0x123 bytes.
        assert_eq!(handshake_header(&[1, 0, 1, 0x23]), Some((1, 0x123)));
        assert_eq!(handshake_header(&[1, 0, 1]), None);
    }

    #[test]
    fn client_hello_fields() {
        let rec = client_hello_record();
        let body = &rec[RECORD_HEADER_LEN + HANDSHAKE_HEADER_LEN..];
        let h = client_hello(body).unwrap();
        assert_eq!(h.version, 0x0303);
        assert_eq!(h.random, &[0x11; 32]);
        assert!(h.session_id.is_empty());
        assert_eq!(h.ciphers, vec![0x3a3a, 0xc02f, 0x1301]);
        assert_eq!(h.compression, vec![0]);
        let kinds: Vec<u16> = h.extensions.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, vec![0x0a0a, 0, 10, 11, 13, 16]);
        assert_eq!(
            sni(h.extension(ext::SERVER_NAME).unwrap()),
            vec!["example.com"]
        );
        assert_eq!(
            alpn(h.extension(ext::ALPN).unwrap()),
            vec!["h2", "http/1.1"]
        );
        assert_eq!(
            u16_vec16(h.extension(ext::SUPPORTED_GROUPS).unwrap()),
            Some(vec![0x2a2a, 29, 23])
        );
        assert_eq!(
            ec_point_formats(h.extension(ext::EC_POINT_FORMATS).unwrap()),
            Some(vec![0])
        );
        // A truncated hello is rejected, not misread; cutting exactly after the compression
        // methods (2 + 32 + 1 + 8 + 2 = 45 bytes) leaves a valid hello without extensions.
        for cut in 0..body.len() {
            assert_eq!(client_hello(&body[..cut]).is_some(), cut == 45, "cut {cut}");
        }
    }

    #[test]
    fn server_hello_and_versions() {
        // 0303, random, empty session id, cipher 1301, compression 0,
        // extensions: supported_versions = 0304, key_share group x25519 (key left out).
        let mut body = vec![0x03, 0x03];
        body.extend_from_slice(&[0x22; 32]);
        body.push(0);
        body.extend_from_slice(&[0x13, 0x01, 0x00]);
        body.extend_from_slice(&[0x00, 0x0c, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]);
        body.extend_from_slice(&[0x00, 0x33, 0x00, 0x02, 0x00, 0x1d]);
        let h = server_hello(&body).unwrap();
        assert_eq!(h.ciphers, vec![0x1301]);
        assert_eq!(
            supported_versions(h.extension(ext::SUPPORTED_VERSIONS).unwrap(), false),
            Some(vec![0x0304])
        );
        assert_eq!(
            server_key_share_group(h.extension(ext::KEY_SHARE).unwrap()),
            Some(29)
        );
        // Client form: length byte 4, then 0304 0303.
        assert_eq!(
            supported_versions(&[4, 3, 4, 3, 3], true),
            Some(vec![0x0304, 0x0303])
        );
        // An extension block that claims more than there is.
        let mut bad = body.clone();
        let n = bad.len();
        bad.truncate(n - 1);
        assert!(server_hello(&bad).is_none());
    }

    #[test]
    fn certificate_list() {
        // total 000008: cert 000002 "AB", cert 000000 "".
        let body = [0, 0, 8, 0, 0, 2, b'A', b'B', 0, 0, 0, 0xff];
        assert_eq!(certificates(&body[..11]), Some(vec![&b"AB"[..], &b""[..]]));
        // A certificate longer than the list.
        assert_eq!(certificates(&[0, 0, 4, 0, 0, 9, 1]), None);
    }

    #[test]
    fn alerts_and_curves() {
        assert_eq!(alert(&[2, 48]), Some((2, 48)));
        // 26 bytes: an encrypted alert.
        assert_eq!(alert(&[0; 26]), None);
        // ECDHE named_curve secp256r1, then the point.
        assert_eq!(server_key_exchange_curve(&[3, 0, 23, 65]), Some(23));
        assert_eq!(server_key_exchange_curve(&[1, 0, 23]), None);
    }

    #[test]
    fn grease() {
        for v in [0x0a0a, 0x1a1a, 0x2a2a, 0xfafa] {
            assert!(is_grease(v));
        }
        for v in [0x0a1a, 0x0000, 0x1301, 0xc02f, 0x0b0b] {
            assert!(!is_grease(v));
        }
    }
}
