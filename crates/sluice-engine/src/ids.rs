//! Fresh identifiers come from outside the engine, so that it stays
//! deterministic: production hands it random ids, tests a counter.

pub trait Ids {
    /// A new id, unique for the life of the installation. `kind` names what
    /// it is for (`job`, `approval-token`, `execution`), for readable test
    /// ids; production sources may ignore it.
    fn next_id(&mut self, kind: &str) -> String;
}

/// `kind-1`, `kind-2`, ...: readable, repeatable ids for tests.
#[derive(Debug, Default, Clone)]
pub struct SequentialIds {
    counter: u64,
}

impl Ids for SequentialIds {
    fn next_id(&mut self, kind: &str) -> String {
        self.counter += 1;
        format!("{kind}-{}", self.counter)
    }
}
