//! One pipeline's committed state, cached in memory between events. The
//! slot's mutex serializes the events of one pipeline in this process; the
//! store's revision check serializes them across processes.

use super::Error;
use sluice_engine::PipelineState;
use sluice_model::PipelineDeclaration;
use sluice_store::Store;
use std::collections::BTreeMap;

pub struct Slot {
    /// `None` until the pipeline's state was first committed.
    pub revision: Option<i64>,
    pub state: PipelineState,
    /// The declarations of the current version and of every version a live
    /// execution runs.
    pub declarations: BTreeMap<i64, PipelineDeclaration>,
}

impl Slot {
    pub async fn load(store: &Store, pipeline: &str) -> Result<Slot, Error> {
        let row =
            store.get_pipeline(pipeline, None).await?.ok_or_else(|| Error::PipelineNotFound(pipeline.to_string()))?;
        let current = decode_declaration(pipeline, &row.declaration)?;
        let (revision, state) = match store.load_state(pipeline).await? {
            Some((revision, json)) => {
                let state: PipelineState =
                    serde_json::from_value(json).map_err(|e| Error::Corrupt(pipeline.to_string(), e.to_string()))?;
                (Some(revision), state)
            }
            None => {
                let names: Vec<&str> = current.stages.iter().map(|s| s.name.as_str()).collect();
                (None, PipelineState::new(pipeline, row.version, &names))
            }
        };
        let mut declarations = BTreeMap::from([(row.version, current)]);
        let mut versions: Vec<i64> = state.executions.values().map(|e| e.pipeline_version).collect();
        versions.push(state.current_version);
        for version in versions {
            if declarations.contains_key(&version) {
                continue;
            }
            let old = store
                .get_pipeline(pipeline, Some(version))
                .await?
                .ok_or_else(|| Error::Corrupt(pipeline.to_string(), format!("version {version} is missing")))?;
            declarations.insert(version, decode_declaration(pipeline, &old.declaration)?);
        }
        Ok(Slot { revision, state, declarations })
    }
}

fn decode_declaration(pipeline: &str, json: &serde_json::Value) -> Result<PipelineDeclaration, Error> {
    serde_json::from_value(json.clone()).map_err(|e| Error::Corrupt(pipeline.to_string(), e.to_string()))
}
