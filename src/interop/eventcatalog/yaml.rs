//! Front matter as YAML: the few shapes a catalog page needs (text, lists, maps), keys
//! this exporter's own, every string value double-quoted with JSON's escapes (a JSON string
//! is a YAML double-quoted scalar), so that no name can change the document's structure.

/// A YAML value.
#[derive(Clone, Debug, PartialEq)]
pub enum Yaml {
    /// Text.
    Str(String),
    /// A list.
    List(Vec<Yaml>),
    /// A map, in the order written.
    Map(Vec<(String, Yaml)>),
}

impl Yaml {
    /// Text.
    pub fn str(s: impl Into<String>) -> Yaml {
        Yaml::Str(s.into())
    }

    /// A map of `pairs`.
    pub fn map<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Yaml)>) -> Yaml {
        Yaml::Map(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// `{id, version}`: a reference to another resource.
    pub fn reference(id: &str, version: &str) -> Yaml {
        Yaml::map([("id", Yaml::str(id)), ("version", Yaml::str(version))])
    }
}

/// A page: `---`, the front matter, `---`, then `body`.
pub fn page(front: &[(&str, Yaml)], body: &str) -> String {
    let mut out = String::from("---\n");
    for (k, v) in front {
        entry(&mut out, 0, k, v);
    }
    out.push_str("---\n\n");
    out.push_str(body.trim_end());
    out.push('\n');
    out
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn entry(out: &mut String, indent: usize, key: &str, v: &Yaml) {
    let pad = " ".repeat(indent);
    match v {
        Yaml::Str(s) => out.push_str(&format!("{pad}{key}: {}\n", quoted(s))),
        Yaml::List(items) if items.is_empty() => out.push_str(&format!("{pad}{key}: []\n")),
        Yaml::Map(pairs) if pairs.is_empty() => out.push_str(&format!("{pad}{key}: {{}}\n")),
        Yaml::List(items) => {
            out.push_str(&format!("{pad}{key}:\n"));
            for item in items {
                list_item(out, indent + 2, item);
            }
        }
        Yaml::Map(pairs) => {
            out.push_str(&format!("{pad}{key}:\n"));
            for (k, v) in pairs {
                entry(out, indent + 2, k, v);
            }
        }
    }
}

fn list_item(out: &mut String, indent: usize, v: &Yaml) {
    let pad = " ".repeat(indent);
    match v {
        Yaml::Str(s) => out.push_str(&format!("{pad}- {}\n", quoted(s))),
        Yaml::Map(pairs) if !pairs.is_empty() => {
            // `- first: …` then the other keys aligned under it.
            let mut first = String::new();
            entry(&mut first, 0, &pairs[0].0, &pairs[0].1);
            let mut lines = first.lines();
            if let Some(l) = lines.next() {
                out.push_str(&format!("{pad}- {l}\n"));
            }
            for l in lines {
                out.push_str(&format!("{pad}  {l}\n"));
            }
            for (k, v) in &pairs[1..] {
                entry(out, indent + 2, k, v);
            }
        }
        Yaml::Map(_) => out.push_str(&format!("{pad}- {{}}\n")),
        Yaml::List(items) => {
            out.push_str(&format!("{pad}-\n"));
            for item in items {
                list_item(out, indent + 2, item);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_full_of_yaml_syntax_stay_text() {
        let text = page(
            &[
                ("id", Yaml::str("a: b #c")),
                (
                    "owners",
                    Yaml::List(vec![Yaml::str("- x"), Yaml::str("\"q\"\n")]),
                ),
                ("sends", Yaml::List(vec![Yaml::reference("e", "1.0.0")])),
            ],
            "Body",
        );
        assert_eq!(
            text,
            "---\nid: \"a: b #c\"\nowners:\n  - \"- x\"\n  - \"\\\"q\\\"\\n\"\nsends:\n  - id: \"e\"\n    version: \"1.0.0\"\n---\n\nBody\n"
        );
    }
}
