//! ONC RPC messages (RFC 5531): the call and reply headers of one whole record, parsed from
//! borrowed bytes. Credentials other than AUTH_SYS are reduced to their flavor number: an
//! RPCSEC_GSS handle or verifier is never kept.

use super::xdr::Xdr;

/// `AUTH_NONE`.
pub const AUTH_NONE: u32 = 0;
/// `AUTH_SYS` (`AUTH_UNIX`).
pub const AUTH_SYS: u32 = 1;
/// `AUTH_SHORT`.
pub const AUTH_SHORT: u32 = 2;
/// `RPCSEC_GSS` (RFC 2203).
pub const RPCSEC_GSS: u32 = 6;

/// Largest credential or verifier body (RFC 5531: `opaque body<400>`).
const MAX_AUTH_BODY: usize = 400;
/// Largest AUTH_SYS machine name.
const MAX_MACHINE_NAME: usize = 255;
/// Most AUTH_SYS supplementary groups.
const MAX_GIDS: u32 = 16;

/// The fields of an AUTH_SYS credential (it carries no secret).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SysCred {
    /// Arbitrary client id (`stamp`).
    pub stamp: u32,
    /// The client's host name.
    pub machinename: String,
    /// User id.
    pub uid: u32,
    /// Group id.
    pub gid: u32,
    /// Supplementary groups.
    pub gids: Vec<u32>,
}

/// What the RPCSEC_GSS credential says about how the arguments are wrapped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GssService {
    /// Plain arguments.
    #[default]
    None,
    /// Arguments inside `rpc_gss_integ_data`: a length and a sequence number before them.
    Integrity,
    /// Encrypted arguments: unreadable.
    Privacy,
}

/// The head of an RPC call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call<'a> {
    /// RPC program.
    pub program: u32,
    /// Program version.
    pub version: u32,
    /// Procedure number.
    pub procedure: u32,
    /// Credential flavor.
    pub flavor: u32,
    /// The AUTH_SYS credential, when the flavor is AUTH_SYS and it parsed.
    pub sys: Option<SysCred>,
    /// How RPCSEC_GSS wraps the arguments (`None` for other flavors).
    pub gss: GssService,
    /// The procedure's arguments (what the record holds of them).
    pub args: &'a [u8],
}

/// The reply to a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply<'a> {
    /// `MSG_ACCEPTED` with its `accept_stat`; `results` follow only for `SUCCESS` (0).
    Accepted {
        /// `accept_stat`.
        stat: u32,
        /// The procedure's results (empty unless `stat` is 0).
        results: &'a [u8],
    },
    /// `MSG_DENIED` with its `reject_stat` (0 RPC_MISMATCH, 1 AUTH_ERROR).
    Denied {
        /// `reject_stat`.
        stat: u32,
    },
}

/// One RPC message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message<'a> {
    /// A call and its transaction id.
    Call(u32, Call<'a>),
    /// A reply and its transaction id.
    Reply(u32, Reply<'a>),
}

/// Parses the RPC message at the start of a record; `None` when it is not a well-formed RPC
/// version 2 call or reply header.
pub fn parse(record: &[u8]) -> Option<Message<'_>> {
    let mut x = Xdr::new(record);
    let xid = x.u32()?;
    match x.u32()? {
        0 => parse_call(&mut x).map(|c| Message::Call(xid, c)),
        1 => parse_reply(&mut x).map(|r| Message::Reply(xid, r)),
        _ => None,
    }
}

fn parse_call<'a>(x: &mut Xdr<'a>) -> Option<Call<'a>> {
    if x.u32()? != 2 {
        return None;
    }
    let program = x.u32()?;
    let version = x.u32()?;
    let procedure = x.u32()?;
    let flavor = x.u32()?;
    let body = x.opaque(MAX_AUTH_BODY)?;
    let (sys, gss) = match flavor {
        AUTH_SYS => (parse_sys(body), GssService::None),
        RPCSEC_GSS => (None, gss_service(body)),
        _ => (None, GssService::None),
    };
    // The verifier: skipped, never kept.
    x.u32()?;
    x.opaque(MAX_AUTH_BODY)?;
    Some(Call {
        program,
        version,
        procedure,
        flavor,
        sys,
        gss,
        args: x.rest(),
    })
}

fn parse_sys(body: &[u8]) -> Option<SysCred> {
    let mut x = Xdr::new(body);
    let stamp = x.u32()?;
    let machinename = String::from_utf8_lossy(x.opaque(MAX_MACHINE_NAME)?).into_owned();
    let uid = x.u32()?;
    let gid = x.u32()?;
    let n = x.u32()?;
    if n > MAX_GIDS {
        return None;
    }
    let gids = (0..n).map(|_| x.u32()).collect::<Option<Vec<u32>>>()?;
    Some(SysCred {
        stamp,
        machinename,
        uid,
        gid,
        gids,
    })
}

/// The service of an RPCSEC_GSS data call (RFC 2203 `rpc_gss_cred_vers_1_t`); control
/// procedures carry plain arguments.
fn gss_service(body: &[u8]) -> GssService {
    let mut x = Xdr::new(body);
    let head = (x.u32(), x.u32(), x.u32(), x.u32());
    match head {
        (Some(1), Some(0), Some(_), Some(2)) => GssService::Integrity,
        (Some(1), Some(0), Some(_), Some(3)) => GssService::Privacy,
        _ => GssService::None,
    }
}

fn parse_reply<'a>(x: &mut Xdr<'a>) -> Option<Reply<'a>> {
    match x.u32()? {
        0 => {
            x.u32()?;
            x.opaque(MAX_AUTH_BODY)?;
            let stat = x.u32()?;
            let results = if stat == 0 { x.rest() } else { &[] };
            Some(Reply::Accepted { stat, results })
        }
        1 => Some(Reply::Denied { stat: x.u32()? }),
        _ => None,
    }
}

/// `rpc.status` of a reply.
pub fn reply_status(reply: &Reply<'_>) -> String {
    match reply {
        Reply::Accepted { stat, .. } => match stat {
            0 => "success".into(),
            1 => "prog_unavail".into(),
            2 => "prog_mismatch".into(),
            3 => "proc_unavail".into(),
            4 => "garbage_args".into(),
            5 => "system_err".into(),
            n => format!("unknown ({n})"),
        },
        Reply::Denied { stat: 0 } => "rpc_mismatch".into(),
        Reply::Denied { stat: 1 } => "auth_error".into(),
        Reply::Denied { stat } => format!("unknown ({stat})"),
    }
}

/// `rpc.auth_flavor` of a credential flavor.
pub fn flavor_name(flavor: u32) -> String {
    match flavor {
        AUTH_NONE => "none".into(),
        AUTH_SYS => "unix".into(),
        AUTH_SHORT => "short".into(),
        RPCSEC_GSS => "rpcsec_gss".into(),
        n => format!("unknown ({n})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_with_auth_sys_and_a_denied_reply() {
        let call: &[u8] = &[
            0, 0, 0, 7, // xid 7
            0, 0, 0, 0, // CALL
            0, 0, 0, 2, // rpcvers 2
            0, 1, 0x86, 0xa3, // program 100003
            0, 0, 0, 3, // version 3
            0, 0, 0, 1, // GETATTR
            0, 0, 0, 1, // AUTH_SYS
            0, 0, 0, 24, // body length
            0, 0, 0, 9, // stamp
            0, 0, 0, 1, b'h', 0, 0, 0, // machinename "h"
            0, 0, 0, 5, 0, 0, 0, 6, // uid 5, gid 6
            0, 0, 0, 0, // no gids
            0, 0, 0, 0, 0, 0, 0, 0, // verifier AUTH_NONE
            0xaa, 0xbb, // arguments
        ];
        let Some(Message::Call(7, c)) = parse(call) else {
            panic!("not a call")
        };
        assert_eq!((c.program, c.version, c.procedure), (100_003, 3, 1));
        let sys = c.sys.unwrap_or_default();
        assert_eq!(
            (sys.stamp, sys.machinename.as_str(), sys.uid, sys.gid),
            (9, "h", 5, 6)
        );
        assert_eq!(c.args, &[0xaa, 0xbb]);
        // reply, MSG_DENIED, AUTH_ERROR
        let denied: &[u8] = &[0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 5];
        let Some(Message::Reply(7, r)) = parse(denied) else {
            panic!("not a reply")
        };
        assert_eq!(reply_status(&r), "auth_error");
        assert_eq!(parse(&call[..20]), None);
    }
}
