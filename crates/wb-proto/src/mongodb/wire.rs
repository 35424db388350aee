//! MongoDB wire protocol messages (https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/):
//! the 16-byte header and borrowed views of each opcode's body. Pure: bytes in, views out.

use super::bson::{cstring, BsonError, Doc, Docs};

/// Size of the standard message header.
pub const HEADER_LEN: usize = 16;

/// OP_REPLY: reply to OP_QUERY / OP_GET_MORE (legacy).
pub const OP_REPLY: i32 = 1;
/// OP_MSG of MongoDB before 2.6: a text message (deprecated).
pub const OP_LEGACY_MSG: i32 = 1000;
/// OP_UPDATE (legacy).
pub const OP_UPDATE: i32 = 2001;
/// OP_INSERT (legacy).
pub const OP_INSERT: i32 = 2002;
/// OP_QUERY (legacy; still used for the handshake).
pub const OP_QUERY: i32 = 2004;
/// OP_GET_MORE (legacy).
pub const OP_GET_MORE: i32 = 2005;
/// OP_DELETE (legacy).
pub const OP_DELETE: i32 = 2006;
/// OP_KILL_CURSORS (legacy).
pub const OP_KILL_CURSORS: i32 = 2007;
/// OP_COMPRESSED: another message, compressed.
pub const OP_COMPRESSED: i32 = 2012;
/// OP_MSG: the message of MongoDB 3.6 and later.
pub const OP_MSG: i32 = 2013;

/// OP_MSG flag: a CRC-32C of the message follows the sections.
pub const CHECKSUM_PRESENT: u32 = 1;
/// OP_MSG flag: the sender will send another message without waiting for an answer.
pub const MORE_TO_COME: u32 = 1 << 1;
/// OP_REPLY flag: the query failed; the only document holds `$err`.
pub const QUERY_FAILURE: u32 = 1 << 1;

/// The opcodes this analyzer reads.
pub fn is_known(opcode: i32) -> bool {
    matches!(
        opcode,
        OP_REPLY
            | OP_LEGACY_MSG
            | OP_UPDATE
            | OP_INSERT
            | OP_QUERY
            | OP_GET_MORE
            | OP_DELETE
            | OP_KILL_CURSORS
            | OP_COMPRESSED
            | OP_MSG
    )
}

/// The standard message header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Total message size, header included.
    pub length: usize,
    /// The sender's identifier of this message.
    pub request_id: i32,
    /// The `request_id` this message answers (0 for requests).
    pub response_to: i32,
    /// The message kind.
    pub opcode: i32,
}

fn i32_at(b: &[u8], at: usize) -> Option<i32> {
    b.get(at..at.checked_add(4)?)?
        .try_into()
        .ok()
        .map(i32::from_le_bytes)
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at.checked_add(4)?)?
        .try_into()
        .ok()
        .map(u32::from_le_bytes)
}

fn i64_at(b: &[u8], at: usize) -> Option<i64> {
    b.get(at..at.checked_add(8)?)?
        .try_into()
        .ok()
        .map(i64::from_le_bytes)
}

/// Reads the header at the front of `data`: `None` when fewer than 16 bytes are at hand,
/// `Some(Err(()))` when the length cannot be a message's.
pub fn header(data: &[u8]) -> Option<Result<Header, ()>> {
    let length = i32_at(data, 0)?;
    let h = Header {
        length: usize::try_from(length).unwrap_or(0),
        request_id: i32_at(data, 4)?,
        response_to: i32_at(data, 8)?,
        opcode: i32_at(data, 12)?,
    };
    Some(if h.length < HEADER_LEN {
        Err(())
    } else {
        Ok(h)
    })
}

/// One OP_MSG section of kind 1: a named run of documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sequence<'a> {
    /// The sequence identifier (the command argument it stands for, e.g. `documents`).
    pub identifier: &'a [u8],
    /// Its documents.
    pub docs: Docs<'a>,
}

/// The kind-1 sections of an OP_MSG, read from its validated section bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sequences<'a> {
    sections: &'a [u8],
}

impl<'a> Sequences<'a> {
    /// The sequences in order.
    pub fn iter(&self) -> impl Iterator<Item = Sequence<'a>> + 'a {
        let mut rest = self.sections;
        std::iter::from_fn(move || loop {
            let (section, after) = next_section(rest).ok()??;
            rest = after;
            if let Section::Sequence(s) = section {
                return Some(s);
            }
        })
    }
}

/// One OP_MSG section.
enum Section<'a> {
    Body(Doc<'a>),
    Sequence(Sequence<'a>),
}

/// The section at the front of `b` and the bytes after it; `Ok(None)` at the end.
#[allow(clippy::type_complexity)]
fn next_section(b: &[u8]) -> Result<Option<(Section<'_>, &[u8])>, BsonError> {
    let Some((&kind, after)) = b.split_first() else {
        return Ok(None);
    };
    let (section, used) = match kind {
        0 => {
            let (d, used) = Doc::read(after)?;
            (Section::Body(d), used)
        }
        1 => {
            let size = i32_at(after, 0).ok_or(BsonError::Truncated)?;
            let size = usize::try_from(size)
                .ok()
                .filter(|&s| s >= 4)
                .ok_or(BsonError::Malformed)?;
            let section = after.get(4..size).ok_or(BsonError::Truncated)?;
            let (identifier, id_len) = cstring(section)?;
            let docs = Docs::new(section.get(id_len..).unwrap_or_default());
            (Section::Sequence(Sequence { identifier, docs }), size)
        }
        _ => return Err(BsonError::Malformed),
    };
    Ok(Some((section, after.get(used..).unwrap_or_default())))
}

/// A message body, by opcode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Body<'a> {
    /// OP_REPLY.
    Reply {
        /// Response flags.
        flags: u32,
        /// Cursor to continue with (0: none).
        cursor_id: i64,
        /// Position of the first document in the cursor.
        starting_from: i32,
        /// Documents in this reply.
        number_returned: i32,
        /// The documents.
        docs: Docs<'a>,
    },
    /// Pre-2.6 OP_MSG: a text.
    LegacyMsg(&'a [u8]),
    /// OP_UPDATE.
    Update {
        /// `db.collection`.
        collection: &'a [u8],
        /// Which documents.
        selector: Doc<'a>,
        /// The update.
        update: Doc<'a>,
    },
    /// OP_INSERT.
    Insert {
        /// `db.collection`.
        collection: &'a [u8],
        /// The documents inserted.
        docs: Docs<'a>,
    },
    /// OP_QUERY.
    Query {
        /// `db.collection` (or `db.$cmd` for a command).
        collection: &'a [u8],
        /// Documents to skip.
        skip: i32,
        /// Documents wanted in the first reply.
        number_to_return: i32,
        /// The query (or command) document.
        query: Doc<'a>,
        /// The projection, if any.
        fields: Option<Doc<'a>>,
    },
    /// OP_GET_MORE.
    GetMore {
        /// `db.collection`.
        collection: &'a [u8],
        /// Documents wanted.
        number_to_return: i32,
        /// The cursor.
        cursor_id: i64,
    },
    /// OP_DELETE.
    Delete {
        /// `db.collection`.
        collection: &'a [u8],
        /// Which documents.
        selector: Doc<'a>,
    },
    /// OP_KILL_CURSORS.
    KillCursors {
        /// The first cursor killed.
        first_cursor: Option<i64>,
    },
    /// OP_MSG.
    Msg {
        /// Flag bits.
        flags: u32,
        /// The kind-0 section.
        body: Option<Doc<'a>>,
        /// The kind-1 sections.
        sequences: Sequences<'a>,
    },
}

/// Reads the body of a message of `opcode` (`payload`: the bytes after the header). OP_MSG
/// checksums are recognised and left out; OP_COMPRESSED is handled by the caller.
pub fn body(opcode: i32, payload: &[u8]) -> Result<Body<'_>, BsonError> {
    let t = BsonError::Truncated;
    let rest = |at: usize| payload.get(at..).unwrap_or_default();
    Ok(match opcode {
        OP_REPLY => Body::Reply {
            flags: u32_at(payload, 0).ok_or(t)?,
            cursor_id: i64_at(payload, 4).ok_or(t)?,
            starting_from: i32_at(payload, 12).ok_or(t)?,
            number_returned: i32_at(payload, 16).ok_or(t)?,
            docs: Docs::new(rest(20)),
        },
        OP_LEGACY_MSG => Body::LegacyMsg(cstring(payload)?.0),
        OP_UPDATE => {
            let (collection, n) = cstring(rest(4))?;
            let (selector, m) = Doc::read(rest(4 + n + 4))?;
            let (update, _) = Doc::read(rest(4 + n + 4 + m))?;
            Body::Update {
                collection,
                selector,
                update,
            }
        }
        OP_INSERT => {
            let (collection, n) = cstring(rest(4))?;
            Body::Insert {
                collection,
                docs: Docs::new(rest(4 + n)),
            }
        }
        OP_QUERY => {
            let (collection, n) = cstring(rest(4))?;
            let at = 4 + n;
            let (query, m) = Doc::read(rest(at + 8))?;
            let fields = match rest(at + 8 + m) {
                [] => None,
                more => Some(Doc::read(more)?.0),
            };
            Body::Query {
                collection,
                skip: i32_at(payload, at).ok_or(t)?,
                number_to_return: i32_at(payload, at + 4).ok_or(t)?,
                query,
                fields,
            }
        }
        OP_GET_MORE => {
            let (collection, n) = cstring(rest(4))?;
            Body::GetMore {
                collection,
                number_to_return: i32_at(payload, 4 + n).ok_or(t)?,
                cursor_id: i64_at(payload, 8 + n).ok_or(t)?,
            }
        }
        OP_DELETE => {
            let (collection, n) = cstring(rest(4))?;
            Body::Delete {
                collection,
                selector: Doc::read(rest(4 + n + 4))?.0,
            }
        }
        OP_KILL_CURSORS => Body::KillCursors {
            first_cursor: i64_at(payload, 8),
        },
        OP_MSG => msg(payload)?,
        _ => return Err(BsonError::Malformed),
    })
}

fn msg(payload: &[u8]) -> Result<Body<'_>, BsonError> {
    let flags = u32_at(payload, 0).ok_or(BsonError::Truncated)?;
    let end = if flags & CHECKSUM_PRESENT != 0 {
        payload.len().checked_sub(4).ok_or(BsonError::Truncated)?
    } else {
        payload.len()
    };
    let sections = payload.get(4..end).ok_or(BsonError::Truncated)?;
    let mut body = None;
    let mut rest = sections;
    while let Some((section, after)) = next_section(rest)? {
        if let Section::Body(d) = section {
            body.get_or_insert(d);
        }
        rest = after;
    }
    Ok(Body::Msg {
        flags,
        body,
        sequences: Sequences { sections },
    })
}

/// The OP_MSG checksum check: `message` is the whole message, checksum included. `None` when
/// the message carries no checksum.
pub fn checksum_ok(message: &[u8]) -> Option<bool> {
    let flags = u32_at(message, HEADER_LEN)?;
    if flags & CHECKSUM_PRESENT == 0 {
        return None;
    }
    let split = message.len().checked_sub(4)?;
    let stated = u32_at(message, split)?;
    Some(crc32c(message.get(..split)?) == stated)
}

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven.
fn crc32c(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        let index = usize::from((crc as u8) ^ b);
        crc = (crc >> 8) ^ CRC32C_TABLE.get(index).copied().unwrap_or(0);
    }
    !crc
}

// Evaluated at compile time, where `i < 256` bounds every index.
#[allow(clippy::indexing_slicing)]
const CRC32C_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0x82F6_3B78
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// The fixed part of an OP_COMPRESSED body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Compressed<'a> {
    /// Opcode of the compressed message.
    pub original_opcode: i32,
    /// Size of the compressed message's body once decompressed (header excluded).
    pub uncompressed_size: usize,
    /// 0 noop, 1 snappy, 2 zlib, 3 zstd.
    pub compressor: u8,
    /// The compressed body.
    pub data: &'a [u8],
}

/// Reads an OP_COMPRESSED body.
pub fn compressed(payload: &[u8]) -> Option<Compressed<'_>> {
    Some(Compressed {
        original_opcode: i32_at(payload, 0)?,
        uncompressed_size: usize::try_from(i32_at(payload, 4)?).ok()?,
        compressor: *payload.get(8)?,
        data: payload.get(9..)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_check_value() {
        // The standard check value of CRC-32C.
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
    }

    #[test]
    fn op_query_fields() {
        #[rustfmt::skip]
        let payload: &[u8] = &[
            0, 0, 0, 0,                               // flags
            b'd', b'.', b'c', 0,                      // fullCollectionName "d.c"
            2, 0, 0, 0,                               // numberToSkip 2
            0xfd, 0xff, 0xff, 0xff,                   // numberToReturn -3
            5, 0, 0, 0, 0,                            // query {}
            12, 0, 0, 0, 0x10, b'a', 0, 1, 0, 0, 0, 0, // returnFieldsSelector {a: 1}
        ];
        // Cut anywhere, the body is an error, never a panic.
        for end in 0..payload.len() - 12 {
            assert!(body(OP_QUERY, &payload[..end]).is_err(), "cut at {end}");
        }
        let Ok(Body::Query {
            collection,
            skip,
            number_to_return,
            fields,
            ..
        }) = body(OP_QUERY, payload)
        else {
            panic!("not an OP_QUERY");
        };
        assert_eq!(collection, b"d.c");
        assert_eq!((skip, number_to_return), (2, -3));
        assert_eq!(
            fields.and_then(|f| f.first()).map(|e| e.name),
            Some(&b"a"[..])
        );
        assert_eq!(
            header(&[20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xd4, 7, 0, 0]),
            Some(Ok(Header {
                length: 20,
                request_id: 1,
                response_to: 0,
                opcode: OP_QUERY
            }))
        );
        assert_eq!(
            header(&[15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            Some(Err(()))
        );
        assert_eq!(header(&[15, 0, 0]), None);
    }

    #[test]
    fn op_msg_with_a_body_a_sequence_and_a_checksum() {
        let mut m = Vec::new();
        m.extend_from_slice(&0u32.to_le_bytes()); // length, set below
        m.extend_from_slice(&7i32.to_le_bytes()); // requestID
        m.extend_from_slice(&0i32.to_le_bytes()); // responseTo
        m.extend_from_slice(&OP_MSG.to_le_bytes());
        m.extend_from_slice(&CHECKSUM_PRESENT.to_le_bytes()); // flagBits
        m.push(0); // kind 0: {insert: 1} as int32
        m.extend_from_slice(&[17, 0, 0, 0, 0x10, b'i', b'n', b's', b'e', b'r', b't', 0]);
        m.extend_from_slice(&[1, 0, 0, 0, 0]);
        m.push(1); // kind 1: size, "documents", one empty document
        m.extend_from_slice(&[19, 0, 0, 0]);
        m.extend_from_slice(b"documents\0");
        m.extend_from_slice(&[5, 0, 0, 0, 0]);
        let len = m.len() as u32 + 4;
        m[..4].copy_from_slice(&len.to_le_bytes());
        let crc = crc32c(&m);
        m.extend_from_slice(&crc.to_le_bytes());
        assert_eq!(checksum_ok(&m), Some(true));
        let Ok(Body::Msg {
            flags,
            body: Some(b),
            sequences,
        }) = body(OP_MSG, &m[HEADER_LEN..])
        else {
            panic!("not an OP_MSG");
        };
        assert_eq!(flags, CHECKSUM_PRESENT);
        assert_eq!(b.first().map(|e| e.name), Some(&b"insert"[..]));
        let seq = sequences
            .iter()
            .next()
            .unwrap_or_else(|| panic!("no sequence"));
        assert_eq!(seq.identifier, b"documents");
        assert_eq!(seq.docs.iter().count(), 1);
        let last = m.len() - 1;
        m[last] ^= 1;
        assert_eq!(checksum_ok(&m), Some(false));
    }
}
