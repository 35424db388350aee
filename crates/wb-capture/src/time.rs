//! Capture timestamps in any unit, converted exactly with integer arithmetic.

use wb_wire::Timestamp;

/// Units per second of a timestamp: `10^k` or `2^k`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resolution {
    units_per_sec: u64,
}

impl Resolution {
    /// Microseconds (pcap's and pcapng's default).
    pub const MICROS: Resolution = Resolution {
        units_per_sec: 1_000_000,
    };
    /// Nanoseconds.
    pub const NANOS: Resolution = Resolution {
        units_per_sec: 1_000_000_000,
    };

    /// From pcapng's `if_tsresol` byte: top bit set = power of two, else power of ten.
    /// Resolutions finer than 2^-63 / 10^-19 are not representable and give `None`.
    pub fn from_tsresol(byte: u8) -> Option<Resolution> {
        let exp = u32::from(byte & 0x7f);
        let units = if byte & 0x80 != 0 {
            2u64.checked_pow(exp)
        } else {
            10u64.checked_pow(exp)
        };
        units
            .filter(|u| *u > 0)
            .map(|units_per_sec| Resolution { units_per_sec })
    }

    /// The timestamp of `units` since the epoch, shifted by `offset_secs`.
    pub fn to_timestamp(self, units: u64, offset_secs: i64) -> Timestamp {
        let per = self.units_per_sec;
        let secs = i64::try_from(units / per)
            .unwrap_or(i64::MAX)
            .saturating_add(offset_secs);
        let frac = u128::from(units % per) * 1_000_000_000 / u128::from(per);
        Timestamp::from_secs_nanos(secs, u32::try_from(frac).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::Resolution;

    #[test]
    fn exact_conversions() {
        let t = Resolution::MICROS.to_timestamp(1_500_000_123_456, 0);
        assert_eq!((t.secs(), t.subsec_nanos()), (1_500_000, 123_456_000));
        let t = Resolution::NANOS.to_timestamp(1_700_000_000_999_999_999, 10);
        assert_eq!((t.secs(), t.subsec_nanos()), (1_700_000_010, 999_999_999));
        let bin = Resolution::from_tsresol(0x80 | 20);
        let t = bin.map(|r| r.to_timestamp((5 << 20) + (1 << 19), 0));
        assert_eq!(
            t.map(|t| (t.secs(), t.subsec_nanos())),
            Some((5, 500_000_000))
        );
        assert_eq!(Resolution::from_tsresol(9), Some(Resolution::NANOS));
        assert_eq!(Resolution::from_tsresol(100), None);
    }
}
