//! SVCB and HTTPS RDATA (RFC 9460) in presentation form:
//! `priority target key="value" ...`.

use super::rdata::{base64_std, escape_bytes, ipv6_text};
use super::wire::{name, u16_at, WireError};
use std::net::{Ipv4Addr, Ipv6Addr};

fn key_name(key: u16) -> String {
    match key {
        0 => "mandatory".into(),
        1 => "alpn".into(),
        2 => "no-default-alpn".into(),
        3 => "port".into(),
        4 => "ipv4hint".into(),
        5 => "ech".into(),
        6 => "ipv6hint".into(),
        7 => "dohpath".into(),
        n => format!("key{n}"),
    }
}

/// Renders the RDATA at `at..end` of `msg`.
pub fn render(msg: &[u8], at: usize, end: usize) -> Result<String, WireError> {
    let rdata = msg.get(..end).ok_or(WireError::Truncated)?;
    let priority = u16_at(rdata, at)?;
    // The target is never compressed (RFC 9460 §2.2): read it from the RDATA alone.
    let (target, mut pos) = name(rdata, at + 2)?;
    let mut out = format!("{priority} {target}");
    while pos < end {
        let key = u16_at(rdata, pos)?;
        let len = usize::from(u16_at(rdata, pos + 2)?);
        let value = rdata
            .get(pos + 4..pos + 4 + len)
            .ok_or(WireError::Truncated)?;
        out.push(' ');
        out.push_str(&key_name(key));
        if key != 2 || !value.is_empty() {
            out.push_str("=\"");
            out.push_str(&param_value(key, value)?);
            out.push('"');
        }
        pos += 4 + len;
    }
    Ok(out)
}

fn param_value(key: u16, value: &[u8]) -> Result<String, WireError> {
    Ok(match key {
        0 => value
            .chunks(2)
            .map(|c| match c {
                &[a, b] => Ok(key_name(u16::from_be_bytes([a, b]))),
                _ => Err(WireError::Truncated),
            })
            .collect::<Result<Vec<_>, _>>()?
            .join(","),
        1 => {
            let mut ids = Vec::new();
            let mut rest = value;
            while let Some((&len, tail)) = rest.split_first() {
                let id = tail.get(..usize::from(len)).ok_or(WireError::Truncated)?;
                ids.push(escape_bytes(id).replace(',', "\\,"));
                rest = tail.get(usize::from(len)..).unwrap_or_default();
            }
            ids.join(",")
        }
        3 => u16_at(value, 0)?.to_string(),
        4 => value
            .chunks(4)
            .map(|c| {
                <[u8; 4]>::try_from(c)
                    .map(|o| Ipv4Addr::from(o).to_string())
                    .map_err(|_| WireError::Truncated)
            })
            .collect::<Result<Vec<_>, _>>()?
            .join(","),
        5 => base64_std(value),
        6 => value
            .chunks(16)
            .map(|c| {
                <[u8; 16]>::try_from(c)
                    .map(|o| ipv6_text(Ipv6Addr::from(o)))
                    .map_err(|_| WireError::Truncated)
            })
            .collect::<Result<Vec<_>, _>>()?
            .join(","),
        _ => escape_bytes(value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_record() {
        // priority 1, target root, alpn h2,h3, port 8443, ipv4hint 1.2.3.4
        let mut rd = vec![0, 1, 0];
        rd.extend_from_slice(&[0, 1, 0, 6, 2, b'h', b'2', 2, b'h', b'3']);
        rd.extend_from_slice(&[0, 3, 0, 2, 0x20, 0xfb]);
        rd.extend_from_slice(&[0, 4, 0, 4, 1, 2, 3, 4]);
        rd.extend_from_slice(&[0, 2, 0, 0]);
        assert_eq!(
            render(&rd, 0, rd.len()).unwrap(),
            "1 . alpn=\"h2,h3\" port=\"8443\" ipv4hint=\"1.2.3.4\" no-default-alpn"
        );
        // A parameter running past the end.
        assert!(render(&[0, 1, 0, 0, 1, 0, 9, 1], 0, 8).is_err());
    }
}
