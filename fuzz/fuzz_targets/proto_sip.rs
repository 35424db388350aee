//! The `sip` analyzer alone, fed the fuzz input as a conversation (`wb_testkit::fuzz::replay`),
//! over UDP (the default transport) and over TCP (`transport_protocol: tcp`, its framing).
#![no_main]

use wb_proto::TransportKind;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    wb_testkit::fuzz::replay_named("sip", data);
    let tcp = "{transport_protocol: tcp}";
    wb_testkit::fuzz::replay_named_with("sip", TransportKind::Tcp, tcp, data);
});
