//! wb-pipeline
