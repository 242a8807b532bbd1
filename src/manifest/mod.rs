//! Manifests: discovery, YAML with positions, `${VAR}` interpolation,
//! validation into task specs, and the JSON Schema.
