//! unkai's front door. placeholder
pub mod sigv4;
