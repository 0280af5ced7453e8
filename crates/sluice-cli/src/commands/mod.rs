pub mod server;
pub mod validate;
