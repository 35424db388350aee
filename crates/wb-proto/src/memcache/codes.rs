//! The memcache vocabulary: command classes, text commands with their arguments, binary
//! opcodes and status codes, named as Packetbeat prints them.

/// Command class, written to `memcache.{request,response}.type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmdType {
    /// `UNKNOWN`.
    Unknown,
    /// `Load` (get family).
    Load,
    /// `Store` (set family, touch).
    Store,
    /// `Delete` (delete, flush).
    Delete,
    /// `Counter` (incr/decr).
    Counter,
    /// `Info` (version, verbosity, quit, noop).
    Info,
    /// `SlabCtrl`.
    SlabCtrl,
    /// `LRUCrawler`.
    LruCrawler,
    /// `Stats`.
    Stats,
    /// `Success` (text replies such as STORED).
    Success,
    /// `Fail` (text error replies).
    Fail,
    /// `Auth` (binary SASL).
    Auth,
}

impl CmdType {
    /// The printed name.
    pub fn as_str(self) -> &'static str {
        match self {
            CmdType::Unknown => "UNKNOWN",
            CmdType::Load => "Load",
            CmdType::Store => "Store",
            CmdType::Delete => "Delete",
            CmdType::Counter => "Counter",
            CmdType::Info => "Info",
            CmdType::SlabCtrl => "SlabCtrl",
            CmdType::LruCrawler => "LRUCrawler",
            CmdType::Stats => "Stats",
            CmdType::Success => "Success",
            CmdType::Fail => "Fail",
            CmdType::Auth => "Auth",
        }
    }
}

/// One argument of a message, in wire order (text) or extras order (binary). Each argument
/// also names the field it is written to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// One key → `keys`.
    Key,
    /// Every remaining word is a key → `keys`.
    MultiKeys,
    /// `flags`.
    Flags,
    /// `exptime`.
    ExpTime,
    /// `exptime`, may be absent.
    OptExpTime,
    /// Data block length → `bytes`.
    Bytes,
    /// `cas_unique`.
    Cas,
    /// `cas_unique`, may be absent.
    OptCas,
    /// The optional word `noreply` → `noreply`.
    NoReply,
    /// `delta`.
    Delta,
    /// `initial` (binary counters).
    Initial,
    /// `verbosity`.
    Verbosity,
    /// `sleep_us`.
    SleepUs,
    /// `value` (lru_crawler tocrawl).
    Value,
    /// `source_class`.
    SourceClass,
    /// `dest_class`.
    DestClass,
    /// `automove` (standby/slow/aggressive).
    Automove,
    /// The whole argument text → `raw_args`.
    RawArgs,
    /// The rest of the line → `error_msg`.
    ErrorMsg,
    /// `STAT name value` → `stats`.
    Stat,
    /// Binary stat replies → `stats`.
    Stats,
}

/// What follows the header of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body {
    /// Nothing (text) or a value that is only counted (binary with no special meaning).
    None,
    /// A data block (a stored or loaded value).
    Data,
    /// Binary counter reply: an 8-byte number → `value`.
    Counter,
    /// Binary version reply → `version`.
    Version,
    /// Binary stat reply: the value of the stat named by the key.
    Stat,
}

/// A command or reply kind.
#[derive(Debug, PartialEq, Eq)]
pub struct Command {
    /// The keyword on the wire (text) or empty (binary).
    pub keyword: &'static str,
    /// `command` as printed.
    pub name: &'static str,
    /// `type`.
    pub typ: CmdType,
    /// Arguments of a text message or of a binary request.
    pub args: &'static [Arg],
    /// Arguments of a binary response.
    pub resp_args: &'static [Arg],
    /// What follows the header.
    pub body: Body,
}

const fn text(
    keyword: &'static str,
    name: &'static str,
    typ: CmdType,
    args: &'static [Arg],
    body: Body,
) -> Command {
    Command {
        keyword,
        name,
        typ,
        args,
        resp_args: &[],
        body,
    }
}

const STORE_ARGS: &[Arg] = &[Arg::Key, Arg::Flags, Arg::ExpTime, Arg::Bytes, Arg::NoReply];
const CAS_ARGS: &[Arg] = &[
    Arg::Key,
    Arg::Flags,
    Arg::ExpTime,
    Arg::Bytes,
    Arg::Cas,
    Arg::NoReply,
];
const COUNTER_ARGS: &[Arg] = &[Arg::Key, Arg::Delta, Arg::NoReply];

/// Text requests.
pub static TEXT_REQUESTS: &[Command] = &[
    text("get", "get", CmdType::Load, &[Arg::MultiKeys], Body::None),
    text("gets", "gets", CmdType::Load, &[Arg::MultiKeys], Body::None),
    text("set", "set", CmdType::Store, STORE_ARGS, Body::Data),
    text("add", "add", CmdType::Store, STORE_ARGS, Body::Data),
    text("replace", "replace", CmdType::Store, STORE_ARGS, Body::Data),
    text("append", "append", CmdType::Store, STORE_ARGS, Body::Data),
    text("prepend", "prepend", CmdType::Store, STORE_ARGS, Body::Data),
    text("cas", "cas", CmdType::Store, CAS_ARGS, Body::Data),
    text("incr", "incr", CmdType::Counter, COUNTER_ARGS, Body::None),
    text("decr", "decr", CmdType::Counter, COUNTER_ARGS, Body::None),
    text(
        "touch",
        "touch",
        CmdType::Store,
        &[Arg::Key, Arg::ExpTime, Arg::NoReply],
        Body::None,
    ),
    text(
        "delete",
        "delete",
        CmdType::Delete,
        &[Arg::Key, Arg::NoReply],
        Body::None,
    ),
    text(
        "flush_all",
        "flush_all",
        CmdType::Delete,
        &[Arg::OptExpTime],
        Body::None,
    ),
    text(
        "stats",
        "stats",
        CmdType::Stats,
        &[Arg::RawArgs],
        Body::None,
    ),
    text(
        "verbosity",
        "verbosity",
        CmdType::Info,
        &[Arg::Verbosity],
        Body::None,
    ),
    text("version", "version", CmdType::Info, &[], Body::None),
    text("quit", "quit", CmdType::Info, &[Arg::NoReply], Body::None),
];

/// `slabs <sub>` requests.
pub static SLABS_COMMANDS: &[Command] = &[
    text(
        "reassign",
        "slabs reassign",
        CmdType::SlabCtrl,
        &[Arg::SourceClass, Arg::DestClass],
        Body::None,
    ),
    text(
        "automove",
        "slabs automove",
        CmdType::SlabCtrl,
        &[Arg::Automove],
        Body::None,
    ),
];

/// `lru_crawler <sub>` requests. `crawl` prints as `lru_crawler tocrawl`, as Packetbeat does.
pub static LRU_COMMANDS: &[Command] = &[
    text(
        "enable",
        "lru_crawler enable",
        CmdType::LruCrawler,
        &[],
        Body::None,
    ),
    text(
        "disable",
        "lru_crawler disable",
        CmdType::LruCrawler,
        &[],
        Body::None,
    ),
    text(
        "sleep",
        "lru_crawler sleep",
        CmdType::LruCrawler,
        &[Arg::SleepUs],
        Body::None,
    ),
    text(
        "tocrawl",
        "lru_crawler tocrawl",
        CmdType::LruCrawler,
        &[Arg::Value],
        Body::None,
    ),
    text(
        "crawl",
        "lru_crawler tocrawl",
        CmdType::LruCrawler,
        &[Arg::RawArgs],
        Body::None,
    ),
];

/// Text replies (numbers are counter replies, see [`COUNTER_REPLY`]).
pub static TEXT_RESPONSES: &[Command] = &[
    text(
        "VALUE",
        "VALUE",
        CmdType::Load,
        &[Arg::Key, Arg::Flags, Arg::Bytes, Arg::OptCas],
        Body::Data,
    ),
    text("END", "END", CmdType::Load, &[], Body::None),
    text("STORED", "STORED", CmdType::Success, &[], Body::None),
    text("NOT_STORED", "NOT_STORED", CmdType::Fail, &[], Body::None),
    text("EXISTS", "EXISTS", CmdType::Success, &[], Body::None),
    text("NOT_FOUND", "NOT_FOUND", CmdType::Fail, &[], Body::None),
    // Packetbeat's spelling.
    text("TOUCHED", "TOCHED", CmdType::Success, &[], Body::None),
    text("DELETED", "DELETED", CmdType::Success, &[], Body::None),
    text("OK", "OK", CmdType::Success, &[], Body::None),
    text("ERROR", "ERROR", CmdType::Fail, &[], Body::None),
    text(
        "CLIENT_ERROR",
        "CLIENT_ERROR",
        CmdType::Fail,
        &[Arg::ErrorMsg],
        Body::None,
    ),
    text(
        "SERVER_ERROR",
        "SERVER_ERROR",
        CmdType::Fail,
        &[Arg::ErrorMsg],
        Body::None,
    ),
    text("BUSY", "BUSY", CmdType::Fail, &[Arg::ErrorMsg], Body::None),
    text(
        "BADCLASS",
        "BADCLASS",
        CmdType::Fail,
        &[Arg::ErrorMsg],
        Body::None,
    ),
    text(
        "NOSPARE",
        "NOSPARE",
        CmdType::Fail,
        &[Arg::ErrorMsg],
        Body::None,
    ),
    text(
        "NOTFULL",
        "NOTFULL",
        CmdType::Fail,
        &[Arg::ErrorMsg],
        Body::None,
    ),
    text(
        "UNSAFE",
        "UNSAFE",
        CmdType::Fail,
        &[Arg::ErrorMsg],
        Body::None,
    ),
    text("SAME", "SAME", CmdType::Fail, &[Arg::ErrorMsg], Body::None),
    text("STAT", "STAT", CmdType::Stats, &[Arg::Stat], Body::None),
    text("VERSION", "VERSION", CmdType::Info, &[], Body::None),
];

/// A text counter reply (a bare number).
pub static COUNTER_REPLY: Command = text(
    "",
    "<counter_op_res>",
    CmdType::Counter,
    &[Arg::Value],
    Body::None,
);

/// A text message of an unknown command (kept only with `parseunknown`).
pub static UNKNOWN_TEXT: Command = text("", "UNKNOWN", CmdType::Unknown, &[], Body::None);

/// The slabs / lru_crawler families, before their sub-command is read.
pub static TEXT_FAMILIES: &[(&str, &[Command])] =
    &[("slabs", SLABS_COMMANDS), ("lru_crawler", LRU_COMMANDS)];

const fn binary(
    name: &'static str,
    typ: CmdType,
    args: &'static [Arg],
    resp_args: &'static [Arg],
    body: Body,
) -> Command {
    Command {
        keyword: "",
        name,
        typ,
        args,
        resp_args,
        body,
    }
}

static BIN_UNKNOWN: Command = binary("UNKNOWN", CmdType::Unknown, &[], &[], Body::Data);
static BIN_GET: Command = binary("get", CmdType::Load, &[], &[Arg::Flags], Body::Data);
static BIN_DELETE: Command = binary("delete", CmdType::Delete, &[], &[], Body::Data);
static BIN_FLUSH: Command = binary("delete", CmdType::Delete, &[Arg::ExpTime], &[], Body::Data);
static BIN_SET: Command = binary(
    "set",
    CmdType::Store,
    &[Arg::Flags, Arg::ExpTime],
    &[],
    Body::Data,
);
static BIN_ADD: Command = binary(
    "add",
    CmdType::Store,
    &[Arg::Flags, Arg::ExpTime],
    &[],
    Body::Data,
);
static BIN_REPLACE: Command = binary(
    "replace",
    CmdType::Store,
    &[Arg::Flags, Arg::ExpTime],
    &[],
    Body::Data,
);
static BIN_APPEND: Command = binary("append", CmdType::Store, &[], &[], Body::Data);
static BIN_PREPEND: Command = binary("prepend", CmdType::Store, &[], &[], Body::Data);
static BIN_NOOP: Command = binary("noop", CmdType::Info, &[], &[], Body::Data);
static BIN_INCR: Command = binary(
    "incr",
    CmdType::Counter,
    &[Arg::Delta, Arg::Initial, Arg::ExpTime],
    &[],
    Body::Counter,
);
static BIN_DECR: Command = binary(
    "decr",
    CmdType::Counter,
    &[Arg::Delta, Arg::Initial, Arg::ExpTime],
    &[],
    Body::Counter,
);
static BIN_QUIT: Command = binary("quit", CmdType::Info, &[], &[], Body::Data);
static BIN_VERSION: Command = binary("version", CmdType::Info, &[], &[], Body::Version);
static BIN_TOUCH: Command = binary("touch", CmdType::Store, &[Arg::ExpTime], &[], Body::Data);
static BIN_VERBOSITY: Command = binary(
    "verbosity",
    CmdType::Info,
    &[Arg::Verbosity],
    &[],
    Body::Data,
);
static BIN_SASL_LIST: Command = binary("sasl_list", CmdType::Auth, &[], &[], Body::Data);
static BIN_SASL_AUTH: Command = binary("sasl_auth", CmdType::Auth, &[], &[], Body::Data);
static BIN_SASL_STEP: Command = binary("sasl_step", CmdType::Auth, &[], &[], Body::Data);
static BIN_STAT: Command = binary("stats", CmdType::Stats, &[], &[Arg::Stats], Body::Stat);

/// Binary opcode of `Quit`.
pub const OPCODE_QUIT: u8 = 0x07;
/// Binary opcode of `Stat`.
pub const OPCODE_STAT: u8 = 0x10;
/// Binary opcode of `QuitQ`.
pub const OPCODE_QUITQ: u8 = 0x17;

/// The command of a binary opcode.
pub fn binary_command(opcode: u8) -> &'static Command {
    match opcode {
        0x00 | 0x09 | 0x0c | 0x0d => &BIN_GET,
        0x01 | 0x11 => &BIN_SET,
        0x02 | 0x12 => &BIN_ADD,
        0x03 | 0x13 => &BIN_REPLACE,
        0x04 | 0x14 => &BIN_DELETE,
        0x05 | 0x15 => &BIN_INCR,
        0x06 | 0x16 => &BIN_DECR,
        0x07 | 0x17 => &BIN_QUIT,
        0x08 | 0x18 => &BIN_FLUSH,
        0x0a => &BIN_NOOP,
        0x0b => &BIN_VERSION,
        0x0e | 0x19 => &BIN_APPEND,
        0x0f | 0x1a => &BIN_PREPEND,
        0x10 => &BIN_STAT,
        0x1b => &BIN_VERBOSITY,
        0x1c => &BIN_TOUCH,
        0x20 => &BIN_SASL_LIST,
        0x21 => &BIN_SASL_AUTH,
        0x22 => &BIN_SASL_STEP,
        _ => &BIN_UNKNOWN,
    }
}

/// Quiet opcodes: the server answers them only on error (or a hit, for gets).
pub fn is_quiet_opcode(opcode: u8) -> bool {
    matches!(
        opcode,
        0x09 | 0x0d | 0x11..=0x1a | 0x1e | 0x24 | 0x32 | 0x34 | 0x36 | 0x38 | 0x3a | 0x3c
    )
}

/// `opcode` as printed (empty for an opcode Packetbeat does not name).
pub fn opcode_name(opcode: u8) -> &'static str {
    const NAMES: [&str; 0x25] = [
        "Get",
        "Set",
        "Add",
        "Replace",
        "Delete",
        "Increment",
        "Decrement",
        "Quit",
        "Flush",
        "GetQ",
        "No-op",
        "Version",
        "GetK",
        "GetKQ",
        "Append",
        "Prepend",
        "Stat",
        "SetQ",
        "AddQ",
        "ReplaceQ",
        "DeleteQ",
        "IncrementQ",
        "DecrementQ",
        "QuitQ",
        "FlushQ",
        "AppendQ",
        "PrependQ",
        "Verbosity",
        "Touch",
        "GAT",
        "GATQ",
        "",
        "SASL list mechs",
        "SASL Auth",
        "SASL Step",
        "GatK",
        "GatKQ",
    ];
    const RANGE: [&str; 0x18] = [
        "RGet",
        "RSet",
        "RSetQ",
        "RAppend",
        "RAppendQ",
        "RPrepend",
        "RPrependQ",
        "RDelete",
        "RDeleteQ",
        "RIncr",
        "RIncrQ",
        "RDecr",
        "RDecrQ",
        "Set VBucket",
        "Get VBucket",
        "Del VBucket",
        "TAP Connect",
        "TAP Mutation",
        "TAP Delete",
        "TAP Flush",
        "TAP Opaque",
        "TAP VBucket Set",
        "TAP Checkpoint Start",
        "TAP Checkpoint End",
    ];
    let i = usize::from(opcode);
    NAMES
        .get(i)
        .or_else(|| i.checked_sub(0x30).and_then(|j| RANGE.get(j)))
        .copied()
        .unwrap_or("")
}

/// A binary response status as printed (empty for an unnamed code).
pub fn status_name(status: u16) -> &'static str {
    match status {
        0x00 => "Success",
        0x01 => "Key not found",
        0x02 => "Key exists",
        0x03 => "Value too large",
        0x04 => "Invalid arguments",
        0x05 => "Item not stored",
        0x06 => "Incr/Decr on non-numeric value.",
        0x07 => "The vbucket belongs to another server",
        0x20 => "Authentication error",
        0x21 => "Authentication continue",
        0x81 => "Unknown command",
        0x82 => "Out of memory",
        0x83 => "Not supported",
        0x84 => "Internal error",
        0x85 => "Busy",
        0x86 => "Temporary failure",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opcode_names_and_quiet_set() {
        assert_eq!(opcode_name(0x0a), "No-op");
        assert_eq!(opcode_name(0x0d), "GetKQ");
        assert_eq!(opcode_name(0x47), "TAP Checkpoint End");
        assert_eq!(opcode_name(0xff), "");
        assert!(is_quiet_opcode(0x11) && is_quiet_opcode(0x17) && !is_quiet_opcode(0x10));
        assert_eq!(binary_command(0x0c).name, "get");
        assert_eq!(binary_command(0x08).name, "delete");
        assert_eq!(status_name(1), "Key not found");
    }
}
