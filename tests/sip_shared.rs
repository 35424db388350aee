//! SIP on the three shared SIP captures of `../shared/pcaps`, through the CLI, checked against
//! the facts their MANIFEST states (port 5060, flows off) and the field values of Packetbeat's
//! golden file for the TCP dialog.

mod common;
use common::{pcap, run_capture};
use serde_json::{json, Value};

fn sip(capture: &str, options: &str) -> Vec<Value> {
    let cfg = format!(
        "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {{type: sip, ports: [5060]{}{options}}}\n",
        if options.is_empty() { "" } else { ", " }
    );
    let run = run_capture(&cfg, &pcap(capture), &[]);
    assert!(run.output.status.success(), "{capture}: {}", run.stderr());
    run.of_type("sip").into_iter().cloned().collect()
}

/// `event.action` and the start line of every event, as `action code-or-method`.
fn summary(ev: &[Value]) -> Vec<String> {
    ev.iter()
        .map(|e| {
            let what = match e["sip"]["type"].as_str() {
                Some("request") => e["sip"]["method"].as_str().unwrap_or("?").to_string(),
                _ => e["sip"]["code"].to_string(),
            };
            format!("{} {what}", e["event"]["action"].as_str().unwrap_or("?"))
        })
        .collect()
}

/// Packetbeat's outcome rule: success on 2xx, failure from 300, absent on 1xx and requests.
fn check_outcome(e: &Value) {
    match e["sip"]["code"].as_u64() {
        Some(c) if (200..300).contains(&c) => assert_eq!(e["event"]["outcome"], "success"),
        Some(c) if c >= 300 => assert_eq!(e["event"]["outcome"], "failure"),
        _ => assert!(e["event"].get("outcome").is_none(), "{e}"),
    }
}

#[test]
fn udp_invite_dialogs() {
    let ev = sip("sip.pcap", "");
    assert_eq!(
        summary(&ev),
        [
            "sip-invite INVITE",
            "sip-invite 100",
            "sip-invite 200",
            "sip-ack ACK",
            "sip-bye BYE",
            "sip-bye 200",
        ]
        .repeat(2)
    );
    for e in &ev {
        assert_eq!(e["status"], "OK");
        assert_eq!(e["type"], "sip");
        assert_eq!(e["event"]["type"], json!(["info", "protocol"]));
        assert_eq!(e["event"]["category"], json!(["network"]));
        assert_eq!(e["network"]["iana_number"], "17");
        assert_eq!(e["network"]["transport"], "udp");
        assert_eq!(e["event"]["duration"], 0);
        assert!(e.get("source").and_then(|s| s.get("bytes")).is_none());
        check_outcome(e);
    }
    let first = &ev[0];
    assert_eq!(first["event"]["sequence"], 1);
    assert_eq!(first["source"]["ip"], "10.0.2.20");
    assert_eq!(first["sip"]["uri"]["original"], "sip:test@10.0.2.15:5060");
    assert_eq!(first["sip"]["uri"]["port"], 5060);
    assert_eq!(first["sip"]["from"]["display_info"], "DVI4/8000");
    assert_eq!(first["sip"]["to"]["display_info"], "test");
    assert_eq!(first["sip"]["call_id"], "1-2187@10.0.2.20");
    assert_eq!(first["sip"]["content_length"], 123);
    assert_eq!(first["sip"]["sdp"]["version"], "0");
    assert_eq!(first["sip"]["sdp"]["owner"]["session_id"], "42");
    assert!(first["sip"]["sdp"]["owner"].get("username").is_none());
    assert!(first["sip"]["sdp"].get("session").is_none());
    assert_eq!(
        first["sip"]["sdp"]["connection"]["info"],
        "IN IP4 10.0.2.20"
    );
    let original = first["event"]["original"].as_str().unwrap();
    assert!(original.starts_with("INVITE sip:test@10.0.2.15:5060 SIP/2.0\r\n"));
    assert!(original.ends_with("a=recvonly\r\n"));
    // The BYE is sent by the callee: its sender is the source, whatever side opened the flow.
    assert_eq!(ev[4]["source"]["ip"], "10.0.2.15");
    assert_eq!(ev[4]["client"]["ip"], "10.0.2.15");
    assert_eq!(ev[4]["event"]["sequence"], 99750433);
    assert_eq!(
        ev[4]["sip"]["supported"],
        json!(["timer", "path", "replaces"])
    );
    assert_eq!(
        ev[1]["sip"]["user_agent"]["original"]
            .as_str()
            .map(|s| s.starts_with("FreeSWITCH")),
        Some(true)
    );
}

#[test]
fn authenticated_register() {
    let ev = sip("sip_authenticated_register.pcap", "");
    assert_eq!(
        summary(&ev),
        [
            "sip-register REGISTER",
            "sip-register 100",
            "sip-register 200"
        ]
    );
    let reg = &ev[0];
    assert_eq!(
        reg["event"]["category"],
        json!(["network", "authentication"])
    );
    assert_eq!(reg["sip"]["auth"]["scheme"], "Digest");
    assert_eq!(reg["sip"]["auth"]["realm"], "sip.cybercity.dk");
    assert_eq!(reg["sip"]["auth"]["uri"]["original"], "sip:192.168.1.2");
    assert_eq!(reg["sip"]["auth"]["uri"]["host"], "192.168.1.2");
    assert_eq!(reg["user"]["name"], "voi18062");
    assert_eq!(reg["related"]["user"], json!(["voi18062"]));
    assert_eq!(reg["event"]["sequence"], 75);
    for e in &ev {
        check_outcome(e);
        assert_eq!(e["status"], "OK");
    }
    assert_eq!(ev[1]["event"]["category"], json!(["network"]));
    assert_eq!(ev[2]["event"]["outcome"], "success");
    // P-Associated-URI of the 200 OK.
    assert_eq!(ev[2]["sip"]["private"]["uri"]["username"], "35104723");
    // The digest response never reaches an event; the rest of the header is kept.
    let text = serde_json::to_string(&ev).unwrap();
    assert!(!text.contains("79a0543188495d288c9ebbe0c881abdc"));
    let original = reg["event"]["original"].as_str().unwrap();
    assert!(
        original.contains("nc=\"00000001\",response=\"(redacted)\"\r\n"),
        "{original}"
    );

    // parse_authorization off: no sip.auth, no user.name, still an authentication event.
    let ev = sip(
        "sip_authenticated_register.pcap",
        "parse_authorization: false",
    );
    assert!(ev[0]["sip"].get("auth").is_none());
    assert!(ev[0].get("user").is_none());
    assert_eq!(
        ev[0]["event"]["category"],
        json!(["network", "authentication"])
    );
    // keep_original off: no event.original.
    let ev = sip("sip_authenticated_register.pcap", "keep_original: false");
    assert!(ev.iter().all(|e| e["event"].get("original").is_none()));
}

#[test]
fn tcp_dialog_needs_transport_protocol_tcp() {
    assert!(
        sip("sip_tcp.pcap", "").is_empty(),
        "udp is the default transport"
    );
    let ev = sip("sip_tcp.pcap", "transport_protocol: tcp");
    assert_eq!(
        summary(&ev),
        [
            "sip-invite INVITE",
            "sip-invite 100",
            "sip-invite 180",
            "sip-invite 200",
            "sip-ack ACK",
            "sip-bye BYE",
            "sip-bye 200",
        ]
    );
    for e in &ev {
        assert_eq!(e["network"]["transport"], "tcp");
        assert_eq!(e["network"]["iana_number"], "17");
        assert_eq!(
            e["network"]["community_id"],
            "1:nWlU53kb2GqnNe1VDWV69Wz6OJc="
        );
        check_outcome(e);
    }
    // Values of Packetbeat's golden file for this dialog.
    let invite = &ev[0];
    assert_eq!(invite["source"]["port"], 64802);
    assert_eq!(invite["related"]["user"], json!(["201", "101", "IPP"]));
    assert_eq!(
        invite["related"]["hosts"],
        json!(["10.33.6.101", "10.33.6.100"])
    );
    assert_eq!(
        invite["sip"]["contact"]["uri"]["original"],
        "sip:201@10.33.6.101;user=phone"
    );
    assert_eq!(
        invite["sip"]["user_agent"]["original"],
        "IPP/v.6.20A.027.012"
    );
    assert_eq!(invite["sip"]["max_forwards"], 70);
    assert_eq!(invite["sip"]["sdp"]["owner"]["username"], "IPP");
    assert_eq!(invite["sip"]["sdp"]["session"]["name"], "Phone-Call");
    assert_eq!(invite["sip"]["allow"][0], "register");
    let trying = &ev[1];
    assert_eq!(trying["source"]["port"], 5060);
    assert_eq!(trying["client"]["port"], 5060);
    assert_eq!(trying["event"]["reason"], "Trying");
    assert_eq!(trying["related"]["user"], json!(["101", "201"]));
    assert!(trying["sip"].get("content_length").is_none());
    assert!(trying["sip"].get("contact").is_none());
    assert_eq!(ev[3]["related"]["user"], json!(["101", "201", "GW"]));
    // The callee hangs up: the BYE's sender is the source, its Request-URI host comes first.
    let bye = &ev[5];
    assert_eq!(bye["source"]["port"], 5060);
    assert_eq!(
        bye["related"]["hosts"],
        json!(["10.33.6.100", "10.33.6.101"])
    );
    assert_eq!(bye["related"]["user"], json!(["101", "201"]));
    assert_eq!(bye["sip"]["user_agent"]["original"], "GW/v.6.20A.027.012");
    assert!(bye["sip"].get("contact").is_none());
    // Its 200 OK has a Contact header, so sip.contact is the To value (Packetbeat's quirk).
    assert_eq!(
        ev[6]["sip"]["contact"]["uri"]["original"],
        "sip:101@10.33.6.100"
    );
    assert_eq!(ev[6]["event"]["outcome"], "success");
    assert_eq!(
        ev[3]["event"]["original"].as_str().map(|s| s.len()),
        Some(
            ev[3]["event"]["original"]
                .as_str()
                .unwrap()
                .find("\r\n\r\n")
                .unwrap()
                + 4
                + 225
        )
    );
}

#[test]
fn parse_body_off() {
    let ev = sip("sip.pcap", "parse_body: false");
    assert_eq!(ev.len(), 12);
    assert!(ev.iter().all(|e| e["sip"].get("sdp").is_none()));
    assert_eq!(ev[0]["sip"]["content_type"], "application/sdp");
}

#[test]
fn tags_fields_and_keep_null_of_the_protocol_entry() {
    let ev = sip(
        "sip_authenticated_register.pcap",
        "tags: [voip], fields: {site: lab}, keep_null: true",
    );
    assert_eq!(ev.len(), 3);
    for e in &ev {
        assert_eq!(e["tags"], json!(["voip"]));
        assert_eq!(e["fields"]["site"], "lab");
        // Nothing is written as null: absent values are left out.
        assert!(!e.to_string().contains("null"), "{e}");
    }
}
