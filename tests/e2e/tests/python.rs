//! The boto3 and AWS CLI suite (`tests/e2e/python`), run with pytest against a fresh unkai.
#![allow(clippy::unwrap_used)]

use unkai_e2e::{Launch, Unkai, assert_success, repo_root, site_packages};

#[test]
fn python_suite() {
    // Functions import boto3 from the test environment, as from Lambda's runtime.
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
    let unkai = Unkai::launch(Launch {
        args: vec!["--config".into(), file.display().to_string()],
        ..Launch::default()
    });
    let suite = repo_root().join("tests/e2e/python");
    let output = unkai.python(&[
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        suite.to_str().unwrap(),
    ]);
    let stdout = assert_success(&output);
    assert!(stdout.contains("passed"), "{stdout}");
}
