//! The sluice server, as a library: the engine driver and the embedded
//! executor today; the HTTP API, auth and hosted git come on top of it.

pub mod clock;
pub mod driver;
pub mod ids;
