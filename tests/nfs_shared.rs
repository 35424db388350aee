//! NFS on every NFS capture of `../shared/pcaps`, through the CLI, checked against the facts
//! its MANIFEST states (nfs on port 2049, flows off).

mod common;
use common::{pcap, run_capture};
use serde_json::Value;

fn nfs(capture: &str) -> Vec<Value> {
    let cfg =
        "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {type: nfs, ports: [2049]}\n";
    let run = run_capture(cfg, &pcap(capture), &[]);
    assert!(run.output.status.success(), "{capture}: {}", run.stderr());
    run.of_type("nfs").into_iter().cloned().collect()
}

#[test]
fn v3_lookup_of_a_missing_name() {
    let ev = nfs("nfs_v3.pcap");
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert_eq!(e["network"]["protocol"], "nfsv3");
    assert_eq!(e["nfs"]["version"], 3);
    assert_eq!(e["nfs"]["opcode"], "LOOKUP");
    assert_eq!(e["nfs"]["status"], "NFSERR_NOENT");
    assert_eq!(e["rpc"]["auth_flavor"], "unix");
    assert_eq!(e["rpc"]["xid"], "a19a75d0");
    assert_eq!(e["rpc"]["status"], "success");
    assert_eq!(e["rpc"]["cred"]["machinename"], "ani");
    assert_eq!(e["rpc"]["cred"]["gids"], serde_json::json!([0]));
    assert_eq!(e["status"], "OK");
    assert_eq!(e["event"]["action"], "nfs.LOOKUP");
    // RPC message sizes, record-marking headers excluded (tshark: fragments of 116 and 32).
    assert_eq!(e["source"]["bytes"], 116);
    assert_eq!(e["destination"]["bytes"], 32);
    assert!(e["event"]["duration"].as_u64().is_some());
}

#[test]
fn v41_readdir_compound() {
    let ev = nfs("nfs_v4.pcap");
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert_eq!(e["network"]["protocol"], "nfsv4");
    assert_eq!(e["nfs"]["version"], 4);
    assert_eq!(e["nfs"]["minor_version"], 1);
    assert_eq!(e["nfs"]["tag"], "readdir");
    assert_eq!(e["nfs"]["opcode"], "READDIR");
    assert_eq!(e["nfs"]["status"], "NFS_OK");
    assert_eq!(e["rpc"]["cred"]["uid"], 500);
    assert_eq!(
        e["rpc"]["cred"]["gids"],
        serde_json::json!([500, 500, 499, 491])
    );
}

#[test]
fn close_clone_and_layoutstats_are_the_main_operations() {
    let ev = nfs("nfs4_close.pcap");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["nfs"]["opcode"], "CLOSE");
    assert_eq!(ev[0]["nfs"]["tag"], "");
    let ev = nfs("nfsv42_clone.pcap");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["nfs"]["opcode"], "CLONE");
    assert_eq!(ev[0]["nfs"]["minor_version"], 2);
    assert_eq!(ev[0]["nfs"]["status"], "NFSERR_NOTSUPP");
    let ev = nfs("nfsv42_layoutstats.pcap");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["nfs"]["opcode"], "LAYOUTSTATS");
    assert_eq!(ev[0]["nfs"]["status"], "NFSERR_OP_ILLEGAL");
}

#[test]
fn tags_and_fields_of_the_nfs_entry_reach_its_events() {
    let cfg = "packetbeat.flows.enabled: false\npacketbeat.protocols:\n\
               - {type: nfs, ports: [2049], tags: [storage], fields: {site: lab}}\n";
    let run = run_capture(cfg, &pcap("nfs_v3.pcap"), &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    let ev = run.of_type("nfs");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["tags"], serde_json::json!(["storage"]));
    assert_eq!(ev[0]["fields"]["site"], "lab");
}
