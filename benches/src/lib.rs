//! Shared corpus generators for the benchmarks.
