//! Mermaid diagrams (<https://mermaid.js.org>): text that GitHub, GitLab, wikis and most
//! documentation sites draw.
//!
//! - [`context_map`]: contexts and their relations (`flowchart LR`).
//! - [`flow`]: the flow graph — actor → command → aggregate → event → policy… — one
//!   subgraph per context.
//! - [`sequence`]: a run's messages between contexts (`sequenceDiagram`), rejections,
//!   parked deliveries and compensations marked.
//! - [`document`]: all of them as one Markdown page.
//!
//! Every name is written inside quotes with Mermaid's entity codes for the characters its
//! grammar gives a meaning (see [`text`]); node and participant ids are generated, so no
//! name can collide with a keyword (`end`, `graph`) or with another id.

mod context_map;
mod document;
mod flow;
mod sequence;

pub use context_map::context_map;
pub use document::document;
pub use flow::{flow, flow_of};
pub use sequence::sequence;

/// `s` as text Mermaid shows as written, inside a quoted label or after a message's colon:
/// `#`, quotes, `;`, angle brackets, ampersands and backticks become entity codes, line
/// breaks spaces.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            ';' => out.push_str("#59;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '|' => out.push_str("#124;"),
            '{' => out.push_str("#123;"),
            '}' => out.push_str("#125;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The front matter that titles a diagram.
fn title(name: &str) -> String {
    // YAML: a double-quoted scalar, its own escapes (Mermaid's entity codes are not read here).
    let quoted: String = name
        .chars()
        .flat_map(|c| match c {
            '"' => vec!['\\', '"'],
            '\\' => vec!['\\', '\\'],
            '\n' | '\r' | '\t' => vec![' '],
            c => vec![c],
        })
        .collect();
    format!("---\ntitle: \"{quoted}\"\n---\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_characters_become_entity_codes() {
        assert_eq!(
            text("a \"b\"; c#1 <x> & `y`"),
            "a #quot;b#quot;#59; c#35;1 #lt;x#gt; #amp; #96;y#96;"
        );
        assert_eq!(text("line\nbreak"), "line break");
        assert_eq!(
            title("My \"shop\""),
            "---\ntitle: \"My \\\"shop\\\"\"\n---\n"
        );
    }
}
