//! The local emulator of the AI call task API.
