//! Go-style durations as the beats write them: `30s`, `1m30s`, `250ms`, `1.5h`, `-1s`; a bare
//! number is seconds.

/// A parsed duration: negative values are kept (Packetbeat uses `period: -1s` for "off").
pub fn parse_duration(text: &str) -> Option<(bool, std::time::Duration)> {
    let text = text.trim();
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if body.is_empty() {
        return None;
    }
    if let Ok(secs) = body.parse::<f64>() {
        return finite_secs(secs).map(|d| (negative, d));
    }
    let mut total = 0f64;
    let mut rest = body;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, tail) = rest.split_at(num_len);
        let value: f64 = num.parse().ok()?;
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let scale = match unit {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += value * scale;
        rest = tail;
    }
    finite_secs(total).map(|d| (negative, d))
}

fn finite_secs(secs: f64) -> Option<std::time::Duration> {
    std::time::Duration::try_from_secs_f64(secs).ok()
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn go_forms() {
        assert_eq!(
            parse_duration("30s"),
            Some((false, Duration::from_secs(30)))
        );
        assert_eq!(
            parse_duration("1m30s"),
            Some((false, Duration::from_secs(90)))
        );
        assert_eq!(
            parse_duration("250ms"),
            Some((false, Duration::from_millis(250)))
        );
        assert_eq!(parse_duration("-1s"), Some((true, Duration::from_secs(1))));
        assert_eq!(parse_duration("10"), Some((false, Duration::from_secs(10))));
        assert_eq!(
            parse_duration("1.5h"),
            Some((false, Duration::from_secs(5400)))
        );
        assert_eq!(parse_duration("2d"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("s"), None);
    }
}
