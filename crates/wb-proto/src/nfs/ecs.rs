//! An NFS call and its reply → Packetbeat's `nfs.*` and `rpc.*` event.

use super::procedure::CallInfo;
use super::rpc::{flavor_name, SysCred};
use crate::ecs::{Status, Transaction};
use crate::Cx;
use wb_event::Value;
use wb_wire::Timestamp;

/// A call waiting for its reply.
#[derive(Clone, Debug)]
pub struct PendingCall {
    /// RPC transaction id.
    pub xid: u32,
    /// Time of the call's first byte.
    pub start: Timestamp,
    /// Size of the RPC call message.
    pub bytes: u64,
    /// Credential flavor.
    pub flavor: u32,
    /// AUTH_SYS credential fields.
    pub sys: Option<SysCred>,
    /// NFS facts of the call.
    pub info: CallInfo,
}

/// The reply side of a transaction.
#[derive(Clone, Debug)]
pub struct ReplyFacts {
    /// Time of the reply's last byte.
    pub end: Timestamp,
    /// Size of the RPC reply message.
    pub bytes: u64,
    /// `rpc.status`.
    pub rpc_status: String,
    /// The call was not accepted (`MSG_DENIED`).
    pub denied: bool,
    /// `nfs.status`, when the RPC succeeded and the results were readable.
    pub nfs_status: Option<String>,
}

/// Builds the event of `call` and its reply (`None`: no reply, status `NO_REPLY`) and emits it.
pub fn publish(call: &PendingCall, reply: Option<&ReplyFacts>, cx: &mut Cx) {
    let status = match reply {
        None => Status::NoReply,
        Some(r) if r.denied => Status::Error,
        Some(_) => Status::Ok,
    };
    let base = Transaction {
        protocol: super::NAME,
        conn: cx.conn(),
        start: Some(call.start),
        end: reply.map(|r| r.end),
        request_bytes: call.bytes,
        response_bytes: reply.map_or(0, |r| r.bytes),
        status,
        notes: &[],
    };
    let mut e = base.to_event();
    let info = &call.info;
    e.put(
        "network.protocol",
        if info.version == 3 { "nfsv3" } else { "nfsv4" },
    );
    e.push("nfs.version", u64::from(info.version));
    if let Some(minor) = info.minor_version {
        e.push("nfs.minor_version", u64::from(minor));
    }
    if let Some(tag) = &info.tag {
        e.push("nfs.tag", tag.clone());
    }
    if let Some(opcode) = &info.opcode {
        e.push("nfs.opcode", opcode.clone());
        e.push("event.action", format!("nfs.{opcode}"));
    }
    e.push("rpc.xid", format!("{:08x}", call.xid));
    e.push("rpc.auth_flavor", flavor_name(call.flavor));
    if let Some(sys) = &call.sys {
        e.push("rpc.cred.stamp", u64::from(sys.stamp));
        e.push("rpc.cred.machinename", sys.machinename.clone());
        e.push("rpc.cred.uid", u64::from(sys.uid));
        e.push("rpc.cred.gid", u64::from(sys.gid));
        e.push(
            "rpc.cred.gids",
            Value::List(
                sys.gids
                    .iter()
                    .map(|g| Value::UInt(u64::from(*g)))
                    .collect(),
            ),
        );
    }
    if let Some(r) = reply {
        e.push("rpc.status", r.rpc_status.clone());
        if r.rpc_status != "success" {
            e.push("event.outcome", "failure");
        }
        if let Some(s) = &r.nfs_status {
            e.push("nfs.status", s.clone());
        }
    }
    cx.emit(e);
}
