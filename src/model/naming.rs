//! Case conversions shared by the checks and the proto export.

/// Splits a name into words at `_`, `-`, spaces, case changes and letter/digit boundaries.
pub fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let next = chars.get(i + 1).copied();
        let boundary = match prev {
            Some(p) if p.is_alphanumeric() => {
                (c.is_uppercase() && (p.is_lowercase() || p.is_ascii_digit()))
                    || (c.is_uppercase()
                        && p.is_uppercase()
                        && next.is_some_and(|n| n.is_lowercase()))
            }
            _ => false,
        };
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `lower_snake_case`.
pub fn snake_case(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// `kebab-case`.
pub fn kebab_case(name: &str) -> String {
    snake_case(name).replace('_', "-")
}

/// `UPPER_SNAKE_CASE`.
pub fn upper_snake_case(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| w.to_uppercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// `PascalCase`.
pub fn pascal_case(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| {
            let lower = w.to_lowercase();
            let mut cs = lower.chars();
            match cs.next() {
                Some(f) => f.to_uppercase().chain(cs).collect(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_between_cases() {
        assert_eq!(snake_case("BookingID"), "booking_id");
        assert_eq!(snake_case("HTTPServerError"), "http_server_error");
        assert_eq!(snake_case("paid at"), "paid_at");
        assert_eq!(upper_snake_case("ServiceKind"), "SERVICE_KIND");
        assert_eq!(pascal_case("ticket_purchase"), "TicketPurchase");
        assert_eq!(snake_case("v2Api"), "v2_api");
        assert_eq!(snake_case("already_snake"), "already_snake");
    }
}
