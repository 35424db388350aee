//! wb-metrics
