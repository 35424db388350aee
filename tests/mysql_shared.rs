//! MySQL on every MySQL capture of `../shared/pcaps`, through the CLI, checked against the facts
//! its MANIFEST states (mysql on the port the capture uses, flows off).

mod common;
use common::{pcap, run_capture};
use serde_json::Value;

fn mysql(capture: &str, options: &str) -> Vec<Value> {
    let cfg = format!(
        "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {{type: mysql, ports: [3306, 3307, 13001]{}{options}}}\n",
        if options.is_empty() { "" } else { ", " }
    );
    let run = run_capture(&cfg, &pcap(capture), &[]);
    assert!(run.output.status.success(), "{capture}: {}", run.stderr());
    run.of_type("mysql").into_iter().cloned().collect()
}

#[test]
fn affected_rows_and_zero_fields_always_written() {
    let ev = mysql("mysql_affected_rows.pcap", "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["method"], "UPDATE");
    assert_eq!(ev[0]["status"], "OK");
    assert_eq!(ev[0]["mysql"]["affected_rows"], 316);
    assert_eq!(ev[0]["mysql"]["insert_id"], 0);
    assert_eq!(ev[0]["mysql"]["num_rows"], 0);
    assert_eq!(ev[0]["mysql"]["num_fields"], 0);
}

#[test]
fn connection_phase_does_not_desynchronise() {
    let ev = mysql("mysql_connection.pcap", "");
    // Handshake, auth switch and the five queries of the capture: every query is reported
    // (Packetbeat's test looks at the SELECT DATABASE() one).
    let queries: Vec<_> = ev
        .iter()
        .map(|e| e["query"].as_str().unwrap_or(""))
        .collect();
    assert!(queries.contains(&"SELECT DATABASE()"), "{queries:?}");
    assert_eq!(ev.len(), 5);
    assert!(ev.iter().all(|e| e["status"] == "OK"));
}

#[test]
fn error_code_and_message() {
    let ev = mysql("mysql_err_database_not_selected.pcap", "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["status"], "Error");
    assert_eq!(ev[0]["mysql"]["error_code"], 1046);
    assert_eq!(
        ev[0]["mysql"]["error_message"],
        "3D000: No database selected"
    );
}

#[test]
fn integration_suite_counts() {
    let ev = mysql("mysql_int_string_operations.pcap", "");
    assert_eq!(ev.len(), 157);
    let count = |m: &str| ev.iter().filter(|e| e["method"] == m).count();
    assert_eq!(
        (
            count("SELECT"),
            count("SHOW"),
            count("ALTER"),
            count("SET"),
            count("CREATE")
        ),
        (134, 10, 4, 3, 2)
    );
}

#[test]
fn long_results() {
    let ev = mysql("mysql_long.pcap", "");
    assert_eq!(ev[0]["mysql"]["num_rows"], 400);
    let ev = mysql("mysql_long_result.pcap", "send_response: true");
    assert_eq!(ev[0]["mysql"]["num_rows"], 15);
    let lines: Vec<&str> = ev[0]["response"].as_str().unwrap_or("").lines().collect();
    assert_eq!(lines.len(), 11, "header and max_rows rows");
    let ev = mysql(
        "mysql_long_result.pcap",
        "send_response: true, max_row_length: 79",
    );
    for line in ev[0]["response"].as_str().unwrap_or("").lines().skip(1) {
        assert!(line.len() <= 79, "{line}");
    }
}

#[test]
fn prepared_statement_parameters() {
    let ev = mysql("mysql_prepare_statement.pcap", "");
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[1]["method"], "SELECT");
    assert_eq!(ev[1]["status"], "OK");
    assert_eq!(ev[1]["params"][0], "A1224638");
    assert_eq!(ev[1]["mysql"]["num_rows"], 1);
}

#[test]
fn windows_line_endings_and_whitespace() {
    let ev = mysql("mysql_windows_lineending.pcap", "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["method"], "SELECT");
    let ev = mysql("mysql_with_whitespaces.pcap", "");
    assert_eq!(ev.len(), 7);
    assert_eq!(ev[0]["method"], "SET");
    assert_eq!(ev[2]["method"], "DROP");
    assert_eq!(ev[3]["method"], "CREATE");
    assert_eq!(ev[5]["method"], "SELECT");
    assert_eq!(ev[5]["path"], "test.test");
    assert_eq!(ev[5]["destination"]["bytes"], 118);
    assert!(ev.iter().all(|e| e["status"] == "OK"));
}

#[test]
fn a_gap_in_a_long_result() {
    let ev = mysql("mysql_with_gap.pcap", "");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["method"], "SELECT");
    assert_eq!(ev[0]["status"], "OK");
    assert!(ev[0]["mysql"]["num_rows"].as_u64().unwrap_or(0) > 1);
    assert_eq!(
        ev[0]["error"]["message"],
        wb_proto::mysql::NOTE_RESPONSE_LOSS
    );
}
