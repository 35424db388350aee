//! ERROR bodies (spec §8 of v4, §9 of v5): code, message, and the details some codes carry,
//! named as Packetbeat names them (`errUnavailable`, `read_consistency`...).

use super::fields::{string_list, Fields};
use super::reader::{Read, Reader};
use base64::Engine as _;

const ERROR_TYPES: [(i32, &str); 20] = [
    (0x0000, "errServer"),
    (0x000A, "errProtocol"),
    (0x0100, "errCredentials"),
    (0x1000, "errUnavailable"),
    (0x1001, "errOverloaded"),
    (0x1002, "errBootstrapping"),
    (0x1003, "errTruncate"),
    (0x1100, "errWriteTimeout"),
    (0x1200, "errReadTimeout"),
    (0x1300, "errReadFailure"),
    (0x1400, "errFunctionFailure"),
    (0x1500, "errWriteFailure"),
    (0x1600, "errCDCWriteFailure"),
    (0x1700, "errCASWriteUnknown"),
    (0x2000, "errSyntax"),
    (0x2100, "errUnauthorized"),
    (0x2200, "errInvalid"),
    (0x2300, "errConfig"),
    (0x2400, "errAlreadyExists"),
    (0x2500, "errUnprepared"),
];

/// `error.type` of wire code `code`, if defined.
pub fn error_type(code: i32) -> Option<&'static str> {
    ERROR_TYPES.iter().find(|(c, _)| *c == code).map(|e| e.1)
}

/// Name of a [consistency] level.
pub fn consistency_name(level: u16) -> String {
    const NAMES: [&str; 11] = [
        "ANY",
        "ONE",
        "TWO",
        "THREE",
        "QUORUM",
        "ALL",
        "LOCAL_QUORUM",
        "EACH_QUORUM",
        "SERIAL",
        "LOCAL_SERIAL",
        "LOCAL_ONE",
    ];
    NAMES
        .get(usize::from(level))
        .map_or_else(|| format!("UNKNOWN_{level:#06x}"), |n| (*n).to_string())
}

/// Decodes an ERROR body into `error.{code,msg,type,details.*}`.
pub fn decode(r: &mut Reader, version: u8) -> Read<Fields> {
    let mut f = Fields::default();
    let code = r.int()?;
    f.put("error.code", i64::from(code));
    f.put("error.msg", r.string()?);
    if let Some(t) = error_type(code) {
        f.put("error.type", t);
    }
    let mut d = Fields::default();
    // Details are decoded as far as they go: a short tail loses details, not the error.
    let _ = details(r, code, version, &mut d);
    f.nest("error.details", d);
    Ok(f)
}

fn details(r: &mut Reader, code: i32, version: u8, d: &mut Fields) -> Read<()> {
    match code {
        0x1000 => {
            d.put("read_consistency", consistency_name(r.short()?));
            d.put("required", i64::from(r.int()?));
            d.put("alive", i64::from(r.int()?));
        }
        0x1100 | 0x1200 | 0x1300 | 0x1500 | 0x1700 => {
            d.put("read_consistency", consistency_name(r.short()?));
            d.put("received", i64::from(r.int()?));
            d.put("blockfor", i64::from(r.int()?));
            match code {
                0x1100 => d.put("write_type", r.string()?),
                0x1200 => d.put("data_present", r.byte()? != 0),
                0x1300 | 0x1500 => {
                    d.put("num_failures", i64::from(failures(r, version)?));
                    if code == 0x1300 {
                        d.put("data_present", r.byte()? != 0);
                    } else {
                        d.put("write_type", r.string()?);
                    }
                }
                _ => {}
            }
        }
        0x1400 => {
            d.put("keyspace", r.string()?);
            d.put("function", r.string()?);
            d.put("arg_types", string_list(r.string_list()?));
        }
        0x2400 => {
            d.put("keyspace", r.string()?);
            d.put("table", r.string()?);
        }
        0x2500 => {
            let id = r.short_bytes()?;
            d.put(
                "stmt_id",
                base64::engine::general_purpose::STANDARD.encode(id),
            );
        }
        _ => {}
    }
    Ok(())
}

/// The failure count: an [int] before v5, the size of the reason map (`<int n>` pairs of
/// [inetaddr] and [short]) from v5 on.
fn failures(r: &mut Reader, version: u8) -> Read<i32> {
    let n = r.int()?;
    if version >= 5 {
        for _ in 0..n.max(0) {
            r.inetaddr()?;
            r.short()?;
        }
    }
    Ok(n)
}
