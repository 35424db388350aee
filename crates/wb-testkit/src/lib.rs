//! Test-only helpers: build TCP conversations as raw frames, run frames through the engine,
//! check every registered analyzer with the generic suite, replay fuzz inputs, and compare golden
//! event files.

pub mod conversation;
pub mod fuzz;
pub mod golden;
pub mod harness;
pub mod suite;

pub use conversation::{Conversation, Frame, Segmentation};
pub use harness::{
    run_engine, run_engine_counting, run_frames, run_frames_counting, strip_volatile,
};
