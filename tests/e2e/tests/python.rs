//! The boto3 and AWS CLI suite (`tests/e2e/python`), run with pytest against a fresh unkai.
#![allow(clippy::unwrap_used)]

use unkai_e2e::{Unkai, assert_success, repo_root};

#[test]
fn python_suite() {
    let unkai = Unkai::start();
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
