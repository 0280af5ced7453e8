//! The sluice server, as a library: the engine driver with its embedded
//! executor, and the HTTP API (the AWS JSON protocol, health, metrics).

pub mod agent;
pub mod assign;
pub mod auth;
pub mod aws;
pub mod clock;
pub mod codebuild;
pub mod credentials;
pub mod driver;
pub mod git;
pub mod http;
pub mod ids;
pub mod secrets;
pub mod server;
