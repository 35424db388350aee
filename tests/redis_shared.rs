//! Redis on every Redis capture of `../shared/pcaps`, through the CLI, checked against the
//! facts its MANIFEST states (redis on port 6380, flows off).

mod common;
use common::{pcap, run_capture};
use serde_json::Value;

fn redis(capture: &str, options: &str) -> Vec<Value> {
    let cfg = format!(
        "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {{type: redis, ports: [6380]{}{options}}}\n",
        if options.is_empty() { "" } else { ", " }
    );
    let run = run_capture(&cfg, &pcap(capture), &[]);
    assert!(run.output.status.success(), "{capture}: {}", run.stderr());
    run.of_type("redis").into_iter().cloned().collect()
}

#[test]
fn one_transaction_and_the_send_options() {
    let ev = redis("redis_one_transaction.pcap", "");
    assert_eq!(ev.len(), 1);
    assert!(ev[0].get("request").is_none() && ev[0].get("response").is_none());
    let ev = redis("redis_one_transaction.pcap", "send_request: true");
    assert!(ev[0]["request"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(ev[0].get("response").is_none());
    let ev = redis("redis_one_transaction.pcap", "send_response: true");
    assert!(ev[0]["response"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(ev[0].get("request").is_none());
}

#[test]
fn session_with_a_wrongtype_error() {
    let ev = redis("redis_session.pcap", "");
    assert!(ev.len() >= 3);
    assert_eq!(ev[0]["method"], "SET");
    assert_eq!(ev[0]["query"], "set key3 me");
    assert_eq!(ev[0]["redis"]["return_value"], "OK");
    assert_eq!(ev[1]["query"], "get key3");
    assert_eq!(ev[1]["redis"]["return_value"], "me");
    assert_eq!(ev[2]["status"], "Error");
    assert_eq!(
        ev[2]["redis"]["error"],
        "ERR Operation against a key holding the wrong kind of value"
    );
    assert_eq!(ev[2]["event"]["outcome"], "failure");
    for (i, e) in ev.iter().enumerate() {
        if i != 2 {
            assert_eq!(e["status"], "OK", "{e}");
        }
        assert_eq!(e["type"], "redis");
        assert_eq!(e["event"]["dataset"], "redis");
        assert!(e["source"]["bytes"].as_u64().unwrap_or(0) > 0);
        assert!(e["destination"]["bytes"].as_u64().unwrap_or(0) > 0);
    }
}
