//! DNS on every DNS capture of `../shared/pcaps`, through the CLI, checked against the facts
//! its MANIFEST states and, for `http_basicauth.pcap`, every DNS field of Packetbeat's golden
//! event for that capture.

mod common;
use common::{pcap, run_capture, shared_pcaps};
use serde_json::{json, Value};
use std::path::Path;

/// Runs `capture` with dns on port 53 plus `options` (YAML flow-map entries).
fn dns_at(capture: &Path, options: &str) -> Vec<Value> {
    let cfg = format!(
        "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {{type: dns, ports: [53]{}{options}}}\n- {{type: http, ports: [80]}}\n",
        if options.is_empty() { "" } else { ", " }
    );
    let run = run_capture(&cfg, capture, &[]);
    assert!(
        run.output.status.success(),
        "{}: {}",
        capture.display(),
        run.stderr()
    );
    run.of_type("dns").into_iter().cloned().collect()
}

fn dns(capture: &str, options: &str) -> Vec<Value> {
    dns_at(&pcap(capture), options)
}

#[test]
fn google_com_sixteen_answers_and_byte_counts() {
    let ev = dns("dns_google_com.pcap", "");
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert_eq!(e["status"], "OK");
    assert_eq!(e["query"], "class IN, type A, google.com");
    assert_eq!(e["dns"]["answers_count"], 16);
    assert_eq!(e["dns"]["resolved_ip"].as_array().map(Vec::len), Some(16));
    assert_eq!(e["source"]["bytes"], 28);
    assert_eq!(e["destination"]["bytes"], 284);
    assert_eq!(e["network"]["bytes"], 312);
    assert_eq!(e["event"]["duration"], 61_782_000);
    assert_eq!(e["@timestamp"], "2015-08-27T08:00:55.638Z");
}

#[test]
fn nanosecond_precision_start() {
    let cfg = "packetbeat.flows.enabled: false\ntimestamp.precision: nanosecond\npacketbeat.protocols:\n- {type: dns, ports: [53]}\n";
    let run = run_capture(cfg, &pcap("dns_google_com.pcap"), &[]);
    assert_eq!(
        run.events[0]["@timestamp"],
        "2015-08-27T08:00:55.638957000Z"
    );
}

#[test]
fn mx_query() {
    let ev = dns("dns_mx.pcap", "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["method"], "QUERY");
    assert_eq!(ev[0]["query"], "class IN, type MX, elastic.co");
    assert_eq!(ev[0]["status"], "OK");
    assert_eq!(ev[0]["dns"]["answers"][0]["preference"], 1);
    assert_eq!(ev[0]["dns"]["answers"][0]["data"], "aspmx.l.google.com");
}

#[test]
fn nxdomain_is_an_error_and_authorities_need_the_option() {
    let ev = dns("dns_not_found.pcap", "");
    assert_eq!(ev.len(), 1);
    let d = &ev[0]["dns"];
    assert_eq!(ev[0]["status"], "Error");
    assert_eq!(d["response_code"], "NXDOMAIN");
    assert_eq!(d["answers_count"], 0);
    assert_eq!(d["authorities_count"], 1);
    assert!(d.get("authorities").is_none());
    assert_eq!(d["question"]["subdomain"], "nothing");
    let ev = dns("dns_not_found.pcap", "include_authorities: true");
    let soa = &ev[0]["dns"]["authorities"][0];
    assert_eq!(soa["type"], "SOA");
    assert_eq!(soa["rname"], "awsdns-hostmaster.amazon.com");
    assert_eq!(soa["minimum"], 86400);
}

#[test]
fn ns_query_among_http_packets_is_the_only_dns_event() {
    let ev = dns("dns_ns.pcap", "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["query"], "class IN, type NS, elastic.co");
    assert_eq!(ev[0]["status"], "OK");
}

#[test]
fn tcp_zone_transfer() {
    let ev = dns("dns_tcp_axfr.pcap", "");
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert_eq!(e["network"]["transport"], "tcp");
    assert_eq!(e["dns"]["question"]["type"], "AXFR");
    assert_eq!(e["status"], "OK");
    let answers = e["dns"]["answers"].as_array().cloned().unwrap_or_default();
    assert_eq!(answers.len(), 4);
    assert_eq!(e["dns"]["answers_count"], 4);
    for a in answers {
        assert!(
            a["name"].as_str().unwrap_or("").ends_with("etas.com"),
            "{a}"
        );
    }
}

#[test]
fn txt_answers_and_raw_texts() {
    let ev = dns("dns_txt.pcap", "send_request: true, send_response: true");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["dns"]["answers_count"], 2);
    assert!(ev[0]["request"]
        .as_str()
        .unwrap_or("")
        .contains("elastic.co"));
    assert!(ev[0]["response"]
        .as_str()
        .unwrap_or("")
        .contains("include:_spf.google.com"));
    let ev = dns("dns_txt.pcap", "");
    assert!(ev[0].get("request").is_none() && ev[0].get("response").is_none());
}

#[test]
fn edns_ds_query_with_do_bit() {
    let ev = dns("dns_udp_edns_ds.pcap", "");
    assert_eq!(ev.len(), 1);
    let d = &ev[0]["dns"];
    assert_eq!(ev[0]["status"], "OK");
    assert_eq!(d["answers_count"], 3);
    assert_eq!(
        d["opt"],
        json!({"do": true, "version": "0", "udp_size": 4000, "ext_rcode": "NOERROR"})
    );
    assert_eq!(d["header_flags"], json!(["RD", "RA", "AD", "DO"]));
    assert_eq!(d["answers"][0]["type"], "DS");
    assert_eq!(d["answers"][2]["type"], "RRSIG");
    assert_eq!(d["answers"][2]["signer_name"], "org");
}

#[test]
fn one_additional_record_opt_not_listed() {
    let ev = dns("dns_additional.pcap", "include_additionals: true");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["dns"]["additionals_count"], 1);
    let add = ev[0]["dns"]["additionals"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(add.len(), 1);
    assert_ne!(add[0]["type"], "OPT");
}

#[test]
fn fragmented_edns_answer_is_decoded_after_reassembly() {
    let capture = shared_pcaps().join("packetbeat/decoder-testdata/udp_edns0_resp.pcap");
    let ev = dns_at(&capture, "");
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert_eq!(e["destination"]["bytes"], 3398);
    assert_eq!(e["source"]["ip"], "192.168.178.24");
    assert_eq!(e["source"]["port"], 35873);
    assert_eq!(
        e["error"]["message"],
        "Response: received without an associated Query"
    );
    assert_eq!(e["status"], "Error");
    assert!(e["dns"]["answers_count"].as_u64().unwrap_or(0) > 0);
}

#[test]
fn basic_auth_capture_matches_packetbeat_golden_dns_event() {
    let ev = dns("http_basicauth.pcap", "");
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    let expect = json!({
        "client": {"bytes": 33, "ip": "172.31.98.49", "port": 51958},
        "destination": {"bytes": 61, "ip": "8.8.8.8", "port": 53},
        "dns": {
            "additionals_count": 0,
            "answers": [{"class": "IN", "data": "2606:2800:220:1:248:1893:25c8:1946",
                         "name": "www.example.com", "ttl": "21353", "type": "AAAA"}],
            "answers_count": 1,
            "authorities_count": 0,
            "flags": {"authentic_data": false, "authoritative": false, "checking_disabled": false,
                      "recursion_available": true, "recursion_desired": true,
                      "truncated_response": false},
            "header_flags": ["RD", "RA"],
            "id": 42715,
            "op_code": "QUERY",
            "question": {"class": "IN", "etld_plus_one": "example.com", "name": "www.example.com",
                         "registered_domain": "example.com", "subdomain": "www",
                         "top_level_domain": "com", "type": "AAAA"},
            "resolved_ip": ["2606:2800:220:1:248:1893:25c8:1946"],
            "response_code": "NOERROR",
            "type": "answer"
        },
        "event": {"category": ["network"], "dataset": "dns", "duration": 20690000,
                  "kind": "event", "type": ["connection", "protocol"]},
        "method": "QUERY",
        "network": {"bytes": 94, "community_id": "1:/Zwm1tJot2cAhFAO0OxKQHuXs3Y=",
                    "protocol": "dns", "transport": "udp", "type": "ipv4"},
        "query": "class IN, type AAAA, www.example.com",
        "related": {"ip": ["172.31.98.49", "8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946"]},
        "resource": "www.example.com",
        "server": {"bytes": 61, "ip": "8.8.8.8", "port": 53},
        "source": {"bytes": 33, "ip": "172.31.98.49", "port": 51958},
        "status": "OK",
        "type": "dns"
    });
    for (key, want) in expect.as_object().into_iter().flatten() {
        let mut got = e[key].clone();
        if key == "event" {
            // event.start/end are stripped by Packetbeat's golden comparison.
            if let Some(o) = got.as_object_mut() {
                o.remove("start");
                o.remove("end");
            }
        }
        assert_eq!(&got, want, "field {key}");
    }
}

#[test]
fn every_shared_capture_decodes_without_error_events_from_garbage() {
    // DNS on port 53 over every shared capture: no crash, and every event is a DNS event
    // with a question or a note.
    for capture in common::all_captures() {
        for e in dns_at(
            &capture,
            "include_authorities: true, include_additionals: true",
        ) {
            assert!(
                e["dns"]["id"].is_u64() && (e.get("query").is_some() || e.get("error").is_some()),
                "{}: {e}",
                capture.display()
            );
        }
    }
}
