//! Text for people: colors, tables, times, and the pipeline drawn from its state.

pub mod state;
pub mod style;
pub mod table;
pub mod time;

pub use style::{Color, Style};
pub use table::Table;

/// The first line of a text, cut to `max` characters with an ellipsis.
pub fn one_line(text: &str, max: usize) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
    if line.chars().count() <= max {
        return line.to_string();
    }
    let cut: String = line.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

/// A commit id as people write it (7 characters); other revisions as they are, cut to 20.
pub fn short_revision(id: &str) -> String {
    if id.len() >= 12 && id.chars().all(|c| c.is_ascii_hexdigit()) { id[..7].to_string() } else { one_line(id, 20) }
}

/// `arn:aws:iam::000000000000:user/alice` → `alice`; anything else as it is.
pub fn who(principal: &str) -> &str {
    principal.rsplit_once(":user/").map_or(principal, |(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_takes_the_first_line_and_cuts_it() {
        assert_eq!(one_line("\n  Fix the login page\n\nbody", 40), "Fix the login page");
        assert_eq!(one_line("abcdefghij", 5), "abcd…");
        assert_eq!(one_line("", 5), "");
    }

    #[test]
    fn revisions_and_principals_are_shortened() {
        assert_eq!(short_revision("0123456789abcdef0123456789abcdef01234567"), "0123456");
        assert_eq!(short_revision("v1.2.3"), "v1.2.3");
        assert_eq!(who("arn:aws:iam::000000000000:user/alice"), "alice");
        assert_eq!(who("codepipeline.amazonaws.com"), "codepipeline.amazonaws.com");
    }
}
