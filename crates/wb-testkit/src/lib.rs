//! wb-testkit
