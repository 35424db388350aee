//! Loading whole configurations the way users write them.

use std::time::Duration;
use wb_config::{load, load_str, LoadRequest, OutputConfig};

fn req(overrides: &[&str]) -> LoadRequest {
    LoadRequest {
        overrides: overrides.iter().map(|s| s.to_string()).collect(),
        ..LoadRequest::default()
    }
}

const PACKETBEAT_YML: &str = r#"
packetbeat.interfaces.device: any
packetbeat.interfaces.internal_networks:
  - private
packetbeat.flows:
  timeout: 30s
  period: 10s
packetbeat.protocols:
- type: icmp
  enabled: true
- type: http
  ports: [80, 8080, 8000, 5000, 8002]
- type: dns
  ports: [53]
- type: template
  ports: [7777]
setup.template.settings:
  index.number_of_shards: 1
setup.kibana:
output.elasticsearch:
  hosts: ["localhost:9200"]
processors:
  - # Add forwarded to tags when processing data from a network tap or mirror.
    if.contains.tags: forwarded
    then:
      - drop_fields:
          fields: [host]
    else:
      - add_host_metadata: ~
  - add_cloud_metadata: ~
"#;

#[test]
fn the_shipped_packetbeat_yml_loads_with_warnings() {
    let loaded = load_str(PACKETBEAT_YML, "packetbeat.yml", &req(&[])).map_err(|e| e.to_string());
    let loaded = match loaded {
        Ok(l) => l,
        Err(e) => panic!("{e}"),
    };
    let c = &loaded.config;
    assert_eq!(c.protocols.len(), 4);
    assert_eq!(c.protocols[1].ports, vec![80, 8080, 8000, 5000, 8002]);
    let flows = c.flows.as_ref().map(|f| (f.timeout, f.period));
    assert_eq!(
        flows,
        Some((Duration::from_secs(30), Some(Duration::from_secs(10))))
    );
    assert_eq!(
        c.output,
        OutputConfig::Unsupported {
            name: "elasticsearch".into()
        }
    );
    let w = loaded.warnings.join("\n");
    for expected in [
        "internal_networks",
        "setup",
        "output.elasticsearch",
        "processors",
    ] {
        assert!(w.contains(expected), "no warning about {expected} in:\n{w}");
    }
}

#[test]
fn wirebeat_alias_env_and_overrides() {
    std::env::set_var("WB_LOAD_TEST_PORT", "8081");
    let yml = "wirebeat.protocols:\n  - type: http\n    ports: [\"${WB_LOAD_TEST_PORT}\", \"${WB_LOAD_TEST_NONE:9090}\"]\n\
               wirebeat.flows: {period: -1s}\noutput.console.pretty: true\n";
    let loaded = load_str(
        yml,
        "w.yml",
        &req(&[
            "wirebeat.flows.timeout=5s",
            "tags=[a, b]",
            "output.console.pretty=false",
            "name=probe-1",
        ]),
    );
    let c = match loaded {
        Ok(l) => l.config,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(c.protocols[0].ports, vec![8081, 9090]);
    let flows = c.flows.map(|f| (f.timeout, f.period));
    assert_eq!(flows, Some((Duration::from_secs(5), None)));
    assert_eq!(c.tags, vec!["a", "b"]);
    assert_eq!(c.name.as_deref(), Some("probe-1"));
    assert_eq!(c.output, OutputConfig::Console { pretty: false });
}

#[test]
fn errors_name_the_key_or_the_position() {
    let err = |yml: &str| {
        load_str(yml, "bad.yml", &req(&[]))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    assert_eq!(
        err("packetbeat.flows:\n  timeout: 30s\n  perod: 10s\n"),
        "unknown configuration key 'packetbeat.flows.perod' (did you mean 'packetbeat.flows.period'?)"
    );
    let yaml = err("packetbeat.flows:\n  timeout: 30s\n   period: 10s\n");
    assert!(yaml.starts_with("bad.yml:3:"), "{yaml}");
    assert_eq!(
        err("packetbeat.flows.timeout: 500ms\n"),
        "packetbeat.flows.timeout: timeout must be >= 1s"
    );
    assert_eq!(
        err("packetbeat.flows.period: 500ms\n"),
        "packetbeat.flows.period: report period must be -1 or >= 1s"
    );
    assert_eq!(
        err("output.console: {}\noutput.file: {path: /tmp/x}\n"),
        "output: only one output can be enabled, found 'console' and 'file'"
    );
    assert_eq!(
        err("timestamp.precision: second\n"),
        "timestamp.precision: expected millisecond, microsecond or nanosecond, got 'second'"
    );
    let e = load_str("", "x", &req(&["novalue"]))
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        e.as_deref(),
        Some("invalid -E override 'novalue': expected key=value")
    );
}

#[test]
fn file_output_defaults_and_octal_permissions() {
    let c = load_str(
        "output.file:\n  path: /tmp/wb\n  permissions: 0640\n",
        "f",
        &req(&[]),
    )
    .map(|l| l.config.output);
    let Ok(OutputConfig::File {
        path,
        filename,
        rotate_every_kb,
        number_of_files,
        permissions,
        rotate_on_startup,
    }) = c
    else {
        panic!("not a file output: {c:?}")
    };
    assert_eq!(path.to_str(), Some("/tmp/wb"));
    assert_eq!(
        (filename.as_str(), rotate_every_kb, number_of_files),
        ("wirebeat", 10240, 7)
    );
    assert_eq!(permissions, 0o640);
    assert!(rotate_on_startup);
    let disabled =
        load_str("output.file: {enabled: false}\n", "f", &req(&[])).map(|l| l.config.output);
    assert!(matches!(disabled, Ok(OutputConfig::Default)));
}

#[test]
fn paths_follow_home_and_flags() {
    let r = LoadRequest {
        path_home: Some("/opt/wb".into()),
        path_logs: Some("/var/log/wb".into()),
        ..req(&[])
    };
    let c = load_str("", "x", &r).map(|l| l.config.paths);
    let Ok(paths) = c else { panic!("{c:?}") };
    assert_eq!(paths.data.to_str(), Some("/opt/wb/data"));
    assert_eq!(paths.logs.to_str(), Some("/var/log/wb"));
}

#[test]
fn missing_file_is_a_clear_error() {
    let r = LoadRequest {
        file: Some("/nonexistent/wirebeat.yml".into()),
        ..req(&[])
    };
    let e = load(&r).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        e.starts_with("cannot read /nonexistent/wirebeat.yml:"),
        "{e}"
    );
}

#[test]
fn no_flows_section_means_no_flows() {
    let c = load_str("packetbeat.protocols: []\n", "x", &req(&[])).map(|l| l.config.flows);
    assert!(matches!(c, Ok(None)));
    let c = load_str("packetbeat.flows:\n", "x", &req(&[])).map(|l| l.config.flows.is_some());
    assert!(matches!(c, Ok(true)));
}
