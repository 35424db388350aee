//! Link layer → IP → transport decoding of one frame. (Implementation in progress.)

use crate::{DecodeError, LinkType, Packet};
use std::net::IpAddr;

/// Decodes one captured frame of link type `link`.
pub fn decode(link: LinkType, frame: &[u8]) -> Result<Packet<'_>, DecodeError> {
    let _ = frame;
    Err(DecodeError::UnsupportedLinkType(link.0))
}

/// Decodes the transport layer of a reassembled IP payload.
pub fn decode_ip_payload<'a>(
    template: &Packet<'_>,
    protocol: u8,
    payload: &'a [u8],
) -> Result<Packet<'a>, DecodeError> {
    let _ = (template, protocol, payload);
    Err(DecodeError::BadIpv4)
}

#[allow(dead_code)]
fn unused(_: IpAddr) {}
