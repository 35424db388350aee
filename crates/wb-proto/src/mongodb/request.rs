//! What a request is: its method (the command name), resource (the collection), `query` text,
//! `mongodb.*` fields and, for events without a reply, its documents. Secrets of
//! authentication and user-management commands are never rendered.

use super::bson::{BsonError, Doc, Docs, Value};
use super::commands::{is_command, is_sensitive};
use super::config::MongodbConfig;
use super::ecs::Request;
use super::render::{cut, doc_lines, Rendered, Renderer, MAX_TEXT};
use super::wire::{Body, MORE_TO_COME};

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Adds the note of a rendering that met unreadable or too deep BSON (once).
fn note_rendered(r: Rendered, notes: &mut Vec<String>) {
    if let Rendered::Bad(e) = r {
        let text = bson_note(e);
        if !notes.contains(&text) {
            notes.push(text);
        }
    }
}

/// A document rendered whole (bounded), secrets hidden when `redact`.
fn doc_text(d: Doc<'_>, redact: bool, notes: &mut Vec<String>) -> String {
    let mut s = String::new();
    note_rendered(Renderer::new(&mut s, MAX_TEXT, redact).doc(d), notes);
    cut(&mut s, MAX_TEXT);
    s
}

/// The parameters of a command: the document without its command key (and what `skip`
/// removes), then the document sequences.
fn params(
    d: Doc<'_>,
    skip: &dyn Fn(&[u8]) -> bool,
    extra: &[(&[u8], Docs<'_>)],
    redact: bool,
    notes: &mut Vec<String>,
) -> String {
    let mut s = String::new();
    note_rendered(
        Renderer::new(&mut s, MAX_TEXT, redact).fields(d, skip, extra),
        notes,
    );
    cut(&mut s, MAX_TEXT);
    s
}

/// `<resource>.<method>(<params>)[.skip(n)][.limit(n)]`.
fn query_text(resource: &str, method: &str, params: &str, skip: i32, limit: i32) -> String {
    let mut q = format!("{resource}.{method}({params})");
    if skip > 0 {
        q.push_str(&format!(".skip({skip})"));
    }
    if limit > 0 && limit < i32::MAX {
        q.push_str(&format!(".limit({limit})"));
    }
    q
}

/// The argument `query` keeps for a method: `insert` without `documents`, `update` without
/// `updates`, `findAndModify` without `update`; no arguments for other methods.
fn kept_in_query(method: &str) -> Option<&'static str> {
    if method.eq_ignore_ascii_case("insert") {
        Some("documents")
    } else if method.eq_ignore_ascii_case("update") {
        Some("updates")
    } else if method.eq_ignore_ascii_case("findandmodify") {
        Some("update")
    } else {
        None
    }
}

/// A command to describe.
struct Command<'a, 'b> {
    /// The command document.
    doc: Doc<'a>,
    /// The method name (the command key, removed from the parameters).
    key: &'b [u8],
    /// The `resource`.
    resource: String,
    /// Further elements left out of the parameters.
    skip_also: &'b dyn Fn(&[u8]) -> bool,
    /// Document sequences written as array parameters of the full query.
    extra: &'b [(&'a [u8], Docs<'a>)],
    /// OP_QUERY's numberToSkip and numberToReturn.
    paging: (i32, i32),
}

/// Fills method, resource, query and (with `full`) the full query of a command.
fn command(r: &mut Request, c: Command<'_, '_>, full: bool) {
    let method = lossy(c.key);
    r.sensitive |= is_sensitive(c.key);
    let redact = r.sensitive;
    let (skip, limit) = c.paging;
    let without_key = |n: &[u8]| n == c.key || (c.skip_also)(n);
    let shown = match kept_in_query(&method) {
        Some(dropped) => params(
            c.doc,
            &|n| without_key(n) || n == dropped.as_bytes(),
            &[],
            redact,
            &mut r.notes,
        ),
        None => String::new(),
    };
    r.query = query_text(&c.resource, &method, &shown, skip, limit);
    if full {
        let all = params(c.doc, &without_key, c.extra, redact, &mut r.notes);
        r.full_query = Some(query_text(&c.resource, &method, &all, skip, limit));
    }
    r.method = method;
    r.resource = Some(c.resource);
}

/// A command value that names a collection.
fn collection_of(v: &Value<'_>) -> Option<String> {
    match v {
        Value::Str(s) => Some(lossy(s)),
        _ => None,
    }
}

/// Describes a request; `None` for an OP_REPLY (not a request). The caller sets time, size
/// and requestID.
pub fn describe(body: &Body<'_>, config: &MongodbConfig) -> Option<Request> {
    let mut r = Request {
        expects_reply: false,
        ..Request::default()
    };
    let no_skip = |_: &[u8]| false;
    let full = config.common.send_request;
    match *body {
        Body::Reply { .. } => return None,
        Body::Query {
            collection,
            skip,
            number_to_return,
            query,
            fields,
        } => {
            r.expects_reply = true;
            let full_name = lossy(collection);
            r.fields.full_collection_name = Some(full_name.clone());
            r.fields.number_to_skip = Some(i64::from(skip));
            r.fields.number_to_return = Some(i64::from(number_to_return));
            let (db, coll) = full_name.split_once('.').unwrap_or((&full_name, ""));
            r.sensitive = coll == "system.users";
            if coll == "$cmd" {
                // A command, possibly wrapped as {$query: {...}, $readPreference: ...}.
                let cmd = match query.first() {
                    Some(e) if e.name == b"$query" => match e.value {
                        Value::Doc(inner) => inner,
                        _ => query,
                    },
                    _ => query,
                };
                let known = cmd.elements().map_while(Result::ok).find(|e| {
                    is_command(e.name)
                        && (matches!(e.value, Value::Str(_)) || e.value.as_i64() == Some(1))
                });
                match known {
                    Some(e) => {
                        let resource = collection_of(&e.value)
                            .map_or_else(|| full_name.clone(), |c| format!("{db}.{c}"));
                        let c = Command {
                            doc: cmd,
                            key: e.name,
                            resource,
                            skip_also: &no_skip,
                            extra: &[],
                            paging: (skip, number_to_return),
                        };
                        command(&mut r, c, full);
                    }
                    None => {
                        r.sensitive |= cmd.first().is_some_and(|e| is_sensitive(e.name));
                        let c = Command {
                            doc: cmd,
                            key: b"otherCommand",
                            resource: full_name.clone(),
                            skip_also: &no_skip,
                            extra: &[],
                            paging: (skip, number_to_return),
                        };
                        command(&mut r, c, full);
                    }
                }
            } else {
                r.method = "find".into();
                r.query = query_text(&full_name, "find", "", skip, number_to_return);
                if full {
                    let all = doc_text(query, r.sensitive, &mut r.notes);
                    r.full_query =
                        Some(query_text(&full_name, "find", &all, skip, number_to_return));
                }
                r.resource = Some(full_name);
            }
            if let Some(f) = fields {
                r.fields.return_fields_selector = Some(doc_text(f, r.sensitive, &mut r.notes));
            }
        }
        Body::Msg {
            flags,
            body,
            sequences,
        } => {
            r.expects_reply = flags & MORE_TO_COME == 0;
            r.fields.message = sequences.iter().next().map(|s| lossy(s.identifier));
            // Only the full query shows the sequences.
            let extra: Vec<(&[u8], Docs<'_>)> = if full {
                sequences.iter().map(|s| (s.identifier, s.docs)).collect()
            } else {
                Vec::new()
            };
            match body.and_then(|b| b.first().map(|e| (b, e))) {
                Some((b, e)) => {
                    let db = b.get("$db").and_then(|v| collection_of(&v));
                    let resource = match (db, collection_of(&e.value)) {
                        (Some(db), Some(c)) => format!("{db}.{c}"),
                        (Some(db), None) => format!("{db}.$cmd"),
                        (None, Some(c)) => c,
                        (None, None) => String::new(),
                    };
                    let session_noise = |n: &[u8]| n.first() == Some(&b'$') || n == b"lsid";
                    let c = Command {
                        doc: b,
                        key: e.name,
                        resource,
                        skip_also: &session_noise,
                        extra: &extra,
                        paging: (0, 0),
                    };
                    command(&mut r, c, full);
                }
                None => {
                    r.method = "msg".into();
                    r.query = ".msg()".into();
                }
            }
            if !r.expects_reply && config.common.send_response {
                let mut lines = Default::default();
                let e = doc_lines(
                    body.into_iter()
                        .map(Ok)
                        .chain(sequences.iter().flat_map(|s| s.docs.iter())),
                    config.max_docs,
                    config.max_doc_length,
                    r.sensitive,
                    &mut lines,
                );
                r.docs = lines;
                note(&mut r, e);
            }
        }
        Body::LegacyMsg(text) => {
            r.method = "msg".into();
            r.query = ".msg()".into();
            r.fields.message = Some(lossy(text));
        }
        Body::Update {
            collection,
            selector,
            update,
        } => {
            legacy(&mut r, "update", collection);
            r.fields.selector = Some(doc_text(selector, r.sensitive, &mut r.notes));
            r.fields.update = Some(doc_text(update, r.sensitive, &mut r.notes));
        }
        Body::Insert { collection, docs } => {
            legacy(&mut r, "insert", collection);
            if config.common.send_response {
                let mut lines = Default::default();
                let e = doc_lines(
                    docs.iter(),
                    config.max_docs,
                    config.max_doc_length,
                    r.sensitive,
                    &mut lines,
                );
                r.docs = lines;
                note(&mut r, e);
            }
        }
        Body::GetMore {
            collection,
            number_to_return,
            cursor_id,
        } => {
            legacy(&mut r, "getMore", collection);
            r.expects_reply = true;
            r.fields.number_to_return = Some(i64::from(number_to_return));
            r.fields.cursor_id = Some(cursor_id);
        }
        Body::Delete {
            collection,
            selector,
        } => {
            legacy(&mut r, "delete", collection);
            r.fields.selector = Some(doc_text(selector, r.sensitive, &mut r.notes));
        }
        Body::KillCursors { first_cursor } => {
            r.method = "killCursors".into();
            r.query = ".killCursors()".into();
            r.fields.cursor_id = first_cursor;
        }
    }
    Some(r)
}

/// A legacy write or getMore on `collection`.
fn legacy(r: &mut Request, method: &str, collection: &[u8]) {
    let name = lossy(collection);
    r.sensitive = name.ends_with(".system.users");
    r.method = method.into();
    r.query = format!("{name}.{method}()");
    r.full_query = Some(r.query.clone());
    r.fields.full_collection_name = Some(name.clone());
    r.resource = Some(name);
}

/// Adds a note about documents that could not be read.
fn note(r: &mut Request, e: Option<BsonError>) {
    if let Some(e) = e {
        r.notes.push(bson_note(e));
    }
}

/// The note of a document that could not be read.
pub fn bson_note(e: BsonError) -> String {
    match e {
        BsonError::TooDeep => format!(
            "Document nested deeper than {} levels: rendered up to there",
            super::bson::MAX_DEPTH
        ),
        BsonError::Truncated | BsonError::Malformed => "Malformed BSON document".into(),
    }
}
