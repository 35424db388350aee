//! Response bodies of the decoded APIs: error codes (top level and per partition), topics,
//! partition counts and fetched records. The response header (correlation id, and a tag
//! buffer in flexible versions except ApiVersions) is read by the caller.

use super::api;
use super::reader::Reader;
use super::summary::Summary;

/// Decodes the body of a response to `key` at `version` (the body follows the response
/// header). Decoding stops quietly at the first malformed or missing field.
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
        api::JOIN_GROUP => throttled_error(&mut r, version >= 2, &mut s),
        api::HEARTBEAT | api::LEAVE_GROUP | api::SYNC_GROUP => {
            throttled_error(&mut r, version >= 1, &mut s)
        }
        // SaslAuthenticate: only the leading error code, never the auth bytes after it.
        api::SASL_HANDSHAKE | api::API_VERSIONS | api::SASL_AUTHENTICATE => {
            r.i16().map(|e| s.error(e))
        }
        api::CREATE_TOPICS => create_topics(&mut r, version, &mut s),
        api::DELETE_TOPICS => delete_topics(&mut r, version, &mut s),
        _ => None,
    };
    s
}

fn throttled_error(r: &mut Reader, throttle: bool, s: &mut Summary) -> Option<()> {
    if throttle {
        r.skip(4)?;
    }
    s.error(r.i16()?);
    Some(())
}

fn produce(r: &mut Reader, v: i16, s: &mut Summary) -> Option<()> {
    for _ in 0..r.array_len()? {
        s.topic(r.string()?);
        for _ in 0..r.array_len()? {
            s.partition();
            r.skip(4)?; // index
            s.error(r.i16()?);
            r.skip(8)?; // base_offset
            if v >= 2 {
                r.skip(8)?; // log_append_time_ms
            }
            if v >= 5 {
                r.skip(8)?; // log_start_offset
            }
            if v >= 8 {
                for _ in 0..r.array_len()? {
                    r.skip(4)?; // batch_index
                    r.string()?; // batch_index_error_message
                    r.tags()?;
                }
                r.string()?; // error_message
            }
            r.tags()?;
        }
        r.tags()?;
    }
    Some(())
}

fn fetch(r: &mut Reader, v: i16, s: &mut Summary) -> Option<()> {
    if v >= 1 {
        r.skip(4)?; // throttle_time_ms
    }
    if v >= 7 {
        s.error(r.i16()?);
        r.skip(4)?; // session_id
    }
    for _ in 0..r.array_len()? {
        if v >= 13 {
            r.skip_uuid()?;
        } else {
            s.topic(r.string()?);
        }
        for _ in 0..r.array_len()? {
            s.partition();
            r.skip(4)?; // partition_index
            s.error(r.i16()?);
            r.skip(8)?; // high_watermark
            if v >= 4 {
                r.skip(8)?; // last_stable_offset
            }
            if v >= 5 {
                r.skip(8)?; // log_start_offset
            }
            if v >= 4 {
                for _ in 0..r.array_len()? {
                    r.skip(16)?; // producer_id, first_offset
                    r.tags()?;
                }
            }
            if v >= 11 {
                r.skip(4)?; // preferred_read_replica
            }
            s.records(r.bytes()?);
            r.tags()?;
        }
        r.tags()?;
    }
    Some(())
}

fn list_offsets(r: &mut Reader, v: i16, s: &mut Summary) -> Option<()> {
    if v >= 2 {
        r.skip(4)?; // throttle_time_ms
    }
    for _ in 0..r.array_len()? {
        s.topic(r.string()?);
        for _ in 0..r.array_len()? {
            s.partition();
            r.skip(4)?; // partition_index
            s.error(r.i16()?);
            if v == 0 {
                let n = r.array_len()?; // old_style_offsets
                r.skip(n.checked_mul(8)?)?;
            } else {
                r.skip(16)?; // timestamp, offset
            }
            if v >= 4 {
                r.skip(4)?; // leader_epoch
            }
            r.tags()?;
        }
        r.tags()?;
    }
    Some(())
}

fn metadata(r: &mut Reader, v: i16, s: &mut Summary) -> Option<()> {
    if v >= 3 {
        r.skip(4)?; // throttle_time_ms
    }
    for _ in 0..r.array_len()? {
        r.skip(4)?; // node_id
        r.string()?; // host
        r.skip(4)?; // port
        if v >= 1 {
            r.string()?; // rack
        }
        r.tags()?;
    }
    if v >= 2 {
        r.string()?; // cluster_id
    }
    if v >= 1 {
        r.skip(4)?; // controller_id
    }
    for _ in 0..r.array_len()? {
        s.error(r.i16()?);
        s.topic(r.string()?);
        if v >= 10 {
            r.skip_uuid()?;
        }
        if v >= 1 {
            r.skip(1)?; // is_internal
        }
        for _ in 0..r.array_len()? {
            s.partition();
            s.error(r.i16()?);
            r.skip(8)?; // partition_index, leader_id
            if v >= 7 {
                r.skip(4)?; // leader_epoch
            }
            r.skip_i32_array()?; // replica_nodes
            r.skip_i32_array()?; // isr_nodes
            if v >= 5 {
                r.skip_i32_array()?; // offline_replicas
            }
            r.tags()?;
        }
        if v >= 8 {
            r.skip(4)?; // topic_authorized_operations
        }
        r.tags()?;
    }
    Some(())
}

fn offset_commit(r: &mut Reader, v: i16, s: &mut Summary) -> Option<()> {
    if v >= 3 {
        r.skip(4)?; // throttle_time_ms
    }
    for _ in 0..r.array_len()? {
        s.topic(r.string()?);
        for _ in 0..r.array_len()? {
            s.partition();
            r.skip(4)?; // partition_index
            s.error(r.i16()?);
            r.tags()?;
        }
        r.tags()?;
    }
    Some(())
}

/// The topics of an OffsetFetch response.
fn offset_fetch_topics(r: &mut Reader, v: i16, s: &mut Summary) -> Option<()> {
    for _ in 0..r.array_len()? {
        s.topic(r.string()?);
        for _ in 0..r.array_len()? {
            s.partition();
            r.skip(12)?; // partition_index, committed_offset
            if v >= 5 {
                r.skip(4)?; // committed_leader_epoch
            }
            r.string()?; // metadata
            s.error(r.i16()?);
            r.tags()?;
        }
        r.tags()?;
    }
    Some(())
}

fn offset_fetch(r: &mut Reader, v: i16, s: &mut Summary) -> Option<()> {
    if v >= 3 {
        r.skip(4)?; // throttle_time_ms
    }
    if v < 8 {
        offset_fetch_topics(r, v, s)?;
        if v >= 2 {
            s.error(r.i16()?);
        }
        return Some(());
    }
    for _ in 0..r.array_len()? {
        s.group(r.string()?);
        offset_fetch_topics(r, v, s)?;
        s.error(r.i16()?);
        r.tags()?;
    }
    Some(())
}

fn find_coordinator(r: &mut Reader, v: i16, s: &mut Summary) -> Option<()> {
    if v >= 1 {
        r.skip(4)?; // throttle_time_ms
    }
    if v < 4 {
        s.error(r.i16()?);
        return Some(());
    }
    for _ in 0..r.array_len()? {
        r.string()?; // key
        r.skip(4)?; // node_id
        r.string()?; // host
        r.skip(4)?; // port
        s.error(r.i16()?);
        r.string()?; // error_message
        r.tags()?;
    }
    Some(())
}

fn create_topics(r: &mut Reader, v: i16, s: &mut Summary) -> Option<()> {
    if v >= 2 {
        r.skip(4)?; // throttle_time_ms
    }
    for _ in 0..r.array_len()? {
        s.topic(r.string()?);
        if v >= 7 {
            r.skip_uuid()?;
        }
        s.error(r.i16()?);
        if v >= 1 {
            r.string()?; // error_message
        }
        if v >= 5 {
            r.skip(6)?; // num_partitions, replication_factor
            for _ in 0..r.array_len()? {
                r.string()?; // name
                r.string()?; // value
                r.skip(3)?; // read_only, config_source, is_sensitive
                r.tags()?;
            }
        }
        r.tags()?;
    }
    Some(())
}

fn delete_topics(r: &mut Reader, v: i16, s: &mut Summary) -> Option<()> {
    if v >= 1 {
        r.skip(4)?; // throttle_time_ms
    }
    for _ in 0..r.array_len()? {
        s.topic(r.string()?);
        if v >= 6 {
            r.skip_uuid()?;
        }
        s.error(r.i16()?);
        if v >= 5 {
            r.string()?; // error_message
        }
        r.tags()?;
    }
    Some(())
}
