//! Authorization headers (RFC 3261 §22.4): the parts Packetbeat reports (scheme, realm, user
//! name, digest URI), and masking of the credential itself in the raw message text.

use super::parser::trim;

/// What is reported of an Authorization value; absent parts are empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Credentials<'a> {
    /// `Digest`, `Basic`…
    pub scheme: &'a [u8],
    /// `realm=`.
    pub realm: &'a [u8],
    /// `username=`.
    pub username: &'a [u8],
    /// `uri=`.
    pub uri: &'a [u8],
}

/// Text that replaces a credential in `event.original`.
pub const REDACTED: &[u8] = b"(redacted)";

/// Reads `scheme param=value, param="value", …`. `None` without a scheme.
pub fn parse_authorization(value: &[u8]) -> Option<Credentials<'_>> {
    let value = trim(value);
    let sp = value.iter().position(|b| b.is_ascii_whitespace())?;
    let mut c = Credentials {
        scheme: value.get(..sp)?,
        ..Credentials::default()
    };
    for param in value.get(sp + 1..)?.split(|&b| b == b',') {
        let Some(eq) = param.iter().position(|&b| b == b'=') else {
            continue;
        };
        let key = trim(param.get(..eq).unwrap_or_default());
        let val = unquote(param.get(eq + 1..).unwrap_or_default());
        if key.eq_ignore_ascii_case(b"realm") {
            c.realm = val;
        } else if key.eq_ignore_ascii_case(b"username") {
            c.username = val;
        } else if key.eq_ignore_ascii_case(b"uri") {
            c.uri = val;
        }
    }
    Some(c)
}

fn unquote(s: &[u8]) -> &[u8] {
    let pad = |b: &u8| matches!(b, b' ' | b'\t' | b'"' | b'\'');
    let start = s.iter().position(|b| !pad(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !pad(b)).map_or(start, |e| e + 1);
    s.get(start..end).unwrap_or_default()
}

/// `message` with the credential of every `Authorization` and `Proxy-Authorization` header
/// of its header block replaced by [`REDACTED`]: the value of a Digest `response=` parameter,
/// or everything after the scheme for other schemes (Basic carries the password). Bytes
/// after the header block are copied unchanged.
pub fn mask_credentials(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len());
    let mut in_auth = false;
    let mut digest = false;
    let mut rest = message;
    let mut first = true;
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |nl| nl + 1);
        let line = rest.get(..end).unwrap_or_default();
        rest = rest.get(end..).unwrap_or_default();
        let content = strip_eol(line);
        if content.is_empty() && !first {
            out.extend_from_slice(line);
            out.extend_from_slice(rest);
            break;
        }
        let continuation = content.first().is_some_and(|&b| b == b' ' || b == b'\t');
        if !continuation {
            in_auth = false;
            if let Some(colon) = content.iter().position(|&b| b == b':') {
                let name = trim(content.get(..colon).unwrap_or_default());
                if name.eq_ignore_ascii_case(b"authorization")
                    || name.eq_ignore_ascii_case(b"proxy-authorization")
                {
                    in_auth = true;
                    let value = content.get(colon + 1..).unwrap_or_default();
                    digest = trim(value)
                        .get(..6)
                        .is_some_and(|s| s.eq_ignore_ascii_case(b"digest"));
                    out.extend_from_slice(content.get(..=colon).unwrap_or_default());
                    mask_value(value, digest, true, &mut out);
                    out.extend_from_slice(line.get(content.len()..).unwrap_or_default());
                    first = false;
                    continue;
                }
            }
        }
        if in_auth && continuation {
            mask_value(content, digest, false, &mut out);
            out.extend_from_slice(line.get(content.len()..).unwrap_or_default());
        } else {
            mask_uri_passwords(line, &mut out);
        }
        first = false;
    }
    out
}

/// Appends `line` with the password of every `sip:` / `sips:` URI (`user:password@host`)
/// replaced by [`REDACTED`].
fn mask_uri_passwords(line: &[u8], out: &mut Vec<u8>) {
    let mut copied = 0;
    let mut i = 0;
    while i < line.len() {
        let scheme_len = [&b"sip:"[..], b"sips:"].iter().find_map(|s| {
            line.get(i..i + s.len())
                .filter(|t| t.eq_ignore_ascii_case(s))
                .map(|_| s.len())
        });
        let Some(scheme_len) = scheme_len else {
            i += 1;
            continue;
        };
        let start = i + scheme_len;
        let token = line.get(start..).unwrap_or_default();
        let end = token
            .iter()
            .position(|b| b"@;>?,\" \t\r\n".contains(b))
            .unwrap_or(token.len());
        if token.get(end) == Some(&b'@') {
            if let Some(p) = token
                .get(..end)
                .and_then(|t| t.iter().position(|&b| b == b':'))
            {
                out.extend_from_slice(line.get(copied..start + p + 1).unwrap_or_default());
                out.extend_from_slice(REDACTED);
                copied = start + end;
            }
        }
        i = start + end;
    }
    out.extend_from_slice(line.get(copied..).unwrap_or_default());
}

fn strip_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Appends `value` masked: for Digest, each `response=` value; otherwise the credentials
/// after the scheme (on the header's first line) or the whole continuation line.
fn mask_value(value: &[u8], digest: bool, first_line: bool, out: &mut Vec<u8>) {
    if !digest {
        let lead = value.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let scheme_end = if first_line {
            value
                .iter()
                .skip(lead)
                .position(|b| b.is_ascii_whitespace())
                .map_or(value.len(), |p| lead + p)
        } else {
            lead
        };
        out.extend_from_slice(value.get(..scheme_end).unwrap_or_default());
        if scheme_end < value.len() {
            if first_line {
                out.push(b' ');
            }
            out.extend_from_slice(REDACTED);
        }
        return;
    }
    let mut i = 0;
    while i < value.len() {
        let Some(at) = find_param(value, i, b"response") else {
            break;
        };
        out.extend_from_slice(value.get(i..at).unwrap_or_default());
        let (quoted, end) = param_value_end(value, at);
        if quoted {
            out.push(b'"');
            out.extend_from_slice(REDACTED);
            out.push(b'"');
        } else {
            out.extend_from_slice(REDACTED);
        }
        i = end;
    }
    out.extend_from_slice(value.get(i..).unwrap_or_default());
}

/// Offset just after `name` `=` (spaces allowed around `=`) of a parameter named `name`
/// found at or after `from`, where the name starts the value or follows `,` or whitespace.
fn find_param(value: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut i = from;
    while i + name.len() <= value.len() {
        let starts = i == 0
            || value
                .get(i - 1)
                .is_some_and(|&b| b == b',' || b.is_ascii_whitespace());
        if starts
            && value
                .get(i..i + name.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(name))
        {
            let mut j = i + name.len();
            while value.get(j).is_some_and(|b| *b == b' ' || *b == b'\t') {
                j += 1;
            }
            if value.get(j) == Some(&b'=') {
                j += 1;
                while value.get(j).is_some_and(|b| *b == b' ' || *b == b'\t') {
                    j += 1;
                }
                return Some(j);
            }
        }
        i += 1;
    }
    None
}

/// Whether the parameter value at `at` is quoted, and the offset just after it.
fn param_value_end(value: &[u8], at: usize) -> (bool, usize) {
    if value.get(at) == Some(&b'"') {
        let close = value
            .get(at + 1..)
            .and_then(|v| v.iter().position(|&b| b == b'"'))
            .map_or(value.len(), |p| at + 1 + p + 1);
        (true, close)
    } else {
        let end = value
            .get(at..)
            .and_then(|v| v.iter().position(|&b| b == b',' || b.is_ascii_whitespace()))
            .map_or(value.len(), |p| at + p);
        (false, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &[u8] = b"Digest username=\"voi18062\",realm=\"sip.cybercity.dk\",\
uri=\"sip:192.168.1.2\",nonce=\"1701b\",nc=\"00000001\",response=\"79a0543188495d288c9ebbe0c881abdc\"";

    #[test]
    fn digest_parts() {
        let c = parse_authorization(DIGEST).unwrap();
        assert_eq!(c.scheme, b"Digest");
        assert_eq!(c.realm, b"sip.cybercity.dk");
        assert_eq!(c.username, b"voi18062");
        assert_eq!(c.uri, b"sip:192.168.1.2");
        assert!(parse_authorization(b"Digest").is_none());
    }

    #[test]
    fn masking() {
        let mut msg = b"REGISTER sip:x SIP/2.0\r\nAuthorization: ".to_vec();
        msg.extend_from_slice(DIGEST);
        msg.extend_from_slice(b"\r\nX-Response: response=keep\r\n\r\nresponse=\"body\"");
        let masked = mask_credentials(&msg);
        let text = String::from_utf8(masked).unwrap();
        assert!(!text.contains("79a0543188495d288c9ebbe0c881abdc"), "{text}");
        assert!(
            text.contains("nc=\"00000001\",response=\"(redacted)\"\r\n"),
            "{text}"
        );
        // Other headers and the body are untouched.
        assert!(text.contains("X-Response: response=keep\r\n"));
        assert!(text.ends_with("\r\n\r\nresponse=\"body\""));
        // Unquoted, folded, proxy, lower case.
        let m = mask_credentials(b"A sip:x SIP/2.0\r\nproxy-authorization: digest nonce=1,\r\n response = abc , nc=2\r\n\r\n");
        assert_eq!(
            m,
            b"A sip:x SIP/2.0\r\nproxy-authorization: digest nonce=1,\r\n response = (redacted) , nc=2\r\n\r\n"
        );
        // A password in a SIP URI.
        let m = mask_credentials(
            b"REGISTER sips:al:pw@h SIP/2.0\r\nTo: <SIP:al:pw2@h:5060>\r\nX: sip:h:5060\r\n\r\n",
        );
        assert_eq!(
            m,
            b"REGISTER sips:al:(redacted)@h SIP/2.0\r\nTo: <SIP:al:(redacted)@h:5060>\r\nX: sip:h:5060\r\n\r\n"
        );
        // Basic: everything after the scheme.
        let m = mask_credentials(b"A sip:x SIP/2.0\r\nAuthorization: Basic dXNlcjpwYXNz\r\n\r\n");
        assert_eq!(
            m,
            b"A sip:x SIP/2.0\r\nAuthorization: Basic (redacted)\r\n\r\n"
        );
    }
}
