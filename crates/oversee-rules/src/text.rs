//! Text patterns the rules and the API share, as regular expressions in the dialect both the
//! `regex` crate and JSON Schema readers understand.

/// White space as Rust's `str::trim` sees it (Unicode `White_Space`), spelled out: `\\s` means
/// something else in each regex dialect, and the server trims with `trim`.
#[macro_export]
macro_rules! white_space {
    () => {
        "\\t\\n\\u000b\\u000c\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
    };
}

/// Text that must hold something besides white space (and no NUL): what `trim` leaves non-empty.
pub const NON_BLANK: &str = concat!("^[^\\u0000]*[^\\u0000", white_space!(), "][^\\u0000]*$");
