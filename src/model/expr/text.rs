//! Text values written without quotes: a scenario's string and id fields are typed as plain
//! text (`o-1`) and kept as the expression that means it (`'o-1'`).

use super::parser::{Ast, Lit, parse};

/// The expression for the text `text`: `'text'`, with quotes and backslashes escaped.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\\' | '\'' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The text an expression is, when it is nothing but one text literal (`'o-1'` → `o-1`).
pub fn unquote(src: &str) -> Option<String> {
    match parse(src).ok()? {
        Ast::Lit(Lit::Str(s), _) => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_text_survives_quoting_and_only_a_lone_literal_unquotes() {
        for text in ["o-1", "it's", r"back\slash", "two\nlines", "", "'quoted'"] {
            assert_eq!(unquote(&quote(text)).as_deref(), Some(text), "{text:?}");
        }
        assert_eq!(unquote("'a' + 'b'"), None);
        assert_eq!(unquote("42"), None);
    }
}
