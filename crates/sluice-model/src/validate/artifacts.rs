//! Artifacts flow forward: every input artifact is made by an action that
//! has finished before the consuming action starts.

use super::all_actions;
use crate::declaration::PipelineDeclaration;
use crate::diagnostic::{Diagnostic, did_you_mean};

pub fn check(pipeline: &PipelineDeclaration, out: &mut Vec<Diagnostic>) {
    let actions = all_actions(pipeline);
    for consumer in &actions {
        for (i, input) in consumer.action.input_artifacts.iter().enumerate() {
            let path = consumer.path().key("inputArtifacts").index(i).key("name");
            let producer = actions.iter().find(|p| p.action.output_artifacts.iter().any(|o| o.name == input.name));
            match producer {
                Some(producer) if producer.precedes(consumer) => {}
                Some(producer) if std::ptr::eq(producer.action, consumer.action) => out.push(Diagnostic::error(
                    "artifact-cycle",
                    path,
                    format!("`{}` reads its own output artifact `{}`", consumer.action.name, input.name),
                )),
                Some(producer) => {
                    let when = if producer.stage == consumer.stage {
                        format!(
                            "in the same stage with runOrder {} (not lower than {})",
                            producer.action.run_order(),
                            consumer.action.run_order()
                        )
                    } else {
                        format!("in the later stage `{}`", producer.stage_name)
                    };
                    out.push(
                        Diagnostic::error(
                            "artifact-not-ready",
                            path,
                            format!("input artifact `{}` is made by `{}` {when}, so it does not exist yet when `{}` runs", input.name, producer.action.name, consumer.action.name),
                        )
                        .hint("an input artifact must come from an earlier stage, or from a lower runOrder in the same stage"),
                    );
                }
                None => {
                    let earlier = actions
                        .iter()
                        .filter(|p| p.precedes(consumer))
                        .flat_map(|p| p.action.output_artifacts.iter().map(|o| o.name.as_str()));
                    let hint = match did_you_mean(&input.name, earlier) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => "name the output artifact of an earlier action".to_string(),
                    };
                    out.push(
                        Diagnostic::error(
                            "missing-input-artifact",
                            path,
                            format!("no action makes the input artifact `{}`", input.name),
                        )
                        .hint(hint),
                    );
                }
            }
        }
    }
}
