//! Builds one RESP message from its items, as text rendered the way Packetbeat renders it
//! (`nil`, `[]`, `[a, b, [c]]`), capped in size, plus its top-level elements (a command and
//! its arguments).

use super::resp::{Aggregate, Item, Nesting, Step};
use wb_wire::Timestamp;

/// The outer shape of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Top {
    /// A simple string, integer, bulk string or null.
    Scalar,
    /// An error reply.
    Error,
    /// An array (RESP3 sets and maps too).
    Array,
    /// A RESP3 out-of-band push.
    Push,
    /// An inline command (a plain text line).
    Inline,
}

/// One complete message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Its rendering (capped; see `truncated`).
    pub text: String,
    /// Top-level elements of an array, push or inline command, as text.
    pub elements: Vec<String>,
    /// Its shape.
    pub top: Top,
    /// Bytes on the wire.
    pub wire: u64,
    /// Time of its first byte.
    pub ts: Timestamp,
    /// The text was cut at the cap.
    pub truncated: bool,
}

impl Message {
    /// An inline command line (`PING`, `SET a b`), split on whitespace.
    pub fn inline(line: &[u8], wire: u64, ts: Timestamp) -> Message {
        let text = String::from_utf8_lossy(line);
        let elements: Vec<String> = text.split_whitespace().map(String::from).collect();
        Message {
            text: elements.join(" "),
            elements,
            top: Top::Inline,
            wire,
            ts,
            truncated: false,
        }
    }
}

/// Accumulates the items of the message being read in one direction.
#[derive(Debug)]
pub struct Builder {
    cap: usize,
    nesting: Nesting,
    /// Per open aggregate (attributes excluded): is it a map, and how many elements so far.
    text_levels: Vec<(bool, usize)>,
    msg: Option<Message>,
}

/// What feeding an item gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Fed {
    /// Wait for more items.
    More,
    /// The message is complete.
    Done(Message),
    /// Nested too deep: not accepted.
    TooDeep,
}

impl Builder {
    /// A builder whose texts are capped at `cap` bytes.
    pub fn new(cap: usize) -> Self {
        Builder {
            cap,
            nesting: Nesting::default(),
            text_levels: Vec::new(),
            msg: None,
        }
    }

    /// True between messages.
    pub fn idle(&self) -> bool {
        self.msg.is_none()
    }

    /// Drops the message being read.
    pub fn reset(&mut self) {
        self.nesting.reset();
        self.text_levels.clear();
        self.msg = None;
    }

    /// Adds one item of `wire` bytes that arrived at `ts`.
    pub fn feed(&mut self, item: &Item<'_>, wire: usize, ts: Timestamp) -> Fed {
        let depth = self.nesting.depth();
        let in_attribute =
            self.nesting.in_attribute() || matches!(item, Item::Aggregate(Aggregate::Attribute, _));
        let cap = self.cap;
        let msg = self.msg.get_or_insert_with(|| Message {
            text: String::new(),
            elements: Vec::new(),
            top: Top::Scalar,
            wire: 0,
            ts,
            truncated: false,
        });
        msg.wire += wire as u64;
        if !in_attribute && depth == 0 {
            msg.top = match item {
                Item::Error(_) => Top::Error,
                Item::Aggregate(Aggregate::Push, _) => Top::Push,
                Item::Aggregate(..) => Top::Array,
                _ => Top::Scalar,
            };
        }
        if !in_attribute {
            // Separator from the previous element of the enclosing aggregate.
            if let Some((is_map, count)) = self.text_levels.last_mut() {
                if *count > 0 {
                    let sep = if *is_map && *count % 2 == 1 {
                        ": "
                    } else {
                        ", "
                    };
                    append(msg, sep, cap);
                }
                *count += 1;
            }
            match item {
                Item::Aggregate(kind, n) => {
                    let is_map = *kind == Aggregate::Map;
                    if *n == 0 {
                        append(msg, if is_map { "{}" } else { "[]" }, cap);
                    } else {
                        append(msg, if is_map { "{" } else { "[" }, cap);
                        self.text_levels.push((is_map, 0));
                    }
                }
                scalar => {
                    let text = scalar_text(scalar);
                    if depth == 1 && msg.top != Top::Scalar {
                        msg.elements.push(text.clone());
                    }
                    append(msg, &text, cap);
                }
            }
        }
        let (step, closed) = self.nesting.push(item);
        // Close the text of every aggregate the item completed.
        for _ in 0..closed {
            if let Some((is_map, _)) = self.text_levels.pop() {
                if let Some(m) = self.msg.as_mut() {
                    append(m, if is_map { "}" } else { "]" }, cap);
                }
            }
        }
        match step {
            Step::More => Fed::More,
            Step::TooDeep => {
                self.reset();
                Fed::TooDeep
            }
            Step::Complete => {
                self.nesting.reset();
                self.text_levels.clear();
                self.msg.take().map_or(Fed::More, Fed::Done)
            }
        }
    }
}

fn scalar_text(item: &Item<'_>) -> String {
    match item {
        Item::Simple(b) | Item::Error(b) | Item::Integer(b) | Item::Bulk(b) => {
            String::from_utf8_lossy(b).into_owned()
        }
        Item::Null => "nil".into(),
        Item::Aggregate(..) => String::new(),
    }
}

fn append(msg: &mut Message, s: &str, cap: usize) {
    if msg.text.len() + s.len() <= cap {
        msg.text.push_str(s);
        return;
    }
    if !msg.truncated {
        let room = cap.saturating_sub(msg.text.len());
        let mut end = room.min(s.len());
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        msg.text.push_str(s.get(..end).unwrap_or_default());
        msg.truncated = true;
    }
}

#[cfg(test)]
mod tests {
    use super::super::resp::{read, Read};
    use super::*;

    /// Feeds a whole RESP byte string; returns the messages.
    fn messages(mut data: &[u8], cap: usize) -> Vec<Message> {
        let mut b = Builder::new(cap);
        let mut out = Vec::new();
        while let Read::Item(item, used) = read(data) {
            if let Fed::Done(m) = b.feed(&item, used, Timestamp(0)) {
                out.push(m);
            }
            data = data.get(used..).unwrap_or_default();
        }
        out
    }

    #[test]
    fn renders_like_packetbeat() {
        let m = messages(b"*3\r\n$3\r\nSET\r\n$4\r\nkey3\r\n$2\r\nme\r\n", 100);
        assert_eq!(m[0].text, "[SET, key3, me]");
        assert_eq!(m[0].elements, vec!["SET", "key3", "me"]);
        assert_eq!(m[0].wire, 31);
        let m = messages(b"*2\r\n*2\r\n:1\r\n$-1\r\n*0\r\n+OK\r\n-ERR bad\r\n", 100);
        assert_eq!(m[0].text, "[[1, nil], []]");
        assert_eq!((m[1].text.as_str(), m[1].top), ("OK", Top::Scalar));
        assert_eq!((m[2].text.as_str(), m[2].top), ("ERR bad", Top::Error));
    }

    #[test]
    fn resp3_maps_attributes_and_pushes() {
        let m = messages(b"%2\r\n+a\r\n:1\r\n+b\r\n_\r\n", 100);
        assert_eq!(m[0].text, "{a: 1, b: nil}");
        let m = messages(b"|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n", 100);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].text, "v");
        let m = messages(b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", 100);
        assert_eq!(m[0].top, Top::Push);
        assert_eq!(m[0].elements, vec!["message", "ch", "hi"]);
    }

    #[test]
    fn text_is_capped() {
        let m = messages(b"$10\r\n0123456789\r\n", 4);
        assert_eq!(m[0].text, "0123");
        assert!(m[0].truncated);
        assert_eq!(
            Message::inline(b"  SET a  b ", 12, Timestamp(0)).elements,
            vec!["SET", "a", "b"]
        );
    }
}
