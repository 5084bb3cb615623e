//! The formats the server enforces on the wire, each written once as a pattern: the OpenAPI
//! document publishes the pattern (`crate::http::spec`) and the server checks input with the same
//! pattern, so a client built from the spec is never refused for a value the spec allows, and a
//! value the spec forbids is never quietly taken.
//!
//! The patterns are ECMA-262 regular expressions (what JSON Schema uses) written in the subset
//! that the `regex` crate reads the same way.

use std::{collections::HashMap, sync::Mutex, sync::OnceLock};

use regex::Regex;

/// `Idempotency-Key`: 1 to 255 visible ASCII characters.
pub const IDEMPOTENCY_KEY: &str = "^[!-~]{1,255}$";

/// One entity-tag (RFC 9110 §8.8.3): optionally weak, a quoted run of visible ASCII but `"`.
const ENTITY_TAG: &str = r#"(W/)?"[!#-~]*""#;

/// `If-Match` (RFC 9110 §13.1.1): `*`, or a comma-separated list of entity-tags. The list rule
/// (§5.6.1) lets senders leave empty elements, and recipients must accept them.
pub fn if_match() -> &'static str {
    static PATTERN: OnceLock<String> = OnceLock::new();
    PATTERN.get_or_init(|| format!(r"^(\*|(,[ \t]*)*{ENTITY_TAG}([ \t]*,([ \t]*{ENTITY_TAG})?)*)$"))
}

/// A page cursor: what `next_cursor` holds, base64url without padding.
pub const CURSOR: &str = "^[A-Za-z0-9_-]{1,4096}$";

/// Any text the API takes: no NUL character (PostgreSQL cannot store one, and no field needs it).
pub const TEXT: &str = "^[^\\u0000]*$";

/// Text that must hold something besides white space (and no NUL): what `trim` leaves non-empty.
/// Defined with the rules, which check ticket statuses with it too.
pub use crate::rules::text::NON_BLANK;
use oversee_rules::white_space;

/// A host name in a URL: labels of letters, digits and `-`, joined by dots.
macro_rules! host_name {
    () => {
        "[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*"
    };
}

/// What follows a URL's host: an optional port up to 65535, then a path, query or fragment of
/// visible ASCII, to the end.
macro_rules! port_and_rest {
    () => {
        "(:([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?([/?#][!-~]*)?$"
    };
}

/// An http(s) URL as the API stores one: a host of letters, digits, `-` and `.`, an optional
/// port up to 65535, then any visible ASCII (a URL is ASCII; other characters are
/// percent-encoded). No user information: a secret belongs in a header, not in a URL.
pub const WEB_URL: &str = concat!("^https?://", host_name!(), port_and_rest!());

/// A webhook's URL: `WEB_URL`, or with an IPv6 literal for its host. Whether the host may be
/// called is the guard's business (`src/webhooks/guard.rs`), not the pattern's.
pub const WEBHOOK_URL: &str = concat!("^https?://(", host_name!(), "|\\[[0-9A-Fa-f:.]+\\])", port_and_rest!());

/// What a webhook subscribes to: `*`, an event type such as `vendor.created`, or a family such
/// as `contract.*`.
pub const EVENT_TYPE: &str = "^(\\*|[a-z0-9_]+(\\.[a-z0-9_]+)*(\\.\\*)?)$";

/// A vendor tag: 1 to 64 characters, none of them white space or a control character.
pub const TAG: &str = concat!("^[^\\u0000-\\u001f\\u007f-\\u009f", white_space!(), "]{1,64}$");

/// Whether `value` matches `pattern` as a whole. Patterns are compiled once and kept.
pub fn matches(pattern: &'static str, value: &str) -> bool {
    static COMPILED: OnceLock<Mutex<HashMap<&'static str, Regex>>> = OnceLock::new();
    let mut cache = COMPILED.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    cache.entry(pattern).or_insert_with(|| Regex::new(pattern).expect("the formats compile")).is_match(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_blank_is_what_trim_leaves_non_empty() {
        for c in (1..=0x3000u32).filter_map(char::from_u32) {
            let text = format!(" {c} ");
            assert_eq!(matches(NON_BLANK, &text), !text.trim().is_empty(), "U+{:04X}", c as u32);
        }
        assert!(!matches(NON_BLANK, "") && !matches(NON_BLANK, "a\u{0}"));
    }

    #[test]
    fn web_urls_are_http_or_https_with_a_plain_host() {
        for ok in ["https://a.example", "http://h:65535/x?y=1#z", "https://a-b.c/%ZZ\\[]", "https://x:1"] {
            assert!(matches(WEB_URL, ok), "{ok}");
        }
        for bad in ["", "ftp://a", "https://", "https://a b", "https://u:p@a", "https://a:65536", "https://a/\u{e9}"] {
            assert!(!matches(WEB_URL, bad), "{bad:?}");
        }
    }

    #[test]
    fn webhook_urls_may_name_an_ipv6_literal() {
        assert!(matches(WEBHOOK_URL, "https://[::1]:8443/x") && matches(WEBHOOK_URL, "https://a.example/"));
        assert!(!matches(WEB_URL, "https://[::1]/") && !matches(WEBHOOK_URL, "https://u@[::1]/"));
    }

    #[test]
    fn event_types_are_a_star_a_type_or_a_family() {
        for ok in ["*", "vendor.created", "contract.*", "a_1.b"] {
            assert!(matches(EVENT_TYPE, ok), "{ok}");
        }
        for bad in ["", "*.*", "Vendor", "a..b", ".a", "a.", "a.*.b"] {
            assert!(!matches(EVENT_TYPE, bad), "{bad:?}");
        }
    }

    #[test]
    fn tags_have_no_spaces_or_control_characters() {
        assert!(matches(TAG, "payroll") && matches(TAG, &"t".repeat(64)) && matches(TAG, "élan"));
        for bad in ["", "a b", "a\u{85}", "a\u{a0}", "a\u{1}", &"t".repeat(65)] {
            assert!(!matches(TAG, bad), "{bad:?}");
        }
    }

    #[test]
    fn idempotency_keys_are_visible_ascii_of_bounded_length() {
        for ok in ["a", "req-2026-12-02T10:00:00Z#1", &"k".repeat(255), "~!\"{}"] {
            assert!(matches(IDEMPOTENCY_KEY, ok), "{ok}");
        }
        for bad in ["", " a", "a b", "ключ", &"k".repeat(256), "a\u{0}"] {
            assert!(!matches(IDEMPOTENCY_KEY, bad), "{bad:?}");
        }
    }

    #[test]
    fn if_match_is_a_star_or_a_list_of_entity_tags() {
        let p = if_match();
        for ok in ["*", "\"3\"", "W/\"3\"", "\"\"", "\"3\", \"4\"", "\"3\" ,, W/\"3\"", ", \"3\"", "\"3\",", "\"a!#~\""]
        {
            assert!(matches(p, ok), "{ok}");
        }
        for bad in
            ["", "3", "\"3", "3\"", "w/\"3\"", "\"a\"b\"", "\"a b\"", ",", "**", "\"3\" \"4\"", "null", "*, \"3\""]
        {
            assert!(!matches(p, bad), "{bad:?}");
        }
    }

    #[test]
    fn cursors_are_base64url_and_text_has_no_nul() {
        assert!(matches(CURSOR, "eyJhIjoxfQ"));
        for bad in ["", "a b", "a=", "a+b", "a/b"] {
            assert!(!matches(CURSOR, bad), "{bad:?}");
        }
        assert!(matches(TEXT, ""));
        assert!(matches(TEXT, "any text, even\nlines and ü"));
        assert!(!matches(TEXT, "a\u{0}b"));
        assert!(matches(NON_BLANK, " x "));
        for bad in ["", " ", "\n\t", "\u{0}x"] {
            assert!(!matches(NON_BLANK, bad), "{bad:?}");
        }
    }
}
