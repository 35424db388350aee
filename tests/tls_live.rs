//! TLS on a capture of real traffic (tests/data/tls.pcap, made by scripts/record-tls:
//! `openssl s_server` and `s_client` on a namespace's loopback), compared session by session
//! with what each client reported (tests/data/tls.truth.ndjson): SNI, version, cipher, ALPN,
//! resumption, whether the handshake completed, and alerts.

mod common;
use common::run_capture;
use serde_json::Value;
use std::path::{Path, PathBuf};

const CONFIG: &str = "packetbeat.flows.enabled: false\npacketbeat.protocols:\n\
- {type: tls, ports: [8443, 8444, 8445]}\n";

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn truth() -> Vec<Value> {
    std::fs::read_to_string(data("tls.truth.ndjson"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn every_session_matches_what_its_client_reported() {
    let run = run_capture(CONFIG, &data("tls.pcap"), &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    let mut ev: Vec<Value> = run.of_type("tls").into_iter().cloned().collect();
    // The sessions ran one after the other: event order = start order = truth order.
    ev.sort_by_key(|e| e["event"]["start"].as_str().unwrap().to_string());
    let truth = truth();
    assert_eq!(ev.len(), truth.len(), "{ev:#?}");
    for (e, t) in ev.iter().zip(&truth) {
        let name = t["session"].as_str().unwrap();
        let tls = &e["tls"];
        assert_eq!(e["server"]["port"], t["port"], "{name}");
        assert_eq!(e["destination"]["domain"], t["sni"], "{name}");
        assert_eq!(tls["client"]["server_name"], t["sni"], "{name}");
        assert_eq!(tls["established"], t["established"], "{name}");
        let status = if t["established"] == true {
            "OK"
        } else {
            "Error"
        };
        assert_eq!(e["status"], status, "{name}");
        assert_eq!(tls["resumed"], t["reused"], "{name}");
        if let Some(v) = t["version"].as_str() {
            assert_eq!(tls["version"], v, "{name}");
            assert_eq!(tls["cipher"], t["cipher"], "{name}");
        }
        // ALPN offered by the client, as sent.
        let offered = &tls["detailed"]["client_hello"]["extensions"]
            ["application_layer_protocol_negotiation"];
        if t["alpn_offered"].as_array().unwrap().is_empty() {
            assert!(offered.is_null(), "{name}");
        } else {
            assert_eq!(offered, &t["alpn_offered"], "{name}");
        }
        // The selected ALPN is visible only in TLS 1.2 (TLS 1.3 sends it encrypted).
        if t["version"] == "1.2" {
            assert_eq!(tls["next_protocol"], t["alpn_selected"], "{name}");
        }
        // Certificates travel in clear only before TLS 1.3, and not when resuming.
        if t["version"] == "1.2" && t["reused"] == false {
            assert_eq!(tls["server"]["subject"], t["server_subject"], "{name}");
            assert_eq!(tls["server"]["x509"]["public_key_size"], 2048, "{name}");
        }
        if let Some(subject) = t["client_subject"].as_str() {
            assert_eq!(tls["client"]["subject"], subject, "{name}");
            assert_eq!(
                tls["client"]["x509"]["public_key_algorithm"], "ECDSA",
                "{name}"
            );
            assert_eq!(
                tls["detailed"]["client_certificate_requested"], true,
                "{name}"
            );
        }
        if let Some(code) = t["alert_received"].as_u64() {
            let alerts = tls["detailed"]["alerts"].as_array().unwrap();
            assert!(
                alerts
                    .iter()
                    .any(|a| a["code"] == code && a["source"] == "server"),
                "{name}: {alerts:?}"
            );
        }
        if t["reused"] == true {
            let method = tls["detailed"]["resumption_method"].as_str().unwrap();
            let want: &[&str] = if t["version"] == "1.3" {
                &["psk"]
            } else {
                &["id", "ticket"]
            };
            assert!(want.contains(&method), "{name}: {method}");
        }
    }
    // The client that did not trust the server's CA aborted with its own alert.
    let (e, _) = ev
        .iter()
        .zip(&truth)
        .find(|(_, t)| t["session"] == "tls12-unknown-ca")
        .unwrap();
    assert_eq!(
        e["tls"]["detailed"]["alerts"][0],
        serde_json::json!({"severity": "fatal", "code": 48, "type": "unknown_ca", "source": "client"})
    );
}
