//! What an NFS call and its reply say: the version, the operation (a v3 procedure, or the main
//! operation of a v4 COMPOUND) and the reply's NFS status.

use super::names;
use super::rpc::{Call, GssService};
use super::xdr::Xdr;

/// The NFS RPC program number.
pub const NFS_PROGRAM: u32 = 100_003;
/// Longest COMPOUND tag kept.
const MAX_TAG: usize = 1024;
/// Most words of a GETATTR bitmap.
const MAX_BITMAP_WORDS: usize = 64;
/// Largest NFSv4 file handle (RFC 7530 `NFS4_FHSIZE`).
const MAX_FH: usize = 128;

/// NFSv4 operations that only prepare the main one (Packetbeat skips them when it names a
/// COMPOUND): GETATTR, GETFH, PUTFH, PUTPUBFH, PUTROOTFH, RESTOREFH, SAVEFH, SEQUENCE.
const HOUSEKEEPING: &[u32] = &[9, 10, 22, 23, 24, 31, 32, 53];

/// The NFS facts of one call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallInfo {
    /// `nfs.version`.
    pub version: u32,
    /// `nfs.minor_version` (v4 COMPOUND only).
    pub minor_version: Option<u32>,
    /// `nfs.tag` (v4 COMPOUND only).
    pub tag: Option<String>,
    /// `nfs.opcode`, when the call is readable.
    pub opcode: Option<String>,
    /// The procedure number.
    pub procedure: u32,
    /// How RPCSEC_GSS wraps the arguments and results.
    pub gss: GssService,
}

/// The NFS facts of `call`, `None` when it is not an NFS v3 or v4 call.
pub fn describe_call(call: &Call<'_>) -> Option<CallInfo> {
    if call.program != NFS_PROGRAM || !(call.version == 3 || call.version == 4) {
        return None;
    }
    let mut info = CallInfo {
        version: call.version,
        procedure: call.procedure,
        gss: call.gss,
        ..CallInfo::default()
    };
    let mut args = Xdr::new(call.args);
    match call.gss {
        GssService::Privacy => return Some(info),
        GssService::Integrity => {
            // databody_integ length, then seq_num, then the arguments.
            let _ = (args.u32(), args.u32());
        }
        GssService::None => {}
    }
    match (call.version, call.procedure) {
        (3, p) => info.opcode = names::v3_procedure(p).map(String::from),
        (4, 0) => info.opcode = Some("NULL".into()),
        (4, 1) => describe_compound(&mut args, &mut info),
        _ => {}
    }
    Some(info)
}

fn describe_compound(x: &mut Xdr<'_>, info: &mut CallInfo) {
    let Some(tag) = x.opaque(MAX_TAG) else {
        return;
    };
    info.tag = Some(String::from_utf8_lossy(tag).into_owned());
    let Some(minor) = x.u32() else {
        return;
    };
    info.minor_version = Some(minor);
    let Some(count) = x.u32() else {
        return;
    };
    let mut last = None;
    for _ in 0..count {
        let Some(op) = x.u32() else {
            break;
        };
        if !HOUSEKEEPING.contains(&op) {
            info.opcode = Some(names::v4_operation(op).into());
            return;
        }
        last = Some(op);
        if skip_housekeeping_args(x, op).is_none() {
            break;
        }
    }
    info.opcode = last.map(|op| names::v4_operation(op).into());
}

/// Skips the arguments of a housekeeping operation.
fn skip_housekeeping_args(x: &mut Xdr<'_>, op: u32) -> Option<()> {
    match op {
        9 => {
            let words = usize::try_from(x.u32()?).ok()?;
            if words > MAX_BITMAP_WORDS {
                return None;
            }
            x.fixed(words.checked_mul(4)?)?;
        }
        22 => {
            x.opaque(MAX_FH)?;
        }
        // sessionid (16 bytes), sequenceid, slotid, highest_slotid, cachethis.
        53 => {
            x.fixed(32)?;
        }
        _ => {}
    }
    Some(())
}

/// The `nfs.status` of successful RPC `results` for the call `info`; `None` when unreadable.
pub fn reply_status(info: &CallInfo, results: &[u8]) -> Option<String> {
    let null = (info.version == 3 || info.version == 4) && info.procedure == 0;
    if null {
        return Some(names::status(info.version, 0));
    }
    let mut x = Xdr::new(results);
    match info.gss {
        GssService::Privacy => return None,
        GssService::Integrity => {
            let _ = (x.u32(), x.u32());
        }
        GssService::None => {}
    }
    x.u32().map(|code| names::status(info.version, code))
}
