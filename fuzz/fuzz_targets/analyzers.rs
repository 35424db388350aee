//! Registry-driven: every registered protocol gets the fuzz input as a conversation over its
//! example's transport (see `wb_testkit::fuzz::replay`). A new protocol is fuzzed here with no
//! new code; its own `proto_<name>` target explores its parser alone.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for spec in wb_proto::registry::IMPLEMENTED {
        wb_testkit::fuzz::replay(spec, data);
    }
});
