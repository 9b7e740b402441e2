//! Generation: snapshots of the built-in generator's output and determinism.
