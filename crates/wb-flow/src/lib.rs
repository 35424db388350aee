//! wb-flow
