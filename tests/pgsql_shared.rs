//! PostgreSQL on every PostgreSQL capture of `../shared/pcaps`, through the CLI, checked against
//! the facts its MANIFEST states (pgsql on port 5432, flows off).

mod common;
use common::{pcap, run_capture};
use serde_json::Value;

fn pgsql(capture: &str, options: &str) -> Vec<Value> {
    let cfg = format!(
        "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {{type: pgsql, ports: [5432]{}{options}}}\n",
        if options.is_empty() { "" } else { ", " }
    );
    let run = run_capture(&cfg, &pcap(capture), &[]);
    assert!(run.output.status.success(), "{capture}: {}", run.stderr());
    run.of_type("pgsql").into_iter().cloned().collect()
}

#[test]
fn extended_query_protocol() {
    let ev = pgsql("pgsql_extended_query.pcap", "");
    // Packetbeat reports only the SELECT; the JDBC driver's set-up statement before it is a
    // statement too and is reported (docs/fields.md).
    let select: Vec<_> = ev.iter().filter(|e| e["method"] == "SELECT").collect();
    assert_eq!(select.len(), 1);
    assert_eq!(select[0]["query"], "SELECT * from test where id = $1");
    assert_eq!(select[0]["source"]["bytes"], 90);
    assert_eq!(select[0]["destination"]["bytes"], 101);
    assert_eq!(ev[0]["query"], "SET extra_float_digits = 3");
}

#[test]
fn insert_and_unique_violation() {
    let ev = pgsql("pgsql_insert.pcap", "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["method"], "INSERT");
    assert_eq!(ev[0]["source"]["bytes"], 63);
    assert_eq!(ev[0]["destination"]["bytes"], 16);
    assert_eq!(ev[0]["status"], "OK");
    let ev = pgsql("pgsql_insert_error.pcap", "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["status"], "Error");
    assert_eq!(ev[0]["pgsql"]["error_code"], "23505");
    assert_eq!(ev[0]["pgsql"]["error_severity"], "ERROR");
}

#[test]
fn long_result_and_send_options() {
    let ev = pgsql("pgsql_long_result.pcap", "");
    assert_eq!(ev.len(), 1);
    assert!(ev[0].get("request").is_none() && ev[0].get("response").is_none());
    assert_eq!(ev[0]["pgsql"]["num_rows"], 15);
    let ev = pgsql(
        "pgsql_long_result.pcap",
        "send_request: true, send_response: true",
    );
    assert_eq!(ev[0]["request"], "select * from long_response");
    let lines = ev[0]["response"].as_str().unwrap_or("").lines().count();
    assert_eq!(lines, 1 + 10, "header and max_rows (10) rows");
}

#[test]
fn request_response_csv() {
    let ev = pgsql("pgsql_request_response.pcap", "send_response: true");
    assert_eq!(ev.len(), 1);
    assert_eq!(
        ev[0]["response"],
        "a,b,c\nmea,meb,mec\nmea1,meb1,mec1\nmea2,meb2,mec2\nmea3,meb3,mec3\n"
    );
    assert_eq!(ev[0]["destination"]["bytes"], 202);
    assert_eq!(ev[0]["pgsql"]["num_fields"], 3);
}

#[test]
fn login_then_select_duration() {
    let ev = pgsql("pgsql_rt.pcap", "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["method"], "SELECT");
    assert_eq!(ev[0]["event"]["duration"], 38_800_000);
}

#[test]
fn no_pgsql_events_from_an_http_capture_with_a_pgsql_port() {
    assert!(pgsql("http_10_connection_close.pcap", "").is_empty());
}
