//! The `kafka` analyzer alone, fed the fuzz input as a conversation (`wb_testkit::fuzz::replay`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    wb_testkit::fuzz::replay_named("kafka", data);
});
