//! wb-outputs
