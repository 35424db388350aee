//! The command line: sub-commands, configuration errors and overrides, as a user sees them.

mod common;
use common::{pcap, wirebeat};
use std::process::Output;

fn run_in(dir: &std::path::Path, args: &[&str]) -> Output {
    match wirebeat().current_dir(dir).args(args).output() {
        Ok(o) => o,
        Err(e) => panic!("cannot run wirebeat: {e}"),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn temp() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("tempdir: {e}"),
    }
}

fn write(dir: &std::path::Path, name: &str, body: &str) {
    if let Err(e) = std::fs::write(dir.join(name), body) {
        panic!("write {name}: {e}");
    }
}

#[test]
fn version_prints_the_version() {
    let d = temp();
    let o = run_in(d.path(), &["version"]);
    assert!(o.status.success());
    assert!(text(&o.stdout).starts_with(&format!("wirebeat version {}", env!("CARGO_PKG_VERSION"))));
}

#[test]
fn test_config_accepts_a_packetbeat_yml() {
    let d = temp();
    write(
        d.path(),
        "packetbeat.yml",
        "packetbeat.interfaces.device: any\npacketbeat.protocols:\n- type: http\n  ports: [80]\n\
         - type: nfs\n  ports: [2049]\noutput.elasticsearch.hosts: [\"localhost:9200\"]\n",
    );
    let o = run_in(d.path(), &["test", "config"]);
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert_eq!(text(&o.stdout).trim(), "Config OK");
    assert!(
        err.contains("output.elasticsearch: this output is not implemented yet"),
        "{err}"
    );
    // nfs is analysed now: no warning about it.
    assert!(!err.contains("nfs"), "{err}");
}

#[test]
fn test_config_names_an_unknown_protocol_type() {
    let d = temp();
    write(
        d.path(),
        "packetbeat.yml",
        "packetbeat.protocols:\n- type: gopher\n  ports: [70]\n",
    );
    let o = run_in(d.path(), &["test", "config"]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(err.contains("unknown protocol type \"gopher\""), "{err}");
}

#[test]
fn unknown_key_names_the_nearest_known_key() {
    let d = temp();
    write(d.path(), "wb.yml", "packetbeat.flows:\n  timeot: 10s\n");
    let o = run_in(d.path(), &["test", "config", "-c", "wb.yml"]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains("unknown configuration key 'packetbeat.flows.timeot' (did you mean 'packetbeat.flows.timeout'?)"),
        "{err}"
    );
}

#[test]
fn malformed_yaml_gives_file_line_and_column() {
    let d = temp();
    write(
        d.path(),
        "wb.yml",
        "packetbeat.flows:\n  timeout: 10s\n period: [\n",
    );
    let o = run_in(d.path(), &["test", "config", "-c", "wb.yml"]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    let want = "error: wb.yml:3:2: invalid YAML";
    assert!(err.contains(want), "expected {want} in {err}");
}

#[test]
fn export_config_shows_overrides_and_expanded_variables() {
    let d = temp();
    write(
        d.path(),
        "wirebeat.yml",
        "wirebeat.flows:\n  timeout: ${WB_CLI_TEST_TIMEOUT:45s}\n",
    );
    let o = run_in(
        d.path(),
        &[
            "export",
            "config",
            "-E",
            "packetbeat.flows.period=5s",
            "-E",
            "tags=[x]",
        ],
    );
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(out.contains("timeout: 45s"), "{out}");
    assert!(out.contains("period: 5s"), "{out}");
    assert!(out.contains("- x"), "{out}");
    assert!(
        !out.contains("wirebeat:"),
        "the alias is merged into packetbeat: {out}"
    );
}

#[test]
fn duplicate_ports_are_a_startup_error() {
    let d = temp();
    write(
        d.path(),
        "wirebeat.yml",
        "packetbeat.protocols:\n- {type: template, ports: [7000]}\n- {type: template, ports: [7000]}\n",
    );
    let o = run_in(d.path(), &["test", "config"]);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("duplicate port (7000)"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn run_without_output_writes_to_the_local_store_and_says_where() {
    let d = temp();
    write(
        d.path(),
        "wirebeat.yml",
        "packetbeat.flows:\n  period: -1s\n",
    );
    let capture = pcap("icmp/icmp4_ping.pcap");
    let capture = capture.to_string_lossy();
    let o = run_in(d.path(), &["-r", &capture, "-t", "-e"]);
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    let events_dir = d.path().join("data").join("events");
    let files: Vec<_> = match std::fs::read_dir(&events_dir) {
        Ok(rd) => rd.flatten().map(|e| e.path()).collect(),
        Err(e) => panic!("{}: {e}\n{err}", events_dir.display()),
    };
    assert_eq!(files.len(), 1, "{files:?}");
    let written = std::fs::read_to_string(&files[0]).unwrap_or_default();
    assert_eq!(written.lines().count(), 1, "one final flow: {written}");
    let name = files[0]
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert!(err.contains(&name), "the summary names {name}: {err}");
    assert!(err.contains("packets:      2"), "{err}");
}

#[test]
fn missing_capture_file_is_a_clear_error() {
    let d = temp();
    let o = run_in(d.path(), &["run", "-r", "/nonexistent/x.pcap", "-t"]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(err.contains("/nonexistent/x.pcap"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn garbage_capture_file_is_a_clear_error() {
    let d = temp();
    write(d.path(), "junk.pcap", "this is not a capture file at all");
    let o = run_in(d.path(), &["-r", "junk.pcap", "-t"]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(err.contains("junk.pcap"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn gzip_and_pcapng_inputs_give_the_same_events_as_plain_pcap() {
    let d = temp();
    let plain = pcap("mysql_long.pcap");
    let gz = d.path().join("mysql_long.pcap.gz");
    let ng = d.path().join("mysql_long.pcapng");
    let gzip_ok = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "gzip -c '{}' > '{}'",
            plain.display(),
            gz.display()
        ))
        .status()
        .is_ok_and(|s| s.success());
    assert!(gzip_ok, "gzip failed");
    let editcap_ok = std::process::Command::new("editcap")
        .args(["-F", "pcapng"])
        .arg(&plain)
        .arg(&ng)
        .status()
        .is_ok_and(|s| s.success());
    assert!(editcap_ok, "editcap (from tshark's package) failed");
    let config = "packetbeat.flows: {timeout: 30s, period: -1s}\n";
    let reference = common::run_capture(config, &plain, &[]);
    assert!(reference.output.status.success(), "{}", reference.stderr());
    assert!(!reference.ndjson.is_empty());
    for other in [&gz, &ng] {
        let run = common::run_capture(config, other, &[]);
        assert!(run.output.status.success(), "{}", run.stderr());
        assert_eq!(run.ndjson, reference.ndjson, "{}", other.display());
    }
}

#[test]
fn a_full_flow_table_is_counted_not_fatal() {
    let config = "packetbeat.flows: {timeout: 30s, period: -1s, max_flows: 1}\n";
    let run = common::run_capture(config, &pcap("wsgi_drum.pcap"), &[]);
    let err = run.stderr();
    assert!(run.output.status.success(), "{err}");
    assert!(!run.of_type("flow").is_empty(), "{err}");
    assert!(err.contains("flows.table_full"), "{err}");
}

#[test]
fn without_e_logs_go_to_a_file_under_path_logs() {
    let run = common::run_capture("packetbeat.flows:\n", &pcap("icmp/icmp4_ping.pcap"), &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    let log = run.dir.path().join("logs").join("wirebeat.log");
    let text = std::fs::read_to_string(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
    assert!(text.contains("reading capture file"), "{text}");
}

#[test]
fn per_protocol_and_flow_tags_fields_and_keep_null_reach_their_events_only() {
    let config = "\
tags: [probe]
fields: {site: lab, tier: global}
packetbeat.flows:
  timeout: 30s
  period: -1s
  tags: [flowtag]
  fields: {tier: flows, nothing: null}
  keep_null: true
packetbeat.protocols:
  - type: http
    ports: [8080]
    tags: [web, probe]
    fields: {tier: web}
    fields_under_root: true
";
    let capture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/http.pcap");
    let run = common::run_capture(config, &capture, &[]);
    assert!(run.output.status.success(), "{}", run.stderr());
    assert!(
        !run.stderr().contains("tags: not implemented"),
        "{}",
        run.stderr()
    );
    let http = run.of_type("http");
    let flows = run.of_type("flow");
    assert!(!http.is_empty() && !flows.is_empty());
    for e in &http {
        assert_eq!(e["tags"], serde_json::json!(["web", "probe"]), "{e}");
        assert_eq!(e["tier"], "web");
        assert_eq!(
            e["fields"],
            serde_json::json!({"site": "lab", "tier": "global"})
        );
    }
    for e in &flows {
        assert_eq!(e["tags"], serde_json::json!(["flowtag", "probe"]), "{e}");
        assert_eq!(
            e["fields"],
            serde_json::json!({"site": "lab", "tier": "flows", "nothing": null})
        );
        assert!(e.get("tier").is_none());
    }
}
