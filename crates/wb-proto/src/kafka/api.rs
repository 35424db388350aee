//! Api keys: their names and the first version of each that uses the flexible encoding
//! (request header v2, response header v1, compact strings and arrays, tagged fields), from
//! the message definitions of the Kafka protocol guide.

/// Produce.
pub const PRODUCE: i16 = 0;
/// Fetch.
pub const FETCH: i16 = 1;
/// ListOffsets.
pub const LIST_OFFSETS: i16 = 2;
/// Metadata.
pub const METADATA: i16 = 3;
/// OffsetCommit.
pub const OFFSET_COMMIT: i16 = 8;
/// OffsetFetch.
pub const OFFSET_FETCH: i16 = 9;
/// FindCoordinator.
pub const FIND_COORDINATOR: i16 = 10;
/// JoinGroup.
pub const JOIN_GROUP: i16 = 11;
/// Heartbeat.
pub const HEARTBEAT: i16 = 12;
/// LeaveGroup.
pub const LEAVE_GROUP: i16 = 13;
/// SyncGroup.
pub const SYNC_GROUP: i16 = 14;
/// SaslHandshake.
pub const SASL_HANDSHAKE: i16 = 17;
/// ApiVersions: its responses always carry a v0 header, whatever the request version.
pub const API_VERSIONS: i16 = 18;
/// CreateTopics.
pub const CREATE_TOPICS: i16 = 19;
/// DeleteTopics.
pub const DELETE_TOPICS: i16 = 20;
/// SaslAuthenticate: its auth bytes are never read.
pub const SASL_AUTHENTICATE: i16 = 36;

/// `(name, first flexible version)` by api key; `None` for APIs never flexible.
const APIS: &[(&str, Option<i16>)] = &[
    ("Produce", Some(9)),
    ("Fetch", Some(12)),
    ("ListOffsets", Some(6)),
    ("Metadata", Some(9)),
    ("LeaderAndIsr", Some(4)),
    ("StopReplica", Some(2)),
    ("UpdateMetadata", Some(6)),
    ("ControlledShutdown", Some(3)),
    ("OffsetCommit", Some(8)),
    ("OffsetFetch", Some(6)),
    ("FindCoordinator", Some(3)),
    ("JoinGroup", Some(6)),
    ("Heartbeat", Some(4)),
    ("LeaveGroup", Some(4)),
    ("SyncGroup", Some(4)),
    ("DescribeGroups", Some(5)),
    ("ListGroups", Some(3)),
    ("SaslHandshake", None),
    ("ApiVersions", Some(3)),
    ("CreateTopics", Some(5)),
    ("DeleteTopics", Some(4)),
    ("DeleteRecords", Some(2)),
    ("InitProducerId", Some(2)),
    ("OffsetForLeaderEpoch", Some(4)),
    ("AddPartitionsToTxn", Some(3)),
    ("AddOffsetsToTxn", Some(3)),
    ("EndTxn", Some(3)),
    ("WriteTxnMarkers", Some(1)),
    ("TxnOffsetCommit", Some(3)),
    ("DescribeAcls", Some(2)),
    ("CreateAcls", Some(2)),
    ("DeleteAcls", Some(2)),
    ("DescribeConfigs", Some(4)),
    ("AlterConfigs", Some(2)),
    ("AlterReplicaLogDirs", Some(2)),
    ("DescribeLogDirs", Some(2)),
    ("SaslAuthenticate", Some(2)),
    ("CreatePartitions", Some(2)),
    ("CreateDelegationToken", Some(2)),
    ("RenewDelegationToken", Some(2)),
    ("ExpireDelegationToken", Some(2)),
    ("DescribeDelegationToken", Some(2)),
    ("DeleteGroups", Some(2)),
    ("ElectLeaders", Some(2)),
    ("IncrementalAlterConfigs", Some(1)),
    ("AlterPartitionReassignments", Some(0)),
    ("ListPartitionReassignments", Some(0)),
    ("OffsetDelete", None),
    ("DescribeClientQuotas", Some(1)),
    ("AlterClientQuotas", Some(1)),
    ("DescribeUserScramCredentials", Some(0)),
    ("AlterUserScramCredentials", Some(0)),
    ("Vote", Some(0)),
    ("BeginQuorumEpoch", Some(1)),
    ("EndQuorumEpoch", Some(1)),
    ("DescribeQuorum", Some(0)),
    ("AlterPartition", Some(0)),
    ("UpdateFeatures", Some(0)),
    ("Envelope", Some(0)),
    ("FetchSnapshot", Some(0)),
    ("DescribeCluster", Some(0)),
    ("DescribeProducers", Some(0)),
    ("BrokerRegistration", Some(0)),
    ("BrokerHeartbeat", Some(0)),
    ("UnregisterBroker", Some(0)),
    ("DescribeTransactions", Some(0)),
    ("ListTransactions", Some(0)),
    ("AllocateProducerIds", Some(0)),
    ("ConsumerGroupHeartbeat", Some(0)),
];

/// The highest version of `key` whose body layout Wirebeat decodes; later versions (which may
/// move fields, e.g. topic names to topic ids) are paired and reported without body fields.
pub fn max_decoded_version(key: i16) -> Option<i16> {
    Some(match key {
        PRODUCE => 12,
        FETCH => 17,
        LIST_OFFSETS => 10,
        METADATA => 13,
        OFFSET_COMMIT => 8,
        OFFSET_FETCH => 9,
        FIND_COORDINATOR => 6,
        JOIN_GROUP => 9,
        HEARTBEAT => 4,
        LEAVE_GROUP => 5,
        SYNC_GROUP => 5,
        SASL_HANDSHAKE => 1,
        API_VERSIONS => 4,
        CREATE_TOPICS => 7,
        DELETE_TOPICS => 6,
        SASL_AUTHENTICATE => 2,
        _ => return None,
    })
}

/// Whether the body of `version` of `key` is decoded.
pub fn is_decoded(key: i16, version: i16) -> bool {
    max_decoded_version(key).is_some_and(|max| (0..=max).contains(&version))
}

/// Highest api key this table knows; larger keys are reported without a name.
pub const MAX_KNOWN_KEY: i16 = APIS.len() as i16 - 1;

/// The name of api `key`.
pub fn name(key: i16) -> Option<&'static str> {
    APIS.get(usize::try_from(key).ok()?).map(|a| a.0)
}

/// Whether `version` of api `key` uses the flexible encoding; `None` for unknown keys.
pub fn is_flexible(key: i16, version: i16) -> Option<bool> {
    let (_, first) = APIS.get(usize::try_from(key).ok()?)?;
    Some(first.is_some_and(|f| version >= f))
}

/// Whether the response to `version` of `key` has the v1 header (a tag buffer after the
/// correlation id). ApiVersions responses always use the v0 header so that any client can
/// read them.
pub fn response_header_tagged(key: i16, version: i16) -> bool {
    key != API_VERSIONS && is_flexible(key, version) == Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_flexible_versions() {
        assert_eq!(name(PRODUCE), Some("Produce"));
        assert_eq!(name(SASL_AUTHENTICATE), Some("SaslAuthenticate"));
        assert_eq!(name(DELETE_TOPICS), Some("DeleteTopics"));
        assert_eq!(name(-1), None);
        assert_eq!(name(500), None);
        assert_eq!(is_flexible(FETCH, 11), Some(false));
        assert_eq!(is_flexible(FETCH, 12), Some(true));
        assert_eq!(is_flexible(SASL_HANDSHAKE, 1), Some(false));
        assert!(!response_header_tagged(API_VERSIONS, 3));
        assert!(response_header_tagged(METADATA, 9));
        assert!(is_decoded(PRODUCE, 12));
        assert!(!is_decoded(PRODUCE, 13));
        assert!(!is_decoded(99, 0));
    }
}
