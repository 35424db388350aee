//! NFS on real traffic: `tests/data/nfs.pcap` was recorded by `scripts/record-nfs` (the libnfs
//! client tools against the userspace NFS-Ganesha server in network namespaces, over NFSv4.0
//! and NFSv3: directory listings, reads of a small, a missing and a 64 KiB file, writes).
//! Every reply tshark decoded (`tests/data/nfs.truth.ndjson`) must be one transaction with the
//! same version, operation and status; lost and reordered segments must never mislabel one.

mod common;
use common::pcap_edit::{drop_data_segments, read_pcap, reorder_same_direction, write_pcap, Pcap};
use common::run_capture;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const CONFIG: &str =
    "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {type: nfs, ports: [2049]}\n";

/// NFSv4 operations that only prepare the main one (see docs/fields.md).
const HOUSEKEEPING: &[&str] = &[
    "GETATTR",
    "GETFH",
    "PUTFH",
    "PUTPUBFH",
    "PUTROOTFH",
    "RESTOREFH",
    "SAVEFH",
    "SEQUENCE",
];

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn run(path: &Path) -> Vec<Value> {
    let run = run_capture(CONFIG, path, &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    run.of_type("nfs").into_iter().cloned().collect()
}

fn run_edited(p: &Pcap) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("edited.pcap");
    write_pcap(p, &path);
    run(&path)
}

/// What the truth says a transaction is: (version, opcode, status).
fn expected(t: &Value) -> (u64, String, String) {
    let procedure = t["procedure"].as_str().unwrap_or("");
    let ops: Vec<&str> = t["ops"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let opcode = if procedure == "COMPOUND" {
        ops.iter()
            .find(|op| !HOUSEKEEPING.contains(op))
            .or(ops.last())
            .copied()
            .unwrap_or("")
            .to_string()
    } else {
        procedure.to_string()
    };
    // tshark writes NFS3_OK / NFS4ERR_NOENT; Packetbeat NFS_OK / NFSERR_NOENT. NULL has no
    // status on the wire: it is NFS_OK.
    let status = t["status"]
        .as_str()
        .unwrap_or("NFS_OK")
        .replace("NFS3_OK", "NFS_OK")
        .replace("NFS4_OK", "NFS_OK")
        .replace("NFS3ERR_", "NFSERR_")
        .replace("NFS4ERR_", "NFSERR_");
    (t["version"].as_u64().unwrap_or(0), opcode, status)
}

fn actual(e: &Value) -> (u64, String, String) {
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    (
        e["nfs"]["version"].as_u64().unwrap_or(0),
        s(&e["nfs"]["opcode"]),
        s(&e["nfs"]["status"]),
    )
}

fn by_xid(events: &[Value]) -> BTreeMap<String, Value> {
    events
        .iter()
        .map(|e| {
            (
                e["rpc"]["xid"].as_str().unwrap_or("").to_string(),
                e.clone(),
            )
        })
        .collect()
}

#[test]
fn every_reply_matches_what_tshark_decoded() {
    let truth: Vec<Value> = std::fs::read_to_string(data("nfs.truth.ndjson"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(truth.len(), 68);
    let events = run(&data("nfs.pcap"));
    assert_eq!(events.len(), truth.len());
    let got = by_xid(&events);
    for t in &truth {
        let xid = t["xid"].as_str().unwrap_or("");
        let e = got.get(xid).unwrap_or_else(|| panic!("no event for {t}"));
        assert_eq!(actual(e), expected(t), "{t} vs {e}");
        assert_eq!(e["status"], "OK");
        assert_eq!(e["rpc"]["status"], "success");
        assert_eq!(e["rpc"]["auth_flavor"], "unix");
        let protocol = if t["version"] == 3 { "nfsv3" } else { "nfsv4" };
        assert_eq!(e["network"]["protocol"], protocol);
        assert!(e["event"]["duration"].as_u64().is_some());
    }
    // The 64 KiB READ replies span many segments; both versions read it.
    let big_reads = events
        .iter()
        .filter(|e| {
            e["nfs"]["opcode"] == "READ" && e["destination"]["bytes"].as_u64() > Some(65_536)
        })
        .count();
    assert_eq!(big_reads, 2);
    assert!(events.iter().any(|e| e["nfs"]["status"] == "NFSERR_NOENT"));
}

#[test]
fn reordered_segments_give_the_same_transactions() {
    let straight = run(&data("nfs.pcap"));
    let mut p = read_pcap(&data("nfs.pcap"));
    assert!(reorder_same_direction(&mut p, 3) > 0);
    let reordered = run_edited(&p);
    let a: Vec<_> = straight.iter().map(actual).collect();
    let b: Vec<_> = reordered.iter().map(actual).collect();
    assert_eq!(a, b);
}

#[test]
fn lost_segments_never_mislabel_a_transaction() {
    let straight = by_xid(&run(&data("nfs.pcap")));
    for skip in 0..5 {
        let mut p = read_pcap(&data("nfs.pcap"));
        let dropped = drop_data_segments(&mut p, skip, 9);
        let lossy = run_edited(&p);
        assert!(dropped > 0 && !lossy.is_empty(), "skip {skip}");
        for e in &lossy {
            let xid = e["rpc"]["xid"].as_str().unwrap_or("");
            let s = straight
                .get(xid)
                .unwrap_or_else(|| panic!("skip {skip}: unknown xid {xid}"));
            if e["status"] == "NO_REPLY" {
                // The reply was lost: the call itself must still be named right.
                assert_eq!(e["nfs"]["opcode"], s["nfs"]["opcode"], "skip {skip}");
                continue;
            }
            assert_eq!(actual(e), actual(s), "skip {skip}");
        }
    }
}
