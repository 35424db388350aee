//! RESULT bodies (spec §4.2.5): void, rows (metadata and row count; the rows themselves are
//! not read, so a prefix of a long result is enough), set_keyspace, prepared and
//! schema_change, plus the schema change part EVENT shares.

use super::fields::{string_list, Fields};
use super::reader::{Read, Reader};
use base64::Engine as _;
use wb_event::Value;

const GLOBAL_TABLE_SPEC: i32 = 0x0001;
const HAS_MORE_PAGES: i32 = 0x0002;
const NO_METADATA: i32 = 0x0004;
const METADATA_CHANGED: i32 = 0x0008;
/// Deepest nesting of column types decoded.
const MAX_TYPE_DEPTH: u8 = 16;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes a RESULT body into `result.*`.
pub fn decode(r: &mut Reader, version: u8) -> Read<Fields> {
    let mut f = Fields::default();
    match r.int()? {
        0x0001 => f.put("result.type", "void"),
        0x0002 => {
            f.put("result.type", "rows");
            let meta = metadata(r, version, false)?;
            let rows = r.int()?;
            f.put("result.rows.num_rows", i64::from(rows));
            f.nest("result.rows.meta", meta);
        }
        0x0003 => {
            f.put("result.type", "setKeyspace");
            f.put("result.keyspace", r.string()?);
        }
        0x0004 => {
            f.put("result.type", "prepared");
            f.put("result.prepared.prepared_id", b64(r.short_bytes()?));
            if version >= 5 {
                r.short_bytes()?;
            }
            let req = metadata(r, version, true)?;
            let resp = metadata(r, version, false)?;
            f.nest("result.prepared.req_meta", req);
            f.nest("result.prepared.resp_meta", resp);
        }
        0x0005 => {
            f.put("result.type", "schemaChanged");
            f.nest("result.schema_change", schema_change(r)?);
        }
        other => f.put("result.type", format!("unknown({other})")),
    }
    Ok(f)
}

/// Rows metadata (`prepared` = false) or a prepared statement's bind metadata (with its
/// partition key indexes from v4 on).
fn metadata(r: &mut Reader, version: u8, prepared: bool) -> Read<Fields> {
    let mut f = Fields::default();
    let flags = r.int()?;
    let col_count = r.int()?;
    let mut pkey = Vec::new();
    if prepared && version >= 4 {
        for _ in 0..r.int()?.max(0) {
            pkey.push(Value::UInt(u64::from(r.short()?)));
        }
    }
    if !prepared && flags & HAS_MORE_PAGES != 0 {
        if let Some(state) = r.bytes()? {
            f.put("paging_state", b64(state));
        }
    }
    if !prepared && flags & METADATA_CHANGED != 0 {
        r.short_bytes()?;
    }
    if flags & NO_METADATA == 0 {
        let global = flags & GLOBAL_TABLE_SPEC != 0;
        if global {
            f.put("keyspace", r.string()?);
            f.put("table", r.string()?);
        }
        for i in 0..col_count.max(0) {
            if !global {
                let (ks, table) = (r.string()?, r.string()?);
                if i == 0 {
                    f.put("keyspace", ks);
                    f.put("table", table);
                }
            }
            r.string()?;
            r.skip_type(MAX_TYPE_DEPTH)?;
        }
    }
    let names: Vec<&str> = [
        (GLOBAL_TABLE_SPEC, "GlobalTableSpec"),
        (HAS_MORE_PAGES, "HasMorePages"),
        (NO_METADATA, "NoMetadata"),
        (METADATA_CHANGED, "MetadataChanged"),
    ]
    .iter()
    .filter(|(m, _)| flags & m != 0 && (!prepared || *m == GLOBAL_TABLE_SPEC))
    .map(|(_, n)| *n)
    .collect();
    if !names.is_empty() {
        f.put("flags", names.join("|"));
    }
    f.put("col_count", i64::from(col_count));
    if !pkey.is_empty() {
        f.put("pkey_columns", Value::List(pkey));
    }
    Ok(f)
}

/// A schema change (RESULT kind 5 and EVENT SCHEMA_CHANGE): `change`, `target`, `keyspace`,
/// and `object` (+ `table` for a TABLE) or `name` and `args` for a FUNCTION / AGGREGATE.
pub fn schema_change(r: &mut Reader) -> Read<Fields> {
    let mut f = Fields::default();
    f.put("change", r.string()?);
    let target = r.string()?;
    f.put("target", target.clone());
    f.put("keyspace", r.string()?);
    match target.as_str() {
        "TABLE" => {
            let name = r.string()?;
            f.put("table", name.clone());
            f.put("object", name);
        }
        "TYPE" => f.put("object", r.string()?),
        "FUNCTION" | "AGGREGATE" => {
            f.put("name", r.string()?);
            f.put("args", string_list(r.string_list()?));
        }
        _ => {}
    }
    Ok(f)
}
