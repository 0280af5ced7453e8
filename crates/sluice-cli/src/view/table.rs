//! Columns aligned with spaces: a header row, then one row per item. The last column is not
//! padded, so long summaries do not leave trailing blanks.

use super::{Color, Style};

#[derive(Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<(String, Option<Color>)>>,
}

impl Table {
    pub fn new(headers: &[&str]) -> Table {
        Table { headers: headers.iter().map(|h| h.to_string()).collect(), rows: Vec::new() }
    }

    /// A row of plain cells.
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows.push(cells.into_iter().map(|c| (c.into(), None)).collect());
    }

    /// A row whose cells may be colored.
    pub fn colored_row(&mut self, cells: Vec<(String, Option<Color>)>) {
        self.rows.push(cells);
    }

    pub fn render(&self, style: Style) -> String {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, (cell, _)) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let headers: Vec<(String, Option<Color>)> =
            self.headers.iter().map(|h| (h.clone(), Some(Color::Bold))).collect();
        for row in std::iter::once(&headers).chain(&self.rows) {
            let mut line = String::new();
            for (i, (cell, color)) in row.iter().enumerate().take(columns) {
                let last = i + 1 == columns.min(row.len());
                let pad = if last { 0 } else { widths[i] - cell.chars().count() + 2 };
                line.push_str(&style.maybe(*color, cell));
                line.push_str(&" ".repeat(pad));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up() {
        let mut table = Table::new(&["NAME", "VERSION", "UPDATED"]);
        table.row(["app", "12", "2025-01-02 03:04:05"]);
        table.row(["a-much-longer-name", "1", ""]);
        assert_eq!(
            table.render(Style::PLAIN),
            "NAME                VERSION  UPDATED\n\
             app                 12       2025-01-02 03:04:05\n\
             a-much-longer-name  1\n"
        );
    }
}
