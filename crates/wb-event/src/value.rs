//! Typed field values.

use crate::FieldName;
use std::net::IpAddr;
use wb_wire::Timestamp;

/// A field value. Strings that are known at compile time are kept as `&'static str`.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// JSON `null` (written only where `keep_null` asks for it).
    Null,
    /// A boolean.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    UInt(u64),
    /// A float (written with Rust's shortest round-trip form; NaN/inf become null).
    Float(f64),
    /// A string known at compile time.
    Static(&'static str),
    /// An owned string.
    Str(String),
    /// An IP address, written in its canonical text form.
    Ip(IpAddr),
    /// A time, written as RFC 3339 UTC with the configured precision.
    Time(Timestamp),
    /// A list of values.
    List(Vec<Value>),
    /// A nested object; its keys may themselves be dotted.
    Object(Vec<(FieldName, Value)>),
}

impl Value {
    /// The string content of `Static` and `Str` values.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Static(s) => Some(s),
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value as an unsigned integer, when it is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::UInt(n) => Some(n),
            Value::Int(n) => u64::try_from(n).ok(),
            _ => None,
        }
    }
}

impl From<&'static str> for Value {
    fn from(s: &'static str) -> Self {
        Value::Static(s)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Value::UInt(n)
    }
}
impl From<u32> for Value {
    fn from(n: u32) -> Self {
        Value::UInt(u64::from(n))
    }
}
impl From<u16> for Value {
    fn from(n: u16) -> Self {
        Value::UInt(u64::from(n))
    }
}
impl From<u8> for Value {
    fn from(n: u8) -> Self {
        Value::UInt(u64::from(n))
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}
impl From<IpAddr> for Value {
    fn from(ip: IpAddr) -> Self {
        Value::Ip(ip)
    }
}
impl From<Timestamp> for Value {
    fn from(t: Timestamp) -> Self {
        Value::Time(t)
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::List(v)
    }
}
