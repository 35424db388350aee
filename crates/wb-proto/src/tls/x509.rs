//! X.509 certificates of a handshake → the values Packetbeat writes: distinguished names in
//! RFC 2253 order (`CN=…,O=…,C=…`), validity, serial number (upper-case hex), alternative
//! names, key algorithm and size, signature algorithm, fingerprints and PEM text. Parsing is
//! done by `x509-parser`; a certificate it rejects is skipped and counted by the caller.

use super::fingerprint::hex;
use base64::Engine;
use md5::{Digest, Md5};
use sha1::Sha1;
use sha2::Sha256;
use wb_event::{FieldName, Value};
use wb_wire::Timestamp;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate, X509Name};

/// A distinguished name, split the way events show it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Name {
    /// RFC 2253 text, last RDN first.
    pub distinguished_name: String,
    /// CN.
    pub common_name: Option<String>,
    /// C.
    pub country: Option<String>,
    /// O.
    pub organization: Option<String>,
    /// OU.
    pub organizational_unit: Option<String>,
    /// L.
    pub locality: Option<String>,
    /// ST.
    pub state_or_province: Option<String>,
}

/// What is kept of one certificate.
#[derive(Clone, Debug, PartialEq)]
pub struct CertInfo {
    /// X.509 version (1 to 3).
    pub version: u32,
    /// Serial number, upper-case hex without leading zeros.
    pub serial_number: String,
    /// Subject.
    pub subject: Name,
    /// Issuer.
    pub issuer: Name,
    /// Start of validity.
    pub not_before: Timestamp,
    /// End of validity.
    pub not_after: Timestamp,
    /// DNS names, then e-mail addresses, URIs and IP addresses of the SAN extension.
    pub alternative_names: Vec<String>,
    /// `RSA`, `ECDSA`, `Ed25519`, `DSA` or the algorithm OID.
    pub public_key_algorithm: String,
    /// Key size in bits (RSA modulus, EC curve), 0 when unknown.
    pub public_key_size: u64,
    /// Signature algorithm, Go spelling (`SHA256-RSA`, `ECDSA-SHA256`, …) or the OID.
    pub signature_algorithm: String,
}

/// Parses one DER certificate.
pub fn parse(der: &[u8]) -> Option<CertInfo> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    Some(info(&cert))
}

fn info(cert: &X509Certificate<'_>) -> CertInfo {
    let mut alternative_names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        let names = &san.value.general_names;
        for n in names {
            if let GeneralName::DNSName(s) = n {
                alternative_names.push((*s).to_string());
            }
        }
        for n in names {
            match n {
                GeneralName::RFC822Name(s) | GeneralName::URI(s) => {
                    alternative_names.push((*s).to_string());
                }
                GeneralName::IPAddress(b) => {
                    if let Some(ip) = ip_text(b) {
                        alternative_names.push(ip);
                    }
                }
                _ => {}
            }
        }
    }
    let spki = cert.public_key();
    let key_oid = spki.algorithm.algorithm.to_id_string();
    let (public_key_algorithm, public_key_size) = match key_oid.as_str() {
        "1.2.840.113549.1.1.1" => (
            "RSA".to_string(),
            spki.parsed().map_or(0, |k| k.key_size() as u64),
        ),
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string());
            let bits = match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => 256,
                Some("1.3.132.0.34") => 384,
                Some("1.3.132.0.35") => 521,
                Some("1.3.132.0.33") => 224,
                Some("1.2.840.10045.3.1.1") => 192,
                _ => 0,
            };
            ("ECDSA".to_string(), bits)
        }
        "1.3.101.112" => ("Ed25519".to_string(), 256),
        "1.2.840.10040.4.1" => (
            "DSA".to_string(),
            spki.parsed().map_or(0, |k| k.key_size() as u64),
        ),
        other => (other.to_string(), 0),
    };
    let sig_oid = cert.signature_algorithm.algorithm.to_id_string();
    let signature_algorithm = match sig_oid.as_str() {
        "1.2.840.113549.1.1.4" => "MD5-RSA",
        "1.2.840.113549.1.1.5" => "SHA1-RSA",
        "1.2.840.113549.1.1.11" => "SHA256-RSA",
        "1.2.840.113549.1.1.12" => "SHA384-RSA",
        "1.2.840.113549.1.1.13" => "SHA512-RSA",
        "1.2.840.113549.1.1.10" => "RSAPSS",
        "1.2.840.10045.4.1" => "ECDSA-SHA1",
        "1.2.840.10045.4.3.2" => "ECDSA-SHA256",
        "1.2.840.10045.4.3.3" => "ECDSA-SHA384",
        "1.2.840.10045.4.3.4" => "ECDSA-SHA512",
        "1.2.840.10040.4.3" => "DSA-SHA1",
        "2.16.840.1.101.3.4.3.2" => "DSA-SHA256",
        "1.3.101.112" => "Ed25519",
        other => other,
    }
    .to_string();
    let validity = cert.validity();
    CertInfo {
        version: cert.version().0 + 1,
        serial_number: serial_hex(cert.raw_serial()),
        subject: name(cert.subject()),
        issuer: name(cert.issuer()),
        not_before: Timestamp::from_secs_nanos(validity.not_before.timestamp(), 0),
        not_after: Timestamp::from_secs_nanos(validity.not_after.timestamp(), 0),
        alternative_names,
        public_key_algorithm,
        public_key_size,
        signature_algorithm,
    }
}

fn ip_text(b: &[u8]) -> Option<String> {
    match b.len() {
        4 => <[u8; 4]>::try_from(b)
            .ok()
            .map(|a| std::net::Ipv4Addr::from(a).to_string()),
        16 => <[u8; 16]>::try_from(b)
            .ok()
            .map(|a| std::net::Ipv6Addr::from(a).to_string()),
        _ => None,
    }
}

/// Upper-case hex of a big-endian integer without leading zeros (`0` for zero).
pub fn serial_hex(raw: &[u8]) -> String {
    let h = hex(raw).to_ascii_uppercase();
    let trimmed = h.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".to_string()
    } else {
        trimmed.to_string()
    }
}

fn short_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.17" => "POSTALCODE",
        "2.5.4.5" => "SERIALNUMBER",
        _ => return None,
    })
}

/// RFC 2253 escaping of an attribute value.
fn escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let last = v.chars().count().saturating_sub(1);
    for (i, c) in v.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && (c == '#' || c == ' '))
            || (i == last && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn name(n: &X509Name<'_>) -> Name {
    let first = |it: &mut dyn Iterator<Item = &x509_parser::x509::AttributeTypeAndValue<'_>>| {
        it.next().and_then(|a| a.as_str().ok()).map(str::to_string)
    };
    let mut rdns: Vec<String> = Vec::new();
    for rdn in n.iter_rdn() {
        let parts: Vec<String> = rdn
            .iter()
            .map(|atv| {
                let oid = atv.attr_type().to_id_string();
                let key = short_name(&oid).map_or(oid.clone(), str::to_string);
                let value = atv
                    .as_str()
                    .map_or_else(|_| format!("#{}", hex(atv.attr_value().data)), escape);
                format!("{key}={value}")
            })
            .collect();
        rdns.push(parts.join("+"));
    }
    rdns.reverse();
    Name {
        distinguished_name: rdns.join(","),
        common_name: first(&mut n.iter_common_name()),
        country: first(&mut n.iter_country()),
        organization: first(&mut n.iter_organization()),
        organizational_unit: first(&mut n.iter_organizational_unit()),
        locality: first(&mut n.iter_locality()),
        state_or_province: first(&mut n.iter_state_or_province()),
    }
}

/// Upper-case hex fingerprint of `der` with `algo` (`md5`, `sha1`, `sha256`).
pub fn fingerprint(algo: &str, der: &[u8]) -> Option<String> {
    let digest = match algo {
        "md5" => Md5::digest(der).to_vec(),
        "sha1" => Sha1::digest(der).to_vec(),
        "sha256" => Sha256::digest(der).to_vec(),
        _ => return None,
    };
    Some(hex(&digest).to_ascii_uppercase())
}

/// PEM text of a DER certificate (64-character lines, trailing newline).
pub fn pem(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 60);
    out.push_str("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

fn name_fields(n: &Name) -> Vec<(FieldName, Value)> {
    let mut f: Vec<(FieldName, Value)> = Vec::new();
    let mut opt = |k: &'static str, v: &Option<String>| {
        if let Some(v) = v {
            f.push((k.into(), Value::Str(v.clone())));
        }
    };
    opt("common_name", &n.common_name);
    opt("country", &n.country);
    opt("organization", &n.organization);
    opt("organizational_unit", &n.organizational_unit);
    opt("locality", &n.locality);
    opt("state_or_province", &n.state_or_province);
    f.push((
        "distinguished_name".into(),
        Value::Str(n.distinguished_name.clone()),
    ));
    f
}

/// The x509 object of one certificate (the shape of `tls.server.x509` and of each element
/// of `tls.detailed.server_certificate_chain`).
pub fn x509_object(c: &CertInfo) -> Vec<(FieldName, Value)> {
    let mut f: Vec<(FieldName, Value)> = vec![
        ("version_number".into(), Value::UInt(u64::from(c.version))),
        ("serial_number".into(), Value::Str(c.serial_number.clone())),
        ("subject".into(), Value::Object(name_fields(&c.subject))),
        ("issuer".into(), Value::Object(name_fields(&c.issuer))),
        ("not_before".into(), Value::Time(c.not_before)),
        ("not_after".into(), Value::Time(c.not_after)),
        (
            "public_key_algorithm".into(),
            Value::Str(c.public_key_algorithm.clone()),
        ),
        (
            "signature_algorithm".into(),
            Value::Str(c.signature_algorithm.clone()),
        ),
    ];
    if c.public_key_size > 0 {
        f.push(("public_key_size".into(), Value::UInt(c.public_key_size)));
    }
    if !c.alternative_names.is_empty() {
        f.push((
            "alternative_names".into(),
            Value::List(
                c.alternative_names
                    .iter()
                    .map(|s| Value::Str(s.clone()))
                    .collect(),
            ),
        ));
    }
    f
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn serials_and_escaping() {
        assert_eq!(serial_hex(&[0x00, 0x0f, 0xd0]), "FD0");
        assert_eq!(serial_hex(&[0x00]), "0");
        assert_eq!(escape("a,b"), "a\\,b");
        assert_eq!(escape(" x "), "\\ x\\ ");
        assert_eq!(
            fingerprint("md5", b"").unwrap(),
            "D41D8CD98F00B204E9800998ECF8427E"
        );
        assert_eq!(fingerprint("sha512", b""), None);
        assert!(pem(&[1, 2, 3]).starts_with("-----BEGIN CERTIFICATE-----\nAQID\n"));
        assert!(parse(b"not a certificate").is_none());
    }
}
