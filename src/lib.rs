//! ampsync: model-driven code generation that runs in your own CI.
//!
//! Architecture (see CONTRIBUTING.md for the map): [`manifest`] reads and validates
//! `amplication.yaml`; [`commands`] implement the CLI's subcommands over the library;
//! [`cli`] and `main.rs` are the thin edge that parses flags and maps outcomes to exit codes.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod action;
pub mod cli;
pub mod commands;
pub mod generate;
pub mod manifest;
pub mod printer;
pub mod providers;
pub mod sync;
