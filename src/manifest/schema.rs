//! The manifest's JSON Schema.
