//! The Python and Node.js bootstraps' own suite (`bootstraps/tests`, pytest with a Runtime API
//! of its own), run with the test environment's Python.
#![allow(clippy::unwrap_used)]

use std::path::Path;

#[test]
fn bootstrap_suite() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = std::env::var_os("UNKAI_TEST_VENV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("../../.venv"));
    let python = venv.join("bin/python");
    if !python.exists() {
        eprintln!(
            "skipped: no Python test environment at {} (scripts/test creates it)",
            venv.display()
        );
        return;
    }
    let output = std::process::Command::new(python)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(root.join("bootstraps/tests"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
