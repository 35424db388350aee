//! Request header and request bodies of the decoded APIs. Only what the event needs is kept:
//! topics, partition count, records, group id, SASL mechanism. SaslAuthenticate bodies (the
//! credentials) are never read.

use super::api;
use super::reader::Reader;
use super::summary::Summary;

/// Request header fields (v1/v2: api key, version, correlation id, client id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestHeader<'a> {
    /// Api key.
    pub api_key: i16,
    /// Api version.
    pub api_version: i16,
    /// Correlation id, echoed by the response.
    pub correlation_id: i32,
    /// Client id (a classic nullable string even in header v2); `None` when null.
    pub client_id: Option<&'a [u8]>,
    /// The body after the header (and its tag buffer, in flexible versions).
    pub body: &'a [u8],
}

/// Parses the request header at the start of `msg` (the bytes after the size). `None` when
/// the header is truncated or implausible: a negative api key or version, or a client id
/// longer than the message.
pub fn parse_header(msg: &[u8]) -> Option<RequestHeader<'_>> {
    let mut r = Reader::new(msg, false);
    let api_key = r.i16()?;
    let api_version = r.i16()?;
    let correlation_id = r.i32()?;
    if api_key < 0 || api_version < 0 {
        return None;
    }
    let len = r.i16()?;
    let client_id = match usize::try_from(len) {
        Ok(n) => Some(r.take(n)?),
        Err(_) if len == -1 => None,
        Err(_) => return None,
    };
    let body = match api::is_flexible(api_key, api_version) {
        Some(true) => {
            let mut tagged = Reader::new(r.remaining(), true);
            tagged.tags()?;
            tagged.remaining()
        }
        _ => r.remaining(),
    };
    Some(RequestHeader {
        api_key,
        api_version,
        correlation_id,
        client_id,
        body,
    })
}

/// Decodes the body of a request to `key` at `version`; unknown APIs give an empty summary.
/// Decoding stops quietly at the first malformed or missing field.
pub fn decode(key: i16, version: i16, body: &[u8]) -> Summary {
    let mut s = Summary::default();
    if !api::is_decoded(key, version) {
        return s;
    }
    let flexible = api::is_flexible(key, version) == Some(true);
    let mut r = Reader::new(body, flexible);
    let _ = match key {
        api::PRODUCE => produce(&mut r, version, &mut s),
        api::FETCH => fetch(&mut r, version, &mut s),
        api::LIST_OFFSETS => list_offsets(&mut r, version, &mut s),
        api::METADATA => metadata(&mut r, version, &mut s),
        api::OFFSET_COMMIT => offset_commit(&mut r, version, &mut s),
        api::OFFSET_FETCH => offset_fetch(&mut r, version, &mut s),
        api::FIND_COORDINATOR => find_coordinator(&mut r, version, &mut s),
        api::JOIN_GROUP | api::HEARTBEAT | api::LEAVE_GROUP | api::SYNC_GROUP => {
            r.string().map(|g| s.group(g))
        }
        api::SASL_HANDSHAKE => r
            .string()
            .map(|m| s.sasl_mechanism = Some(String::from_utf8_lossy(m).into_owned())),
        api::CREATE_TOPICS => create_topics(&mut r, &mut s),
        api::DELETE_TOPICS => delete_topics(&mut r, version, &mut s),
        _ => None,
    };
    s
}

fn produce(r: &mut Reader, v: i16, s: &mut Summary) -> Option<()> {
    if v >= 3 {
        r.string()?; // transactional_id
    }
    // acks 0: the broker sends no response.
    s.no_response = r.i16()? == 0;
    r.skip(4)?; // timeout_ms
    for _ in 0..r.array_len()? {
        s.topic(r.string()?);
        for _ in 0..r.array_len()? {
            s.partition();
            r.skip(4)?; // index
            s.records(r.bytes()?);
            r.tags()?;
        }
        r.tags()?;
    }
    Some(())
}

fn fetch(r: &mut Reader, v: i16, s: &mut Summary) -> Option<()> {
    if v < 15 {
        r.skip(4)?; // replica_id
    }
    r.skip(8)?; // max_wait_ms, min_bytes
    if v >= 3 {
        r.skip(4)?; // max_bytes
    }
    if v >= 4 {
        r.skip(1)?; // isolation_level
    }
    if v >= 7 {
        r.skip(8)?; // session_id, session_epoch
    }
    for _ in 0..r.array_len()? {
        if v >= 13 {
            r.skip_uuid()?;
        } else {
            s.topic(r.string()?);
        }
        for _ in 0..r.array_len()? {
            s.partition();
            let mut fixed = 4 + 8 + 4; // partition, fetch_offset, partition_max_bytes
            if v >= 9 {
                fixed += 4; // current_leader_epoch
            }
            if v >= 12 {
                fixed += 4; // last_fetched_epoch
            }
            if v >= 5 {
                fixed += 8; // log_start_offset
            }
            r.skip(fixed)?;
            r.tags()?;
        }
        r.tags()?;
    }
    Some(())
}

fn list_offsets(r: &mut Reader, v: i16, s: &mut Summary) -> Option<()> {
    r.skip(4)?; // replica_id
    if v >= 2 {
        r.skip(1)?; // isolation_level
    }
    for _ in 0..r.array_len()? {
        s.topic(r.string()?);
        for _ in 0..r.array_len()? {
            s.partition();
            let mut fixed = 4 + 8; // partition_index, timestamp
            if v >= 4 {
                fixed += 4; // current_leader_epoch
            }
            if v == 0 {
                fixed += 4; // max_num_offsets
            }
            r.skip(fixed)?;
            r.tags()?;
        }
        r.tags()?;
    }
    Some(())
}

fn metadata(r: &mut Reader, v: i16, s: &mut Summary) -> Option<()> {
    for _ in 0..r.array_len()? {
        if v >= 10 {
            r.skip_uuid()?;
        }
        s.topic(r.string()?);
        r.tags()?;
    }
    Some(())
}

fn offset_commit(r: &mut Reader, v: i16, s: &mut Summary) -> Option<()> {
    s.group(r.string()?);
    if v >= 1 {
        r.skip(4)?; // generation_id
        r.string()?; // member_id
    }
    if v >= 7 {
        r.string()?; // group_instance_id
    }
    if (2..=4).contains(&v) {
        r.skip(8)?; // retention_time_ms
    }
    for _ in 0..r.array_len()? {
        s.topic(r.string()?);
        for _ in 0..r.array_len()? {
            s.partition();
            let mut fixed = 4 + 8; // partition_index, committed_offset
            if v >= 6 {
                fixed += 4; // committed_leader_epoch
            }
            if v == 1 {
                fixed += 8; // commit_timestamp
            }
            r.skip(fixed)?;
            r.string()?; // committed_metadata
            r.tags()?;
        }
        r.tags()?;
    }
    Some(())
}

/// The topics of an OffsetFetch request: name and partition indexes.
fn offset_fetch_topics(r: &mut Reader, s: &mut Summary) -> Option<()> {
    for _ in 0..r.array_len()? {
        s.topic(r.string()?);
        let n = r.array_len()?;
        for _ in 0..n {
            s.partition();
        }
        r.skip(n.checked_mul(4)?)?;
        r.tags()?;
    }
    Some(())
}

fn offset_fetch(r: &mut Reader, v: i16, s: &mut Summary) -> Option<()> {
    if v < 8 {
        s.group(r.string()?);
        return offset_fetch_topics(r, s);
    }
    for _ in 0..r.array_len()? {
        s.group(r.string()?);
        if v >= 9 {
            r.string()?; // member_id
            r.skip(4)?; // member_epoch
        }
        offset_fetch_topics(r, s)?;
        r.tags()?;
    }
    Some(())
}

fn find_coordinator(r: &mut Reader, v: i16, s: &mut Summary) -> Option<()> {
    if v < 4 {
        let key = r.string()?;
        // key_type (v1+) 0 is a group, 1 a transactional id.
        if v == 0 || r.i8()? == 0 {
            s.group(key);
        }
        return Some(());
    }
    let key_type = r.i8()?;
    if key_type == 0 && r.array_len()? > 0 {
        s.group(r.string()?);
    }
    Some(())
}

fn create_topics(r: &mut Reader, s: &mut Summary) -> Option<()> {
    for _ in 0..r.array_len()? {
        s.topic(r.string()?);
        r.skip(6)?; // num_partitions, replication_factor
        for _ in 0..r.array_len()? {
            r.skip(4)?; // partition_index
            r.skip_i32_array()?; // broker_ids
            r.tags()?;
        }
        for _ in 0..r.array_len()? {
            r.string()?; // name
            r.string()?; // value
            r.tags()?;
        }
        r.tags()?;
    }
    Some(())
}

fn delete_topics(r: &mut Reader, v: i16, s: &mut Summary) -> Option<()> {
    for _ in 0..r.array_len()? {
        s.topic(r.string()?);
        if v >= 6 {
            r.skip_uuid()?;
            r.tags()?;
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_v1_and_v2() {
        // Metadata (3) v1, correlation id 2, client id "wb", then the body.
        let h = parse_header(b"\x00\x03\x00\x01\x00\x00\x00\x02\x00\x02wbBODY").unwrap();
        assert_eq!((h.api_key, h.api_version, h.correlation_id), (3, 1, 2));
        assert_eq!((h.client_id, h.body), (Some(&b"wb"[..]), &b"BODY"[..]));
        // Metadata v9 is flexible: header v2, a tag buffer (one tag: id 0, 1 byte) after the
        // client id, which stays a classic nullable string (here null).
        let h =
            parse_header(b"\x00\x03\x00\x09\x00\x00\x00\x07\xff\xff\x01\x00\x01\xaaBODY").unwrap();
        assert_eq!((h.client_id, h.body), (None, &b"BODY"[..]));
        // Negative api key, client id longer than the message, truncated header.
        assert!(parse_header(b"\xff\x03\x00\x01\x00\x00\x00\x02\x00\x00").is_none());
        assert!(parse_header(b"\x00\x03\x00\x01\x00\x00\x00\x02\x00\x09wb").is_none());
        assert!(parse_header(b"\x00\x03\x00").is_none());
    }

    #[test]
    fn metadata_v1_topics() {
        // Two topics: [int32 2] "a" "bc".
        let s = decode(3, 1, b"\x00\x00\x00\x02\x00\x01a\x00\x02bc");
        assert_eq!(s.topics, ["a", "bc"]);
        // Null topic array (-1): all topics, none named.
        assert!(decode(3, 1, b"\xff\xff\xff\xff").topics.is_empty());
        // A count larger than the bytes left stops decoding.
        assert!(decode(3, 1, b"\x7f\xff\xff\xff\x00\x01a").topics.is_empty());
    }
}
