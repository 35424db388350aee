//! Undoing content and transfer codings of a kept body (gzip, deflate), bounded in size.

use flate2::read::{DeflateDecoder, GzDecoder, ZlibDecoder};
use std::io::Read;

/// Decodes `body` by undoing `codings` (listed in the order they were applied), keeping at
/// most `cap` bytes. On an error (a truncated or corrupt stream, an unknown coding) it returns
/// what was decoded so far with the error text.
pub fn decode(body: &[u8], codings: &[String], cap: usize) -> (Vec<u8>, Option<String>) {
    let mut data = body.to_vec();
    for coding in codings.iter().rev() {
        let (decoded, error) = match coding.as_str() {
            "identity" => continue,
            "gzip" | "x-gzip" => read_capped(GzDecoder::new(data.as_slice()), cap),
            "deflate" | "x-deflate" => {
                // RFC 9110 deflate is zlib-wrapped; some servers send raw deflate.
                match read_capped(ZlibDecoder::new(data.as_slice()), cap) {
                    (d, Some(_)) if d.is_empty() => {
                        read_capped(DeflateDecoder::new(data.as_slice()), cap)
                    }
                    done => done,
                }
            }
            other => return (data, Some(format!("unsupported encoding {other}"))),
        };
        data = decoded;
        if error.is_some() {
            data.truncate(cap);
            return (data, error);
        }
    }
    data.truncate(cap);
    (data, None)
}

fn read_capped(reader: impl Read, cap: usize) -> (Vec<u8>, Option<String>) {
    let mut out = Vec::new();
    let limit = u64::try_from(cap).unwrap_or(u64::MAX);
    let error = reader.take(limit).read_to_end(&mut out).err();
    (out, error.map(|e| e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::decode;
    use flate2::write::{GzEncoder, ZlibEncoder};
    use flate2::Compression;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_deflate_identity_and_caps() {
        let text = b"hello hello hello hello".repeat(100);
        let gz = gzip(&text);
        assert_eq!(decode(&gz, &["gzip".into()], 1 << 20), (text.clone(), None));
        assert_eq!(decode(&gz, &["x-gzip".into()], 10).0, &text[..10]);
        // A truncated stream gives what it could and an error.
        let (part, err) = decode(&gz[..gz.len() / 2], &["gzip".into()], 1 << 20);
        assert!(err.is_some() && text.starts_with(&part));
        let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
        z.write_all(&text).unwrap();
        let z = z.finish().unwrap();
        assert_eq!(decode(&z, &["deflate".into()], 1 << 20).0, text);
        // Two layers, applied gzip then deflate: undone in reverse.
        let mut z2 = ZlibEncoder::new(Vec::new(), Compression::default());
        z2.write_all(&gz).unwrap();
        let z2 = z2.finish().unwrap();
        let both = ["gzip".to_string(), "deflate".to_string()];
        assert_eq!(decode(&z2, &both, 1 << 20).0, text);
        assert_eq!(decode(b"abc", &["identity".into()], 2).0, b"ab");
        assert!(decode(b"not gzip", &["gzip".into()], 100).1.is_some());
        assert!(decode(b"x", &["br".into()], 100).1.is_some());
    }
}
