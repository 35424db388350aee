//! Packet time: nanoseconds since the Unix epoch, and its RFC 3339 rendering.

use std::fmt::Write;

/// A point in time as nanoseconds since 1970-01-01T00:00:00Z (UTC). All engine timing
/// (timeouts, flow periods, durations) runs on this packet time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// How many fractional digits `@timestamp` and other times are written with
/// (`timestamp.precision` in the configuration).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Precision {
    /// Three digits (Packetbeat's default).
    #[default]
    Millisecond,
    /// Six digits.
    Microsecond,
    /// Nine digits.
    Nanosecond,
}

impl Timestamp {
    /// Builds a timestamp from whole seconds and a nanosecond fraction.
    pub fn from_secs_nanos(secs: i64, nanos: u32) -> Self {
        Timestamp(
            secs.saturating_mul(1_000_000_000)
                .saturating_add(i64::from(nanos)),
        )
    }

    /// Nanoseconds since the epoch.
    pub fn as_nanos(self) -> i64 {
        self.0
    }

    /// Whole seconds since the epoch (floor).
    pub fn secs(self) -> i64 {
        self.0.div_euclid(1_000_000_000)
    }

    /// Nanoseconds since the last whole second.
    pub fn subsec_nanos(self) -> u32 {
        // rem_euclid of a positive modulus is in 0..1e9, which fits a u32.
        self.0.rem_euclid(1_000_000_000) as u32
    }

    /// This time plus `nanos` nanoseconds (saturating).
    pub fn add_nanos(self, nanos: i64) -> Self {
        Timestamp(self.0.saturating_add(nanos))
    }

    /// Nanoseconds from `earlier` to `self` (negative when `earlier` is later).
    pub fn nanos_since(self, earlier: Timestamp) -> i64 {
        self.0.saturating_sub(earlier.0)
    }

    /// Appends the RFC 3339 UTC form (`2015-10-19T20:49:23.817Z`) with `precision` digits.
    pub fn write_rfc3339(self, precision: Precision, out: &mut String) {
        let secs = self.secs();
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        let _ = write!(
            out,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            rem / 3600,
            (rem / 60) % 60,
            rem % 60
        );
        let nanos = self.subsec_nanos();
        let _ = match precision {
            Precision::Millisecond => write!(out, ".{:03}Z", nanos / 1_000_000),
            Precision::Microsecond => write!(out, ".{:06}Z", nanos / 1_000),
            Precision::Nanosecond => write!(out, ".{nanos:09}Z"),
        };
    }

    /// The RFC 3339 UTC form as a new string.
    pub fn to_rfc3339(self, precision: Precision) -> String {
        let mut s = String::with_capacity(32);
        self.write_rfc3339(precision, &mut s);
        s
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day); Howard Hinnant's
/// `civil_from_days` algorithm.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_known_instants() {
        let t = Timestamp::from_secs_nanos(1_445_287_763, 817_123_456);
        assert_eq!(
            t.to_rfc3339(Precision::Millisecond),
            "2015-10-19T20:49:23.817Z"
        );
        assert_eq!(
            t.to_rfc3339(Precision::Microsecond),
            "2015-10-19T20:49:23.817123Z"
        );
        assert_eq!(
            t.to_rfc3339(Precision::Nanosecond),
            "2015-10-19T20:49:23.817123456Z"
        );
        assert_eq!(
            Timestamp(0).to_rfc3339(Precision::Millisecond),
            "1970-01-01T00:00:00.000Z"
        );
        let leap = Timestamp::from_secs_nanos(951_782_400, 0); // 2000-02-29
        assert_eq!(
            leap.to_rfc3339(Precision::Millisecond),
            "2000-02-29T00:00:00.000Z"
        );
    }

    #[test]
    fn negative_times_floor() {
        let t = Timestamp(-1);
        assert_eq!(t.secs(), -1);
        assert_eq!(t.subsec_nanos(), 999_999_999);
        assert_eq!(
            t.to_rfc3339(Precision::Nanosecond),
            "1969-12-31T23:59:59.999999999Z"
        );
    }
}
