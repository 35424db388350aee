//! URL pieces as Packetbeat reports them: the decoded path, query parameters merged with form
//! bodies and re-encoded with sorted keys, the Host header split into name and port, and the
//! synthesised full URL.

use std::collections::BTreeMap;

/// Query parameters: name → values, sorted by name (as Go's `url.Values.Encode` writes them).
pub type Params = BTreeMap<String, Vec<String>>;

/// Splits a request target into (raw path, raw query). An absolute-form target
/// (`http://host/path`) gives its path.
pub fn split_target(uri: &str) -> (&str, Option<&str>) {
    let uri = uri.split('#').next().unwrap_or_default();
    let uri = match uri.find("://") {
        Some(i) if !uri.starts_with('/') => {
            let after = uri.get(i + 3..).unwrap_or_default();
            after.find('/').and_then(|p| after.get(p..)).unwrap_or("/")
        }
        _ => uri,
    };
    match uri.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (uri, None),
    }
}

/// Percent-decodes `s` (`+` stays `+` unless `plus_is_space`); `None` on a bad escape.
pub fn percent_decode(s: &str, plus_is_space: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hi = char::from(*hex.first()?).to_digit(16)?;
                let lo = char::from(*hex.get(1)?).to_digit(16)?;
                out.push(u8::try_from(hi * 16 + lo).ok()?);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Parses `a=1&b=2` into `params` (later values of a name are appended); pairs with bad
/// escapes are skipped, as Go does.
pub fn parse_query_into(query: &str, params: &mut Params) {
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if let (Some(k), Some(v)) = (percent_decode(k, true), percent_decode(v, true)) {
            params.entry(k).or_default().push(v);
        }
    }
}

/// Replaces the values of parameters whose lower-cased name is a hidden keyword by `xxxxx`.
pub fn hide(params: &mut Params, keywords: &[String]) {
    for (name, values) in params.iter_mut() {
        let lower = name.to_lowercase();
        if keywords.contains(&lower) {
            values.iter_mut().for_each(|v| *v = "xxxxx".to_string());
        }
    }
}

/// `k=v&k2=v2` with names sorted and both escaped like Go's `url.QueryEscape`.
pub fn encode(params: &Params) -> String {
    let mut out = String::new();
    for (name, values) in params {
        for value in values {
            if !out.is_empty() {
                out.push('&');
            }
            query_escape(name, &mut out);
            out.push('=');
            query_escape(value, &mut out);
        }
    }
    out
}

fn query_escape(s: &str, out: &mut String) {
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push_str(&format!("{b:02X}"));
            }
        }
    }
}

/// `url.extension`: everything after the last `.` of the path.
pub fn extension(path: &str) -> Option<&str> {
    path.rfind('.')
        .and_then(|i| path.get(i + 1..))
        .filter(|e| !e.is_empty())
}

/// Splits a Host header into name and explicit port (`[v6]:port` understood).
pub fn split_host(host: &str) -> (&str, Option<u16>) {
    if let Some(rest) = host.strip_prefix('[') {
        if let Some((name, after)) = rest.split_once(']') {
            let port = after.strip_prefix(':').and_then(|p| p.parse().ok());
            return (name, port);
        }
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') => match port.parse() {
            Ok(p) => (name, Some(p)),
            Err(_) => (host, None),
        },
        _ => (host, None),
    }
}

/// `scheme://host[:port]path[?query]`, the port written only when it is not 80.
pub fn full(domain: &str, port: u16, raw_path: &str, query: &str) -> String {
    let host = if domain.contains(':') {
        format!("[{domain}]")
    } else {
        domain.to_string()
    };
    let mut s = format!("http://{host}");
    if port != 80 {
        s.push_str(&format!(":{port}"));
    }
    s.push_str(raw_path);
    if !query.is_empty() {
        s.push('?');
        s.push_str(query);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_sorted_merged_and_escaped() {
        let mut p = Params::new();
        parse_query_into("user=monica&pass=secret", &mut p);
        assert_eq!(encode(&p), "pass=secret&user=monica");
        hide(&mut p, &["pass".to_string()]);
        assert_eq!(encode(&p), "pass=xxxxx&user=monica");
        let mut p = Params::new();
        parse_query_into("{ \"query\": { \"match_all\": {}}}\n", &mut p);
        assert_eq!(
            encode(&p),
            "%7B+%22query%22%3A+%7B+%22match_all%22%3A+%7B%7D%7D%7D%0A="
        );
        let mut p = Params::new();
        parse_query_into("q=rust+lang&a=%zz&b=1&b=2", &mut p);
        assert_eq!(encode(&p), "b=1&b=2&q=rust+lang");
    }

    #[test]
    fn targets_hosts_and_extensions() {
        assert_eq!(split_target("/a/b?x=1#f"), ("/a/b", Some("x=1")));
        assert_eq!(split_target("http://h:8/p?q"), ("/p", Some("q")));
        assert_eq!(split_target("*"), ("*", None));
        assert_eq!(split_host("example.com:8080"), ("example.com", Some(8080)));
        assert_eq!(split_host("[::1]:80"), ("::1", Some(80)));
        assert_eq!(split_host("::1"), ("::1", None));
        assert_eq!(extension("/a/b.tar.gz"), Some("gz"));
        assert_eq!(extension("/v1.2/items"), Some("2/items"));
        assert_eq!(extension("/plain"), None);
        assert_eq!(full("::1", 8080, "/x", "a=1"), "http://[::1]:8080/x?a=1");
        assert_eq!(full("h", 80, "/", ""), "http://h/");
        assert_eq!(percent_decode("/a%20b", false).as_deref(), Some("/a b"));
    }
}
