//! CML's tokens: identifiers, strings, integers and punctuation, each with its byte span;
//! `//` and `/* */` comments are dropped.

use std::ops::Range;

use super::ParseError;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok {
    /// An identifier or keyword (`BoundedContext`, `Customer`, `^type`).
    Ident,
    /// A string in double or single quotes.
    Str,
    /// A run of digits.
    Int,
    /// Punctuation: `<->`, `->`, `<-`, `=>` or one character.
    Punct,
}

/// A token and the bytes it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// Its kind.
    pub kind: Tok,
    /// Its bytes in the source.
    pub span: Range<usize>,
}

/// The tokens of `src`, or where a string or comment is left open.
pub fn tokens(src: &str) -> Result<Vec<Token>, ParseError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        if b.is_ascii_whitespace() {
            i += 1;
        } else if src[i..].starts_with("//") {
            i = src[i..].find('\n').map_or(bytes.len(), |n| i + n);
        } else if src[i..].starts_with("/*") {
            let Some(n) = src[i + 2..].find("*/") else {
                return Err(ParseError::new(
                    start..start + 2,
                    "this comment is never closed",
                ));
            };
            i += n + 4;
        } else if b == b'"' || b == b'\'' {
            i += 1;
            loop {
                match bytes.get(i) {
                    None => {
                        return Err(ParseError::new(
                            start..start + 1,
                            "this string is never closed",
                        ));
                    }
                    Some(b'\\') => i += 2,
                    Some(&c) if c == b => {
                        i += 1;
                        break;
                    }
                    Some(_) => i += 1,
                }
            }
            out.push(Token {
                kind: Tok::Str,
                span: start..i.min(bytes.len()),
            });
        } else if b.is_ascii_digit() {
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            out.push(Token {
                kind: Tok::Int,
                span: start..i,
            });
        } else if b.is_ascii_alphabetic() || b == b'_' || b == b'^' {
            i += 1;
            while bytes
                .get(i)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
            {
                i += 1;
            }
            out.push(Token {
                kind: Tok::Ident,
                span: start..i,
            });
        } else {
            let len = ["<->", "->", "<-", "=>"]
                .iter()
                .find(|p| src[i..].starts_with(**p))
                .map_or_else(
                    || src[i..].chars().next().map_or(1, char::len_utf8),
                    |p| p.len(),
                );
            i += len;
            out.push(Token {
                kind: Tok::Punct,
                span: start..i,
            });
        }
    }
    Ok(out)
}

/// The text of a string token without its quotes, escapes resolved.
pub fn unquote(token: &str) -> String {
    let inner = token.get(1..token.len().saturating_sub(1)).unwrap_or("");
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<&str> {
        tokens(src)
            .unwrap()
            .into_iter()
            .map(|t| &src[t.span])
            .collect()
    }

    #[test]
    fn splits_arrows_roles_strings_and_drops_comments() {
        assert_eq!(
            texts("A [D,ACL]<-[U,OHS] B // why\n/* note */ C<->D x=\"a \\\"b\\\"\""),
            [
                "A",
                "[",
                "D",
                ",",
                "ACL",
                "]",
                "<-",
                "[",
                "U",
                ",",
                "OHS",
                "]",
                "B",
                "C",
                "<->",
                "D",
                "x",
                "=",
                "\"a \\\"b\\\"\""
            ]
        );
        assert_eq!(unquote("\"a \\\"b\\\"\""), "a \"b\"");
        assert_eq!(
            texts("List<Address> ^type 42"),
            ["List", "<", "Address", ">", "^type", "42"]
        );
    }

    #[test]
    fn an_open_string_or_comment_is_an_error_at_its_start() {
        assert_eq!(tokens("a \"open").unwrap_err().span, 2..3);
        assert_eq!(tokens("a /* open").unwrap_err().span, 2..4);
        // Any other character is a token of its own, never a panic.
        assert_eq!(texts("é ✓"), ["é", "✓"]);
    }
}
