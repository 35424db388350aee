//! What the body decoders gather from one message: topics, partitions, the first non-zero
//! error code, record counts, the group and SASL mechanism.

/// Most topic names kept per message (the partition count still counts every partition).
pub const MAX_TOPICS: usize = 32;

/// Facts decoded from one request or response body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Topic names in first-seen order, without duplicates, at most [`MAX_TOPICS`].
    pub topics: Vec<String>,
    /// Partitions named (per topic).
    pub partitions: u32,
    /// The first non-zero error code (top level or per partition).
    pub error_code: Option<i16>,
    /// Records carried (Produce requests, Fetch responses).
    pub record_count: Option<u64>,
    /// Bytes of record batches carried.
    pub record_bytes: Option<u64>,
    /// Consumer group id (group APIs, OffsetCommit/OffsetFetch, FindCoordinator key).
    pub group_id: Option<String>,
    /// SASL mechanism (SaslHandshake).
    pub sasl_mechanism: Option<String>,
    /// The request expects no response (Produce with acks 0).
    pub no_response: bool,
}

impl Summary {
    /// Notes topic `name` (empty names — nulls, topic ids — are not kept).
    pub fn topic(&mut self, name: &[u8]) {
        if name.is_empty() || self.topics.len() >= MAX_TOPICS {
            return;
        }
        if !self.topics.iter().any(|t| t.as_bytes() == name) {
            self.topics.push(String::from_utf8_lossy(name).into_owned());
        }
    }

    /// Notes one partition.
    pub fn partition(&mut self) {
        self.partitions = self.partitions.saturating_add(1);
    }

    /// Notes an error code; the first non-zero one is kept.
    pub fn error(&mut self, code: i16) {
        if code != 0 && self.error_code.is_none() {
            self.error_code = Some(code);
        }
    }

    /// Adds the records of one RECORDS field.
    pub fn records(&mut self, records: &[u8]) {
        let count = super::records::count(records);
        *self.record_count.get_or_insert(0) += count;
        *self.record_bytes.get_or_insert(0) += records.len() as u64;
    }

    /// Notes the group id.
    pub fn group(&mut self, id: &[u8]) {
        if self.group_id.is_none() {
            self.group_id = Some(String::from_utf8_lossy(id).into_owned());
        }
    }
}
