//! The session-level SDP fields Packetbeat reports (RFC 8866 §5): version, origin, session
//! name and the connection line before the first media description.

use super::parser::trim;

/// Session-level facts of one SDP body; absent parts are empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sdp<'a> {
    /// `v=`.
    pub version: &'a [u8],
    /// `o=` user name (absent when `-`).
    pub owner_username: &'a [u8],
    /// `o=` session id.
    pub owner_session_id: &'a [u8],
    /// `o=` session version.
    pub owner_version: &'a [u8],
    /// `o=` address (its last word).
    pub owner_ip: &'a [u8],
    /// `s=` (absent when `-`).
    pub session_name: &'a [u8],
    /// The last `c=` line before the first `m=` line.
    pub connection_info: &'a [u8],
    /// That line's address (its last word).
    pub connection_address: &'a [u8],
}

/// Reads the session-level lines of `body`; lines after the first `m=` are media-level and
/// only their existence matters.
pub fn parse_sdp(body: &[u8]) -> Sdp<'_> {
    let mut sdp = Sdp::default();
    let mut in_media = false;
    for line in body.split(|&b| b == b'\n') {
        let Some(eq) = line.iter().position(|&b| b == b'=') else {
            continue;
        };
        let key = trim(line.get(..eq).unwrap_or_default());
        let value = trim(line.get(eq + 1..).unwrap_or_default());
        match key {
            b"v" | b"V" => sdp.version = value,
            b"o" | b"O" => owner(&mut sdp, value),
            b"s" | b"S" if value != b"-" => sdp.session_name = value,
            b"c" | b"C" if !in_media => {
                sdp.connection_info = value;
                sdp.connection_address = last_word(value);
            }
            b"m" | b"M" => in_media = true,
            _ => {}
        }
    }
    sdp
}

/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>`; a quoted user
/// name may hold spaces. Lines with fewer parts are ignored.
fn owner<'a>(sdp: &mut Sdp<'a>, value: &'a [u8]) {
    let (username, rest) = match value.strip_prefix(b"\"") {
        Some(quoted) => match quoted.iter().position(|&b| b == b'"') {
            Some(close) => (
                quoted.get(..close).unwrap_or_default(),
                quoted.get(close + 1..).unwrap_or_default(),
            ),
            None => return,
        },
        None => match value.iter().position(|&b| b == b' ') {
            Some(sp) => (
                value.get(..sp).unwrap_or_default(),
                value.get(sp + 1..).unwrap_or_default(),
            ),
            None => return,
        },
    };
    let mut parts = rest.split(|&b| b == b' ').filter(|p| !p.is_empty());
    let (Some(session_id), Some(version), Some(_)) = (parts.next(), parts.next(), parts.next())
    else {
        return;
    };
    sdp.owner_username = if username == b"-" { &[] } else { username };
    sdp.owner_session_id = session_id;
    sdp.owner_version = version;
    sdp.owner_ip = last_word(rest);
}

fn last_word(s: &[u8]) -> &[u8] {
    s.split(|&b| b == b' ')
        .rfind(|w| !w.is_empty())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_fields() {
        let body = b"v=0\r\no=IPP 1589356486 1589356361 IN IP4 10.33.6.100\r\ns=Phone-Call\r\n\
c=IN IP4 10.33.6.100\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8\r\nc=IN IP4 192.0.2.9\r\n\
m=video 6002 RTP/AVP 96\r\n";
        let s = parse_sdp(body);
        assert_eq!(s.version, b"0");
        assert_eq!(s.owner_username, b"IPP");
        assert_eq!(s.owner_session_id, b"1589356486");
        assert_eq!(s.owner_version, b"1589356361");
        assert_eq!(s.owner_ip, b"10.33.6.100");
        assert_eq!(s.session_name, b"Phone-Call");
        // The media-level c= line does not replace the session one.
        assert_eq!(s.connection_info, b"IN IP4 10.33.6.100");
        assert_eq!(s.connection_address, b"10.33.6.100");
    }

    #[test]
    fn dashes_quotes_and_short_lines() {
        let s = parse_sdp(b"o=- 42 42 IN IP4 10.0.2.20\ns=-\n");
        assert_eq!(
            (s.owner_username, s.owner_ip),
            (&b""[..], &b"10.0.2.20"[..])
        );
        assert_eq!(s.session_name, b"");
        let s = parse_sdp(b"o=\"J Doe\" 1 2 IN IP6 ::1\r\n");
        assert_eq!((s.owner_username, s.owner_ip), (&b"J Doe"[..], &b"::1"[..]));
        assert_eq!(parse_sdp(b"o=x 1\r\no=\"open 1 2 3").owner_session_id, b"");
    }
}
