//! Unknown opcodes are logged once per opcode value for the whole process (and counted on
//! every message as `mongodb.unknown_opcode`). A small lock-free set remembers the values
//! logged; once it is full, further values are only counted.

use std::sync::atomic::{AtomicI64, Ordering};

/// Distinct unknown opcodes that get a log line.
const LOGGED: usize = 64;
/// An empty slot (no i32 widens to it).
const EMPTY: i64 = i64::MIN;

static SEEN: [AtomicI64; LOGGED] = [const { AtomicI64::new(EMPTY) }; LOGGED];

/// Logs `opcode` at warning level unless it was logged before.
pub fn log_once(opcode: i32) {
    let code = i64::from(opcode);
    for slot in &SEEN {
        match slot.compare_exchange(EMPTY, code, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => {
                tracing::warn!("mongodb: unknown operation code {opcode} (logged once per code)");
                return;
            }
            Err(seen) if seen == code => return,
            Err(_) => {}
        }
    }
}
