//! ANSI colors, only when standard output is a terminal and `NO_COLOR` is not set.

use std::io::IsTerminal;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Green,
    Red,
    Yellow,
    Cyan,
    Dim,
    Bold,
}

impl Color {
    fn code(self) -> &'static str {
        match self {
            Color::Green => "32",
            Color::Red => "31",
            Color::Yellow => "33",
            Color::Cyan => "36",
            Color::Dim => "2",
            Color::Bold => "1",
        }
    }
}

/// Whether text gets colors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    #[cfg(test)]
    pub const PLAIN: Style = Style { color: false };

    /// Colors for a terminal, unless `NO_COLOR` is set (to anything but the empty string, as
    /// no-color.org says).
    pub fn for_stdout() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style { color: !no_color && std::io::stdout().is_terminal() }
    }

    pub fn paint(self, color: Color, text: &str) -> String {
        if self.color && !text.is_empty() { format!("\x1b[{}m{text}\x1b[0m", color.code()) } else { text.to_string() }
    }

    /// Paints when there is a color to paint with.
    pub fn maybe(self, color: Option<Color>, text: &str) -> String {
        match color {
            Some(color) => self.paint(color, text),
            None => text.to_string(),
        }
    }
}

/// The color of a status word, whatever it is the status of.
pub fn status_color(status: &str) -> Option<Color> {
    match status {
        "Succeeded" | "Approved" | "Active" => Some(Color::Green),
        "Failed" | "Errored" | "Rejected" => Some(Color::Red),
        "InProgress" | "Stopping" => Some(Color::Cyan),
        "Stopped" | "Abandoned" | "Cancelled" | "Superseded" | "Inactive" => Some(Color::Yellow),
        "Skipped" | "not run" => Some(Color::Dim),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_has_no_escapes() {
        assert_eq!(Style::PLAIN.paint(Color::Red, "Failed"), "Failed");
        assert_eq!(Style { color: true }.paint(Color::Red, "Failed"), "\x1b[31mFailed\x1b[0m");
        assert_eq!(Style { color: true }.paint(Color::Red, ""), "");
    }
}
