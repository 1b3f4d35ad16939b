//! The reference applications under `examples/`: each test in `examples/*/test_*.py` deploys
//! its example with `unkai deploy` on this fresh unkai, drives it as its users would and
//! checks its data (pytest, boto3).
#![allow(clippy::unwrap_used)]

use unkai_e2e::{Launch, Unkai, assert_success, repo_root, site_packages};

#[test]
fn examples_suite() {
    let config = tempfile::tempdir().unwrap();
    let file = config.path().join("unkai.toml");
    std::fs::write(
        &file,
        format!(
            "[functions]\npython_sdk = {:?}\n",
            site_packages().display().to_string()
        ),
    )
    .unwrap();
    // Node.js functions import the AWS SDK v3, prepared once per machine as Lambda's runtime
    // carries it.
    let unkai = Unkai::launch(Launch {
        args: vec![
            "--config".into(),
            file.display().to_string(),
            "--prepare-sdks".into(),
            "true".into(),
        ],
        ..Launch::default()
    });
    let examples = repo_root().join("examples");
    // SAFETY of the environment: the examples' Rust functions are built by `unkai deploy` with
    // cargo in the dev profile, sharing this workspace's target directory.
    let output = unkai.python(&[
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        examples.to_str().unwrap(),
    ]);
    let stdout = assert_success(&output);
    assert!(stdout.contains("passed"), "{stdout}");
}
