//! A text box for values that only parse when complete (a type like `list<string>`, a
//! comma-separated list like `New, Placed`): while it has the focus, what the user types lives
//! in the widget's own buffer, so no keystroke is lost to re-deriving the text from the model;
//! each text that parses is committed, one that does not is shown with its error.

use egui::{Id, Response, TextEdit, Ui};

/// The widget's buffer while it has the focus: the text being typed.
#[derive(Clone, Debug, Default)]
struct Buffer(String);

/// Shows a single-line box for `value`, identified by `id`. `show` gives the text of a value,
/// `parse` reads one back (or says why not). Returns the box's response and the new value when
/// the text typed this frame parses to a different one.
pub fn buffered_edit<T: PartialEq>(
    ui: &mut Ui,
    id: Id,
    value: &T,
    width: f32,
    show: impl Fn(&T) -> String,
    parse: impl Fn(&str) -> Result<T, String>,
) -> (Response, Option<T>) {
    let focused = ui.memory(|m| m.has_focus(id));
    let mut text = if focused {
        ui.data(|d| d.get_temp::<Buffer>(id))
            .map_or_else(|| show(value), |b| b.0)
    } else {
        show(value)
    };
    let resp = ui.add(TextEdit::singleline(&mut text).id(id).desired_width(width));
    let mut out = None;
    let parsed = parse(&text);
    if resp.changed()
        && let Ok(v) = &parsed
        && v != value
    {
        out = parse(&text).ok();
    }
    if resp.has_focus() {
        if let Err(why) = &parsed {
            ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {why}"));
        }
        ui.data_mut(|d| d.insert_temp(id, Buffer(text)));
    } else {
        ui.data_mut(|d| d.remove::<Buffer>(id));
    }
    (resp, out)
}

/// `a, b, c` as a list of trimmed, non-empty items.
pub fn comma_list<T: From<String>>(text: &str) -> Result<Vec<T>, String> {
    Ok(text
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .map(T::from)
        .collect())
}

/// The events that cancel a pending timer (a policy's, a saga step's, a handler's schedule),
/// comma-separated, kept until the list reads. Returns true if changed.
pub fn unless_ui(ui: &mut Ui, salt: &str, unless: &mut Vec<crate::model::reference::Ref>) -> bool {
    ui.label("Unless first, on the same target (comma-separated events)");
    let id = ui.id().with(salt);
    let show = |v: &Vec<crate::model::reference::Ref>| {
        v.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
    };
    let (_, edited) = buffered_edit(ui, id, unless, f32::INFINITY, show, comma_list);
    match edited {
        Some(list) => {
            *unless = list;
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::comma_list;

    #[test]
    fn a_trailing_comma_is_not_an_item() {
        assert_eq!(
            comma_list::<String>("New, Placed,").unwrap(),
            ["New", "Placed"]
        );
        assert!(comma_list::<String>(" , ").unwrap().is_empty());
    }
}
