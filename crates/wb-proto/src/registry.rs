//! The explicit list of protocols Wirebeat implements, and building them from configuration.

use crate::{Dir, OptionsError, Protocol, TransportKind};
use std::sync::Arc;
use wb_config::ProtocolConfig;

/// One message of an example conversation.
#[derive(Clone, Copy, Debug)]
pub struct ExampleMessage {
    /// Who sends it.
    pub dir: Dir,
    /// Its bytes on the wire.
    pub data: &'static [u8],
}

/// How to build one protocol from its configuration entry.
pub struct ProtocolSpec {
    /// The `type:` name.
    pub name: &'static str,
    /// Builds a configured instance.
    pub build: fn(&ProtocolConfig) -> Result<Arc<dyn Protocol>, OptionsError>,
    /// A short, valid example conversation with at least one complete transaction. The generic
    /// analyzer test suite replays it in many segmentations and with gaps, and the fuzz
    /// harness starts from it.
    pub example: &'static [ExampleMessage],
    /// How the example travels: a TCP stream, or one UDP datagram per message.
    pub example_transport: TransportKind,
}

/// Every protocol Wirebeat implements. Add new protocols here, once.
pub const IMPLEMENTED: &[ProtocolSpec] = &[
    ProtocolSpec {
        name: crate::template::NAME,
        build: crate::template::Template::build,
        example: crate::template::EXAMPLE,
        example_transport: TransportKind::Tcp,
    },
    ProtocolSpec {
        name: crate::http::NAME,
        build: crate::http::Http::build,
        example: crate::http::EXAMPLE,
        example_transport: TransportKind::Tcp,
    },
    ProtocolSpec {
        name: crate::dns::NAME,
        build: crate::dns::Dns::build,
        example: crate::dns::EXAMPLE,
        example_transport: TransportKind::Udp,
    },
    ProtocolSpec {
        name: crate::mysql::NAME,
        build: crate::mysql::Mysql::build,
        example: crate::mysql::EXAMPLE,
        example_transport: TransportKind::Tcp,
    },
    ProtocolSpec {
        name: crate::pgsql::NAME,
        build: crate::pgsql::Pgsql::build,
        example: crate::pgsql::EXAMPLE,
        example_transport: TransportKind::Tcp,
    },
    ProtocolSpec {
        name: crate::redis::NAME,
        build: crate::redis::Redis::build,
        example: crate::redis::EXAMPLE,
        example_transport: TransportKind::Tcp,
    },
    ProtocolSpec {
        name: crate::memcache::NAME,
        build: crate::memcache::Memcache::build,
        example: crate::memcache::EXAMPLE,
        example_transport: TransportKind::Tcp,
    },
    ProtocolSpec {
        name: crate::mongodb::NAME,
        build: crate::mongodb::Mongodb::build,
        example: crate::mongodb::EXAMPLE,
        example_transport: TransportKind::Tcp,
    },
    ProtocolSpec {
        name: crate::dhcpv4::NAME,
        build: crate::dhcpv4::Dhcpv4::build,
        example: crate::dhcpv4::EXAMPLE,
        example_transport: TransportKind::Udp,
    },
    ProtocolSpec {
        name: crate::amqp::NAME,
        build: crate::amqp::Amqp::build,
        example: crate::amqp::EXAMPLE,
        example_transport: TransportKind::Tcp,
    },
    ProtocolSpec {
        name: crate::sip::NAME,
        build: crate::sip::Sip::build,
        example: crate::sip::EXAMPLE,
        example_transport: TransportKind::Udp,
    },
    ProtocolSpec {
        name: crate::cassandra::NAME,
        build: crate::cassandra::Cassandra::build,
        example: crate::cassandra::EXAMPLE,
        example_transport: TransportKind::Tcp,
    },
    ProtocolSpec {
        name: crate::tls::NAME,
        build: crate::tls::Tls::build,
        example: crate::tls::EXAMPLE,
        example_transport: TransportKind::Tcp,
    },
    ProtocolSpec {
        name: crate::thrift::NAME,
        build: crate::thrift::Thrift::build,
        example: crate::thrift::EXAMPLE,
        example_transport: TransportKind::Tcp,
    },
    ProtocolSpec {
        name: crate::nfs::NAME,
        build: crate::nfs::Nfs::build,
        example: crate::nfs::EXAMPLE,
        example_transport: TransportKind::Tcp,
    },
    ProtocolSpec {
        name: crate::kafka::NAME,
        build: crate::kafka::Kafka::build,
        example: crate::kafka::EXAMPLE,
        example_transport: TransportKind::Tcp,
    },
];

/// The configured protocols.
pub struct Built {
    /// Enabled protocols in configuration order.
    pub protocols: Vec<Arc<dyn Protocol>>,
    /// `type: icmp`, when enabled (ICMP has no ports: the engine feeds it every ICMP message).
    pub icmp: Option<crate::icmp::IcmpConfig>,
}

/// Builds every enabled protocol entry.
pub fn build_all(configs: &[ProtocolConfig]) -> Result<Built, OptionsError> {
    let mut built = Built {
        protocols: Vec::new(),
        icmp: None,
    };
    for cfg in configs.iter().filter(|c| c.enabled) {
        if cfg.kind == crate::icmp::NAME {
            built.icmp = Some(crate::icmp::IcmpConfig::from_config(cfg)?);
        } else if let Some(spec) = IMPLEMENTED.iter().find(|s| s.name == cfg.kind) {
            built.protocols.push((spec.build)(cfg)?);
        } else {
            return Err(OptionsError {
                protocol: cfg.kind.clone(),
                key: "type".into(),
                message: format!("unknown protocol type \"{}\"", cfg.kind),
            });
        }
    }
    Ok(built)
}
