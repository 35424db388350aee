//! The one [`Protocol`] implementation every port-based protocol uses: its options type says
//! its name, transports and how to start an analyzer; [`Configured`] does the rest.

use crate::{Analyzer, CommonOptions, ConnMeta, OptionsError, Protocol, TransportKind};
use std::sync::Arc;
use wb_config::ProtocolConfig;

/// A protocol's parsed options, and what the generic [`Configured`] protocol needs from them.
pub trait ProtocolOptions: Send + Sync + Sized + 'static {
    /// The `type:` name.
    const NAME: &'static str;
    /// Transports analysed on the configured ports.
    const TRANSPORTS: &'static [TransportKind];
    /// Transports this configured instance analyses: [`Self::TRANSPORTS`] unless an option
    /// narrows them (SIP's `transport_protocol`).
    fn transports(&self) -> &'static [TransportKind] {
        Self::TRANSPORTS
    }
    /// Reads the options from a protocol entry.
    fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError>;
    /// The options shared by every protocol.
    fn common(&self) -> &CommonOptions;
    /// A fresh analyzer for one connection.
    fn new_analyzer(config: &Arc<Self>, conn: &ConnMeta) -> Box<dyn Analyzer>;
}

/// A configured protocol with options `O`.
#[derive(Debug)]
pub struct Configured<O> {
    config: Arc<O>,
}

impl<O: ProtocolOptions> Configured<O> {
    /// Builds the protocol from its `packetbeat.protocols` entry.
    pub fn build(cfg: &ProtocolConfig) -> Result<Arc<dyn Protocol>, OptionsError> {
        Ok(Arc::new(Configured {
            config: Arc::new(O::from_config(cfg)?),
        }))
    }
}

impl<O: ProtocolOptions> Protocol for Configured<O> {
    fn name(&self) -> &'static str {
        O::NAME
    }
    fn transports(&self) -> &[TransportKind] {
        self.config.transports()
    }
    fn ports(&self) -> &[u16] {
        &self.config.common().ports
    }
    fn max_message_size(&self) -> usize {
        self.config.common().max_message_size
    }
    fn transaction_timeout_nanos(&self) -> i64 {
        self.config.common().timeout_nanos()
    }
    fn new_analyzer(&self, conn: &ConnMeta) -> Box<dyn Analyzer> {
        O::new_analyzer(&self.config, conn)
    }
}
