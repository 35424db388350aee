//! SIP URIs (`sip:user@host:port;params`) and the name-addr form of From, To and Contact
//! values (`"Display" <uri>;tag=x`), read leniently the way Packetbeat reads them.

use super::auth::REDACTED;
use super::parser::{parse_u64, trim};
use std::borrow::Cow;

/// The parts of a URI; absent parts are empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Uri<'a> {
    /// The URI as written (trimmed).
    pub original: &'a [u8],
    /// Before the first `:` (`sip`, `sips`, `tel`).
    pub scheme: &'a [u8],
    /// The user part, without a password (`user:password@` gives `user`).
    pub username: &'a [u8],
    /// The host, IPv6 references with their brackets.
    pub host: &'a [u8],
    /// The port, when written and valid.
    pub port: Option<u16>,
    /// `;name=value` parameters after the host (names as written).
    pub params: &'a [u8],
    /// Where a password (`user:password@`) sits in `original`, to mask it.
    pub password: Option<(usize, usize)>,
}

impl Uri<'_> {
    /// `original` with a password replaced by [`REDACTED`].
    pub fn masked_original(&self) -> Cow<'_, [u8]> {
        match self.password {
            Some((start, end)) => {
                let mut m = self.original.get(..start).unwrap_or_default().to_vec();
                m.extend_from_slice(REDACTED);
                m.extend_from_slice(self.original.get(end..).unwrap_or_default());
                Cow::Owned(m)
            }
            None => Cow::Borrowed(self.original),
        }
    }

    /// The value of the URI parameter `name` (case-insensitive name).
    pub fn param(&self, name: &str) -> Option<&[u8]> {
        param(self.params, name)
    }
}

/// Parses a URI. Without a `:` nothing but `original` is set.
pub fn parse_uri(text: &[u8]) -> Uri<'_> {
    let original = trim(text);
    let mut uri = Uri {
        original,
        ..Uri::default()
    };
    let Some(colon) = original.iter().position(|&b| b == b':') else {
        return uri;
    };
    uri.scheme = original.get(..colon).unwrap_or_default();
    let rest = original.get(colon + 1..).unwrap_or_default();
    let (addr, params) = match rest.iter().position(|&b| b == b';') {
        Some(semi) => (
            rest.get(..semi).unwrap_or_default(),
            rest.get(semi + 1..).unwrap_or_default(),
        ),
        None => (rest, &[][..]),
    };
    uri.params = params;
    let hostport = match addr.iter().rposition(|&b| b == b'@') {
        Some(at) => {
            let userinfo = addr.get(..at).unwrap_or_default();
            // A password after the user name is not part of it, and is masked in the
            // original text.
            uri.username = userinfo.split(|&b| b == b':').next().unwrap_or_default();
            if let Some(p) = userinfo.iter().position(|&b| b == b':') {
                uri.password = Some((colon + 1 + p + 1, colon + 1 + at));
            }
            addr.get(at + 1..).unwrap_or_default()
        }
        None => addr,
    };
    let port_colon = match hostport.iter().rposition(|&b| b == b']') {
        Some(close) => hostport
            .get(close..)
            .and_then(|t| t.iter().position(|&b| b == b':'))
            .map(|p| close + p),
        None => hostport.iter().position(|&b| b == b':'),
    };
    match port_colon {
        Some(p) => {
            uri.host = trim(hostport.get(..p).unwrap_or_default());
            uri.port = hostport
                .get(p + 1..)
                .and_then(parse_u64)
                .and_then(|n| u16::try_from(n).ok());
        }
        None => uri.host = trim(hostport),
    }
    uri
}

/// A From, To or Contact value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameAddr<'a> {
    /// The display name, without quotes.
    pub display: &'a [u8],
    /// The URI.
    pub uri: Uri<'a>,
    /// Header parameters after the URI (`tag`, `expires`, `q`).
    pub params: &'a [u8],
}

impl NameAddr<'_> {
    /// The value of the header parameter `name` (case-insensitive name).
    pub fn param(&self, name: &str) -> Option<&[u8]> {
        param(self.params, name)
    }
}

/// Parses `display <uri>;params` or `uri;params`.
pub fn parse_name_addr(text: &[u8]) -> NameAddr<'_> {
    let text = trim(text);
    if let Some(open) = text.iter().position(|&b| b == b'<') {
        let display = trim_quotes(text.get(..open).unwrap_or_default());
        let after = text.get(open + 1..).unwrap_or_default();
        let (uri, params) = match after.iter().position(|&b| b == b'>') {
            Some(close) => (
                after.get(..close).unwrap_or_default(),
                after.get(close + 1..).unwrap_or_default(),
            ),
            None => (after, &[][..]),
        };
        return NameAddr {
            display,
            uri: parse_uri(uri),
            params,
        };
    }
    let (uri, params) = match text.iter().position(|&b| b == b';') {
        Some(semi) => (
            text.get(..semi).unwrap_or_default(),
            text.get(semi..).unwrap_or_default(),
        ),
        None => (text, &[][..]),
    };
    NameAddr {
        display: &[],
        uri: parse_uri(uri),
        params,
    }
}

/// `s` without surrounding spaces, tabs and quotes.
fn trim_quotes(s: &[u8]) -> &[u8] {
    let is_pad = |b: &u8| matches!(b, b' ' | b'\t' | b'"' | b'\'');
    let start = s.iter().position(|b| !is_pad(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !is_pad(b)).map_or(start, |e| e + 1);
    s.get(start..end).unwrap_or_default()
}

/// The value of `name` in a `;`-separated `name=value` list.
fn param<'a>(params: &'a [u8], name: &str) -> Option<&'a [u8]> {
    params.split(|&b| b == b';').find_map(|p| {
        let eq = p.iter().position(|&b| b == b'=')?;
        let key = trim(p.get(..eq)?);
        key.eq_ignore_ascii_case(name.as_bytes())
            .then(|| trim(p.get(eq + 1..).unwrap_or_default()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        let u = parse_uri(b"sip:201@10.33.6.101;user=phone");
        assert_eq!(
            (u.scheme, u.username, u.host, u.port),
            (&b"sip"[..], &b"201"[..], &b"10.33.6.101"[..], None)
        );
        assert_eq!(u.param("USER"), Some(&b"phone"[..]));
        let u = parse_uri(b" sips:alice:secret@atlanta.example.com:5061 ");
        assert_eq!(u.original, b"sips:alice:secret@atlanta.example.com:5061");
        // The password is not kept, and masked in the original text.
        assert_eq!(
            (u.username, u.host, u.port),
            (&b"alice"[..], &b"atlanta.example.com"[..], Some(5061))
        );
        assert_eq!(
            &u.masked_original()[..],
            b"sips:alice:(redacted)@atlanta.example.com:5061"
        );
        let u = parse_uri(b"sip:[2001:db8::1]:5070;transport=TCP");
        assert_eq!((u.host, u.port), (&b"[2001:db8::1]"[..], Some(5070)));
        assert_eq!(u.param("transport"), Some(&b"TCP"[..]));
        let u = parse_uri(b"sip:sip.cybercity.dk");
        assert_eq!((u.username, u.host), (&b""[..], &b"sip.cybercity.dk"[..]));
        // A bad port is left out; no scheme: nothing but the text.
        assert_eq!(parse_uri(b"sip:h:99999").port, None);
        assert_eq!(parse_uri(b"garbage").host, b"");
    }

    #[test]
    fn name_addrs() {
        let n = parse_name_addr(b"\"DVI4/8000\" <sip:sipp@10.0.2.20:5060>;tag=1");
        assert_eq!(n.display, b"DVI4/8000");
        assert_eq!(n.uri.original, b"sip:sipp@10.0.2.20:5060");
        assert_eq!(n.param("tag"), Some(&b"1"[..]));
        let n = parse_name_addr(b"sip:sipp@10.0.2.20:5060;expires=60");
        assert_eq!((n.display, n.uri.port), (&b""[..], Some(5060)));
        assert_eq!(n.param("expires"), Some(&b"60"[..]));
        // Unclosed angle bracket: the rest is the URI.
        assert_eq!(parse_name_addr(b"x <sip:a@b").uri.host, b"b");
    }
}
