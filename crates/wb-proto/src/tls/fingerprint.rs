//! Client and server fingerprints of hellos: JA3 (client), JA3S (server) and JA4 (client,
//! TCP form). Each is built as its documented text form first, then hashed; GREASE values
//! (RFC 8701) are left out everywhere.

use super::parser::{self, ext, is_grease, Hello};
use md5::{Digest, Md5};
use sha2::Sha256;
use std::fmt::Write;

fn dash_list<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    let mut s = String::new();
    for (i, v) in items.enumerate() {
        if i > 0 {
            s.push('-');
        }
        let _ = write!(s, "{v}");
    }
    s
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// MD5 of `text` as lower-case hex.
pub fn md5_hex(text: &str) -> String {
    hex(&Md5::digest(text.as_bytes()))
}

/// The JA3 text of a ClientHello:
/// `version,ciphers,extensions,groups,point_formats`, decimal, `-` separated.
pub fn ja3_string(hello: &Hello<'_>) -> String {
    let groups = hello
        .extension(ext::SUPPORTED_GROUPS)
        .and_then(parser::u16_vec16)
        .unwrap_or_default();
    let formats = hello
        .extension(ext::EC_POINT_FORMATS)
        .and_then(parser::ec_point_formats)
        .unwrap_or_default();
    format!(
        "{},{},{}",
        version_ciphers_extensions(hello),
        dash_list(groups.iter().filter(|g| !is_grease(**g))),
        dash_list(formats.iter()),
    )
}

/// `version,ciphers,extensions` without GREASE values: the start of JA3 and all of JA3S.
fn version_ciphers_extensions(hello: &Hello<'_>) -> String {
    format!(
        "{},{},{}",
        hello.version,
        dash_list(hello.ciphers.iter().filter(|c| !is_grease(**c))),
        dash_list(
            hello
                .extensions
                .iter()
                .map(|e| e.kind)
                .filter(|k| !is_grease(*k))
        ),
    )
}

/// The JA3S text of a ServerHello: `version,cipher,extensions`.
pub fn ja3s_string(hello: &Hello<'_>) -> String {
    version_ciphers_extensions(hello)
}

fn ja4_version(v: u16) -> &'static str {
    match v {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0200 => "s2",
        0x0100 => "s1",
        0xfeff => "d1",
        0xfefd => "d2",
        0xfefc => "d3",
        _ => "00",
    }
}

/// The two ALPN characters of JA4: first and last character of the first offered protocol,
/// or of its hex form when either is not ASCII alphanumeric; `00` without ALPN.
fn ja4_alpn(hello: &Hello<'_>) -> String {
    let first = hello
        .extension(ext::ALPN)
        .map(parser::alpn_raw)
        .and_then(|l| l.into_iter().next());
    match first {
        Some(p) => match (p.first(), p.last()) {
            (Some(&a), Some(&b)) if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric() => {
                format!("{}{}", char::from(a), char::from(b))
            }
            (Some(&a), Some(&b)) => {
                // High nibble of the first byte, low nibble of the last.
                format!("{:x}{:x}", a >> 4, b & 0x0f)
            }
            _ => "00".to_string(),
        },
        None => "00".to_string(),
    }
}

fn hex4_list(items: impl Iterator<Item = u16>) -> String {
    let mut s = String::new();
    for (i, v) in items.enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{v:04x}");
    }
    s
}

/// First 12 hex characters of SHA-256 of `text`, or twelve zeros when `text` is empty.
fn sha256_12(text: &str) -> String {
    if text.is_empty() {
        return "000000000000".to_string();
    }
    let mut h = hex(&Sha256::digest(text.as_bytes()));
    h.truncate(12);
    h
}

/// The JA4 parts of a ClientHello over TCP: `(ja4_a, ciphers, extensions_and_signatures)`,
/// the last two in their raw (unhashed) text form.
pub fn ja4_parts(hello: &Hello<'_>) -> (String, String, String) {
    let version = hello
        .extension(ext::SUPPORTED_VERSIONS)
        .and_then(|d| parser::supported_versions(d, true))
        .and_then(|vs| vs.into_iter().filter(|v| !is_grease(*v)).max())
        .unwrap_or(hello.version);
    let sni = if hello.extension(ext::SERVER_NAME).is_some() {
        'd'
    } else {
        'i'
    };
    let mut ciphers: Vec<u16> = hello
        .ciphers
        .iter()
        .copied()
        .filter(|c| !is_grease(*c))
        .collect();
    let exts: Vec<u16> = hello
        .extensions
        .iter()
        .map(|e| e.kind)
        .filter(|k| !is_grease(*k))
        .collect();
    let a = format!(
        "t{}{}{:02}{:02}{}",
        ja4_version(version),
        sni,
        ciphers.len().min(99),
        exts.len().min(99),
        ja4_alpn(hello)
    );
    ciphers.sort_unstable();
    let mut sorted_exts: Vec<u16> = exts
        .into_iter()
        .filter(|k| *k != ext::SERVER_NAME && *k != ext::ALPN)
        .collect();
    sorted_exts.sort_unstable();
    let sigs: Vec<u16> = hello
        .extension(ext::SIGNATURE_ALGORITHMS)
        .and_then(parser::u16_vec16)
        .unwrap_or_default()
        .into_iter()
        .filter(|s| !is_grease(*s))
        .collect();
    let mut c = hex4_list(sorted_exts.into_iter());
    if !sigs.is_empty() && !c.is_empty() {
        c.push('_');
        c.push_str(&hex4_list(sigs.into_iter()));
    }
    (a, hex4_list(ciphers.into_iter()), c)
}

/// The JA4 fingerprint of a ClientHello over TCP: `a_b_c` with b and c hashed.
pub fn ja4(hello: &Hello<'_>) -> String {
    let (a, b, c) = ja4_parts(hello);
    format!("{a}_{}_{}", sha256_12(&b), sha256_12(&c))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::super::parser::tests::client_hello_record;
    use super::super::parser::{client_hello, server_hello};
    use super::*;

    #[test]
    fn ja3_of_the_annotated_hello_drops_grease() {
        let rec = client_hello_record();
        let h = client_hello(&rec[9..]).unwrap();
        // 771 = 0x0303; ciphers 0xc02f = 49199, 0x1301 = 4865 (0x3a3a GREASE gone);
        // extensions 0,10,11,13,16 (0x0a0a gone); groups 29,23 (0x2a2a gone); formats 0.
        assert_eq!(ja3_string(&h), "771,49199-4865,0-10-11-13-16,29-23,0");
        assert_eq!(
            md5_hex(&ja3_string(&h)),
            md5_hex("771,49199-4865,0-10-11-13-16,29-23,0")
        );
        assert_eq!(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
    }

    #[test]
    fn ja4_of_the_annotated_hello() {
        let rec = client_hello_record();
        let h = client_hello(&rec[9..]).unwrap();
        let (a, b, c) = ja4_parts(&h);
        // t, "12" (no supported_versions), SNI present, 2 ciphers, 5 extensions, ALPN "h2".
        assert_eq!(a, "t12d0205h2");
        assert_eq!(b, "1301,c02f");
        // SNI and ALPN left out of the sorted list; signatures in wire order.
        assert_eq!(c, "000a,000b,000d_0403,0804");
        assert_eq!(ja4(&h), format!("{a}_{}_{}", sha256_12(&b), sha256_12(&c)));
    }

    #[test]
    fn ja4_hash_parts_match_the_published_example() {
        // The cipher and extension lists of the JA4 specification's example ClientHello
        // and the hashes it documents (t13d1516h2_8daaf6152771_e5627efa2ab1).
        assert_eq!(
            sha256_12("002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9"),
            "8daaf6152771"
        );
        assert_eq!(
            sha256_12(
                "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601"
            ),
            "e5627efa2ab1"
        );
        assert_eq!(sha256_12(""), "000000000000");
    }

    #[test]
    fn ja4_alpn_rules() {
        let mk = |alpn: &[u8]| {
            let mut ext = vec![0x00, 0x10];
            let list_len = alpn.len() + 1;
            ext.extend_from_slice(&((list_len + 2) as u16).to_be_bytes());
            ext.extend_from_slice(&(list_len as u16).to_be_bytes());
            ext.push(alpn.len() as u8);
            ext.extend_from_slice(alpn);
            let mut body = vec![0x03, 0x03];
            body.extend_from_slice(&[0; 32]);
            body.extend_from_slice(&[0, 0, 2, 0x13, 0x01, 1, 0]);
            body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
            body.extend_from_slice(&ext);
            body
        };
        let a = |alpn: &[u8]| ja4_parts(&client_hello(&mk(alpn)).unwrap()).0;
        assert_eq!(a(b"http/1.1"), "t12i0101h1");
        assert_eq!(a(b"x"), "t12i0101xx");
        // 0xab ... 0xcd: not alphanumeric, so hex "ab" / "cd" give 'a' and 'd'.
        assert_eq!(a(&[0xab, 0x01, 0xcd]), "t12i0101ad");
    }

    #[test]
    fn ja3s_of_a_server_hello() {
        // 0303, random, no session id, cipher c02f, compression 0,
        // extensions ff01 (empty renegotiation_info, 1 byte body) and 000b.
        let mut body = vec![0x03, 0x03];
        body.extend_from_slice(&[0; 32]);
        body.extend_from_slice(&[0, 0xc0, 0x2f, 0]);
        body.extend_from_slice(&[0, 11, 0xff, 0x01, 0, 1, 0, 0, 0x0b, 0, 2, 1, 0]);
        let h = server_hello(&body).unwrap();
        assert_eq!(ja3s_string(&h), "771,49199,65281-11");
    }
}
