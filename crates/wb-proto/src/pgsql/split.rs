//! Splits a simple-query string into its statements the way the server does: at `;` outside
//! quoted strings ('…', "…", dollar quotes $tag$…$tag$) and comments (-- and /* */).

/// The statements of `sql`, trimmed, empty ones dropped.
pub fn statements(sql: &str) -> Vec<&str> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'\'' | b'"' => i = skip_quoted(b, i, c),
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i = b
                    .get(i..)
                    .and_then(|r| r.iter().position(|&x| x == b'\n'))
                    .map_or(b.len(), |p| i + p + 1);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = find(b, i + 2, b"*/").map_or(b.len(), |p| p + 2);
            }
            b'$' => i = skip_dollar(b, i),
            b';' => {
                push(&mut out, sql, start, i);
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    push(&mut out, sql, start, b.len());
    out
}

fn push<'a>(out: &mut Vec<&'a str>, sql: &'a str, from: usize, to: usize) {
    if let Some(s) = sql.get(from..to).map(str::trim).filter(|s| !s.is_empty()) {
        out.push(s);
    }
}

fn find(b: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(pat.len())
        .position(|w| w == pat)
        .map(|p| from + p)
}

/// Past a quoted string starting at `i` (a doubled quote is part of the string).
fn skip_quoted(b: &[u8], mut i: usize, q: u8) -> usize {
    i += 1;
    while let Some(&c) = b.get(i) {
        i += 1;
        if c == q {
            if b.get(i) == Some(&q) {
                i += 1;
            } else {
                return i;
            }
        }
    }
    b.len()
}

/// Past a dollar-quoted string starting at `i`, or one byte if `$` starts none (`$1`).
fn skip_dollar(b: &[u8], i: usize) -> usize {
    let tag_end = b
        .get(i + 1..)
        .and_then(|r| {
            r.iter()
                .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_'))
        })
        .map(|p| i + 1 + p);
    match tag_end {
        Some(e) if b.get(e) == Some(&b'$') && !b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
            let tag = b.get(i..=e).unwrap_or_default();
            find(b, e + 1, tag).map_or(b.len(), |p| p + tag.len())
        }
        _ => i + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_outside_quotes_and_comments() {
        assert_eq!(
            statements("select 1; select 2;"),
            vec!["select 1", "select 2"]
        );
        assert_eq!(
            statements("insert into t values ('a;b'); select \"x;y\""),
            vec!["insert into t values ('a;b')", "select \"x;y\""]
        );
        assert_eq!(
            statements("select $$a;b$$; select $f$ ; $f$"),
            vec!["select $$a;b$$", "select $f$ ; $f$"]
        );
        assert_eq!(
            statements("select 1 -- a;b\n; /* c;d */ select $1"),
            vec!["select 1 -- a;b", "/* c;d */ select $1"]
        );
        assert_eq!(statements(" ; ;"), Vec::<&str>::new());
        assert_eq!(statements("select 'it''s;'"), vec!["select 'it''s;'"]);
    }
}
