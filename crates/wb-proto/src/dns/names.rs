//! Names of DNS numbers as Packetbeat writes them (the miekg/dns tables): record types,
//! classes, opcodes, response codes, DNSSEC algorithms and digest types. Unknown values are
//! written as their number (response codes as `Unknown <n>`).

use std::borrow::Cow;

/// Record type 41, the EDNS pseudo-record.
pub const TYPE_OPT: u16 = 41;
/// Record type 252, a full zone transfer.
pub const TYPE_AXFR: u16 = 252;
/// Record type 6, start of authority.
pub const TYPE_SOA: u16 = 6;

const TYPES: &[(u16, &str)] = &[
    (1, "A"),
    (2, "NS"),
    (3, "MD"),
    (4, "MF"),
    (5, "CNAME"),
    (6, "SOA"),
    (7, "MB"),
    (8, "MG"),
    (9, "MR"),
    (10, "NULL"),
    (12, "PTR"),
    (13, "HINFO"),
    (14, "MINFO"),
    (15, "MX"),
    (16, "TXT"),
    (17, "RP"),
    (18, "AFSDB"),
    (19, "X25"),
    (20, "ISDN"),
    (21, "RT"),
    (22, "NSAP"),
    (23, "NSAP-PTR"),
    (24, "SIG"),
    (25, "KEY"),
    (26, "PX"),
    (27, "GPOS"),
    (28, "AAAA"),
    (29, "LOC"),
    (30, "NXT"),
    (31, "EID"),
    (32, "NIMLOC"),
    (33, "SRV"),
    (34, "ATMA"),
    (35, "NAPTR"),
    (36, "KX"),
    (37, "CERT"),
    (39, "DNAME"),
    (41, "OPT"),
    (42, "APL"),
    (43, "DS"),
    (44, "SSHFP"),
    (45, "IPSECKEY"),
    (46, "RRSIG"),
    (47, "NSEC"),
    (48, "DNSKEY"),
    (49, "DHCID"),
    (50, "NSEC3"),
    (51, "NSEC3PARAM"),
    (52, "TLSA"),
    (53, "SMIMEA"),
    (55, "HIP"),
    (56, "NINFO"),
    (57, "RKEY"),
    (58, "TALINK"),
    (59, "CDS"),
    (60, "CDNSKEY"),
    (61, "OPENPGPKEY"),
    (62, "CSYNC"),
    (63, "ZONEMD"),
    (64, "SVCB"),
    (65, "HTTPS"),
    (99, "SPF"),
    (100, "UINFO"),
    (101, "UID"),
    (102, "GID"),
    (103, "UNSPEC"),
    (104, "NID"),
    (105, "L32"),
    (106, "L64"),
    (107, "LP"),
    (108, "EUI48"),
    (109, "EUI64"),
    (249, "TKEY"),
    (250, "TSIG"),
    (251, "IXFR"),
    (252, "AXFR"),
    (253, "MAILB"),
    (254, "MAILA"),
    (255, "ANY"),
    (256, "URI"),
    (257, "CAA"),
    (258, "AVC"),
    (260, "AMTRELAY"),
    (32768, "TA"),
    (32769, "DLV"),
];

fn lookup<T: PartialEq + Copy>(table: &[(T, &'static str)], v: T) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == v).map(|(_, name)| *name)
}

fn or_number<T: PartialEq + Copy + ToString>(
    table: &[(T, &'static str)],
    v: T,
) -> Cow<'static, str> {
    lookup(table, v).map_or_else(|| Cow::Owned(v.to_string()), Cow::Borrowed)
}

/// A record type's mnemonic (`AAAA`), or its number.
pub fn type_name(t: u16) -> Cow<'static, str> {
    or_number(TYPES, t)
}

/// A class mnemonic (`IN`), or its number.
pub fn class_name(c: u16) -> Cow<'static, str> {
    or_number(
        &[
            (1, "IN"),
            (2, "CS"),
            (3, "CH"),
            (4, "HS"),
            (254, "NONE"),
            (255, "ANY"),
        ],
        c,
    )
}

/// An opcode mnemonic (`QUERY`), or its number.
pub fn opcode_name(op: u8) -> Cow<'static, str> {
    or_number(
        &[
            (0, "QUERY"),
            (1, "IQUERY"),
            (2, "STATUS"),
            (4, "NOTIFY"),
            (5, "UPDATE"),
        ],
        op,
    )
}

const RCODES: &[(u16, &str)] = &[
    (0, "NOERROR"),
    (1, "FORMERR"),
    (2, "SERVFAIL"),
    (3, "NXDOMAIN"),
    (4, "NOTIMP"),
    (5, "REFUSED"),
    (6, "YXDOMAIN"),
    (7, "YXRRSET"),
    (8, "NXRRSET"),
    (9, "NOTAUTH"),
    (10, "NOTZONE"),
    (16, "BADSIG"),
    (17, "BADKEY"),
    (18, "BADTIME"),
    (19, "BADMODE"),
    (20, "BADNAME"),
    (21, "BADALG"),
    (22, "BADTRUNC"),
    (23, "BADCOOKIE"),
];

/// A response code mnemonic (`NXDOMAIN`), or `Unknown <n>`.
pub fn rcode_name(rcode: u16) -> Cow<'static, str> {
    lookup(RCODES, rcode).map_or_else(|| Cow::Owned(format!("Unknown {rcode}")), Cow::Borrowed)
}

/// A DNSSEC algorithm mnemonic (`RSASHA256`), or its number.
pub fn algorithm_name(a: u8) -> Cow<'static, str> {
    or_number(
        &[
            (1, "RSAMD5"),
            (2, "DH"),
            (3, "DSA"),
            (5, "RSASHA1"),
            (6, "DSA-NSEC3-SHA1"),
            (7, "RSASHA1-NSEC3-SHA1"),
            (8, "RSASHA256"),
            (10, "RSASHA512"),
            (12, "ECC-GOST"),
            (13, "ECDSAP256SHA256"),
            (14, "ECDSAP384SHA384"),
            (15, "ED25519"),
            (16, "ED448"),
            (252, "INDIRECT"),
            (253, "PRIVATEDNS"),
            (254, "PRIVATEOID"),
        ],
        a,
    )
}

/// A digest type mnemonic (`SHA256`), or its number.
pub fn hash_name(h: u8) -> Cow<'static, str> {
    or_number(
        &[
            (1, "SHA1"),
            (2, "SHA256"),
            (3, "GOST94"),
            (4, "SHA384"),
            (5, "SHA512"),
        ],
        h,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_values() {
        assert_eq!(type_name(28), "AAAA");
        assert_eq!(type_name(65), "HTTPS");
        assert_eq!(type_name(4242), "4242");
        assert_eq!(class_name(1), "IN");
        assert_eq!(class_name(7), "7");
        assert_eq!(opcode_name(0), "QUERY");
        assert_eq!(opcode_name(9), "9");
        assert_eq!(rcode_name(3), "NXDOMAIN");
        assert_eq!(rcode_name(12), "Unknown 12");
        assert_eq!(algorithm_name(8), "RSASHA256");
        assert_eq!(hash_name(2), "SHA256");
    }
}
