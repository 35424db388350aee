//! RDATA → Packetbeat's rendering: a `data` string plus the extra keys some types carry
//! (MX `preference`, SOA `rname`/`serial`/…, SRV `priority`/`weight`/`port`, DNSSEC fields).
//! Types Packetbeat has no rendering for are written as escaped bytes, as Packetbeat does,
//! except CAA and SVCB/HTTPS, which get their presentation form.

use super::names::{algorithm_name, hash_name, type_name};
use super::wire::{name, u16_at, u32_at, RecordHeader, WireError};
use base64::Engine;
use std::fmt::Write;
use std::net::{Ipv4Addr, Ipv6Addr};
use wb_event::Value;

/// One record's rendered RDATA.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    /// `data`.
    pub data: String,
    /// Type-specific keys, in the order written.
    pub extras: Vec<(&'static str, Value)>,
    /// The RDATA did not match its type's layout (rendered as escaped bytes instead).
    pub malformed: bool,
}

/// Renders the RDATA of `rr` (OPT is handled by the caller).
pub fn render(msg: &[u8], rr: &RecordHeader) -> Rendered {
    let end = rr.rdata_at + rr.rdata_len;
    let rdata = msg.get(rr.rdata_at..end).unwrap_or_default();
    let mut r = Rendered {
        data: String::new(),
        extras: Vec::new(),
        malformed: false,
    };
    let typed = RData {
        msg,
        at: rr.rdata_at,
        end,
    };
    if typed.render(rr.rtype, &mut r).is_err() {
        r.extras.clear();
        r.data = escape_bytes(rdata);
        r.malformed = true;
    }
    r
}

/// Bytes as text: printable ASCII kept, `"` and `\` escaped, tab/CR/LF as `\t`/`\r`/`\n`,
/// anything else as `\DDD`.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'"' | b'\\' => {
                s.push('\\');
                s.push(char::from(b));
            }
            b'\t' => s.push_str("\\t"),
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            0x20..=0x7e => s.push(char::from(b)),
            _ => {
                let _ = write!(s, "\\{b:03}");
            }
        }
    }
    s
}

/// An IPv6 address as Go prints it (IPv4-mapped addresses in dotted form).
pub fn ipv6_text(a: Ipv6Addr) -> String {
    match a.to_ipv4_mapped() {
        Some(v4) => v4.to_string(),
        None => a.to_string(),
    }
}

struct RData<'a> {
    msg: &'a [u8],
    at: usize,
    end: usize,
}

impl RData<'_> {
    fn bytes(&self, from: usize, to: usize) -> Result<&[u8], WireError> {
        if to > self.end || from > to {
            return Err(WireError::Truncated);
        }
        self.msg.get(from..to).ok_or(WireError::Truncated)
    }

    fn u8(&self, pos: usize) -> Result<u8, WireError> {
        self.bytes(pos, pos + 1)?
            .first()
            .copied()
            .ok_or(WireError::Truncated)
    }

    fn u16(&self, pos: usize) -> Result<u16, WireError> {
        self.bytes(pos, pos + 2)?;
        u16_at(self.msg, pos)
    }

    fn u32(&self, pos: usize) -> Result<u32, WireError> {
        self.bytes(pos, pos + 4)?;
        u32_at(self.msg, pos)
    }

    /// A name starting inside the RDATA whose own bytes end inside it.
    fn name(&self, pos: usize) -> Result<(String, usize), WireError> {
        if pos >= self.end {
            return Err(WireError::Truncated);
        }
        let (n, next) = name(self.msg, pos)?;
        if next > self.end {
            return Err(WireError::Truncated);
        }
        Ok((n, next))
    }

    fn exactly(&self, pos: usize) -> Result<(), WireError> {
        if pos == self.end {
            Ok(())
        } else {
            Err(WireError::Truncated)
        }
    }

    fn render(&self, rtype: u16, r: &mut Rendered) -> Result<(), WireError> {
        let at = self.at;
        match rtype {
            1 => {
                let b = self.bytes(at, at + 4)?;
                self.exactly(at + 4)?;
                r.data = Ipv4Addr::from(<[u8; 4]>::try_from(b).map_err(|_| WireError::Truncated)?)
                    .to_string();
            }
            28 => {
                let b = self.bytes(at, at + 16)?;
                self.exactly(at + 16)?;
                let octets = <[u8; 16]>::try_from(b).map_err(|_| WireError::Truncated)?;
                r.data = ipv6_text(Ipv6Addr::from(octets));
            }
            // NS, MD, MF, CNAME, MB, MG, MR, PTR, DNAME: one name.
            2..=5 | 7..=9 | 12 | 39 => {
                let (n, next) = self.name(at)?;
                self.exactly(next)?;
                r.data = n;
            }
            6 => {
                let (mname, next) = self.name(at)?;
                let (rname, next) = self.name(next)?;
                r.extras.push(("rname", Value::Str(rname)));
                for (i, key) in ["serial", "refresh", "retry", "expire", "minimum"]
                    .into_iter()
                    .enumerate()
                {
                    r.extras
                        .push((key, Value::UInt(u64::from(self.u32(next + 4 * i)?))));
                }
                self.exactly(next + 20)?;
                r.data = mname;
            }
            15 => {
                r.extras
                    .push(("preference", Value::UInt(u64::from(self.u16(at)?))));
                let (n, next) = self.name(at + 2)?;
                self.exactly(next)?;
                r.data = n;
            }
            16 | 99 => r.data = self.character_strings(at)?.join(" "),
            33 => {
                for (i, key) in ["priority", "weight", "port"].into_iter().enumerate() {
                    r.extras
                        .push((key, Value::UInt(u64::from(self.u16(at + 2 * i)?))));
                }
                let (n, next) = self.name(at + 6)?;
                self.exactly(next)?;
                r.data = n;
            }
            43 | 59 | 32769 => {
                r.extras
                    .push(("key_tag", Value::Str(self.u16(at)?.to_string())));
                r.extras.push((
                    "algorithm",
                    algorithm_name(self.u8(at + 2)?).into_owned().into(),
                ));
                r.extras.push((
                    "digest_type",
                    hash_name(self.u8(at + 3)?).into_owned().into(),
                ));
                r.data = hex_upper(self.bytes(at + 4, self.end)?);
            }
            48 | 60 => {
                r.extras
                    .push(("flags", Value::Str(self.u16(at)?.to_string())));
                r.extras
                    .push(("protocol", Value::Str(self.u8(at + 2)?.to_string())));
                r.extras.push((
                    "algorithm",
                    algorithm_name(self.u8(at + 3)?).into_owned().into(),
                ));
                r.data = base64_std(self.bytes(at + 4, self.end)?);
            }
            46 => self.rrsig(r)?,
            47 => {
                let (next_name, next) = self.name(at)?;
                r.extras
                    .push(("type_bits", Value::Str(self.type_bits(next)?)));
                r.data = next_name;
            }
            50 => {
                let hash_at = self.nsec3_params(r)?;
                let hash_len = usize::from(self.u8(hash_at)?);
                let hash = self.bytes(hash_at + 1, hash_at + 1 + hash_len)?;
                r.extras.push((
                    "type_bits",
                    Value::Str(self.type_bits(hash_at + 1 + hash_len)?),
                ));
                r.data = base32hex(hash);
            }
            51 => {
                let end = self.nsec3_params(r)?;
                self.exactly(end)?;
                if let Some((_, Value::Str(salt))) = r.extras.pop() {
                    r.data = salt;
                }
            }
            257 => {
                let flags = self.u8(at)?;
                let tag_len = usize::from(self.u8(at + 1)?);
                let tag = self.bytes(at + 2, at + 2 + tag_len)?;
                let value = self.bytes(at + 2 + tag_len, self.end)?;
                r.data = format!("{flags} {} \"{}\"", escape_bytes(tag), escape_bytes(value));
            }
            64 | 65 => r.data = super::svcb::render(self.msg, at, self.end)?,
            _ => r.data = escape_bytes(self.bytes(at, self.end)?),
        }
        Ok(())
    }

    /// The fields NSEC3 and NSEC3PARAM share: `hash`, `flags`, `iterations`, then `salt`
    /// (last); returns the position after the salt.
    fn nsec3_params(&self, r: &mut Rendered) -> Result<usize, WireError> {
        let at = self.at;
        let salt_len = usize::from(self.u8(at + 4)?);
        let salt = self.bytes(at + 5, at + 5 + salt_len)?;
        r.extras
            .push(("hash", hash_name(self.u8(at)?).into_owned().into()));
        r.extras
            .push(("flags", Value::Str(self.u8(at + 1)?.to_string())));
        r.extras
            .push(("iterations", Value::Str(self.u16(at + 2)?.to_string())));
        r.extras.push(("salt", Value::Str(salt_text(salt))));
        Ok(at + 5 + salt_len)
    }

    fn rrsig(&self, r: &mut Rendered) -> Result<(), WireError> {
        let at = self.at;
        r.extras
            .push(("type_covered", type_name(self.u16(at)?).into_owned().into()));
        r.extras.push((
            "algorithm",
            algorithm_name(self.u8(at + 2)?).into_owned().into(),
        ));
        r.extras
            .push(("labels", Value::Str(self.u8(at + 3)?.to_string())));
        r.extras
            .push(("original_ttl", Value::Str(self.u32(at + 4)?.to_string())));
        r.extras
            .push(("expiration", Value::Str(dnssec_time(self.u32(at + 8)?))));
        r.extras
            .push(("inception", Value::Str(dnssec_time(self.u32(at + 12)?))));
        r.extras
            .push(("key_tag", Value::Str(self.u16(at + 16)?.to_string())));
        let (signer, next) = self.name(at + 18)?;
        r.extras.push(("signer_name", Value::Str(signer)));
        r.data = base64_std(self.bytes(next, self.end)?);
        Ok(())
    }

    /// `<character-string>`s up to the end of the RDATA.
    fn character_strings(&self, mut pos: usize) -> Result<Vec<String>, WireError> {
        let mut out = Vec::new();
        while pos < self.end {
            let len = usize::from(self.u8(pos)?);
            out.push(escape_bytes(self.bytes(pos + 1, pos + 1 + len)?));
            pos += 1 + len;
        }
        Ok(out)
    }

    /// An NSEC/NSEC3 type bitmap (RFC 4034 §4.1.2) as space-separated type names.
    fn type_bits(&self, mut pos: usize) -> Result<String, WireError> {
        let mut names: Vec<String> = Vec::new();
        while pos < self.end {
            let window = u16::from(self.u8(pos)?);
            let len = usize::from(self.u8(pos + 1)?);
            if len == 0 || len > 32 {
                return Err(WireError::Truncated);
            }
            let bits = self.bytes(pos + 2, pos + 2 + len)?;
            for (i, byte) in bits.iter().enumerate() {
                for bit in 0..8u16 {
                    if byte & (0x80 >> bit) != 0 {
                        let t = window * 256 + (i as u16) * 8 + bit;
                        names.push(type_name(t).into_owned());
                    }
                }
            }
            pos += 2 + len;
        }
        Ok(names.join(" "))
    }
}

fn hex_upper(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for byte in b {
        let _ = write!(s, "{byte:02X}");
    }
    s
}

fn salt_text(salt: &[u8]) -> String {
    if salt.is_empty() {
        "-".into()
    } else {
        hex_upper(salt)
    }
}

/// Standard base64 with padding.
pub fn base64_std(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// Base32 with the extended-hex alphabet, upper case, no padding (RFC 4648 §7), as NSEC3
/// writes hashed owner names.
fn base32hex(b: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHIJKLMNOPQRSTUV";
    let mut out = String::with_capacity(b.len() * 8 / 5 + 1);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &byte in b {
        acc = (acc << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            let idx = ((acc >> bits) & 31) as usize;
            out.push(char::from(ALPHABET.get(idx).copied().unwrap_or(b'?')));
        }
    }
    if bits > 0 {
        let idx = ((acc << (5 - bits)) & 31) as usize;
        out.push(char::from(ALPHABET.get(idx).copied().unwrap_or(b'?')));
    }
    out
}

/// A DNSSEC signature time as `YYYYMMDDHHmmSS` (UTC).
fn dnssec_time(secs: u32) -> String {
    let secs = i64::from(secs);
    let (y, m, d) = wb_wire::civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message holding one record header at 0 with the given type and RDATA.
    fn one(rtype: u16, rdata: &[u8]) -> Rendered {
        let mut msg = vec![0u8]; // root owner
        msg.extend_from_slice(&rtype.to_be_bytes());
        msg.extend_from_slice(&[0, 1, 0, 0, 0, 60]);
        msg.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        msg.extend_from_slice(rdata);
        let (h, _) = super::super::wire::record(&msg, 0).unwrap();
        render(&msg, &h)
    }

    #[test]
    fn addresses_and_names() {
        assert_eq!(one(1, &[8, 8, 4, 4]).data, "8.8.4.4");
        let v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(one(28, &v6).data, "2001:db8::1");
        assert_eq!(one(5, b"\x03www\x01a\x00").data, "www.a");
        // MX: preference 10, exchange mx.a
        let mx = one(15, b"\x00\x0a\x02mx\x01a\x00");
        assert_eq!(mx.data, "mx.a");
        assert_eq!(mx.extras, vec![("preference", Value::UInt(10))]);
    }

    #[test]
    fn soa_srv_txt() {
        let mut soa = b"\x02ns\x00\x04host\x00".to_vec();
        for n in [2024u32, 7200, 3600, 1_209_600, 300] {
            soa.extend_from_slice(&n.to_be_bytes());
        }
        let r = one(6, &soa);
        assert_eq!(r.data, "ns");
        assert_eq!(r.extras[0], ("rname", Value::Str("host".into())));
        assert_eq!(r.extras[5], ("minimum", Value::UInt(300)));
        let srv = one(33, b"\x00\x01\x00\x02\x01\xbb\x03sip\x00");
        assert_eq!(srv.data, "sip");
        assert_eq!(srv.extras[2], ("port", Value::UInt(443)));
        // Two strings, one with a quote.
        assert_eq!(one(16, b"\x05v=spf\x03a\"b").data, "v=spf a\\\"b");
    }

    #[test]
    fn dnssec_types() {
        // DS: key tag 2371, alg 13, digest SHA256, digest 0xabcd
        let ds = one(43, &[0x09, 0x43, 13, 2, 0xab, 0xcd]);
        assert_eq!(ds.data, "ABCD");
        assert_eq!(ds.extras[0], ("key_tag", Value::Str("2371".into())));
        assert_eq!(
            ds.extras[1],
            ("algorithm", Value::Str("ECDSAP256SHA256".into()))
        );
        assert_eq!(ds.extras[2], ("digest_type", Value::Str("SHA256".into())));
        // NSEC: next "b", bitmap window 0 with A (1), NS (2), RRSIG (46)
        let mut nsec = b"\x01b\x00\x00\x06".to_vec();
        nsec.extend_from_slice(&[0x60, 0, 0, 0, 0, 0x02]);
        let r = one(47, &nsec);
        assert_eq!(r.data, "b");
        assert_eq!(r.extras[0], ("type_bits", Value::Str("A NS RRSIG".into())));
        assert_eq!(dnssec_time(1_447_175_353), "20151110170913");
        // NSEC3PARAM: SHA1, flags 0, 10 iterations, salt 0xaabb; NSEC3 with a 2-byte hash.
        let p = one(51, &[1, 0, 0, 10, 2, 0xaa, 0xbb]);
        assert_eq!(p.data, "AABB");
        assert_eq!(p.extras.len(), 3);
        let n = one(50, &[1, 1, 0, 10, 0, 2, 0xff, 0x00]);
        assert_eq!(n.data, "VS00");
        assert_eq!(n.extras[3], ("salt", Value::Str("-".into())));
        assert_eq!(base32hex(&[0xff, 0x00]), "VS00");
    }

    #[test]
    fn caa_unknown_and_malformed() {
        assert_eq!(
            one(257, b"\x00\x05issueletsencrypt.org").data,
            "0 issue \"letsencrypt.org\""
        );
        assert_eq!(one(4000, b"a\x00\n").data, "a\\000\\n");
        // An A record with 3 bytes is malformed: rendered as bytes, flagged.
        let bad = one(1, &[1, 2, 3]);
        assert!(bad.malformed);
        assert_eq!(bad.data, "\\001\\002\\003");
        // A CNAME whose name runs past its RDATA.
        assert!(one(5, b"\x05ab").malformed);
    }
}
