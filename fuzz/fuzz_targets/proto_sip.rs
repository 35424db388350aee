//! The `sip` analyzer alone, fed the fuzz input as a conversation (`wb_testkit::fuzz::replay`),
//! over UDP (the default transport) and over TCP (`transport_protocol: tcp`, its framing).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    wb_testkit::fuzz::replay_named("sip", data);
    wb_testkit::fuzz::replay_named_with("sip", "{transport_protocol: tcp}", data);
});
