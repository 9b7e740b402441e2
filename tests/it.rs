//! ampsync's integration tests: one test binary (see CONTRIBUTING.md, "Tests").

mod support;

mod action;
mod cli;
mod generate;
mod manifest;
mod merge_baseline;
mod sync_github;
mod sync_local;
