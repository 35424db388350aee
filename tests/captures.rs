//! Every capture under `../shared/pcaps` through the real binary: no panic, every packet
//! accounted for (in a flow, or counted as a decode error or an incomplete fragment), and flow
//! packet/byte totals equal to tshark's per-conversation sums.

mod common;
use common::{all_captures, run_capture, Run};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Flows on (final reports only) and the protocols a Packetbeat user typically lists.
const CONFIG: &str = "packetbeat.flows:\n  timeout: 30s\n  period: -1s\n\
packetbeat.protocols:\n- {type: http, ports: [80, 8080, 8000, 5000, 8002]}\n- {type: dns, ports: [53]}\n\
- {type: tls, ports: [443]}\n- {type: mysql, ports: [3306]}\n- {type: pgsql, ports: [5432]}\n\
- {type: redis, ports: [6379]}\n- {type: mongodb, ports: [27017]}\n- {type: template, ports: [7777]}\n\
- {type: memcache, ports: [11211]}\n- {type: amqp, ports: [5672]}\n- {type: thrift, ports: [9090]}\n\
- {type: sip, ports: [5060]}\n- {type: cassandra, ports: [9042]}\n- {type: nfs, ports: [2049]}\n\
- {type: kafka, ports: [9092]}\n";

/// A number from the summary, e.g. `summary_count(s, "packets:")`.
fn summary_count(stderr: &str, label: &str) -> u64 {
    stderr
        .lines()
        .find_map(|l| l.trim_start().strip_prefix(label))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no '{label}' in summary:\n{stderr}"))
}

/// `(name, count)` pairs of the summary's drops line.
fn summary_drops(stderr: &str) -> BTreeMap<String, u64> {
    let line = stderr
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("drops:"))
        .unwrap_or("");
    line.split(',')
        .filter_map(|item| {
            let mut it = item.split_whitespace();
            Some((it.next()?.to_string(), it.next()?.parse().ok()?))
        })
        .collect()
}

fn flow_packet_sum(run: &Run) -> u64 {
    run.of_type("flow")
        .iter()
        .map(|f| f["network"]["packets"].as_u64().unwrap_or(0))
        .sum()
}

#[test]
fn every_shared_capture_is_read_and_every_packet_accounted_for() {
    let captures = all_captures();
    assert!(
        captures.len() > 100,
        "expected the shared captures beside the repository"
    );
    for capture in &captures {
        let run = run_capture(CONFIG, capture, &[]);
        let err = run.stderr();
        assert!(!err.contains("panicked"), "{}: {err}", capture.display());
        assert!(run.output.status.success(), "{}: {err}", capture.display());
        let packets = summary_count(&err, "packets:");
        let drops = summary_drops(&err);
        let decode_errors: u64 = drops
            .iter()
            .filter(|(k, _)| k.starts_with("decode."))
            .map(|(_, n)| n)
            .sum();
        let incomplete = drops
            .get("defrag.incomplete_fragments")
            .copied()
            .unwrap_or(0);
        let table_full = drops.get("flows.table_full").copied().unwrap_or(0);
        assert_eq!(
            packets,
            flow_packet_sum(&run) + decode_errors + incomplete + table_full,
            "{}: packets not accounted for\n{err}",
            capture.display()
        );
    }
}

/// Per-conversation `(packets, bytes)` from tshark, keyed like [`flow_key`].
fn tshark_conversations(capture: &Path) -> Option<BTreeMap<String, (u64, u64)>> {
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(capture)
        .args(["-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE"])
        .args(["-T", "fields", "-E", "separator=|", "-E", "occurrence=f"])
        .args([
            "-e",
            "frame.len",
            "-e",
            "ip.src",
            "-e",
            "ip.dst",
            "-e",
            "ipv6.src",
            "-e",
            "ipv6.dst",
        ])
        .args([
            "-e",
            "tcp.srcport",
            "-e",
            "tcp.dstport",
            "-e",
            "udp.srcport",
            "-e",
            "udp.dstport",
        ])
        .args([
            "-e",
            "ip.flags.mf",
            "-e",
            "ip.frag_offset",
            "-e",
            "icmp.type",
            "-e",
            "icmpv6.type",
        ])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let mut convs = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = line.split('|').collect();
        let get = |i: usize| f.get(i).copied().unwrap_or("");
        let fragmented = get(9) == "1" || get(9) == "True" || !matches!(get(10), "" | "0");
        // ICMP errors quote a TCP/UDP header: they belong to an ICMP flow, not this one.
        if fragmented || !get(11).is_empty() || !get(12).is_empty() {
            continue;
        }
        let (src, dst) = if get(1).is_empty() {
            (get(3), get(4))
        } else {
            (get(1), get(2))
        };
        let (proto, sp, dp) = if !get(5).is_empty() {
            ("tcp", get(5), get(6))
        } else if !get(7).is_empty() {
            ("udp", get(7), get(8))
        } else {
            continue;
        };
        if src.is_empty() {
            continue;
        }
        let key = flow_key(proto, src, sp, dst, dp);
        let e = convs.entry(key).or_insert((0, 0));
        e.0 += 1;
        e.1 += get(0).parse::<u64>().unwrap_or(0);
    }
    Some(convs)
}

fn flow_key(proto: &str, a: &str, ap: &str, b: &str, bp: &str) -> String {
    let (x, y) = (format!("{a} {ap}"), format!("{b} {bp}"));
    if x <= y {
        format!("{proto} {x} {y}")
    } else {
        format!("{proto} {y} {x}")
    }
}

#[test]
fn flow_counts_match_tshark_conversations() {
    if Command::new("tshark").arg("-v").output().is_err() {
        panic!("tshark is needed for this test (scripts/test installs it)");
    }
    let mut compared = 0;
    for capture in all_captures() {
        let run = run_capture(CONFIG, &capture, &[]);
        let drops = summary_drops(&run.stderr());
        if drops.keys().any(|k| k.starts_with("defrag.")) || run.stderr().contains("fragments") {
            continue;
        }
        let Some(expected) = tshark_conversations(&capture) else {
            continue;
        };
        let mut ours: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for f in run.of_type("flow") {
            let proto = f["network"]["transport"].as_str().unwrap_or("");
            if proto != "tcp" && proto != "udp" {
                continue;
            }
            let s = |side: &str, k: &str| f[side][k].to_string().trim_matches('"').to_string();
            let key = flow_key(
                proto,
                &s("source", "ip"),
                &s("source", "port"),
                &s("destination", "ip"),
                &s("destination", "port"),
            );
            let e = ours.entry(key).or_insert((0, 0));
            e.0 += f["network"]["packets"].as_u64().unwrap_or(0);
            e.1 += f["network"]["bytes"].as_u64().unwrap_or(0);
        }
        for (key, theirs) in &expected {
            assert_eq!(
                ours.get(key),
                Some(theirs),
                "{}: conversation {key}",
                capture.display()
            );
            compared += 1;
        }
    }
    assert!(compared > 100, "only {compared} conversations compared");
}
