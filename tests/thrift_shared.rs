//! Thrift on every Thrift capture of `../shared/pcaps`, through the CLI, checked against the
//! facts its MANIFEST states (thrift on port 9090, flows off). The IDL files the captures need
//! are our own, in `tests/data/thrift/`.

mod common;
use common::{pcap, run_capture};
use serde_json::Value;

const CALCULATOR_IDL: &str = "tests/data/thrift/calculator.thrift";
const THRIFT_TEST_IDL: &str = "tests/data/thrift/ThriftTest.thrift";

fn idl(path: &str) -> String {
    format!(
        "idl_files: [\"{}/{path}\"]",
        env!("CARGO_MANIFEST_DIR").replace('\\', "/")
    )
}

fn thrift(capture: &str, options: &str) -> Vec<Value> {
    let cfg = format!(
        "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {{type: thrift, ports: [9090]{}{options}}}\n",
        if options.is_empty() { "" } else { ", " }
    );
    let run = run_capture(&cfg, &pcap(capture), &[]);
    assert!(run.output.status.success(), "{capture}: {}", run.stderr());
    run.of_type("thrift").into_iter().cloned().collect()
}

/// `(query, status, thrift.return_value or "-" when absent)` of each event.
fn brief(ev: &[Value]) -> Vec<(String, String, String)> {
    ev.iter()
        .map(|e| {
            (
                e["query"].as_str().unwrap_or("").to_string(),
                e["status"].as_str().unwrap_or("").to_string(),
                e["thrift"]["return_value"]
                    .as_str()
                    .unwrap_or("-")
                    .to_string(),
            )
        })
        .collect()
}

fn tutorial_checks(ev: &[Value]) {
    assert_eq!(ev.len(), 17);
    assert_eq!(ev[0]["query"], "ping()");
    assert_eq!(ev[0]["thrift"]["params"], "()");
    assert_eq!(ev[1]["method"], "add");
    assert_eq!(ev[1]["thrift"]["params"], "(1: 1, 2: 1)");
    assert_eq!(ev[1]["query"], "add(1: 1, 2: 1)");
    assert_eq!(ev[1]["thrift"]["return_value"], "2");
    assert_eq!(ev[11]["status"], "Error");
    assert_eq!(
        ev[11]["thrift"]["exceptions"],
        "(1: (1: 4, 2: \"Cannot divide by 0\"))"
    );
    for (i, e) in ev.iter().enumerate() {
        assert_eq!(e["type"], "thrift");
        assert!(e["source"]["bytes"].as_u64().unwrap_or(0) > 0, "#{i}");
        let oneway = i == 14 || i == 15;
        assert_eq!(e["destination"].get("bytes").is_none(), oneway, "#{i}");
        assert_eq!(e["thrift"].get("return_value").is_none(), oneway, "#{i}");
        if i != 11 {
            assert_eq!(e["status"], "OK", "#{i}");
        }
    }
    assert_eq!(ev[14]["query"], "zip()");
}

#[test]
fn tutorial_over_a_socket() {
    let ev = thrift(
        "thrift_tutorial.pcap",
        "send_request: true, send_response: true",
    );
    tutorial_checks(&ev);
    assert_eq!(
        ev[11]["response"],
        "Exceptions: (1: (1: 4, 2: \"Cannot divide by 0\"))"
    );
    assert_eq!(ev[1]["request"], "add(1: 1, 2: 1)");
    assert_eq!(ev[1]["response"], "2");
    assert_eq!(ev[1]["source"]["bytes"], 30);
    assert_eq!(ev[1]["destination"]["bytes"], 23);
    assert_eq!(ev[4]["thrift"]["params"], "(1: 1.2, 2: 1.3)");
    assert_eq!(ev[4]["thrift"]["return_value"], "2.5");
    assert_eq!(ev[6]["thrift"]["return_value"], "\"hello\"");
    assert_eq!(ev[8]["thrift"]["return_value"], "[1, 2, 3]");
    assert_eq!(ev[9]["thrift"]["return_value"], "{1, 2, 3}");
    assert_eq!(
        ev[10]["thrift"]["return_value"],
        "{\"a\": 1, \"c\": 3, \"b\": 2}"
    );
    assert_eq!(ev[13]["thrift"]["return_value"], "(1: 1, 2: \"5\")");
    // Without send_* the raw texts are absent.
    let ev = thrift("thrift_tutorial.pcap", "");
    assert!(ev
        .iter()
        .all(|e| e.get("request").is_none() && e.get("response").is_none()));
}

#[test]
fn tutorial_with_idl_names() {
    let ev = thrift("thrift_tutorial.pcap", &idl(CALCULATOR_IDL));
    assert_eq!(ev.len(), 17);
    assert_eq!(ev[1]["thrift"]["params"], "(num1: 1, num2: 1)");
    assert_eq!(ev[1]["thrift"]["service"], "Calculator");
    assert_eq!(ev[1]["path"], "Calculator");
    assert_eq!(
        ev[11]["thrift"]["exceptions"],
        "(ouch: (1: 4, 2: \"Cannot divide by 0\"))"
    );
    // A method of the extended service is named by the service declaring it.
    assert_eq!(ev[13]["path"], "SharedService");
    // Without IDL there is no service.
    let ev = thrift("thrift_tutorial.pcap", "");
    assert!(ev
        .iter()
        .all(|e| e.get("path").is_none() && e["thrift"].get("service").is_none()));
}

#[test]
fn tutorial_framed_gives_the_same_events() {
    let socket = brief(&thrift("thrift_tutorial.pcap", ""));
    let ev = thrift(
        "thrift_tutorial_framed_transport.pcap",
        "transport_type: framed",
    );
    tutorial_checks(&ev);
    assert_eq!(brief(&ev), socket);
    // Framed sizes count the message, not the 4-byte length prefix.
    assert_eq!(ev[0]["source"]["bytes"], 17);
    // Read as a plain socket, the frames are not messages.
    assert!(thrift("thrift_tutorial_framed_transport.pcap", "").is_empty());
}

#[test]
fn tutorial_framed_over_ipv6() {
    let ev = thrift("ipv6_thrift.pcap", "transport_type: framed");
    tutorial_checks(&ev);
    for e in &ev {
        assert_eq!(e["client"]["ip"], "::1");
        assert_eq!(e["server"]["ip"], "::1");
        assert_eq!(e["network"]["type"], "ipv6");
    }
}

#[test]
fn echo_binary_as_hex() {
    let ev = thrift("thrift_echo_binary.pcap", "transport_type: framed");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["method"], "echo_binary");
    assert_eq!(ev[0]["thrift"]["return_value"], "ab0c1d281a000000");
    assert_eq!(ev[0]["thrift"]["params"], "(1: ab0c1d281a000000)");
}

#[test]
fn cross_language_integration_test() {
    let ev = thrift("thrift_integration.pcap", &idl(THRIFT_TEST_IDL));
    assert_eq!(ev.len(), 26);
    assert!(ev.iter().all(|e| e["thrift"]["service"] == "ThriftTest"));
    assert_eq!(ev[0]["method"], "testByte");
    assert_eq!(ev[0]["thrift"]["params"], "(thing: 63)");
    assert_eq!(ev[0]["thrift"]["return_value"], "63");
    assert_eq!(ev[5]["method"], "testEnum");
    assert_eq!(ev[17]["method"], "testOneway");
    assert!(ev[17]["thrift"].get("return_value").is_none());
    assert!(ev[17]["destination"].get("bytes").is_none());
    assert_eq!(ev[21]["method"], "testString");
    let python20 = format!("\"{}\"", "Python".repeat(20));
    assert_eq!(ev[21]["thrift"]["return_value"], python20.as_str());
    assert_eq!(ev[21]["thrift"]["params"], format!("(thing: {python20})"));
    // The declared exception is named by the IDL and makes the call an error.
    assert_eq!(ev[7]["status"], "Error");
    assert_eq!(
        ev[7]["thrift"]["exceptions"],
        "(err1: (1: 1001, 2: \"Xception\"))"
    );
    assert_eq!(ev.iter().filter(|e| e["status"] == "Error").count(), 1);
    // string_max_size cuts the long string.
    let ev = thrift("thrift_integration.pcap", "string_max_size: 6");
    assert_eq!(ev[21]["thrift"]["return_value"], "\"Python...\"");
}

#[test]
fn protocol_tags_fields_and_timeout_options() {
    let ev = thrift(
        "thrift_tutorial.pcap",
        "tags: [rpc], fields: {team: calc}, transaction_timeout: 5s",
    );
    assert_eq!(ev.len(), 17);
    assert!(ev.iter().all(|e| e["tags"] == serde_json::json!(["rpc"])));
    assert!(ev.iter().all(|e| e["fields"]["team"] == "calc"));
}
