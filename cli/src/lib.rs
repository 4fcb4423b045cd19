//! `sfsync`: the operator's command line. Each command lives in its own module so tests can
//! drive it without a subprocess; `main.rs` only parses arguments and dispatches.

pub mod aws_meter;
pub mod bench;
pub mod coldstart;
pub mod connect;
pub mod cost;
pub mod dataset;
pub mod demo;
pub mod demo_mapping;
pub mod errors_cmd;
pub mod local_aws;
pub mod mapping_cmd;
pub mod people;
pub mod replay_cmd;
pub mod sim_cmd;
pub mod stack;
pub mod stack_backend;
