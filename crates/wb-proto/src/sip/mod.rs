//! `sip`: SIP (RFC 3261) over UDP or TCP, one event per message with Packetbeat's `sip.*`
//! fields; SDP bodies (RFC 8866) read at session level.
//!
//! [`parser`] reads start lines and header blocks (folding, compact names), [`uri`] URIs and
//! name-addrs, [`sdp`] the body, [`auth`] Authorization values and masks the credential in
//! the raw text, [`state`] frames messages (datagrams, or Content-Length over TCP) and
//! [`ecs`] writes the event. Requests and responses are not paired, as in Packetbeat.

mod auth;
mod config;
mod ecs;
mod parser;
mod sdp;
mod state;
mod uri;

pub use auth::REDACTED;
pub use config::{SipConfig, DEFAULT_MAX_MESSAGE_SIZE};
pub use parser::{MAX_HEADERS, MAX_START_LINE};
pub use state::{NOTE_BODY_TOO_LARGE, NOTE_TRUNCATED_BODY};

use crate::registry::ExampleMessage;
use crate::{
    Analyzer, CommonOptions, Configured, ConnMeta, Dir, OptionsError, ProtocolOptions,
    TransportKind,
};
use std::sync::Arc;
use wb_config::ProtocolConfig;

/// Protocol name (`type: sip`).
pub const NAME: &str = "sip";

/// An example call set-up over UDP: an INVITE with an SDP offer (compact headers), 180
/// Ringing, and the 200 OK with the answer.
pub const EXAMPLE: &[ExampleMessage] = &[
    ExampleMessage {
        dir: Dir::ToServer,
        data: b"INVITE sip:bob@example.test SIP/2.0\r\n\
v: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK-1\r\n\
f: \"Alice\" <sip:alice@example.test>;tag=a1\r\n\
t: <sip:bob@example.test>\r\n\
i: call-1@127.0.0.1\r\n\
CSeq: 1 INVITE\r\n\
m: <sip:alice@127.0.0.1:40000>\r\n\
Max-Forwards: 70\r\n\
c: application/sdp\r\n\
l: 87\r\n\
\r\n\
v=0\r\n\
o=alice 1 1 IN IP4 127.0.0.1\r\n\
s=call\r\n\
c=IN IP4 127.0.0.1\r\n\
m=audio 6000 RTP/AVP 0\r\n",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: b"SIP/2.0 180 Ringing\r\n\
Via: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK-1\r\n\
From: \"Alice\" <sip:alice@example.test>;tag=a1\r\n\
To: <sip:bob@example.test>;tag=b2\r\n\
Call-ID: call-1@127.0.0.1\r\n\
CSeq: 1 INVITE\r\n\
Content-Length: 0\r\n\
\r\n",
    },
    ExampleMessage {
        dir: Dir::ToClient,
        data: b"SIP/2.0 200 OK\r\n\
Via: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK-1\r\n\
From: \"Alice\" <sip:alice@example.test>;tag=a1\r\n\
To: <sip:bob@example.test>;tag=b2\r\n\
Call-ID: call-1@127.0.0.1\r\n\
CSeq: 1 INVITE\r\n\
Contact: <sip:bob@127.0.0.2:7777>\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 85\r\n\
\r\n\
v=0\r\n\
o=bob 2 2 IN IP4 127.0.0.2\r\n\
s=call\r\n\
c=IN IP4 127.0.0.2\r\n\
m=audio 7000 RTP/AVP 0\r\n",
    },
];

/// The configured `sip` protocol.
pub type Sip = Configured<SipConfig>;

impl ProtocolOptions for SipConfig {
    const NAME: &'static str = NAME;
    const TRANSPORTS: &'static [TransportKind] = &[TransportKind::Udp, TransportKind::Tcp];
    fn transports(&self) -> &'static [TransportKind] {
        match self.transport {
            TransportKind::Udp => &[TransportKind::Udp],
            TransportKind::Tcp => &[TransportKind::Tcp],
        }
    }
    fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        SipConfig::from_config(cfg)
    }
    fn common(&self) -> &CommonOptions {
        &self.common
    }
    fn new_analyzer(config: &Arc<Self>, _conn: &ConnMeta) -> Box<dyn Analyzer> {
        Box::new(state::SipAnalyzer::new(Arc::clone(config)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example's Content-Length values match their bodies.
    #[test]
    fn example_lengths() {
        for m in EXAMPLE {
            let len = parser::head_len(m.data, 0).unwrap();
            let head = parser::parse_head(&m.data[..len]).unwrap();
            assert_eq!(
                head.content_length(),
                parser::ContentLength::Bytes((m.data.len() - len) as u64)
            );
        }
    }
}
