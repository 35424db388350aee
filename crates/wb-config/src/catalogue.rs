//! The catalogue of configuration keys: every key Packetbeat 8.x accepts that Wirebeat knows
//! about, with whether Wirebeat implements it. Keys are dotted paths; `*` matches one segment
//! and `**` any subtree (user data such as `fields`). Protocol entries are checked separately
//! (see `protocols.rs`), as each protocol owns its options.

use crate::env::key_text;
use crate::error::ConfigError;
use serde_yaml_ng::Value;

/// Whether a known key is honoured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Implemented.
    Supported,
    /// Accepted, with a warning that says what happens instead.
    NotYet(&'static str),
}

use Status::{NotYet, Supported};

const LIVE: &str = "live capture is not implemented yet; only capture files are read";
const OUTPUT: &str = "this output is not implemented yet; events go to the local store instead";
const PROCESSORS: &str = "processors are not implemented yet; events are written unprocessed";
const IGNORED: &str = "not implemented yet; ignored";

/// Known keys outside `packetbeat.protocols`.
pub const KEYS: &[(&str, Status)] = &[
    ("packetbeat.interfaces.device", Supported),
    ("packetbeat.interfaces.file", Supported),
    ("packetbeat.interfaces.snaplen", Supported),
    ("packetbeat.interfaces.bpf_filter", Supported),
    ("packetbeat.interfaces.with_vlans", Supported),
    ("packetbeat.interfaces.type", NotYet(LIVE)),
    ("packetbeat.interfaces.buffer_size_mb", NotYet(LIVE)),
    ("packetbeat.interfaces.metrics_interval", NotYet(LIVE)),
    ("packetbeat.interfaces.fanout_group", NotYet(LIVE)),
    ("packetbeat.interfaces.auto_promisc_mode", NotYet(LIVE)),
    ("packetbeat.interfaces.poll_default_route", NotYet(LIVE)),
    (
        "packetbeat.interfaces.internal_networks",
        NotYet("network.direction is not computed yet"),
    ),
    ("packetbeat.interfaces.ignore_outgoing", NotYet(LIVE)),
    ("packetbeat.flows.enabled", Supported),
    ("packetbeat.flows.timeout", Supported),
    ("packetbeat.flows.period", Supported),
    ("packetbeat.flows.max_flows", Supported),
    (
        "packetbeat.flows.enable_delta_flow_reports",
        NotYet(IGNORED),
    ),
    ("packetbeat.flows.keep_null", Supported),
    ("packetbeat.flows.index", NotYet(IGNORED)),
    ("packetbeat.flows.processors", NotYet(PROCESSORS)),
    ("packetbeat.flows.fields", Supported),
    ("packetbeat.flows.fields.**", Supported),
    ("packetbeat.flows.fields_under_root", Supported),
    ("packetbeat.flows.tags", Supported),
    ("packetbeat.tcp.max_ooo_segments", Supported),
    ("packetbeat.tcp.max_ooo_bytes", Supported),
    ("packetbeat.procs.**", NotYet(LIVE)),
    ("packetbeat.ignore_outgoing", NotYet(LIVE)),
    ("packetbeat.shutdown_timeout", Supported),
    ("packetbeat.overwrite_pipelines", NotYet(IGNORED)),
    ("output.console.enabled", Supported),
    ("output.console.pretty", Supported),
    ("output.console.codec.**", NotYet(IGNORED)),
    ("output.console.bulk_max_size", NotYet(IGNORED)),
    ("output.file.enabled", Supported),
    ("output.file.path", Supported),
    ("output.file.filename", Supported),
    ("output.file.rotate_every_kb", Supported),
    ("output.file.number_of_files", Supported),
    ("output.file.permissions", Supported),
    ("output.file.rotate_on_startup", Supported),
    ("output.file.codec.**", NotYet(IGNORED)),
    ("output.elasticsearch.**", NotYet(OUTPUT)),
    ("output.logstash.**", NotYet(OUTPUT)),
    ("output.kafka.**", NotYet(OUTPUT)),
    ("output.redis.**", NotYet(OUTPUT)),
    ("output.discard.**", NotYet(OUTPUT)),
    ("processors", NotYet(PROCESSORS)),
    ("processors.**", NotYet(PROCESSORS)),
    ("fields", Supported),
    ("fields.**", Supported),
    ("fields_under_root", Supported),
    ("tags", Supported),
    ("name", Supported),
    ("timestamp.precision", Supported),
    ("logging.level", Supported),
    ("logging.selectors", Supported),
    ("logging.to_stderr", Supported),
    ("logging.to_files", Supported),
    ("logging.files.path", Supported),
    ("logging.files.name", Supported),
    ("logging.files.keepfiles", NotYet(IGNORED)),
    ("logging.files.permissions", NotYet(IGNORED)),
    ("logging.files.rotateeverybytes", NotYet(IGNORED)),
    ("logging.files.interval", NotYet(IGNORED)),
    ("logging.files.rotateonstartup", NotYet(IGNORED)),
    ("logging.metrics.**", NotYet(IGNORED)),
    ("logging.json", NotYet(IGNORED)),
    ("logging.to_syslog", NotYet(IGNORED)),
    ("logging.to_eventlog", NotYet(IGNORED)),
    ("path.home", Supported),
    ("path.config", Supported),
    ("path.data", Supported),
    ("path.logs", Supported),
    ("queue.**", NotYet(IGNORED)),
    ("setup.**", NotYet(IGNORED)),
    ("monitoring.**", NotYet(IGNORED)),
    ("http.**", NotYet(IGNORED)),
    ("cloud.id", NotYet(OUTPUT)),
    ("cloud.auth", NotYet(OUTPUT)),
    ("max_procs", NotYet(IGNORED)),
    ("seccomp.**", NotYet(IGNORED)),
    ("keystore.**", NotYet(IGNORED)),
    ("features.**", NotYet(IGNORED)),
    ("instrumentation.**", NotYet(IGNORED)),
];

/// Keys of one entry of `packetbeat.protocols` common to every protocol.
pub const PROTOCOL_COMMON_KEYS: &[(&str, Status)] = &[
    ("type", Supported),
    ("enabled", Supported),
    ("ports", Supported),
    ("transaction_timeout", Supported),
    ("send_request", Supported),
    ("send_response", Supported),
    ("index", NotYet(IGNORED)),
    ("keep_null", Supported),
    ("processors", NotYet(PROCESSORS)),
    ("fields", Supported),
    ("fields_under_root", Supported),
    ("tags", Supported),
    ("interface", NotYet(IGNORED)),
];

/// Checks every key of `root` (protocol entries excepted); returns the warnings for keys that
/// are known but not implemented, one per catalogue entry.
pub fn check(root: &Value) -> Result<Vec<String>, ConfigError> {
    let mut warnings = Vec::new();
    if let Value::Mapping(map) = root {
        walk_children(map, &mut Vec::new(), &mut warnings)?;
    }
    Ok(warnings)
}

fn walk_children(
    map: &serde_yaml_ng::Mapping,
    path: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<(), ConfigError> {
    for (k, v) in map {
        path.push(key_text(k));
        let segs: Vec<&str> = path.iter().map(String::as_str).collect();
        if !is_known_prefix(&segs) {
            let key = path.join(".");
            return Err(ConfigError::UnknownKey {
                suggestion: suggest(&key),
                key,
            });
        }
        walk(v, path, warnings)?;
        path.pop();
    }
    Ok(())
}

fn walk(
    value: &Value,
    path: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<(), ConfigError> {
    let segs: Vec<&str> = path.iter().map(String::as_str).collect();
    if segs == ["packetbeat", "protocols"] {
        return Ok(());
    }
    if let Some(status) = lookup(&segs) {
        note(status, &segs.join("."), warnings);
        let is_leaf = !matches!(value, Value::Mapping(_));
        let subtree = KEYS.iter().any(|(p, _)| matches_subtree(p, &segs));
        if is_leaf || subtree {
            return Ok(());
        }
    }
    match value {
        Value::Mapping(map) => walk_children(map, path, warnings),
        Value::Sequence(items)
            if segs.first() == Some(&"packetbeat") && segs.get(1) == Some(&"interfaces") =>
        {
            for item in items {
                walk(item, path, warnings)?;
            }
            Ok(())
        }
        Value::Null => Ok(()),
        _ => {
            let key = path.join(".");
            if lookup(&segs).is_none() {
                return Err(ConfigError::invalid(key, "expected a mapping of settings"));
            }
            Ok(())
        }
    }
}

fn note(status: Status, key: &str, warnings: &mut Vec<String>) {
    if let NotYet(why) = status {
        let shown = KEYS
            .iter()
            .find(|(p, _)| pattern_matches(p, &key.split('.').collect::<Vec<_>>()))
            .map_or(key.to_string(), |(p, _)| {
                p.trim_end_matches(".**").to_string()
            });
        let text = format!("{shown}: {why}");
        if !warnings.contains(&text) {
            warnings.push(text);
        }
    }
}

/// The status of a full key, when the catalogue has it.
fn lookup(segs: &[&str]) -> Option<Status> {
    KEYS.iter()
        .find(|(p, _)| pattern_matches(p, segs))
        .map(|(_, s)| *s)
}

fn pattern_matches(pattern: &str, segs: &[&str]) -> bool {
    let pat: Vec<&str> = pattern.split('.').collect();
    match pat.iter().position(|p| *p == "**") {
        Some(i) => segs.len() >= i && segments_equal(&pat[..i], &segs[..i]),
        None => pat.len() == segs.len() && segments_equal(&pat, segs),
    }
}

fn matches_subtree(pattern: &str, segs: &[&str]) -> bool {
    pattern.ends_with(".**") && pattern_matches(pattern, segs)
}

/// True when `segs` is a key or the beginning of one.
fn is_known_prefix(segs: &[&str]) -> bool {
    segs == ["packetbeat", "protocols"]
        || KEYS.iter().any(|(p, _)| {
            let pat: Vec<&str> = p.split('.').collect();
            match pat.iter().position(|s| *s == "**") {
                Some(i) if segs.len() >= i => segments_equal(&pat[..i], &segs[..i]),
                _ => pat.len() >= segs.len() && segments_equal(&pat[..segs.len()], segs),
            }
        })
}

fn segments_equal(pat: &[&str], segs: &[&str]) -> bool {
    pat.len() == segs.len() && pat.iter().zip(segs).all(|(p, s)| *p == "*" || p == s)
}

/// The known key nearest to `key`, when it is close enough to be a likely typo.
pub fn suggest(key: &str) -> Option<String> {
    let candidates = KEYS
        .iter()
        .map(|(p, _)| p.trim_end_matches(".**").to_string())
        .chain(std::iter::once("packetbeat.protocols".to_string()));
    best_match(key, candidates)
}

/// The candidate most similar to `key` (Jaro-Winkler ≥ 0.85), comparing only as many segments.
pub fn best_match(key: &str, candidates: impl Iterator<Item = String>) -> Option<String> {
    let depth = key.split('.').count();
    candidates
        .map(|c| {
            let prefix: Vec<&str> = c.split('.').take(depth).collect();
            prefix.join(".")
        })
        .map(|c| (strsim::jaro_winkler(key, &c), c))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_yaml(s: &str) -> Result<Vec<String>, ConfigError> {
        let v: Value = serde_yaml_ng::from_str(s).unwrap_or(Value::Null);
        check(&v)
    }

    #[test]
    fn known_keys_pass_and_not_yet_warns_once() {
        let w = check_yaml(
            "packetbeat: {flows: {timeout: 30s}, interfaces: {device: any, type: af_packet}}\n\
             output: {elasticsearch: {hosts: [a], username: b}}\nfields: {a: {b: 1}}\n",
        );
        let w = w.unwrap_or_default();
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].starts_with("packetbeat.interfaces.type: live capture"));
        assert!(w[1].starts_with("output.elasticsearch: this output is not implemented"));
    }

    #[test]
    fn unknown_key_suggests_nearest() {
        let e = check_yaml("packetbeat: {flows: {timout: 30s}}\n")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("unknown configuration key 'packetbeat.flows.timout' (did you mean 'packetbeat.flows.timeout'?)")
        );
        let e = check_yaml("ouput: {file: {path: /x}}\n")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("unknown configuration key 'ouput' (did you mean 'output'?)")
        );
        let e = check_yaml("zzzz: 1\n").err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("unknown configuration key 'zzzz'"));
    }

    #[test]
    fn interface_list_is_checked_per_entry() {
        assert!(check_yaml("packetbeat: {interfaces: [{device: any}, {file: x.pcap}]}\n").is_ok());
        assert!(check_yaml("packetbeat: {interfaces: [{devise: any}]}\n").is_err());
    }
}
