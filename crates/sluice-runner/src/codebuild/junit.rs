//! JUnit XML into test cases. Read as a stream (quick-xml) so a large report
//! costs no more memory than its cases; the dialects of JUnit, pytest,
//! surefire and others differ only in attributes read leniently here.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use sluice_protocol::{TestCase, TestCaseStatus};

/// The test cases of one report file; `raw_path` is recorded with each.
pub(crate) fn parse(xml: &str, raw_path: &str) -> Result<Vec<TestCase>, String> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut suites: Vec<String> = Vec::new();
    let mut cases = Vec::new();
    // The case whose children are being read, and the child element whose
    // text may carry the message.
    let mut open: Option<TestCase> = None;
    let mut in_outcome = false;
    loop {
        let event =
            reader.read_event().map_err(|e| format!("not valid XML at byte {}: {e}", reader.error_position()))?;
        match event {
            Event::Start(e) if e.local_name().as_ref() == b"testsuite" => {
                suites.push(attr(&e, b"name").unwrap_or_default());
            }
            Event::Start(e) if e.local_name().as_ref() == b"testcase" => {
                open = Some(case(&e, &suites, raw_path));
            }
            Event::Empty(e) if e.local_name().as_ref() == b"testcase" => {
                cases.push(case(&e, &suites, raw_path));
            }
            Event::Start(e) | Event::Empty(e) if open.is_some() => {
                let status = match e.local_name().as_ref() {
                    b"failure" => Some(TestCaseStatus::Failed),
                    b"error" => Some(TestCaseStatus::Error),
                    b"skipped" => Some(TestCaseStatus::Skipped),
                    _ => None,
                };
                if let (Some(status), Some(case)) = (status, open.as_mut()) {
                    // A failure outranks a skip reported with it.
                    if case.status == TestCaseStatus::Succeeded || status != TestCaseStatus::Skipped {
                        case.status = status;
                    }
                    case.message = attr(&e, b"message").or(case.message.take());
                    in_outcome = true;
                }
            }
            Event::Text(text) if in_outcome => {
                if let Some(case) = open.as_mut().filter(|c| c.message.is_none())
                    && let Ok(text) = text.decode()
                {
                    case.message = Some(first_line(&text));
                }
            }
            Event::CData(text) if in_outcome => {
                if let Some(case) = open.as_mut().filter(|c| c.message.is_none())
                    && let Ok(text) = text.decode()
                {
                    case.message = Some(first_line(&text));
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"testcase" => cases.extend(open.take()),
                b"testsuite" => {
                    suites.pop();
                }
                b"failure" | b"error" | b"skipped" => in_outcome = false,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(cases)
}

fn case(e: &BytesStart, suites: &[String], raw_path: &str) -> TestCase {
    let prefix = attr(e, b"classname").or_else(|| suites.last().cloned()).unwrap_or_default();
    let seconds = attr(e, b"time").and_then(|t| t.replace(',', "").parse::<f64>().ok()).unwrap_or(0.0);
    TestCase {
        prefix,
        name: attr(e, b"name").unwrap_or_default(),
        status: TestCaseStatus::Succeeded,
        duration_ns: (seconds * 1e9).clamp(0.0, i64::MAX as f64) as i64,
        message: None,
        test_raw_data_path: raw_path.to_owned(),
    }
}

fn attr(e: &BytesStart, name: &[u8]) -> Option<String> {
    let found = e.try_get_attribute(name).ok().flatten()?;
    found.normalized_value(XmlVersion::Implicit1_0).ok().map(|v| v.into_owned())
}

/// Messages go into one-line summaries; the full text stays in the file.
fn first_line(text: &str) -> String {
    text.trim().lines().next().unwrap_or_default().chars().take(500).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_of_every_outcome() {
        let xml = r#"<?xml version="1.0"?>
<testsuites>
  <testsuite name="math" tests="4">
    <testcase classname="math.Add" name="adds" time="0.5"/>
    <testcase classname="math.Add" name="overflows" time="0.001">
      <failure message="expected 2 &amp; got 3">trace</failure>
    </testcase>
    <testcase name="crashes"><error><![CDATA[boom
at line 2]]></error></testcase>
    <testcase name="later"><skipped/></testcase>
  </testsuite>
</testsuites>"#;
        let cases = parse(xml, "reports/junit.xml").unwrap();
        let summary: Vec<_> = cases.iter().map(|c| (c.prefix.as_str(), c.name.as_str(), c.status)).collect();
        assert_eq!(
            summary,
            [
                ("math.Add", "adds", TestCaseStatus::Succeeded),
                ("math.Add", "overflows", TestCaseStatus::Failed),
                ("math", "crashes", TestCaseStatus::Error),
                ("math", "later", TestCaseStatus::Skipped),
            ]
        );
        assert_eq!(cases[0].duration_ns, 500_000_000);
        assert_eq!(cases[1].message.as_deref(), Some("expected 2 & got 3"));
        assert_eq!(cases[2].message.as_deref(), Some("boom"));
    }

    #[test]
    fn broken_xml_is_an_error_not_a_panic() {
        assert!(parse("<testsuite><testcase name='a'></testsuite>", "r.xml").is_err());
        assert!(parse("", "r.xml").unwrap().is_empty());
    }
}
