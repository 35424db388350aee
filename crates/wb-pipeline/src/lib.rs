//! The publishing side of Wirebeat: every event gets the general fields (`fields`, `tags`,
//! agent and host metadata), is encoded once as JSON, and goes to the output sink.
//! Processors and queues join here in later work.

mod enrich;
mod publisher;
mod yaml_value;

pub use enrich::{Enrichment, EnrichmentConfig};
pub use publisher::{PublishStats, Publisher};
pub use yaml_value::yaml_to_value;
