//! CodeBuild ARNs. A build's and a report's ARN are derived from their
//! project's, so whoever creates them (a claim, with no request in hand)
//! uses the region and account the project was created under.

/// `arn:aws:codebuild:<region>:<account>:project/<name>`.
pub fn project(region: &str, account_id: &str, name: &str) -> String {
    format!("arn:aws:codebuild:{region}:{account_id}:project/{name}")
}

/// The `arn:aws:codebuild:<region>:<account>:` part of a project's (or
/// build's) ARN: everything up to the fifth colon.
fn prefix(arn: &str) -> &str {
    match arn.match_indices(':').nth(4) {
        Some((at, _)) => &arn[..=at],
        None => "arn:aws:codebuild:us-east-1:000000000000:",
    }
}

/// A build's ARN from its id (`<project>:<uuid>`).
pub fn build(project_arn: &str, build_id: &str) -> String {
    format!("{}build/{build_id}", prefix(project_arn))
}

pub fn report_group(project_arn: &str, group_name: &str) -> String {
    format!("{}report-group/{group_name}", prefix(project_arn))
}

/// A report's ARN: its group's, then the build's uuid.
pub fn report(project_arn: &str, group_name: &str, build_id: &str) -> String {
    let run = build_id.rsplit(':').next().unwrap_or(build_id);
    format!("{}report/{group_name}:{run}", prefix(project_arn))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_reports_share_the_project_s_region_and_account() {
        let p = project("eu-west-1", "123456789012", "web");
        assert_eq!(p, "arn:aws:codebuild:eu-west-1:123456789012:project/web");
        assert_eq!(build(&p, "web:abc"), "arn:aws:codebuild:eu-west-1:123456789012:build/web:abc");
        assert_eq!(report_group(&p, "web-unit"), "arn:aws:codebuild:eu-west-1:123456789012:report-group/web-unit");
        assert_eq!(report(&p, "web-unit", "web:abc"), "arn:aws:codebuild:eu-west-1:123456789012:report/web-unit:abc");
        let b = build(&p, "web:abc");
        assert_eq!(report_group(&b, "g"), "arn:aws:codebuild:eu-west-1:123456789012:report-group/g");
    }
}
