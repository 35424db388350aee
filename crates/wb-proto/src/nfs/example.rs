//! The example conversation of the registry: an NFSv3 GETATTR call and an NFSv4.1 COMPOUND
//! (SEQUENCE, PUTFH, READ) sent as two fragments, in one segment; the replies come back in the
//! other order and pair by xid.

/// Client to server: two records.
pub const CALLS: &[u8] = &[
    // Record 1, one fragment of 80 bytes: NFSv3 GETATTR.
    0x80, 0, 0, 80, //
    0, 0, 0, 1, // xid 1
    0, 0, 0, 0, // CALL
    0, 0, 0, 2, // RPC version 2
    0, 1, 0x86, 0xa3, // program 100003 (NFS)
    0, 0, 0, 3, // version 3
    0, 0, 0, 1, // procedure 1, GETATTR
    0, 0, 0, 1, 0, 0, 0, 28, // credential AUTH_SYS, 28 bytes:
    0, 0, 0, 1, // stamp 1
    0, 0, 0, 4, b'h', b'o', b's', b't', // machinename "host"
    0, 0, 0x03, 0xe8, 0, 0, 0x03, 0xe8, // uid 1000, gid 1000
    0, 0, 0, 1, 0, 0, 0x03, 0xe8, // gids [1000]
    0, 0, 0, 0, 0, 0, 0, 0, // verifier AUTH_NONE
    0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8, // file handle, 8 bytes
    // Record 2, fragment of 60 bytes (not last): NFSv4.1 COMPOUND.
    0, 0, 0, 60, //
    0, 0, 0, 2, // xid 2
    0, 0, 0, 0, // CALL
    0, 0, 0, 2, // RPC version 2
    0, 1, 0x86, 0xa3, // program 100003
    0, 0, 0, 4, // version 4
    0, 0, 0, 1, // procedure 1, COMPOUND
    0, 0, 0, 0, 0, 0, 0, 0, // credential AUTH_NONE
    0, 0, 0, 0, 0, 0, 0, 0, // verifier AUTH_NONE
    0, 0, 0, 4, b'r', b'e', b'a', b'd', // tag "read"
    0, 0, 0, 1, // minor version 1
    0, 0, 0, 3, // three operations
    0, 0, 0, 53, // SEQUENCE: session id, then (in the next fragment) four integers
    // Last fragment, 80 bytes.
    0x80, 0, 0, 80, //
    9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, // session id
    0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // sequence, slot, highest, cachethis
    0, 0, 0, 22, 0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8, // PUTFH, 8-byte handle
    0, 0, 0, 25, // READ
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // stateid
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, // offset 0, count 4096
];

/// Server to client: the NFSv4 reply, then the NFSv3 one.
pub const REPLIES: &[u8] = &[
    0x80, 0, 0, 40, // last fragment, 40 bytes
    0, 0, 0, 2, // xid 2
    0, 0, 0, 1, // REPLY
    0, 0, 0, 0, // MSG_ACCEPTED
    0, 0, 0, 0, 0, 0, 0, 0, // verifier AUTH_NONE
    0, 0, 0, 0, // SUCCESS
    0, 0, 0, 0, // NFS4_OK
    0, 0, 0, 4, b'r', b'e', b'a', b'd', // tag "read"
    0, 0, 0, 0, // no results listed
    0x80, 0, 0, 28, // last fragment, 28 bytes
    0, 0, 0, 1, // xid 1
    0, 0, 0, 1, // REPLY
    0, 0, 0, 0, // MSG_ACCEPTED
    0, 0, 0, 0, 0, 0, 0, 0, // verifier AUTH_NONE
    0, 0, 0, 0, // SUCCESS
    0, 0, 0, 2, // NFS3ERR_NOENT
];
