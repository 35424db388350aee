//! NFS edge cases on hand-made conversations built from RFC 5531 (RPC), RFC 1813 (NFSv3) and
//! RFC 7530 / 8881 / 7862 (NFSv4.0, 4.1, 4.2): procedures, COMPOUND naming, record marking
//! (several fragments per record, several records per segment, one record over many
//! segments), pairing by xid, NO_REPLY, RPC errors, other programs, garbage and credentials.

use serde_json::Value;
use std::time::Duration;
use wb_proto::{nfs, Dir};
use wb_testkit::suite::{protocol_config_with, test_protocol_config, PORT};
use wb_testkit::{run_frames_counting, Conversation, Segmentation};

const NFS: u32 = 100_003;

/// XDR encoding helpers.
fn u32s(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_be_bytes()).collect()
}

fn opaque(data: &[u8]) -> Vec<u8> {
    let mut out = u32s(&[data.len() as u32]);
    out.extend_from_slice(data);
    out.resize(out.len() + (4 - data.len() % 4) % 4, 0);
    out
}

/// An AUTH_SYS credential (flavor 1): stamp, machine name, uid, gid, gids.
fn auth_sys(machine: &str, uid: u32, gid: u32, gids: &[u32]) -> Vec<u8> {
    let mut body = u32s(&[0x1234]);
    body.extend(opaque(machine.as_bytes()));
    body.extend(u32s(&[uid, gid, gids.len() as u32]));
    body.extend(u32s(gids));
    let mut out = u32s(&[1]);
    out.extend(opaque(&body));
    out
}

fn auth_none() -> Vec<u8> {
    u32s(&[0, 0])
}

/// An RPC call message (no record mark).
fn call(xid: u32, prog: u32, vers: u32, proc_: u32, cred: &[u8], args: &[u8]) -> Vec<u8> {
    let mut m = u32s(&[xid, 0, 2, prog, vers, proc_]);
    m.extend_from_slice(cred);
    m.extend(auth_none());
    m.extend_from_slice(args);
    m
}

/// An accepted reply with `accept_stat` and, for SUCCESS, `results`.
fn accepted(xid: u32, stat: u32, results: &[u8]) -> Vec<u8> {
    let mut m = u32s(&[xid, 1, 0]);
    m.extend(auth_none());
    m.extend(u32s(&[stat]));
    m.extend_from_slice(results);
    m
}

/// One record of a single (last) fragment.
fn record(msg: &[u8]) -> Vec<u8> {
    let mut out = (0x8000_0000u32 | msg.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(msg);
    out
}

/// One record cut into fragments of at most `size` bytes.
fn fragmented(msg: &[u8], size: usize) -> Vec<u8> {
    let chunks: Vec<&[u8]> = msg.chunks(size).collect();
    let mut out = Vec::new();
    for (i, c) in chunks.iter().enumerate() {
        let last = if i + 1 == chunks.len() {
            0x8000_0000
        } else {
            0
        };
        out.extend((last | c.len() as u32).to_be_bytes());
        out.extend_from_slice(c);
    }
    out
}

fn fh() -> Vec<u8> {
    opaque(&[0xab; 32])
}

/// NFSv4 COMPOUND arguments: tag, minor version, operations (number and encoded arguments).
fn compound(tag: &str, minor: u32, ops: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = opaque(tag.as_bytes());
    out.extend(u32s(&[minor, ops.len() as u32]));
    for (op, args) in ops {
        out.extend(u32s(&[*op]));
        out.extend_from_slice(args);
    }
    out
}

fn sequence() -> (u32, Vec<u8>) {
    let mut a = vec![7u8; 16];
    a.extend(u32s(&[1, 0, 0, 0]));
    (53, a)
}

fn putfh() -> (u32, Vec<u8>) {
    (22, fh())
}

fn run_opts(
    conv: &Conversation,
    seg: Segmentation,
    timeout_s: u64,
    options: &str,
) -> (Vec<Value>, wb_proto::AnomalyCounts) {
    let mut cfg = protocol_config_with(nfs::NAME, options);
    cfg.transaction_timeout = Duration::from_secs(timeout_s);
    let protocol = nfs::Nfs::build(&cfg).unwrap_or_else(|e| panic!("{e}"));
    run_frames_counting(vec![protocol], &conv.frames(seg, None))
}

/// Events of `conv`, checked to be the same in several segmentations.
fn run(conv: &Conversation) -> Vec<Value> {
    let (whole, _) = run_opts(conv, Segmentation::Whole, 60, "");
    for size in [1, 5, 64] {
        let (ev, _) = run_opts(conv, Segmentation::Chunks(size), 60, "");
        assert_eq!(ev, whole, "segments of {size} bytes");
    }
    whole
}

fn brief(e: &Value) -> (String, String, String, String) {
    let s = |v: &Value| v.as_str().unwrap_or("-").to_string();
    (
        s(&e["nfs"]["opcode"]),
        s(&e["status"]),
        s(&e["nfs"]["status"]),
        s(&e["rpc"]["status"]),
    )
}

fn b(op: &str, st: &str, nfs: &str, rpc: &str) -> (String, String, String, String) {
    (op.into(), st.into(), nfs.into(), rpc.into())
}

#[test]
fn v3_procedures() {
    let cred = auth_sys("client1", 1000, 100, &[100, 4]);
    let mut lookup = fh();
    lookup.extend(opaque(b"missing.txt"));
    let mut read = fh();
    read.extend(u32s(&[0, 0, 4096]));
    let mut write = fh();
    write.extend(u32s(&[0, 0, 8, 2, 8]));
    write.extend(opaque(b"12345678"));
    let mut calls = record(&call(1, NFS, 3, 0, &cred, &[]));
    calls.extend(record(&call(2, NFS, 3, 1, &cred, &fh())));
    calls.extend(record(&call(3, NFS, 3, 3, &cred, &lookup)));
    calls.extend(record(&call(4, NFS, 3, 6, &cred, &read)));
    calls.extend(record(&call(5, NFS, 3, 7, &cred, &write)));
    let mut replies = record(&accepted(1, 0, &[]));
    replies.extend(record(&accepted(2, 0, &u32s(&[0, 1, 0o644]))));
    // LOOKUP3resfail: NFS3ERR_NOENT and the directory's post-op attributes (absent).
    replies.extend(record(&accepted(3, 0, &u32s(&[2, 0]))));
    replies.extend(record(&accepted(4, 0, &u32s(&[0, 0, 4096, 1]))));
    replies.extend(record(&accepted(5, 0, &u32s(&[28, 0, 0]))));
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &calls)
        .message(Dir::ToClient, &replies);
    let ev = run(&conv);
    assert_eq!(
        ev.iter().map(brief).collect::<Vec<_>>(),
        vec![
            b("NULL", "OK", "NFS_OK", "success"),
            b("GETATTR", "OK", "NFS_OK", "success"),
            b("LOOKUP", "OK", "NFSERR_NOENT", "success"),
            b("READ", "OK", "NFS_OK", "success"),
            b("WRITE", "OK", "NFSERR_NOSPC", "success"),
        ]
    );
    let e = &ev[2];
    assert_eq!(e["network"]["protocol"], "nfsv3");
    assert_eq!(e["nfs"]["version"], 3);
    assert!(e["nfs"].get("minor_version").is_none() && e["nfs"].get("tag").is_none());
    assert_eq!(e["event"]["action"], "nfs.LOOKUP");
    assert_eq!(e["rpc"]["xid"], "00000003");
    assert_eq!(e["rpc"]["auth_flavor"], "unix");
    assert_eq!(e["rpc"]["cred"]["machinename"], "client1");
    assert_eq!(e["rpc"]["cred"]["uid"], 1000);
    assert_eq!(e["rpc"]["cred"]["gid"], 100);
    assert_eq!(e["rpc"]["cred"]["gids"], serde_json::json!([100, 4]));
    assert_eq!(e["rpc"]["cred"]["stamp"], 0x1234);
    // Bytes are RPC message sizes, record marks excluded.
    assert_eq!(
        e["source"]["bytes"],
        (call(3, NFS, 3, 3, &cred, &lookup).len()) as u64
    );
    assert_eq!(e["destination"]["bytes"], 32);
    assert_eq!(e["event"]["duration"], 1_000_000_000u64);
}

#[test]
fn v4_compounds_name_their_main_operation() {
    let cred = auth_sys("c", 0, 0, &[]);
    let open = (18, vec![0u8; 8]);
    let getattr = (9, u32s(&[2, 0x10, 0x20]));
    let calls = [
        // 4.1: SEQUENCE, PUTFH, OPEN, GETATTR -> OPEN.
        call(
            10,
            NFS,
            4,
            1,
            &cred,
            &compound("open", 1, &[sequence(), putfh(), open, getattr.clone()]),
        ),
        // 4.0: PUTROOTFH, GETFH, GETATTR: housekeeping only -> the last one.
        call(
            11,
            NFS,
            4,
            1,
            &cred,
            &compound("", 0, &[(24, vec![]), (10, vec![]), getattr.clone()]),
        ),
        // 4.2: SEQUENCE, PUTFH, SAVEFH, PUTFH, CLONE -> CLONE.
        call(
            12,
            NFS,
            4,
            1,
            &cred,
            &compound(
                "",
                2,
                &[
                    sequence(),
                    putfh(),
                    (32, vec![]),
                    putfh(),
                    (71, vec![0; 40]),
                ],
            ),
        ),
        // An operation number no RFC defines -> ILLEGAL.
        call(
            13,
            NFS,
            4,
            1,
            &cred,
            &compound("", 1, &[sequence(), (999, vec![])]),
        ),
        // The NULL procedure.
        call(14, NFS, 4, 0, &cred, &[]),
    ];
    let mut c = Vec::new();
    for m in &calls {
        c.extend(record(m));
    }
    let res = |status: u32, tag: &str| {
        let mut r = u32s(&[status]);
        r.extend(opaque(tag.as_bytes()));
        r.extend(u32s(&[0]));
        r
    };
    let mut r = record(&accepted(10, 0, &res(10023, "open")));
    r.extend(record(&accepted(11, 0, &res(0, ""))));
    r.extend(record(&accepted(12, 0, &res(10004, ""))));
    r.extend(record(&accepted(13, 0, &res(10044, ""))));
    r.extend(record(&accepted(14, 0, &[])));
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &c)
        .message(Dir::ToClient, &r);
    let ev = run(&conv);
    assert_eq!(
        ev.iter().map(brief).collect::<Vec<_>>(),
        vec![
            b("OPEN", "OK", "NFSERR_STALE_STATEID", "success"),
            b("GETATTR", "OK", "NFS_OK", "success"),
            b("CLONE", "OK", "NFSERR_NOTSUPP", "success"),
            b("ILLEGAL", "OK", "NFSERR_OP_ILLEGAL", "success"),
            b("NULL", "OK", "NFS_OK", "success"),
        ]
    );
    assert_eq!(ev[0]["nfs"]["tag"], "open");
    assert_eq!(ev[0]["nfs"]["minor_version"], 1);
    assert_eq!(ev[1]["nfs"]["minor_version"], 0);
    assert_eq!(ev[1]["nfs"]["tag"], "");
    assert_eq!(ev[2]["nfs"]["minor_version"], 2);
    assert_eq!(ev[0]["network"]["protocol"], "nfsv4");
    assert_eq!(ev[0]["event"]["action"], "nfs.OPEN");
    assert!(ev[4]["nfs"].get("minor_version").is_none());
}

#[test]
fn multi_fragment_records_and_one_record_over_many_segments() {
    let cred = auth_sys("frag", 1, 1, &[]);
    let mut write = fh();
    write.extend(u32s(&[0, 0, 100_000, 2, 100_000]));
    write.extend(opaque(&vec![0x5a; 100_000]));
    let big = call(21, NFS, 3, 7, &cred, &write);
    let small = call(
        22,
        NFS,
        4,
        1,
        &cred,
        &compound("t", 1, &[sequence(), putfh(), (25, vec![0; 28])]),
    );
    // The WRITE in 7 fragments of 16000 bytes, the COMPOUND in fragments of 3 bytes.
    let mut calls = fragmented(&big, 16_000);
    calls.extend(fragmented(&small, 3));
    let mut replies = fragmented(&accepted(22, 0, &u32s(&[0, 1, 0x74, 0])), 1);
    replies.extend(record(&accepted(21, 0, &u32s(&[0, 0, 0, 100_000, 2]))));
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &calls)
        .message(Dir::ToClient, &replies);
    // Segments of at most 1460 bytes, as on an Ethernet link (an IP packet cannot hold the
    // whole WRITE).
    let (whole, anomalies) = run_opts(&conv, Segmentation::Chunks(1460), 60, "");
    assert_eq!(anomalies.iter().count(), 0, "{anomalies:?}");
    for seg in [1, 7, 9000] {
        let (ev, _) = run_opts(&conv, Segmentation::Chunks(seg), 60, "");
        assert_eq!(ev, whole, "segments of {seg}");
    }
    assert_eq!(whole.len(), 2);
    // Replies come back in the other order; pairing is by xid.
    assert_eq!(whole[0]["nfs"]["opcode"], "READ");
    assert_eq!(whole[0]["rpc"]["xid"], "00000016");
    assert_eq!(whole[0]["source"]["bytes"], small.len() as u64);
    assert_eq!(whole[1]["nfs"]["opcode"], "WRITE");
    assert_eq!(whole[1]["source"]["bytes"], big.len() as u64);
}

#[test]
fn a_call_without_reply_is_published_as_no_reply() {
    let cred = auth_sys("c", 0, 0, &[]);
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &record(&call(1, NFS, 3, 1, &cred, &fh())))
        .message(Dir::ToServer, &record(&call(2, NFS, 3, 1, &cred, &fh())))
        .message(Dir::ToClient, &record(&accepted(2, 0, &u32s(&[0]))))
        .message(Dir::ToServer, &record(&call(3, NFS, 3, 4, &cred, &fh())));
    // Timeout 2 s: call 1 (second 1) has expired when the reply of call 2 (second 3) arrives;
    // call 3 is still waiting when the capture ends and is flushed then.
    let (ev, _) = run_opts(&conv, Segmentation::Whole, 2, "");
    let got: Vec<_> = ev
        .iter()
        .map(|e| (e["rpc"]["xid"].clone(), e["status"].clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Value::from("00000001"), Value::from("NO_REPLY")),
            (Value::from("00000002"), Value::from("OK")),
            (Value::from("00000003"), Value::from("NO_REPLY")),
        ]
    );
    assert!(ev[0]
        .get("destination")
        .and_then(|d| d.get("bytes"))
        .is_none());
    assert!(ev[0]["rpc"].get("status").is_none() && ev[0]["nfs"].get("status").is_none());
    assert!(ev[0]["event"].get("duration").is_none());
    // With the default 60 s nothing expires before the end of the capture.
    let (ev, _) = run_opts(&conv, Segmentation::Whole, 60, "");
    assert_eq!(ev[0]["rpc"]["xid"], "00000002");
}

#[test]
fn rpc_errors_and_denied_calls() {
    let cred = auth_sys("c", 0, 0, &[]);
    let mut calls = Vec::new();
    for xid in 1..=4 {
        calls.extend(record(&call(xid, NFS, 3, 1, &cred, &fh())));
    }
    // PROG_MISMATCH carries the supported range.
    let mut replies = record(&accepted(1, 2, &u32s(&[2, 4])));
    replies.extend(record(&accepted(2, 4, &[])));
    // MSG_DENIED: AUTH_ERROR (AUTH_TOOWEAK), RPC_MISMATCH (2..2).
    replies.extend(record(&u32s(&[3, 1, 1, 1, 5])));
    replies.extend(record(&u32s(&[4, 1, 1, 0, 2, 2])));
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &calls)
        .message(Dir::ToClient, &replies);
    let ev = run(&conv);
    assert_eq!(
        ev.iter().map(brief).collect::<Vec<_>>(),
        vec![
            b("GETATTR", "OK", "-", "prog_mismatch"),
            b("GETATTR", "OK", "-", "garbage_args"),
            b("GETATTR", "Error", "-", "auth_error"),
            b("GETATTR", "Error", "-", "rpc_mismatch"),
        ]
    );
    assert!(ev.iter().all(|e| e["event"]["outcome"] == "failure"));
}

#[test]
fn other_programs_garbage_and_huge_fragments_are_skipped() {
    let cred = auth_sys("c", 0, 0, &[]);
    // MOUNT (100005) on the NFS port, then an HTTP line, then a 2 GiB fragment header, then
    // a real NFS call.
    let mut calls = record(&call(1, 100_005, 3, 1, &cred, &opaque(b"/export")));
    calls.extend_from_slice(b"GET / HTTP/1.1\r\n\r\n");
    calls.extend(u32s(&[0xffff_ffff]));
    calls.extend(record(&call(2, NFS, 3, 1, &cred, &fh())));
    let mut replies = record(&accepted(1, 0, &u32s(&[0])));
    replies.extend(record(&accepted(2, 0, &u32s(&[0]))));
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &calls)
        .message(Dir::ToClient, &replies);
    for seg in [Segmentation::Whole, Segmentation::Chunks(3)] {
        let (ev, anomalies) = run_opts(&conv, seg, 60, "");
        assert_eq!(ev.len(), 1, "{ev:?}");
        assert_eq!(ev[0]["rpc"]["xid"], "00000002");
        assert_eq!(anomalies.get("nfs", "other_program"), 1);
        assert_eq!(anomalies.get("nfs", "unmatched_reply"), 1);
        assert!(anomalies.get("nfs", "oversized_record") >= 1);
    }
}

#[test]
fn pending_calls_are_capped_and_counted() {
    let cred = auth_sys("c", 0, 0, &[]);
    let mut calls = Vec::new();
    let mut replies = Vec::new();
    for xid in 1..=5 {
        calls.extend(record(&call(xid, NFS, 3, 1, &cred, &fh())));
        replies.extend(record(&accepted(xid, 0, &u32s(&[0]))));
    }
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &calls)
        .message(Dir::ToClient, &replies);
    let (ev, anomalies) = run_opts(&conv, Segmentation::Whole, 60, "max_pending: 2");
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0]["rpc"]["xid"], "00000004");
    assert_eq!(anomalies.get("nfs", "too_many_pending_calls"), 3);
    assert_eq!(anomalies.get("nfs", "unmatched_reply"), 3);
}

#[test]
fn rpcsec_gss_tokens_are_never_written() {
    // RPCSEC_GSS credential (flavor 6): version 1, DATA, sequence 9, integrity, then the
    // context handle; the verifier holds the checksum.
    let mut body = u32s(&[1, 0, 9, 2]);
    body.extend(opaque(b"SECRET-HANDLE"));
    let mut cred = u32s(&[6]);
    cred.extend(opaque(&body));
    let mut m = u32s(&[77, 0, 2, NFS, 4, 1]);
    m.extend(cred);
    m.extend(u32s(&[6]));
    m.extend(opaque(b"SECRET-MIC"));
    // rpc_gss_integ_data: length, sequence number, then the arguments.
    let args = compound("", 1, &[sequence(), putfh(), (38, vec![0; 40])]);
    m.extend(u32s(&[args.len() as u32 + 4, 9]));
    m.extend(args);
    m.extend(opaque(b"SECRET-CHECKSUM"));
    let mut reply = u32s(&[77, 1, 0, 6]);
    reply.extend(opaque(b"SECRET-REPLY-MIC"));
    reply.extend(u32s(&[0, 12, 9, 0, 0, 0]));
    // The privacy service: the arguments and results are encrypted.
    let mut body = u32s(&[1, 0, 10, 3]);
    body.extend(opaque(b"SECRET-HANDLE"));
    let mut private = u32s(&[78, 0, 2, NFS, 4, 1, 6]);
    private.extend(opaque(&body));
    private.extend(u32s(&[6]));
    private.extend(opaque(b"SECRET-MIC"));
    private.extend(opaque(b"SECRET-ENCRYPTED-ARGUMENTS"));
    let mut private_reply = u32s(&[78, 1, 0, 6]);
    private_reply.extend(opaque(b"SECRET-REPLY-MIC"));
    private_reply.extend(u32s(&[0]));
    private_reply.extend(opaque(b"SECRET-ENCRYPTED-RESULTS"));
    let mut calls = record(&m);
    calls.extend(record(&private));
    let mut replies = record(&reply);
    replies.extend(record(&private_reply));
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &calls)
        .message(Dir::ToClient, &replies);
    let ev = run(&conv);
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0]["rpc"]["auth_flavor"], "rpcsec_gss");
    assert!(ev[0]["rpc"].get("cred").is_none());
    assert_eq!(ev[0]["nfs"]["opcode"], "WRITE");
    assert_eq!(ev[0]["nfs"]["status"], "NFS_OK");
    assert_eq!(ev[1]["nfs"]["version"], 4);
    assert!(ev[1]["nfs"].get("opcode").is_none() && ev[1]["nfs"].get("status").is_none());
    assert_eq!(ev[1]["rpc"]["status"], "success");
    for e in &ev {
        assert!(!e.to_string().contains("SECRET"), "{e}");
    }
}

#[test]
fn a_gap_inside_a_write_body_keeps_the_transaction() {
    let cred = auth_sys("c", 0, 0, &[]);
    let mut write = fh();
    write.extend(u32s(&[0, 0, 20_000, 2, 20_000]));
    write.extend(opaque(&vec![1; 20_000]));
    let conv = Conversation::new(PORT)
        .message(Dir::ToServer, &record(&call(5, NFS, 3, 7, &cred, &write)))
        .message(Dir::ToClient, &record(&accepted(5, 0, &u32s(&[0]))))
        .message(Dir::ToServer, &record(&call(6, NFS, 3, 1, &cred, &fh())))
        .message(Dir::ToClient, &record(&accepted(6, 0, &u32s(&[0]))));
    let mut cfg = test_protocol_config(nfs::NAME);
    cfg.transaction_timeout = Duration::from_secs(60);
    let protocol = nfs::Nfs::build(&cfg).unwrap_or_else(|e| panic!("{e}"));
    let frames = conv.frames(
        Segmentation::Chunks(1000),
        Some((Dir::ToServer, 5000, 1000)),
    );
    let (ev, _) = run_frames_counting(vec![protocol], &frames);
    let ops: Vec<_> = ev.iter().map(|e| e["nfs"]["opcode"].clone()).collect();
    assert_eq!(ops, vec![Value::from("WRITE"), Value::from("GETATTR")]);
}
