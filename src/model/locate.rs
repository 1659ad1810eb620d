//! Finding places in the model file: a path such as `contexts[0].events[3].fields[1]`
//! becomes a byte offset, and a byte offset becomes `line:col`.
//!
//! This is a small scanner over RON text (strings, comments, brackets), independent of the
//! deserializer, so diagnostics found on the parsed model can point back into the file.

use super::element::PathSeg;

/// A 1-based line and column (columns count characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub col: usize,
}

/// The line and column of byte `offset` in `src` (clamped to the text).
pub fn line_col(src: &str, offset: usize) -> LineCol {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    LineCol {
        line,
        col: before[line_start..].chars().count() + 1,
    }
}

/// The byte offset of a 1-based line and column (columns in characters), clamped to the text.
pub fn offset_of(src: &str, at: LineCol) -> usize {
    let line_start: usize = src
        .split_inclusive('\n')
        .take(at.line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line = src.get(line_start..).unwrap_or("");
    line_start
        + line
            .char_indices()
            .nth(at.col.saturating_sub(1))
            .map_or(line.len(), |(i, _)| i)
}

/// The end of the token starting at byte `at`: past the closing quote of a string literal,
/// past an identifier or number, else past one character (never past the end of its line),
/// so that a finding's place can be underlined.
pub fn token_end(src: &str, at: usize) -> usize {
    let b = src.as_bytes();
    let Some(&first) = b.get(at) else {
        return src.len();
    };
    let mut i = at;
    if first == b'"' {
        i += 1;
        while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
            i += if b[i] == b'\\' { 2 } else { 1 };
        }
        return (i + 1).min(src.len());
    }
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
        i += 1;
    }
    if i == at && first != b'\n' {
        i += utf8_len(first);
    }
    let mut i = i.min(src.len());
    while !src.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The byte offset where the value at `path` starts, or the deepest prefix of it that exists
/// (for many look-ups in one text, use [`Places`]).
pub fn locate(src: &str, path: &[PathSeg]) -> usize {
    Places::new(src).locate(path)
}

/// The byte offset in `src` of character offset `k` inside the string literal at `lit` (which
/// points at its opening quote), following escapes; `lit` itself if it is no string literal.
pub fn offset_in_string(src: &str, lit: usize, k: usize) -> usize {
    let b = src.as_bytes();
    if b.get(lit) != Some(&b'"') {
        return lit;
    }
    let mut i = lit + 1;
    let mut unescaped = 0usize;
    while i < b.len() && b[i] != b'"' {
        if unescaped >= k {
            return i;
        }
        let step = if b[i] == b'\\' {
            // `\u{…}` escapes cover several bytes but are one char; close enough to skip to `}`.
            if b.get(i + 1) == Some(&b'u') {
                b[i..].iter().position(|&c| c == b'}').map_or(2, |p| p + 1)
            } else {
                2
            }
        } else {
            utf8_len(b[i])
        };
        // Expression spans count bytes of the unescaped text.
        unescaped += if b[i] == b'\\' { 1 } else { step };
        i += step;
    }
    i.min(src.len())
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// A model file's text indexed for many look-ups: the start of every line, and the start of
/// every element of each list a look-up went through. [`locate`] and [`line_col`] scan the
/// text from its beginning each time, which is quadratic when a large file has thousands
/// of findings (10,000 unused events took 24 s to print); here each list is scanned once.
pub struct Places<'a> {
    src: &'a str,
    line_starts: Vec<usize>,
    /// List start (just inside `[`) → its elements' starts.
    lists: std::collections::HashMap<usize, Vec<usize>>,
}

impl<'a> Places<'a> {
    /// Indexes `src` (its lines now, its lists as look-ups reach them).
    pub fn new(src: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(src.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Places {
            src,
            line_starts,
            lists: std::collections::HashMap::new(),
        }
    }

    /// As [`locate`].
    pub fn locate(&mut self, path: &[PathSeg]) -> usize {
        let mut s = Scanner {
            b: self.src.as_bytes(),
            i: 0,
        };
        s.skip_header();
        s.ws();
        let mut found = s.i;
        for seg in path {
            let ok = match seg {
                PathSeg::Key(k) => s.enter_field(k),
                PathSeg::MapKey(k) => s.enter_map_key(k),
                PathSeg::Index(n) => {
                    let start = s.i;
                    let elements = self.lists.entry(start).or_insert_with(|| s.elements());
                    match elements.get(*n) {
                        Some(&at) => {
                            s.i = at;
                            true
                        }
                        None => {
                            s.i = start;
                            false
                        }
                    }
                }
            };
            if !ok {
                break;
            }
            found = s.i;
        }
        found
    }

    /// The text.
    pub fn text(&self) -> &'a str {
        self.src
    }

    /// As [`line_col`].
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.src.len());
        while !self.src.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        LineCol {
            line,
            col: self.src[start..offset].chars().count() + 1,
        }
    }
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn skip_header(&mut self) {
        loop {
            self.ws();
            if self.b[self.i.min(self.b.len())..].starts_with(b"#![") {
                self.skip_group(b'[', b']', self.i + 2);
            } else {
                return;
            }
        }
    }

    /// Skips whitespace and comments.
    fn ws(&mut self) {
        loop {
            match self.peek() {
                Some(c) if c.is_ascii_whitespace() => self.i += 1,
                Some(b'/') if self.b.get(self.i + 1) == Some(&b'/') => {
                    while let Some(c) = self.peek() {
                        self.i += 1;
                        if c == b'\n' {
                            break;
                        }
                    }
                }
                Some(b'/') if self.b.get(self.i + 1) == Some(&b'*') => {
                    self.i += 2;
                    let mut depth = 1usize;
                    while depth > 0 && self.i < self.b.len() {
                        if self.b[self.i..].starts_with(b"*/") {
                            depth -= 1;
                            self.i += 2;
                        } else if self.b[self.i..].starts_with(b"/*") {
                            depth += 1;
                            self.i += 2;
                        } else {
                            self.i += 1;
                        }
                    }
                }
                _ => return,
            }
        }
    }

    fn ident(&mut self) -> &[u8] {
        let start = self.i;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == b'_') {
            self.i += 1;
        }
        &self.b[start..self.i]
    }

    fn skip_string(&mut self) {
        // at `"`
        self.i += 1;
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                b'\\' => self.i += 1,
                b'"' => return,
                _ => {}
            }
        }
    }

    fn skip_raw_string(&mut self) {
        // at `r`, then hashes, then `"`
        self.i += 1;
        let mut hashes = 0;
        while self.peek() == Some(b'#') {
            hashes += 1;
            self.i += 1;
        }
        if self.peek() != Some(b'"') {
            return;
        }
        self.i += 1;
        while self.i < self.b.len() {
            if self.b[self.i] == b'"'
                && self.b[self.i + 1..]
                    .iter()
                    .take(hashes)
                    .filter(|&&c| c == b'#')
                    .count()
                    == hashes
            {
                self.i += 1 + hashes;
                return;
            }
            self.i += 1;
        }
    }

    /// Skips a bracketed group starting at `from` (which holds `open`), minding strings.
    fn skip_group(&mut self, open: u8, close: u8, from: usize) {
        self.i = from;
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            match c {
                b'"' => {
                    self.skip_string();
                    continue;
                }
                b'\'' => {
                    // char literal: 'x' or '\n'
                    self.i += if self.b.get(self.i + 1) == Some(&b'\\') {
                        4
                    } else {
                        3
                    };
                    continue;
                }
                b'/' if matches!(self.b.get(self.i + 1), Some(b'/' | b'*')) => {
                    self.ws();
                    continue;
                }
                c if c == open || matches!(c, b'(' | b'[' | b'{') => depth += 1,
                c if c == close || matches!(c, b')' | b']' | b'}') => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.i += 1;
                        return;
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
    }

    /// Skips one value (string, number, identifier with optional group, or group).
    fn skip_value(&mut self) {
        self.ws();
        match self.peek() {
            Some(b'"') => self.skip_string(),
            Some(b'r') if matches!(self.b.get(self.i + 1), Some(b'"' | b'#')) => {
                self.skip_raw_string()
            }
            Some(c @ (b'(' | b'[' | b'{')) => {
                let close = match c {
                    b'(' => b')',
                    b'[' => b']',
                    _ => b'}',
                };
                self.skip_group(c, close, self.i)
            }
            Some(b'\'') => self.skip_group(b'\'', b'\'', self.i),
            Some(_) => {
                let start = self.i;
                while matches!(self.peek(), Some(c) if !matches!(c, b',' | b')' | b']' | b'}' | b'(' | b':') && !c.is_ascii_whitespace())
                {
                    self.i += 1;
                }
                if self.i == start {
                    self.i += 1;
                }
                self.ws();
                if self.peek() == Some(b'(') {
                    self.skip_group(b'(', b')', self.i);
                }
            }
            None => {}
        }
    }

    /// Steps into the group `want` opens, through a struct name (`Name(`) or a `Some(` wrapper.
    fn open(&mut self, want: u8) -> bool {
        self.ws();
        if matches!(self.peek(), Some(c) if c.is_ascii_alphabetic()) {
            let save = self.i;
            self.ident();
            self.ws();
            if self.peek() != Some(b'(') {
                self.i = save;
                return false;
            }
            self.i += 1;
            if want == b'(' {
                return true;
            }
            self.ws();
        }
        if self.peek() == Some(want) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn sep(&mut self) -> bool {
        self.ws();
        if self.peek() == Some(b',') {
            self.i += 1;
            self.ws();
        }
        !matches!(self.peek(), None | Some(b')' | b']' | b'}'))
    }

    fn enter_field(&mut self, key: &str) -> bool {
        let start = self.i;
        if !self.open(b'(') {
            self.i = start;
            return false;
        }
        loop {
            self.ws();
            let name = self.ident().to_vec();
            self.ws();
            if name.is_empty() || self.peek() != Some(b':') {
                self.i = start;
                return false;
            }
            self.i += 1;
            self.ws();
            if name == key.as_bytes() {
                return true;
            }
            self.skip_value();
            if !self.sep() {
                self.i = start;
                return false;
            }
        }
    }

    /// The starts of the elements of the list here (each after its leading whitespace); the
    /// position is left where it was.
    fn elements(&mut self) -> Vec<usize> {
        let start = self.i;
        let mut out = Vec::new();
        if self.open(b'[') {
            self.ws();
            while !matches!(self.peek(), None | Some(b']')) {
                out.push(self.i);
                self.skip_value();
                if !self.sep() {
                    break;
                }
            }
        }
        self.i = start;
        out
    }

    fn enter_map_key(&mut self, key: &str) -> bool {
        let start = self.i;
        if !self.open(b'{') {
            self.i = start;
            return false;
        }
        loop {
            self.ws();
            let kstart = self.i;
            self.skip_value();
            let text = String::from_utf8_lossy(&self.b[kstart..self.i]);
            self.ws();
            if self.peek() != Some(b':') {
                self.i = start;
                return false;
            }
            self.i += 1;
            self.ws();
            if text.trim_matches('"') == key {
                return true;
            }
            self.skip_value();
            if !self.sep() {
                self.i = start;
                return false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"#![enable(implicit_some)]
(
    format: 1, // the version
    name: "a \"quoted\" (name)",
    contexts: [
        (
            name: "One",
            events: [(name: "A"), (name: "B", fields: [(n: 1)])],
            with: {"x": "cmd.x + 1", "y": "2"},
        ),
    ],
)
"#;

    #[test]
    fn finds_nested_fields_list_items_and_map_entries() {
        let at = |p: &[PathSeg]| line_col(SRC, locate(SRC, p));
        use PathSeg::*;
        assert_eq!(at(&[Key("format")]), LineCol { line: 3, col: 13 });
        let b = at(&[Key("contexts"), Index(0), Key("events"), Index(1)]);
        assert_eq!(b, LineCol { line: 8, col: 35 });
        let n = at(&[
            Key("contexts"),
            Index(0),
            Key("events"),
            Index(1),
            Key("fields"),
            Index(0),
            Key("n"),
        ]);
        assert_eq!(n, LineCol { line: 8, col: 60 });
        let y = at(&[Key("contexts"), Index(0), Key("with"), MapKey("y".into())]);
        assert_eq!(y, LineCol { line: 9, col: 43 });
    }

    #[test]
    fn a_missing_path_stops_at_the_deepest_existing_prefix() {
        use PathSeg::*;
        let deep = locate(SRC, &[Key("contexts"), Index(0), Key("nope")]);
        assert_eq!(deep, locate(SRC, &[Key("contexts"), Index(0)]));
        assert_eq!(
            locate(SRC, &[Key("contexts"), Index(7)]),
            locate(SRC, &[Key("contexts")])
        );
    }

    #[test]
    fn places_indexed_once_agree_with_a_scan_from_the_start() {
        use PathSeg::*;
        let mut places = Places::new(SRC);
        let paths: Vec<Vec<PathSeg>> = vec![
            vec![Key("format")],
            vec![Key("contexts"), Index(0), Key("events"), Index(1)],
            vec![Key("contexts"), Index(0), Key("events"), Index(0)],
            vec![Key("contexts"), Index(0), Key("events"), Index(2)],
            vec![
                Key("contexts"),
                Index(0),
                Key("events"),
                Index(1),
                Key("fields"),
                Index(0),
            ],
            vec![Key("contexts"), Index(0), Key("with"), MapKey("y".into())],
            vec![Key("contexts"), Index(3)],
        ];
        for p in &paths {
            let at = places.locate(p);
            // Line and column as a scan from the start counts them.
            let before = &SRC[..at];
            let line = before.matches('\n').count() + 1;
            let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
                .chars()
                .count()
                + 1;
            assert_eq!(places.line_col(at), LineCol { line, col }, "{p:?}");
        }
        // Asked twice (the second time from the index), the same place.
        let again = places.locate(&paths[1]);
        assert_eq!(places.line_col(again), LineCol { line: 8, col: 35 });
        assert_eq!(places.line_col(usize::MAX), line_col(SRC, usize::MAX));
    }

    #[test]
    fn offsets_inside_string_literals_follow_escapes() {
        let src = r#"x: "a\"bc""#;
        let lit = src.find('"').unwrap();
        assert_eq!(&src[offset_in_string(src, lit, 2)..][..1], "b");
    }

    #[test]
    fn never_panics_on_garbage() {
        for src in [
            "",
            "(",
            "((((",
            "[\"",
            "(a: [1, 2",
            "/* unclosed",
            "r#\"x",
            "'",
        ] {
            let _ = locate(src, &[PathSeg::Key("a"), PathSeg::Index(3)]);
            let _ = line_col(src, 1000);
        }
    }
}
