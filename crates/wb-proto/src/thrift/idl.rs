//! A small Thrift IDL reader: enough of the language (`include`, `namespace`, `typedef`,
//! `const`, `enum`, `struct`, `union`, `exception`, `service`) to name each method's arguments
//! and declared exceptions by field id. Types and values are skipped, not checked.
//!
//! IDL files are user input: every error names the file and the line.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Largest IDL file read.
const MAX_FILE_BYTES: u64 = 16 << 20;
/// Deepest chain of `include`s followed.
const MAX_INCLUDE_DEPTH: usize = 16;

/// An IDL file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct IdlError {
    /// The file.
    pub file: String,
    /// 1-based line (0 when the file itself could not be read).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// One method of a service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Method {
    /// The service declaring it.
    pub service: String,
    /// Argument names by field id.
    pub params: Vec<(i16, String)>,
    /// Declared exception names by field id.
    pub exceptions: Vec<(i16, String)>,
}

/// Methods of every service of the loaded IDL files, by method name (the first declaration
/// of a name wins, as Packetbeat looks methods up by name alone).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Idl {
    methods: HashMap<String, Method>,
}

impl Idl {
    /// Loads the given files (and the files they include).
    pub fn load(files: &[String]) -> Result<Idl, IdlError> {
        let mut idl = Idl::default();
        let mut seen = Vec::new();
        for f in files {
            idl.load_file(Path::new(f), 0, &mut seen)?;
        }
        Ok(idl)
    }

    /// Parses IDL text (`name` is used in errors); includes are not followed.
    pub fn parse_str(name: &str, text: &str) -> Result<Idl, IdlError> {
        let mut idl = Idl::default();
        idl.parse_text(Path::new(name), text, 0, &mut Vec::new())?;
        Ok(idl)
    }

    /// The method called `name`, if declared.
    pub fn method(&self, name: &str) -> Option<&Method> {
        self.methods.get(name)
    }

    fn load_file(
        &mut self,
        path: &Path,
        depth: usize,
        seen: &mut Vec<PathBuf>,
    ) -> Result<(), IdlError> {
        let err = |message: String| IdlError {
            file: path.display().to_string(),
            line: 0,
            message,
        };
        let canonical = path.canonicalize().map_err(|e| err(e.to_string()))?;
        if seen.contains(&canonical) {
            return Ok(());
        }
        seen.push(canonical);
        let size = std::fs::metadata(path)
            .map_err(|e| err(e.to_string()))?
            .len();
        if size > MAX_FILE_BYTES {
            return Err(err(format!("larger than {MAX_FILE_BYTES} bytes")));
        }
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        self.parse_text(path, &text, depth, seen)
    }

    fn parse_text(
        &mut self,
        path: &Path,
        text: &str,
        depth: usize,
        seen: &mut Vec<PathBuf>,
    ) -> Result<(), IdlError> {
        let tokens = lex(text).map_err(|(line, message)| IdlError {
            file: path.display().to_string(),
            line,
            message,
        })?;
        let mut p = Parser {
            tokens: &tokens,
            pos: 0,
            file: path.display().to_string(),
        };
        let parsed = p.document()?;
        for include in parsed.includes {
            if depth >= MAX_INCLUDE_DEPTH {
                return Err(p.error_at(0, "includes nested too deeply".into()));
            }
            let target = path.parent().unwrap_or(Path::new(".")).join(&include.0);
            if !seen.is_empty() {
                self.load_file(&target, depth + 1, seen)
                    .map_err(|e| IdlError {
                        file: path.display().to_string(),
                        line: include.1,
                        message: format!("include \"{}\": {e}", include.0),
                    })?;
            }
        }
        for (name, method) in parsed.methods {
            self.methods.entry(name).or_insert(method);
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Int(i64),
    Str(String),
    Punct(char),
}

/// Splits IDL text into tokens with their line; comments (`//`, `#`, `/* */`) are dropped.
fn lex(text: &str) -> Result<Vec<(Tok, usize)>, (usize, String)> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            '#' => while chars.next_if(|&c| c != '\n').is_some() {},
            '/' if chars.peek() == Some(&'/') => while chars.next_if(|&c| c != '\n').is_some() {},
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let start = line;
                let mut prev = ' ';
                loop {
                    match chars.next() {
                        None => return Err((start, "unterminated comment".into())),
                        Some('/') if prev == '*' => break,
                        Some(c) => {
                            if c == '\n' {
                                line += 1;
                            }
                            prev = c;
                        }
                    }
                }
            }
            '"' | '\'' => {
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None => return Err((line, "unterminated string".into())),
                        Some(q) if q == c => break,
                        Some('\\') => {
                            if let Some(e) = chars.next() {
                                s.push(e);
                            }
                        }
                        Some(ch) => {
                            if ch == '\n' {
                                line += 1;
                            }
                            s.push(ch);
                        }
                    }
                }
                out.push((Tok::Str(s), line));
            }
            c if c.is_ascii_digit()
                || ((c == '-' || c == '+') && chars.peek().is_some_and(char::is_ascii_digit)) =>
            {
                let mut s = String::from(c);
                while let Some(d) = chars.next_if(|d| d.is_ascii_alphanumeric() || *d == '.') {
                    s.push(d);
                }
                let value = parse_int(&s);
                out.push((value.map_or(Tok::Word(s), Tok::Int), line));
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut s = String::from(c);
                while let Some(d) = chars.next_if(|d| d.is_alphanumeric() || *d == '_' || *d == '.')
                {
                    s.push(d);
                }
                out.push((Tok::Word(s), line));
            }
            '{' | '}' | '(' | ')' | '<' | '>' | '[' | ']' | ',' | ';' | ':' | '=' | '*' | '&' => {
                out.push((Tok::Punct(c), line))
            }
            other => return Err((line, format!("unexpected character {other:?}"))),
        }
    }
    Ok(out)
}

fn parse_int(s: &str) -> Option<i64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => i64::from_str_radix(hex, 16).ok()?,
        None => digits.parse::<i64>().ok()?,
    };
    Some(if neg { -v } else { v })
}

struct Document {
    includes: Vec<(String, usize)>,
    methods: Vec<(String, Method)>,
}

struct Parser<'t> {
    tokens: &'t [(Tok, usize)],
    pos: usize,
    file: String,
}

impl Parser<'_> {
    fn error_at(&self, pos: usize, message: String) -> IdlError {
        let line = self
            .tokens
            .get(pos)
            .or(self.tokens.last())
            .map_or(1, |t| t.1);
        IdlError {
            file: self.file.clone(),
            line,
            message,
        }
    }

    fn error(&self, message: String) -> IdlError {
        self.error_at(self.pos, message)
    }

    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.0)
    }

    fn next(&mut self) -> Result<Tok, IdlError> {
        let t = self
            .tokens
            .get(self.pos)
            .map(|t| t.0.clone())
            .ok_or_else(|| self.error("unexpected end of file".into()))?;
        self.pos += 1;
        Ok(t)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Punct(c)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), IdlError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error(format!("expected '{c}'")))
        }
    }

    fn word(&mut self) -> Result<String, IdlError> {
        match self.next()? {
            Tok::Word(w) => Ok(w),
            other => {
                self.pos -= 1;
                Err(self.error(format!("expected a name, found {other:?}")))
            }
        }
    }

    fn separator(&mut self) {
        if !self.eat(',') {
            self.eat(';');
        }
    }

    fn document(&mut self) -> Result<Document, IdlError> {
        let mut doc = Document {
            includes: Vec::new(),
            methods: Vec::new(),
        };
        while self.peek().is_some() {
            let line = self.tokens.get(self.pos).map_or(0, |t| t.1);
            let keyword = self.word()?;
            match keyword.as_str() {
                "include" | "cpp_include" => match self.next()? {
                    Tok::Str(s) if keyword == "include" => doc.includes.push((s, line)),
                    Tok::Str(_) => {}
                    _ => return Err(self.error(format!("{keyword} needs a file name"))),
                },
                "namespace" => {
                    self.next()?;
                    self.next()?;
                }
                "typedef" => {
                    self.skip_type()?;
                    self.word()?;
                    self.skip_annotations()?;
                }
                "const" => {
                    self.skip_type()?;
                    self.word()?;
                    self.expect('=')?;
                    self.skip_value()?;
                }
                "enum" | "senum" => {
                    self.word()?;
                    self.skip_block()?;
                    self.skip_annotations()?;
                }
                "struct" | "union" | "exception" => {
                    self.word()?;
                    self.expect('{')?;
                    while !self.eat('}') {
                        self.field()?;
                    }
                    self.skip_annotations()?;
                }
                "service" => {
                    let name = self.word()?;
                    if self.peek() == Some(&Tok::Word("extends".into())) {
                        self.pos += 1;
                        self.word()?;
                    }
                    self.expect('{')?;
                    while !self.eat('}') {
                        let (method, m) = self.function(&name)?;
                        doc.methods.push((method, m));
                    }
                    self.skip_annotations()?;
                }
                other => {
                    return Err(self.error_at(self.pos - 1, format!("unknown keyword \"{other}\"")))
                }
            }
            self.separator();
        }
        Ok(doc)
    }

    /// `[oneway] type name ( fields ) [throws ( fields )]`
    fn function(&mut self, service: &str) -> Result<(String, Method), IdlError> {
        if self.peek() == Some(&Tok::Word("oneway".into())) {
            self.pos += 1;
        }
        self.skip_type()?;
        let name = self.word()?;
        self.expect('(')?;
        let mut params = Vec::new();
        while !self.eat(')') {
            params.push(self.field()?);
        }
        let mut exceptions = Vec::new();
        if self.peek() == Some(&Tok::Word("throws".into())) {
            self.pos += 1;
            self.expect('(')?;
            while !self.eat(')') {
                exceptions.push(self.field()?);
            }
        }
        self.skip_annotations()?;
        self.separator();
        let method = Method {
            service: service.to_string(),
            params: numbered(params),
            exceptions: numbered(exceptions),
        };
        Ok((name, method))
    }

    /// `[id:] [required|optional] type name [= value] [annotations] [,|;]`
    fn field(&mut self) -> Result<(Option<i16>, String), IdlError> {
        let mut id = None;
        if let Some(Tok::Int(n)) = self.peek() {
            let n = *n;
            self.pos += 1;
            self.expect(':')?;
            id = Some(
                i16::try_from(n).map_err(|_| self.error(format!("field id {n} out of range")))?,
            );
        }
        if matches!(self.peek(), Some(Tok::Word(w)) if w == "required" || w == "optional") {
            self.pos += 1;
        }
        self.skip_type()?;
        let name = self.word()?;
        if self.eat('=') {
            self.skip_value()?;
        }
        self.skip_annotations()?;
        self.separator();
        Ok((id, name))
    }

    fn skip_type(&mut self) -> Result<(), IdlError> {
        let t = self.word()?;
        if matches!(t.as_str(), "list" | "set" | "map") {
            self.expect('<')?;
            self.skip_type()?;
            if t == "map" {
                self.expect(',')?;
                self.skip_type()?;
            }
            self.expect('>')?;
        }
        if t == "cpp_type" {
            self.next()?;
        }
        self.skip_annotations()
    }

    fn skip_annotations(&mut self) -> Result<(), IdlError> {
        if self.peek() == Some(&Tok::Punct('(')) {
            self.skip_balanced('(', ')')?;
        }
        Ok(())
    }

    fn skip_block(&mut self) -> Result<(), IdlError> {
        if self.peek() != Some(&Tok::Punct('{')) {
            return Err(self.error("expected '{'".into()));
        }
        self.skip_balanced('{', '}')
    }

    fn skip_balanced(&mut self, open: char, close: char) -> Result<(), IdlError> {
        let start = self.pos;
        let mut depth = 0usize;
        loop {
            match self.next() {
                Err(_) => return Err(self.error_at(start, format!("unclosed '{open}'"))),
                Ok(Tok::Punct(c)) if c == open => depth += 1,
                Ok(Tok::Punct(c)) if c == close => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Ok(_) => {}
            }
        }
    }

    fn skip_value(&mut self) -> Result<(), IdlError> {
        match self.peek() {
            Some(Tok::Punct('[')) => self.skip_balanced('[', ']'),
            Some(Tok::Punct('{')) => self.skip_balanced('{', '}'),
            _ => self.next().map(|_| ()),
        }
    }
}

/// Gives fields without an explicit id the implicit negative ids Thrift assigns (-1, -2, …).
fn numbered(fields: Vec<(Option<i16>, String)>) -> Vec<(i16, String)> {
    let mut implicit = 0i16;
    fields
        .into_iter()
        .map(|(id, name)| {
            let id = id.unwrap_or_else(|| {
                implicit = implicit.saturating_sub(1);
                implicit
            });
            (id, name)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_arguments_and_exceptions() {
        let text = r#"
            namespace py demo   # comment
            include "other.thrift"
            typedef i32 MyInt
            const map<string, i32> M = {"a": 1, "b": [2]};
            enum Op { ADD = 1, SUB = 0x2 }
            /* block
               comment */
            exception Oops { 1: i32 what, 2: string why }
            struct W { 1: i32 a = 0, 2: optional Op op (x = "y") }
            service Calc extends other.Base {
              void ping(),
              i32 div(1: i32 num1, 2: MyInt num2) throws (1: Oops ouch);
              oneway void zip()
            }
        "#;
        let idl = Idl::parse_str("calc.thrift", text).unwrap_or_default();
        let div = idl.method("div").cloned().unwrap_or_default();
        assert_eq!(div.service, "Calc");
        assert_eq!(div.params, vec![(1, "num1".into()), (2, "num2".into())]);
        assert_eq!(div.exceptions, vec![(1, "ouch".into())]);
        assert!(idl.method("zip").is_some());
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = Idl::parse_str("bad.thrift", "struct A {\n 1: i32 a\n}\nservice {").err();
        assert_eq!(e.map(|e| (e.file, e.line)), Some(("bad.thrift".into(), 4)));
        let e = Idl::parse_str("bad.thrift", "\n\nfoo bar").err();
        assert_eq!(e.map(|e| e.line), Some(3));
    }
}
