//! Names of NFS procedures (RFC 1813), NFSv4 operations (RFC 7530, 8881, 7862, 8276) and
//! status codes, written as Packetbeat writes them (`NFS_OK`, `NFSERR_<NAME>`).

/// NFSv3 procedures by number.
const V3_PROCEDURES: &[&str] = &[
    "NULL",
    "GETATTR",
    "SETATTR",
    "LOOKUP",
    "ACCESS",
    "READLINK",
    "READ",
    "WRITE",
    "CREATE",
    "MKDIR",
    "SYMLINK",
    "MKNOD",
    "REMOVE",
    "RMDIR",
    "RENAME",
    "LINK",
    "READDIR",
    "READDIRPLUS",
    "FSSTAT",
    "FSINFO",
    "PATHCONF",
    "COMMIT",
];

/// NFSv4 operations by number, starting at 3 (ACCESS).
const V4_OPERATIONS: &[&str] = &[
    "ACCESS",
    "CLOSE",
    "COMMIT",
    "CREATE",
    "DELEGPURGE",
    "DELEGRETURN",
    "GETATTR",
    "GETFH",
    "LINK",
    "LOCK",
    "LOCKT",
    "LOCKU",
    "LOOKUP",
    "LOOKUPP",
    "NVERIFY",
    "OPEN",
    "OPENATTR",
    "OPEN_CONFIRM",
    "OPEN_DOWNGRADE",
    "PUTFH",
    "PUTPUBFH",
    "PUTROOTFH",
    "READ",
    "READDIR",
    "READLINK",
    "REMOVE",
    "RENAME",
    "RENEW",
    "RESTOREFH",
    "SAVEFH",
    "SECINFO",
    "SETATTR",
    "SETCLIENTID",
    "SETCLIENTID_CONFIRM",
    "VERIFY",
    "WRITE",
    "RELEASE_LOCKOWNER",
    "BACKCHANNEL_CTL",
    "BIND_CONN_TO_SESSION",
    "EXCHANGE_ID",
    "CREATE_SESSION",
    "DESTROY_SESSION",
    "FREE_STATEID",
    "GET_DIR_DELEGATION",
    "GETDEVICEINFO",
    "GETDEVICELIST",
    "LAYOUTCOMMIT",
    "LAYOUTGET",
    "LAYOUTRETURN",
    "SECINFO_NO_NAME",
    "SEQUENCE",
    "SET_SSV",
    "TEST_STATEID",
    "WANT_DELEGATION",
    "DESTROY_CLIENTID",
    "RECLAIM_COMPLETE",
    "ALLOCATE",
    "COPY",
    "COPY_NOTIFY",
    "DEALLOCATE",
    "IO_ADVISE",
    "LAYOUTERROR",
    "LAYOUTSTATS",
    "OFFLOAD_CANCEL",
    "OFFLOAD_STATUS",
    "READ_PLUS",
    "SEEK",
    "WRITE_SAME",
    "CLONE",
    "GETXATTR",
    "SETXATTR",
    "LISTXATTRS",
    "REMOVEXATTR",
];

/// The name of NFSv3 procedure `proc_`, `None` when unknown.
pub fn v3_procedure(proc_: u32) -> Option<&'static str> {
    V3_PROCEDURES.get(usize::try_from(proc_).ok()?).copied()
}

/// The name of NFSv4 operation `op`; `ILLEGAL` for a number no RFC defines.
pub fn v4_operation(op: u32) -> &'static str {
    op.checked_sub(3)
        .and_then(|i| V4_OPERATIONS.get(usize::try_from(i).ok()?))
        .copied()
        .unwrap_or("ILLEGAL")
}

/// Status codes shared by NFSv3 and NFSv4 (RFC 1813 section 2.6, RFC 8881 section 15).
const STATUS: &[(u32, &str)] = &[
    (0, "NFS_OK"),
    (1, "NFSERR_PERM"),
    (2, "NFSERR_NOENT"),
    (5, "NFSERR_IO"),
    (6, "NFSERR_NXIO"),
    (13, "NFSERR_ACCESS"),
    (17, "NFSERR_EXIST"),
    (18, "NFSERR_XDEV"),
    (19, "NFSERR_NODEV"),
    (20, "NFSERR_NOTDIR"),
    (21, "NFSERR_ISDIR"),
    (22, "NFSERR_INVAL"),
    (27, "NFSERR_FBIG"),
    (28, "NFSERR_NOSPC"),
    (30, "NFSERR_ROFS"),
    (31, "NFSERR_MLINK"),
    (63, "NFSERR_NAMETOOLONG"),
    (66, "NFSERR_NOTEMPTY"),
    (69, "NFSERR_DQUOT"),
    (70, "NFSERR_STALE"),
    (71, "NFSERR_REMOTE"),
    (10001, "NFSERR_BADHANDLE"),
    (10002, "NFSERR_NOT_SYNC"),
    (10003, "NFSERR_BAD_COOKIE"),
    (10004, "NFSERR_NOTSUPP"),
    (10005, "NFSERR_TOOSMALL"),
    (10006, "NFSERR_SERVERFAULT"),
    (10007, "NFSERR_BADTYPE"),
];

/// NFSv4 status codes from 10009 on, in order (RFC 7530, 8881, 7862, 8276).
const V4_STATUS_FROM_10009: &[&str] = &[
    "SAME",
    "DENIED",
    "EXPIRED",
    "LOCKED",
    "GRACE",
    "FHEXPIRED",
    "SHARE_DENIED",
    "WRONGSEC",
    "CLID_INUSE",
    "RESOURCE",
    "MOVED",
    "NOFILEHANDLE",
    "MINOR_VERS_MISMATCH",
    "STALE_CLIENTID",
    "STALE_STATEID",
    "OLD_STATEID",
    "BAD_STATEID",
    "BAD_SEQID",
    "NOT_SAME",
    "LOCK_RANGE",
    "SYMLINK",
    "RESTOREFH",
    "LEASE_MOVED",
    "ATTRNOTSUPP",
    "NO_GRACE",
    "RECLAIM_BAD",
    "RECLAIM_CONFLICT",
    "BADXDR",
    "LOCKS_HELD",
    "OPENMODE",
    "BADOWNER",
    "BADCHAR",
    "BADNAME",
    "BAD_RANGE",
    "LOCK_NOTSUPP",
    "OP_ILLEGAL",
    "DEADLOCK",
    "FILE_OPEN",
    "ADMIN_REVOKED",
    "CB_PATH_DOWN",
    "BADIOMODE",
    "BADLAYOUT",
    "BAD_SESSION_DIGEST",
    "BADSESSION",
    "BADSLOT",
    "COMPLETE_ALREADY",
    "CONN_NOT_BOUND_TO_SESSION",
    "DELEG_ALREADY_WANTED",
    "BACK_CHAN_BUSY",
    "LAYOUTTRYLATER",
    "LAYOUTUNAVAILABLE",
    "NOMATCHING_LAYOUT",
    "RECALLCONFLICT",
    "UNKNOWN_LAYOUTTYPE",
    "SEQ_MISORDERED",
    "SEQUENCE_POS",
    "REQ_TOO_BIG",
    "REP_TOO_BIG",
    "REP_TOO_BIG_TO_CACHE",
    "RETRY_UNCACHED_REP",
    "UNSAFE_COMPOUND",
    "TOO_MANY_OPS",
    "OP_NOT_IN_SESSION",
    "HASH_ALG_UNSUPP",
    "",
    "CLIENTID_BUSY",
    "PNFS_IO_HOLE",
    "SEQ_FALSE_RETRY",
    "BAD_HIGH_SLOT",
    "DEADSESSION",
    "ENCR_ALG_UNSUPP",
    "PNFS_NO_LAYOUT",
    "NOT_ONLY_OP",
    "WRONG_CRED",
    "WRONG_TYPE",
    "DIRDELEG_UNAVAIL",
    "REJECT_DELEG",
    "RETURNCONFLICT",
    "DELEG_REVOKED",
    "PARTNER_NOTSUPP",
    "PARTNER_NO_AUTH",
    "UNION_NOTSUPP",
    "OFFLOAD_DENIED",
    "WRONG_LFS",
    "BADLABEL",
    "OFFLOAD_NO_REQS",
    "NOXATTR",
    "XATTR2BIG",
];

/// The name of status `code` of an NFS `version` reply (10008 is `JUKEBOX` in v3, `DELAY`
/// in v4); `NFSERR_UNKNOWN (<code>)` for a code no RFC defines.
pub fn status(version: u32, code: u32) -> String {
    if let Some((_, name)) = STATUS.iter().find(|(c, _)| *c == code) {
        return (*name).to_string();
    }
    if code == 10008 {
        return if version == 3 {
            "NFSERR_JUKEBOX".into()
        } else {
            "NFSERR_DELAY".into()
        };
    }
    let v4 = code
        .checked_sub(10009)
        .and_then(|i| V4_STATUS_FROM_10009.get(usize::try_from(i).ok()?))
        .filter(|n| !n.is_empty() && version == 4);
    match v4 {
        Some(name) => format!("NFSERR_{name}"),
        None => format!("NFSERR_UNKNOWN ({code})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(v3_procedure(3), Some("LOOKUP"));
        assert_eq!(v3_procedure(22), None);
        assert_eq!(v4_operation(4), "CLOSE");
        assert_eq!(v4_operation(53), "SEQUENCE");
        assert_eq!(v4_operation(65), "LAYOUTSTATS");
        assert_eq!(v4_operation(71), "CLONE");
        assert_eq!(v4_operation(75), "REMOVEXATTR");
        assert_eq!(v4_operation(76), "ILLEGAL");
        assert_eq!(v4_operation(0), "ILLEGAL");
        assert_eq!(status(3, 2), "NFSERR_NOENT");
        assert_eq!(status(4, 10004), "NFSERR_NOTSUPP");
        assert_eq!(status(3, 10008), "NFSERR_JUKEBOX");
        assert_eq!(status(4, 10008), "NFSERR_DELAY");
        assert_eq!(status(4, 10044), "NFSERR_OP_ILLEGAL");
        assert_eq!(status(4, 10074), "NFSERR_CLIENTID_BUSY");
        assert_eq!(status(4, 10073), "NFSERR_UNKNOWN (10073)");
        assert_eq!(status(3, 10044), "NFSERR_UNKNOWN (10044)");
    }
}
