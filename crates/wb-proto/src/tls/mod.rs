//! `tls`: one event per TLS/SSL handshake, with Packetbeat's `tls.*` fields (versions SSL 3.0
//! to TLS 1.3, SNI, ALPN, cipher, curve, resumption, alerts, certificates, JA3) plus JA3S
//! (`tls.server.ja3s`) and JA4 (`tls.client.ja4`).
//!
//! [`parser`] reads records and handshake messages from borrowed bytes; [`state`] runs the
//! record loop of each direction, reassembles handshake messages across records without
//! copying stream bytes, and decides when the handshake is complete; [`ecs`] writes the event
//! ([`fingerprint`] and [`x509`] compute fingerprints and certificate fields). Limits: TLS 1.3
//! certificates and everything after ServerHello are encrypted and not reported; SSLv2
//! record framing is not recognised.

mod config;
mod ecs;
pub mod fingerprint;
pub mod names;
pub mod parser;
mod state;
pub mod x509;

pub use config::{TlsConfig, DEFAULT_MAX_MESSAGE_SIZE, FINGERPRINT_ALGORITHMS};
pub use state::{
    MAX_ALERTS, MAX_CERTIFICATES, MIN_TLS13_FINISHED_RECORD, NOTE_GAP, NOTE_NON_TLS,
    NOTE_TLS13_ALERT, NOTE_TOO_LARGE,
};

use crate::registry::ExampleMessage;
use crate::{
    Analyzer, CommonOptions, Configured, ConnMeta, Dir, OptionsError, ProtocolOptions,
    TransportKind,
};
use std::sync::Arc;
use wb_config::ProtocolConfig;

/// Protocol name (`type: tls`).
pub const NAME: &str = "tls";

/// An example TLS 1.2 handshake (made by `example/gen.py`): a ClientHello with GREASE, SNI
/// `example.com` and ALPN; ServerHello, Certificate (self-signed P-256 `example.com`),
/// ServerKeyExchange (secp256r1) and ServerHelloDone in two records, the Certificate
/// spanning both; ClientKeyExchange, ChangeCipherSpec and an encrypted Finished each way.
pub const EXAMPLE: &[ExampleMessage] = &[
    ExampleMessage {
        dir: Dir::ToServer,
        data: include_bytes!("example/client_hello.bin"),
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: include_bytes!("example/server_flight.bin"),
    },
    ExampleMessage {
        dir: Dir::ToServer,
        data: include_bytes!("example/client_finish.bin"),
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: include_bytes!("example/server_finish.bin"),
    },
];

/// The configured `tls` protocol.
pub type Tls = Configured<TlsConfig>;

impl ProtocolOptions for TlsConfig {
    const NAME: &'static str = NAME;
    const TRANSPORTS: &'static [TransportKind] = &[TransportKind::Tcp];
    fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        TlsConfig::from_config(cfg)
    }
    fn common(&self) -> &CommonOptions {
        &self.common
    }
    fn new_analyzer(config: &Arc<Self>, _conn: &ConnMeta) -> Box<dyn Analyzer> {
        Box::new(state::TlsAnalyzer::new(Arc::clone(config)))
    }
}
