//! Loading: file → YAML tree → normalised, overridden, expanded tree → checked keys → [`Config`].

use crate::catalogue;
use crate::env::{expand_env, key_text};
use crate::error::ConfigError;
use crate::model::{
    Config, FlowsConfig, InterfaceConfig, LoggingConfig, OutputConfig, Paths, TcpConfig,
};
use crate::normalize::{expand_dotted, merge_alias, set_path};
use crate::protocols;
use crate::typed::{show, Section};
use serde_yaml_ng::{Mapping, Value};
use std::path::PathBuf;
use std::time::Duration;
use wb_wire::Precision;

/// What to load.
#[derive(Clone, Debug, Default)]
pub struct LoadRequest {
    /// The configuration file; `None` for built-in defaults.
    pub file: Option<PathBuf>,
    /// `-E key=value` overrides, in order.
    pub overrides: Vec<String>,
    /// `--path.home`.
    pub path_home: Option<PathBuf>,
    /// `--path.data`.
    pub path_data: Option<PathBuf>,
    /// `--path.logs`.
    pub path_logs: Option<PathBuf>,
}

/// A loaded configuration.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The typed configuration.
    pub config: Config,
    /// Known keys that are not implemented yet, and similar notices.
    pub warnings: Vec<String>,
    /// The effective tree (file + overrides, variables expanded), for `export config`.
    pub effective: Value,
}

/// Loads the configuration named by `req`.
pub fn load(req: &LoadRequest) -> Result<Loaded, ConfigError> {
    let (text, name) = match &req.file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.display().to_string(),
                source,
            })?;
            (text, path.display().to_string())
        }
        None => (String::new(), "(defaults)".to_string()),
    };
    load_str(&text, &name, req)
}

/// Loads a configuration from YAML text (`name` is used in error messages).
pub fn load_str(text: &str, name: &str, req: &LoadRequest) -> Result<Loaded, ConfigError> {
    let mut tree = parse_yaml(text, name)?;
    for o in &req.overrides {
        let (key, value) = o
            .split_once('=')
            .ok_or_else(|| ConfigError::Override(o.clone()))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(ConfigError::Override(o.clone()));
        }
        let value =
            serde_yaml_ng::from_str::<Value>(value).unwrap_or_else(|_| Value::String(value.into()));
        set_path(&mut tree, key, expand_dotted(value));
    }
    expand_env(&mut tree, &mut Vec::new())?;
    let mut warnings = catalogue::check(&tree)?;
    let config = build(&tree, req, &mut warnings)?;
    Ok(Loaded {
        config,
        warnings,
        effective: tree,
    })
}

/// The effective configuration as YAML text.
pub fn to_yaml(effective: &Value) -> String {
    serde_yaml_ng::to_string(effective).unwrap_or_default()
}

fn parse_yaml(text: &str, name: &str) -> Result<Value, ConfigError> {
    let value: Value = serde_yaml_ng::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        let text = e.to_string();
        let message = text.split(" at line ").next().unwrap_or(&text).to_string();
        ConfigError::Yaml {
            path: name.to_string(),
            line,
            column,
            message,
        }
    })?;
    let mut tree = match value {
        Value::Null => Value::Mapping(Mapping::new()),
        v @ Value::Mapping(_) => expand_dotted(v),
        other => {
            return Err(ConfigError::invalid(
                name,
                format!("the configuration must be a mapping, got {}", show(&other)),
            ))
        }
    };
    merge_alias(&mut tree);
    Ok(tree)
}

fn build(
    tree: &Value,
    req: &LoadRequest,
    warnings: &mut Vec<String>,
) -> Result<Config, ConfigError> {
    let root = Section::new(Some(tree), "");
    let pb = root.section("packetbeat", "packetbeat");
    let paths = paths(&root, req)?;
    let logging = logging(&root.section("logging", "logging"))?;
    let tcp_s = pb.section("tcp", "packetbeat.tcp");
    Ok(Config {
        interfaces: interfaces(pb.get("interfaces"))?,
        flows: flows(has_key(tree, "flows").then(|| pb.section("flows", "packetbeat.flows")))?,
        protocols: protocols::parse(pb.get("protocols"), warnings)?,
        tcp: TcpConfig {
            max_ooo_segments: to_usize(tcp_s.uint("max_ooo_segments", 256, 0..=1 << 20)?),
            max_ooo_bytes: to_usize(tcp_s.uint("max_ooo_bytes", 1 << 20, 0..=1 << 30)?),
        },
        output: output(root.get("output"), &paths)?,
        fields: root.mapping("fields")?,
        fields_under_root: root.bool("fields_under_root", false)?,
        tags: root.strings("tags")?,
        name: root.string("name")?,
        timestamp_precision: precision(&root.section("timestamp", "timestamp"))?,
        shutdown_timeout: pb
            .duration("shutdown_timeout")?
            .map_or(Duration::ZERO, |(_, d)| d),
        paths: Paths {
            logs: logging.1.unwrap_or(paths.logs.clone()),
            ..paths
        },
        logging: logging.0,
    })
}

/// True when `packetbeat.<key>` is present, even with an empty value.
fn has_key(tree: &Value, key: &str) -> bool {
    tree.get("packetbeat").and_then(|p| p.get(key)).is_some()
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn paths(root: &Section<'_>, req: &LoadRequest) -> Result<Paths, ConfigError> {
    let p = root.section("path", "path");
    let from = |cli: &Option<PathBuf>, key: &str| -> Result<Option<PathBuf>, ConfigError> {
        Ok(cli.clone().or(p.string(key)?.map(PathBuf::from)))
    };
    let home = from(&req.path_home, "home")?.unwrap_or_else(|| PathBuf::from("."));
    Ok(Paths {
        config: p
            .string("config")?
            .map_or_else(|| home.clone(), PathBuf::from),
        data: from(&req.path_data, "data")?.unwrap_or_else(|| home.join("data")),
        logs: from(&req.path_logs, "logs")?.unwrap_or_else(|| home.join("logs")),
        home,
    })
}

/// The logging settings and `logging.files.path`, when set.
fn logging(s: &Section<'_>) -> Result<(LoggingConfig, Option<PathBuf>), ConfigError> {
    let level = s
        .string("level")?
        .unwrap_or_else(|| "info".into())
        .to_ascii_lowercase();
    if !["debug", "info", "warning", "warn", "error", "critical"].contains(&level.as_str()) {
        return Err(ConfigError::invalid(
            s.key("level"),
            format!("expected one of debug, info, warning, error, critical; got '{level}'"),
        ));
    }
    let files = s.section("files", "logging.files");
    Ok((
        LoggingConfig {
            level,
            selectors: s.strings("selectors")?,
            to_stderr: s.bool("to_stderr", false)?,
            to_files: s.bool("to_files", true)?,
            file_name: files.string("name")?.unwrap_or_else(|| "wirebeat".into()),
        },
        files.string("path")?.map(PathBuf::from),
    ))
}

fn interfaces(value: Option<&Value>) -> Result<Vec<InterfaceConfig>, ConfigError> {
    let items: Vec<&Value> = match value {
        None => Vec::new(),
        Some(Value::Sequence(items)) => items.iter().collect(),
        Some(v) => vec![v],
    };
    let mut out: Vec<InterfaceConfig> = Vec::new();
    for item in items {
        let s = Section::new(Some(item), "packetbeat.interfaces");
        let entry = InterfaceConfig {
            device: s.string("device")?.unwrap_or_else(|| "any".into()),
            file: s.string("file")?.map(PathBuf::from),
            snaplen: u32::try_from(s.uint("snaplen", 65535, 1..=262_144)?).unwrap_or(65535),
            bpf_filter: s.string("bpf_filter")?.filter(|f| !f.trim().is_empty()),
            with_vlans: s.bool("with_vlans", false)?,
        };
        if !out.contains(&entry) {
            out.push(entry);
        }
    }
    Ok(out)
}

fn flows(section: Option<Section<'_>>) -> Result<Option<FlowsConfig>, ConfigError> {
    let Some(s) = section else { return Ok(None) };
    if !s.bool("enabled", true)? {
        return Ok(None);
    }
    let timeout = match s.duration("timeout")? {
        None => Duration::from_secs(30),
        Some((false, d)) if d >= Duration::from_secs(1) => d,
        Some(_) => {
            return Err(ConfigError::invalid(
                s.key("timeout"),
                "timeout must be >= 1s",
            ))
        }
    };
    let period = match s.duration("period")? {
        None => Some(Duration::from_secs(10)),
        Some((true, _)) => None,
        Some((false, d)) if d.is_zero() => None,
        Some((false, d)) if d >= Duration::from_secs(1) => Some(d),
        Some(_) => {
            return Err(ConfigError::invalid(
                s.key("period"),
                "report period must be -1 or >= 1s",
            ))
        }
    };
    let max_flows = to_usize(s.uint("max_flows", 262_144, 1..=16_777_216)?);
    Ok(Some(FlowsConfig {
        timeout,
        period,
        max_flows,
        metadata: s.event_metadata()?,
    }))
}

fn output(value: Option<&Value>, paths: &Paths) -> Result<OutputConfig, ConfigError> {
    let Some(Value::Mapping(map)) = value else {
        return Ok(OutputConfig::Default);
    };
    let mut enabled = Vec::new();
    for (k, v) in map {
        let name = key_text(k);
        let entry = Section::new(Some(v), "");
        if entry.bool("enabled", true)? {
            enabled.push((name, v));
        }
    }
    let (name, value) = match enabled.as_slice() {
        [] => return Ok(OutputConfig::Default),
        [one] => one.clone(),
        [a, b, ..] => {
            return Err(ConfigError::invalid(
                "output",
                format!(
                    "only one output can be enabled, found '{}' and '{}'",
                    a.0, b.0
                ),
            ))
        }
    };
    let path = format!("output.{name}");
    let o = Section::new(Some(value), &path);
    Ok(match name.as_str() {
        "console" => OutputConfig::Console {
            pretty: o.bool("pretty", false)?,
        },
        "file" => OutputConfig::File {
            path: o
                .string("path")?
                .map_or_else(|| paths.data.clone(), PathBuf::from),
            filename: o.string("filename")?.unwrap_or_else(|| "wirebeat".into()),
            rotate_every_kb: o.uint("rotate_every_kb", 10_240, 1..=u64::from(u32::MAX))?,
            number_of_files: u32::try_from(o.uint("number_of_files", 7, 2..=1024)?).unwrap_or(7),
            permissions: permissions(&o)?,
            rotate_on_startup: o.bool("rotate_on_startup", true)?,
        },
        _ => OutputConfig::Unsupported { name },
    })
}

/// `permissions`: octal as the beats write it (`0600`, `"0600"`, `0o600`).
fn permissions(o: &Section<'_>) -> Result<u32, ConfigError> {
    let text = match o.get("permissions") {
        None => return Ok(0o600),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.trim().to_string(),
        Some(v) => {
            return Err(ConfigError::invalid(
                o.key("permissions"),
                format!("expected octal permissions such as 0600, got {}", show(v)),
            ))
        }
    };
    let digits = text.trim_start_matches("0o");
    u32::from_str_radix(digits, 8)
        .ok()
        .filter(|m| *m <= 0o777)
        .ok_or_else(|| {
            ConfigError::invalid(
                o.key("permissions"),
                format!("expected octal permissions such as 0600, got '{text}'"),
            )
        })
}

fn precision(s: &Section<'_>) -> Result<Precision, ConfigError> {
    match s.string("precision")?.as_deref() {
        None | Some("millisecond") => Ok(Precision::Millisecond),
        Some("microsecond") => Ok(Precision::Microsecond),
        Some("nanosecond") => Ok(Precision::Nanosecond),
        Some(other) => Err(ConfigError::invalid(
            s.key("precision"),
            format!("expected millisecond, microsecond or nanosecond, got '{other}'"),
        )),
    }
}
