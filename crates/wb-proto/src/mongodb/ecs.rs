//! A MongoDB request and its reply → one event, with Packetbeat's fields.

use super::config::MongodbConfig;
use crate::ecs::{Status, Transaction};
use crate::Cx;
use wb_wire::Timestamp;

/// The `mongodb.*` fields of one side of a transaction (request-side and reply-side keys are
/// merged into one object, as Packetbeat does).
#[derive(Clone, Debug, Default)]
pub struct Fields {
    /// `mongodb.fullCollectionName`.
    pub full_collection_name: Option<String>,
    /// `mongodb.numberToSkip`.
    pub number_to_skip: Option<i64>,
    /// `mongodb.numberToReturn`.
    pub number_to_return: Option<i64>,
    /// `mongodb.numberReturned`.
    pub number_returned: Option<i64>,
    /// `mongodb.startingFrom`.
    pub starting_from: Option<i64>,
    /// `mongodb.cursorId`.
    pub cursor_id: Option<i64>,
    /// `mongodb.returnFieldsSelector`.
    pub return_fields_selector: Option<String>,
    /// `mongodb.selector`.
    pub selector: Option<String>,
    /// `mongodb.update`.
    pub update: Option<String>,
    /// `mongodb.message`: legacy OP_MSG text, or the first OP_MSG document-sequence identifier.
    pub message: Option<String>,
}

impl Fields {
    /// Fills every field `self` lacks from `other`.
    fn or(&self, other: &Fields) -> Fields {
        let pick = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
        Fields {
            full_collection_name: pick(&self.full_collection_name, &other.full_collection_name),
            number_to_skip: self.number_to_skip.or(other.number_to_skip),
            number_to_return: self.number_to_return.or(other.number_to_return),
            number_returned: self.number_returned.or(other.number_returned),
            starting_from: self.starting_from.or(other.starting_from),
            cursor_id: self.cursor_id.or(other.cursor_id),
            return_fields_selector: pick(
                &self.return_fields_selector,
                &other.return_fields_selector,
            ),
            selector: pick(&self.selector, &other.selector),
            update: pick(&self.update, &other.update),
            message: pick(&self.message, &other.message),
        }
    }
}

/// Documents rendered for `response`: at most `max_docs` lines, each cut to `max_doc_length`.
#[derive(Clone, Debug, Default)]
pub struct DocLines {
    /// The lines kept.
    pub lines: Vec<String>,
    /// More documents followed (written as a `[...]` line).
    pub more: bool,
}

impl Fields {
    /// Bytes of rendered text held.
    fn text_len(&self) -> usize {
        [
            &self.full_collection_name,
            &self.return_fields_selector,
            &self.selector,
            &self.update,
            &self.message,
        ]
        .iter()
        .map(|f| f.as_ref().map_or(0, String::len))
        .sum()
    }
}

impl DocLines {
    /// Bytes of rendered text held.
    fn text_len(&self) -> usize {
        self.lines.iter().map(String::len).sum()
    }
}

/// What a request says.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Time of its first byte.
    pub ts: Timestamp,
    /// Its size on the wire.
    pub bytes: u64,
    /// Its requestID.
    pub request_id: i32,
    /// `method`.
    pub method: String,
    /// `resource`.
    pub resource: Option<String>,
    /// `query`.
    pub query: String,
    /// `request` (with `send_request`): the query with every parameter.
    pub full_query: Option<String>,
    /// Its own documents, for an event without reply (with `send_response`).
    pub docs: DocLines,
    /// `mongodb.*` of the request.
    pub fields: Fields,
    /// Notes for `error.message`.
    pub notes: Vec<String>,
    /// Authentication or user management: the reply's secrets are hidden too.
    pub sensitive: bool,
    /// A reply will follow.
    pub expects_reply: bool,
}

impl Request {
    /// Bytes of rendered text it holds while it waits for its reply.
    pub fn text_len(&self) -> usize {
        self.method.len()
            + self.resource.as_ref().map_or(0, String::len)
            + self.query.len()
            + self.full_query.as_ref().map_or(0, String::len)
            + self.docs.text_len()
            + self.fields.text_len()
            + self.notes.iter().map(String::len).sum::<usize>()
    }
}

/// What a reply says.
#[derive(Clone, Debug, Default)]
pub struct Reply {
    /// Time of its first byte.
    pub ts: Timestamp,
    /// Its size on the wire.
    pub bytes: u64,
    /// Its own requestID (an exhaust reply's successor answers it).
    pub request_id: i32,
    /// The requestID it answers.
    pub response_to: i32,
    /// OP_MSG moreToCome: another reply follows without a request.
    pub more_to_come: bool,
    /// `mongodb.error` (status Error when set).
    pub error: Option<String>,
    /// Its documents (with `send_response`).
    pub docs: DocLines,
    /// `mongodb.*` of the reply.
    pub fields: Fields,
    /// Notes for `error.message`.
    pub notes: Vec<String>,
}

impl Reply {
    /// Bytes of rendered text it holds while it waits for its request.
    pub fn text_len(&self) -> usize {
        self.error.as_ref().map_or(0, String::len)
            + self.docs.text_len()
            + self.fields.text_len()
            + self.notes.iter().map(String::len).sum::<usize>()
    }
}

/// Publishes a request with its reply, or alone when none is expected.
pub fn publish(req: &Request, reply: Option<&Reply>, config: &MongodbConfig, cx: &mut Cx) {
    let mut notes = req.notes.clone();
    if let Some(r) = reply {
        notes.extend(r.notes.iter().cloned());
    }
    let error = reply.and_then(|r| r.error.as_deref());
    let base = Transaction {
        protocol: super::NAME,
        conn: cx.conn(),
        start: Some(req.ts),
        end: reply.map(|r| r.ts),
        request_bytes: req.bytes,
        response_bytes: reply.map_or(0, |r| r.bytes),
        status: if error.is_some() {
            Status::Error
        } else {
            Status::Ok
        },
        notes: &notes,
    };
    let mut e = base.to_event();
    e.push("method", req.method.clone());
    if let Some(r) = req.resource.as_ref().filter(|r| !r.is_empty()) {
        e.push("resource", r.clone());
    }
    e.push("query", req.query.clone());
    let f = match reply {
        Some(r) => r.fields.or(&req.fields),
        None => req.fields.clone(),
    };
    let strings = [
        ("mongodb.fullCollectionName", f.full_collection_name),
        ("mongodb.returnFieldsSelector", f.return_fields_selector),
        ("mongodb.selector", f.selector),
        ("mongodb.update", f.update),
        ("mongodb.message", f.message),
        ("mongodb.error", error.map(str::to_string)),
    ];
    for (key, value) in strings {
        if let Some(v) = value {
            e.push(key, v);
        }
    }
    let numbers = [
        ("mongodb.numberToSkip", f.number_to_skip),
        ("mongodb.numberToReturn", f.number_to_return),
        ("mongodb.numberReturned", f.number_returned),
        ("mongodb.startingFrom", f.starting_from),
        ("mongodb.cursorId", f.cursor_id),
    ];
    for (key, value) in numbers {
        if let Some(v) = value {
            e.push(key, v);
        }
    }
    if config.common.send_request {
        if let Some(q) = &req.full_query {
            e.push("request", q.clone());
        }
    }
    if config.common.send_response {
        let docs = reply.map_or(&req.docs, |r| &r.docs);
        if !docs.lines.is_empty() {
            let mut text = docs.lines.join("\n");
            if docs.more {
                text.push_str("\n[...]");
            }
            e.push("response", text);
        }
    }
    cx.emit(e);
}
