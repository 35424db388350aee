//! What a reply says: its status (`Error` when its first document holds `writeErrors`,
//! `$err`, `ok: 0` or `writeConcernError`, with `mongodb.error`), the reply-side `mongodb.*`
//! fields and its documents for `response`.

use super::bson::{Doc, Value};
use super::config::MongodbConfig;
use super::ecs::Reply;
use super::render::{doc_lines, value_text};
use super::request::bson_note;
use super::wire::{Body, MORE_TO_COME, QUERY_FAILURE};

/// The error a reply document reports, if any (`writeErrors` first, then `$err`, then a
/// failed command's `errmsg`, then `writeConcernError`).
fn error_of(d: Doc<'_>, redact: bool) -> Option<String> {
    if let Some(v) = d.get("writeErrors") {
        return Some(value_text(&v, redact));
    }
    if let Some(v) = d.get("$err") {
        return Some(value_text(&v, redact));
    }
    let failed = d
        .get("ok")
        .is_some_and(|v| v.as_i64() == Some(0) || v == Value::Bool(false));
    if failed {
        return Some(
            d.get("errmsg")
                .map_or_else(|| "command failed".into(), |v| value_text(&v, redact)),
        );
    }
    d.get("writeConcernError").map(|v| value_text(&v, redact))
}

/// Describes a reply (OP_REPLY, or an OP_MSG from the server); `None` for other bodies. With
/// `redact` (an answer to an authentication command) secrets are hidden. The caller sets
/// time, size and ids.
pub fn assess(body: &Body<'_>, config: &MongodbConfig, redact: bool) -> Option<Reply> {
    let mut r = Reply::default();
    let first = match *body {
        Body::Reply { docs, .. } => docs.first(),
        Body::Msg { body, .. } => body,
        _ => return None,
    };
    // A SASL conversation's answer (its request may not have been seen) is hidden too.
    let redact = redact || first.is_some_and(|d| d.get("conversationId").is_some());
    match *body {
        Body::Reply {
            flags,
            cursor_id,
            starting_from,
            number_returned,
            docs,
        } => {
            r.fields.cursor_id = Some(cursor_id);
            r.fields.starting_from = Some(i64::from(starting_from));
            r.fields.number_returned = Some(i64::from(number_returned));
            if flags & QUERY_FAILURE != 0 && first.and_then(|d| error_of(d, redact)).is_none() {
                r.error = Some("query failure".into());
            }
            if config.common.send_response {
                let e = doc_lines(
                    docs.iter(),
                    config.max_docs,
                    config.max_doc_length,
                    redact,
                    &mut r.docs,
                );
                r.notes.extend(e.map(bson_note));
            }
        }
        Body::Msg {
            flags,
            body,
            sequences,
        } => {
            r.more_to_come = flags & MORE_TO_COME != 0;
            if config.common.send_response {
                let seq_docs = sequences.iter().flat_map(|s| s.docs.iter());
                let e = doc_lines(
                    body.into_iter().map(Ok).chain(seq_docs),
                    config.max_docs,
                    config.max_doc_length,
                    redact,
                    &mut r.docs,
                );
                r.notes.extend(e.map(bson_note));
            }
        }
        _ => return None,
    }
    if r.error.is_none() {
        r.error = first.and_then(|d| error_of(d, redact));
    }
    Some(r)
}
