//! Wirebeat configuration in Packetbeat's schema.
//!
//! [`load`] reads the YAML file, expands dotted keys, accepts `wirebeat.*` as an alias of
//! `packetbeat.*`, applies `-E key=value` overrides, expands `${VAR}` / `${VAR:default}`, checks
//! every key against the catalogue of known keys (an unknown key is an error that names the
//! nearest known key; a known key that is not implemented yet is a warning) and builds the typed
//! [`Config`].

mod catalogue;
mod duration;
mod env;
mod error;
mod load;
mod model;
mod normalize;
mod protocols;
mod typed;

pub use duration::parse_duration;
pub use error::ConfigError;
pub use load::{load, load_str, to_yaml, LoadRequest, Loaded};
pub use model::{
    Config, EventMetadata, FlowsConfig, InterfaceConfig, LoggingConfig, OutputConfig, Paths,
    ProtocolConfig, TcpConfig,
};
