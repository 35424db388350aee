//! AMQP on every AMQP capture of `../shared/pcaps` (Linux SLL), through the CLI, checked
//! against the facts its MANIFEST states (amqp on port 5672, flows off).

mod common;
use common::{pcap, run_capture};
use serde_json::Value;

fn amqp(capture: &str, options: &str) -> Vec<Value> {
    let cfg = format!(
        "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {{type: amqp, ports: [5672]{}{options}}}\n",
        if options.is_empty() { "" } else { ", " }
    );
    let run = run_capture(&cfg, &pcap(capture), &[]);
    assert!(run.output.status.success(), "{capture}: {}", run.stderr());
    run.of_type("amqp").into_iter().cloned().collect()
}

fn common_fields(e: &Value) {
    assert_eq!(e["type"], "amqp");
    assert_eq!(e["event"]["dataset"], "amqp");
    assert_eq!(e["network"]["protocol"], "amqp");
    assert_eq!(e["network"]["transport"], "tcp");
    let method = e["method"].as_str().unwrap_or("");
    assert_eq!(e["event"]["action"], format!("amqp.{method}").as_str());
}

#[test]
fn channel_error() {
    let ev = amqp("amqp_channel_error.pcap", "");
    assert_eq!(ev.len(), 3);
    ev.iter().for_each(common_fields);
    assert_eq!(ev[0]["method"], "exchange.declare");
    assert_eq!(ev[0]["status"], "OK");
    assert_eq!(ev[0]["amqp"]["exchange"], "titres");
    assert_eq!(ev[0]["amqp"]["durable"], true);
    assert_eq!(ev[0]["amqp"]["exchange-type"], "fanout");
    assert_eq!(ev[0]["amqp"]["no-wait"], true);
    assert_eq!(ev[1]["method"], "queue.declare");
    assert_eq!(ev[1]["status"], "OK");
    assert_eq!(ev[1]["amqp"]["queue"], "my_queue");
    assert_eq!(ev[1]["amqp"]["exclusive"], true);
    assert_eq!(ev[2]["method"], "channel.close");
    assert_eq!(ev[2]["status"], "Error");
    assert_eq!(ev[2]["amqp"]["reply-code"], 404);
    assert_eq!(
        ev[2]["amqp"]["reply-text"],
        "NOT_FOUND - no exchange 'plop' in vhost '/'"
    );
    assert_eq!(ev[2]["amqp"]["class-id"], 50);
    assert_eq!(ev[2]["amqp"]["method-id"], 20);
}

#[test]
fn emit_receive() {
    let ev = amqp("amqp_emit_receive.pcap", "");
    let methods: Vec<&str> = ev
        .iter()
        .map(|e| e["method"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        methods,
        [
            "exchange.declare",
            "queue.declare",
            "queue.bind",
            "basic.consume",
            "exchange.declare",
            "basic.publish",
            "basic.deliver"
        ]
    );
    for e in &ev {
        common_fields(e);
        assert_eq!(e["status"], "OK", "{e}");
    }
    assert_eq!(ev[0]["amqp"]["exchange"], "logs");
    assert_eq!(ev[0]["amqp"]["exchange-type"], "fanout");
    assert_eq!(ev[0]["amqp"]["durable"], true);
    assert_eq!(ev[1]["amqp"]["exclusive"], true);
    assert_eq!(ev[3]["amqp"]["no-ack"], true);
    assert_eq!(ev[5]["amqp"]["content-type"], "text/plain");
    assert_eq!(ev[5]["amqp"]["exchange"], "logs");
    assert_eq!(ev[6]["amqp"]["delivery-tag"], 1);
    assert_eq!(ev[6]["amqp"]["redelivered"], false);
}

#[test]
fn publish_with_send_request() {
    let ev = amqp("amqp_publish.pcap", "send_request: true");
    assert_eq!(ev.len(), 2);
    ev.iter().for_each(common_fields);
    assert_eq!(ev[0]["method"], "queue.declare");
    assert_eq!(ev[0]["status"], "OK");
    assert_eq!(ev[0]["amqp"]["queue"], "hello");
    for flag in ["passive", "durable", "exclusive", "auto-delete", "no-wait"] {
        assert_eq!(ev[0]["amqp"][flag], false, "{flag}");
    }
    assert_eq!(ev[1]["method"], "basic.publish");
    assert_eq!(ev[1]["status"], "OK");
    assert_eq!(ev[1]["request"], "hello");
    assert_eq!(ev[1]["amqp"]["routing-key"], "hello");
    assert_eq!(ev[1]["amqp"]["content-type"], "text/plain");
    assert!(ev[1].get("response").is_none());
    // Without send_request the body is not written.
    let plain = amqp("amqp_publish.pcap", "");
    assert!(plain.iter().all(|e| e.get("request").is_none()));
}

#[test]
fn tags_fields_and_hidden_connection_methods() {
    let ev = amqp(
        "amqp_publish.pcap",
        "tags: [mq], fields: {team: ops}, hide_connection_information: false",
    );
    let methods: Vec<&str> = ev
        .iter()
        .map(|e| e["method"].as_str().unwrap_or(""))
        .collect();
    assert!(methods.contains(&"connection.start"), "{methods:?}");
    assert!(methods.contains(&"queue.declare"));
    for e in &ev {
        assert_eq!(e["tags"], serde_json::json!(["mq"]));
        assert_eq!(e["fields"]["team"], "ops");
        assert!(
            !e.to_string().contains("\\u0000guest"),
            "credentials in {e}"
        );
    }
}
