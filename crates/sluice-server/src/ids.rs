//! Fresh ids for the engine: random UUIDs, as AWS uses for execution ids
//! and approval tokens.

use sluice_engine::Ids;

#[derive(Debug, Default, Clone, Copy)]
pub struct RandomIds;

impl Ids for RandomIds {
    fn next_id(&mut self, _kind: &str) -> String {
        uuid::Uuid::new_v4().to_string()
    }
}
