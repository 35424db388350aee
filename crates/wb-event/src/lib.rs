//! The ECS event model of Wirebeat: an [`Event`] is a flat list of dotted field paths and typed
//! [`Value`]s, serialised straight into nested JSON by [`write_json`]. Also the Community ID
//! flow hash.

mod community_id;
mod event;
mod json;
mod value;

pub use community_id::{community_id, icmp_ports, CommunityIdInput};
pub use event::{Event, FieldName};
pub use json::{write_json, JsonStyle};
pub use value::Value;
