//! The typed configuration.

use std::path::PathBuf;
use std::time::Duration;
use wb_wire::Precision;

/// The whole configuration, with Packetbeat's defaults filled in.
#[derive(Clone, Debug)]
pub struct Config {
    /// `packetbeat.interfaces` (one entry per configured interface).
    pub interfaces: Vec<InterfaceConfig>,
    /// `packetbeat.flows`; `None` when the section is absent or disabled.
    pub flows: Option<FlowsConfig>,
    /// `packetbeat.protocols`, in configuration order.
    pub protocols: Vec<ProtocolConfig>,
    /// TCP reassembly limits (`packetbeat.tcp.*`, a Wirebeat extension).
    pub tcp: TcpConfig,
    /// The one enabled output.
    pub output: OutputConfig,
    /// `fields`: extra fields added to every event.
    pub fields: serde_yaml_ng::Mapping,
    /// `fields_under_root`: put `fields` at the event root instead of under `fields`.
    pub fields_under_root: bool,
    /// `tags`.
    pub tags: Vec<String>,
    /// `name` (`agent.name`; the host name when unset).
    pub name: Option<String>,
    /// `logging.*`.
    pub logging: LoggingConfig,
    /// `timestamp.precision`.
    pub timestamp_precision: Precision,
    /// `path.*`, resolved.
    pub paths: Paths,
    /// `packetbeat.shutdown_timeout`.
    pub shutdown_timeout: Duration,
}

/// One `packetbeat.interfaces` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceConfig {
    /// `device` (default `any`).
    pub device: String,
    /// `file`: a capture file to read instead of a device.
    pub file: Option<PathBuf>,
    /// `snaplen` (default 65535).
    pub snaplen: u32,
    /// `bpf_filter`.
    pub bpf_filter: Option<String>,
    /// `with_vlans`.
    pub with_vlans: bool,
}

/// `packetbeat.flows`.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowsConfig {
    /// Inactivity after which a flow is reported final and removed (default 30s, ≥ 1s).
    pub timeout: Duration,
    /// Interval of periodic reports; `None` reports only ended flows (`period: -1s`).
    pub period: Option<Duration>,
    /// Most flows tracked at once (a Wirebeat extension; default 262144).
    pub max_flows: usize,
    /// `fields`, `fields_under_root`, `tags` and `keep_null` of flow events.
    pub metadata: EventMetadata,
}

/// What one event source (a protocol or the flows) adds to its events: libbeat's per-client
/// `fields`, `fields_under_root`, `tags` and `keep_null`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventMetadata {
    /// `fields`: extra fields, under `fields.` unless `fields_under_root`.
    pub fields: serde_yaml_ng::Mapping,
    /// `fields_under_root`.
    pub fields_under_root: bool,
    /// `tags`, appended to the event's `tags`.
    pub tags: Vec<String>,
    /// `keep_null`: write fields whose value is null instead of dropping them.
    pub keep_null: bool,
}

/// One `packetbeat.protocols` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct ProtocolConfig {
    /// `type`.
    pub kind: String,
    /// `enabled` (default true).
    pub enabled: bool,
    /// `ports`.
    pub ports: Vec<u16>,
    /// `transaction_timeout` (default 10s).
    pub transaction_timeout: Duration,
    /// `send_request` (default false; true for cassandra, as in Packetbeat).
    pub send_request: bool,
    /// `send_response` (default false; true for cassandra, as in Packetbeat).
    pub send_response: bool,
    /// `fields`, `fields_under_root`, `tags` and `keep_null` of this protocol's events.
    pub metadata: EventMetadata,
    /// The protocol's own options (every other key of the entry).
    pub options: serde_yaml_ng::Mapping,
}

/// `packetbeat.tcp`: reassembly limits per connection direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpConfig {
    /// Out-of-order segments held (default 256).
    pub max_ooo_segments: usize,
    /// Out-of-order bytes held (default 1 MiB).
    pub max_ooo_bytes: usize,
}

/// The output events go to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputConfig {
    /// None configured: the built-in local store under `path.data`.
    Default,
    /// `output.console`.
    Console {
        /// `pretty`.
        pretty: bool,
    },
    /// `output.file`.
    File {
        /// `path` (default `path.data`).
        path: PathBuf,
        /// `filename` (default `wirebeat`).
        filename: String,
        /// `rotate_every_kb` (default 10240).
        rotate_every_kb: u64,
        /// `number_of_files` (default 7, 2..=1024).
        number_of_files: u32,
        /// `permissions` (default 0600).
        permissions: u32,
        /// `rotate_on_startup` (default true).
        rotate_on_startup: bool,
    },
    /// An output Packetbeat has and Wirebeat does not yet (events go to the local store).
    Unsupported {
        /// Its name, e.g. `elasticsearch`.
        name: String,
    },
}

/// `logging.*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggingConfig {
    /// `logging.level` (default `info`).
    pub level: String,
    /// `logging.selectors`.
    pub selectors: Vec<String>,
    /// `logging.to_stderr`.
    pub to_stderr: bool,
    /// `logging.to_files` (default true).
    pub to_files: bool,
    /// `logging.files.name` (default `wirebeat`).
    pub file_name: String,
}

/// `path.*`, resolved against `path.home`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    /// `path.home` (default the current directory).
    pub home: PathBuf,
    /// `path.config` (default home).
    pub config: PathBuf,
    /// `path.data` (default `<home>/data`).
    pub data: PathBuf,
    /// `path.logs` (default `<home>/logs`, or `logging.files.path`).
    pub logs: PathBuf,
}
