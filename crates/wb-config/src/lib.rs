//! wb-config
