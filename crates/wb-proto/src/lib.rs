//! wb-proto
