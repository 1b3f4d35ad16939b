//! Lambda end to end through aws-sdk-lambda: the same test function deployed on four runtimes
//! (python3.12, awslambdaric on provided.al2023, nodejs20.x, a Rust lambda_runtime binary on
//! provided.al2023) answering alike, boto3 inside a handler, and the run-time behaviours Lambda
//! documents: throttles, timeouts, crashes, `LogType: Tail`, payload limits, `Event` retries and
//! destinations, scale to zero, and isolation between functions. Each test starts its own unkai
//! with the `[functions]` configuration it needs. The control plane is tested with boto3 in
//! tests/e2e/python/test_lambda.py.
//!
//! Where unkai differs from Lambda today, the test still asserts Lambda's behaviour and is
//! `#[ignore]`d with the difference.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use aws_sdk_lambda::Client;
use aws_sdk_lambda::config::retry::RetryConfig;
use aws_sdk_lambda::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_lambda::operation::RequestId;
use aws_sdk_lambda::operation::create_function::builders::CreateFunctionFluentBuilder;
use aws_sdk_lambda::operation::invoke::InvokeError;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    DestinationConfig, Environment, FunctionCode, InvocationType, LogType, OnFailure, OnSuccess,
    Runtime, ThrottleReason,
};
use base64::Engine as _;
use serde_json::{Value, json};
use sha2::Digest as _;
use unkai_e2e::{Launch, Unkai, repo_root, site_packages, venv};

const ROLE: &str = "arn:aws:iam::000000000000:role/lambda-role";

/// An unkai started with a `[functions]` table, and clients for it.
struct Lab {
    unkai: Unkai,
    lambda: Client,
    ddb: aws_sdk_dynamodb::Client,
    _config: tempfile::TempDir,
}

impl Lab {
    /// Starts unkai with `python_sdk` pointing at the test venv's site-packages (boto3, as on
    /// Lambda) and the given extra `[functions]` lines.
    fn start(functions: &str) -> Self {
        let config = tempfile::tempdir().unwrap();
        let file = config.path().join("unkai.toml");
        std::fs::write(
            &file,
            format!(
                "[functions]\npython_sdk = {:?}\n{functions}\n",
                site_packages().display().to_string()
            ),
        )
        .unwrap();
        let unkai = Unkai::launch(Launch {
            args: vec!["--config".into(), file.display().to_string()],
            ..Launch::default()
        });
        let sdk = unkai.sdk_config();
        // No retries: throttles and errors must surface as unkai sent them.
        let lambda = Client::from_conf(
            aws_sdk_lambda::config::Builder::from(&sdk)
                .retry_config(RetryConfig::disabled())
                .build(),
        );
        let ddb = aws_sdk_dynamodb::Client::new(&sdk);
        Self {
            unkai,
            lambda,
            ddb,
            _config: config,
        }
    }

    /// A `CreateFunction` call for `zip`, with the role set.
    fn create(
        &self,
        name: &str,
        runtime: &str,
        handler: &str,
        zip: &[u8],
    ) -> CreateFunctionFluentBuilder {
        self.lambda
            .create_function()
            .function_name(name)
            .runtime(Runtime::from(runtime))
            .role(ROLE)
            .handler(handler)
            .code(
                FunctionCode::builder()
                    .zip_file(Blob::new(zip.to_vec()))
                    .build(),
            )
    }

    /// Creates tests/functions/python as `name` (python3.12, `app.handler`).
    async fn python_function(&self, name: &str) {
        self.create(name, "python3.12", "app.handler", &python_zip())
            .send()
            .await
            .unwrap();
    }

    async fn invoke(&self, name: &str, event: &Value) -> Invoked {
        self.call(name, event, false).await.unwrap()
    }

    async fn invoke_tail(&self, name: &str, event: &Value) -> Invoked {
        self.call(name, event, true).await.unwrap()
    }

    async fn call(
        &self,
        name: &str,
        event: &Value,
        tail: bool,
    ) -> Result<Invoked, SdkError<InvokeError>> {
        let mut call = self
            .lambda
            .invoke()
            .function_name(name)
            .payload(Blob::new(event.to_string()));
        if tail {
            call = call.log_type(LogType::Tail);
        }
        let output = call.send().await?;
        let payload = output
            .payload()
            .map(|blob| blob.as_ref().to_vec())
            .unwrap_or_default();
        Ok(Invoked {
            status: output.status_code(),
            function_error: output.function_error().map(str::to_owned),
            payload: serde_json::from_slice(&payload).unwrap_or(Value::Null),
            log: output.log_result().map(|encoded| {
                String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(encoded)
                        .unwrap(),
                )
                .unwrap()
            }),
            request_id: output.request_id().unwrap_or_default().to_owned(),
        })
    }

    /// Creates a table keyed by `id` (S).
    async fn table(&self, name: &str) {
        self.ddb
            .create_table()
            .table_name(name)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name("id")
                    .key_type(KeyType::Hash)
                    .build()
                    .unwrap(),
            )
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name("id")
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }
}

/// What one synchronous invocation answered.
#[derive(Debug)]
struct Invoked {
    status: i32,
    function_error: Option<String>,
    payload: Value,
    /// `X-Amz-Log-Result`, decoded.
    log: Option<String>,
    request_id: String,
}

/// The test venv's site-packages (boto3 and botocore), for `[functions] python_sdk`.
/// A zip of `entries` (name, contents, Unix mode).
fn zip_of(entries: &[(String, Vec<u8>, u32)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, contents, mode) in entries {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(*mode);
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(contents).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// A zip of every file under `dir` (but `__pycache__`), with their modes.
fn zip_dir(dir: &Path) -> Vec<u8> {
    use std::os::unix::fs::PermissionsExt;
    fn walk(root: &Path, dir: &Path, entries: &mut Vec<(String, Vec<u8>, u32)>) {
        let mut children: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        children.sort();
        for path in children {
            if path.file_name().is_some_and(|name| name == "__pycache__") {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, entries);
            } else {
                let name = path.strip_prefix(root).unwrap().display().to_string();
                let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                entries.push((name, std::fs::read(&path).unwrap(), mode));
            }
        }
    }
    let mut entries = Vec::new();
    walk(dir, dir, &mut entries);
    zip_of(&entries)
}

fn function_dir(name: &str) -> PathBuf {
    repo_root().join("tests/functions").join(name)
}

/// tests/functions/python/app.py, zipped.
fn python_zip() -> Vec<u8> {
    zip_of(&[(
        "app.py".into(),
        std::fs::read(function_dir("python").join("app.py")).unwrap(),
        0o644,
    )])
}

/// A Python function of one file, `handler.py`.
fn handler_zip(source: &str) -> Vec<u8> {
    zip_of(&[("handler.py".into(), source.as_bytes().to_vec(), 0o644)])
}

/// tests/functions/python-ric with awslambdaric pip-installed into a copy, zipped; `None` when
/// PyPI cannot be reached.
fn python_ric_zip() -> Option<Vec<u8>> {
    let copy = tempfile::tempdir().unwrap();
    for file in ["app.py", "bootstrap"] {
        std::fs::copy(
            function_dir("python-ric").join(file),
            copy.path().join(file),
        )
        .unwrap();
    }
    let output = Command::new(venv().join("bin/python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "--timeout",
            "20",
            "--retries",
            "1",
            "--target",
        ])
        .arg(copy.path())
        .arg("awslambdaric")
        .output()
        .unwrap();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let unreachable = [
            "NewConnectionError",
            "Network is unreachable",
            "Temporary failure in name resolution",
            "Could not fetch URL",
            "No matching distribution found",
            "ProxyError",
            "timed out",
        ];
        assert!(
            unreachable.iter().any(|sign| stderr.contains(sign)),
            "pip install awslambdaric failed:\n{stderr}"
        );
        eprintln!("SKIPPED provided.al2023 with awslambdaric: PyPI is unreachable ({stderr})");
        return None;
    }
    Some(zip_dir(copy.path()))
}

/// The Rust test function (tests/functions/rust), built with cargo and zipped as `bootstrap`.
fn rust_zip() -> Vec<u8> {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    let binary = BINARY.get_or_init(|| {
        // target/<profile>/deps/<test> → target/<profile>
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_path_buf();
        let profile = match profile_dir.file_name().and_then(|name| name.to_str()) {
            Some("debug") | None => "dev".to_owned(),
            Some(other) => other.to_owned(),
        };
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "build",
                "--quiet",
                "-p",
                "unkai-test-function",
                "--bin",
                "bootstrap",
            ])
            .args(["--profile", &profile])
            .current_dir(repo_root())
            .status()
            .unwrap();
        assert!(
            status.success(),
            "cargo build -p unkai-test-function failed"
        );
        profile_dir.join("bootstrap")
    });
    zip_of(&[("bootstrap".into(), std::fs::read(binary).unwrap(), 0o755)])
}

/// The echo action's answer for `event`, as every runtime of the test function gives it.
fn echoed(function: &str, event: &Value) -> Value {
    json!({
        "echo": event,
        "sum": 6,
        "function_name": function,
        "memory_limit_in_mb": 128,
        "has_request_id": true,
        "remaining_positive": true,
    })
}

fn keys(value: &Value) -> BTreeSet<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_handler_on_four_runtimes_answers_alike() {
    let lab = Lab::start("");
    let ric = python_ric_zip();
    let mut deployed = vec![
        ("python", "python3.12", "app.handler", python_zip()),
        (
            "node",
            "nodejs20.x",
            "index.handler",
            zip_dir(&function_dir("node")),
        ),
        ("rust", "provided.al2023", "bootstrap", rust_zip()),
    ];
    if let Some(zip) = ric {
        deployed.push(("python-ric", "provided.al2023", "app.handler", zip));
    }
    for (name, runtime, handler, zip) in &deployed {
        let created = lab
            .create(name, runtime, handler, zip)
            .send()
            .await
            .unwrap();
        assert_eq!(created.runtime().map(Runtime::as_str), Some(*runtime));
    }

    let event = json!({"action": "echo", "numbers": [1, 2, 3], "nested": {"a": [true, null, "x"], "é": "ü"}});
    for (name, _, _, _) in &deployed {
        // Twice: a cold start, then a warm instance.
        for _ in 0..2 {
            let invoked = lab.invoke(name, &event).await;
            assert_eq!(invoked.status, 200, "{name}");
            assert_eq!(
                invoked.function_error, None,
                "{name}: {:?}",
                invoked.payload
            );
            assert_eq!(invoked.payload, echoed(name, &event), "{name}");
        }
    }

    // An unhandled error: FunctionError Unhandled and each runtime's error document.
    for (name, _, _, _) in &deployed {
        let invoked = lab.invoke(name, &json!({"action": "error"})).await;
        assert_eq!(invoked.status, 200, "{name}");
        assert_eq!(
            invoked.function_error.as_deref(),
            Some("Unhandled"),
            "{name}"
        );
        let error = &invoked.payload;
        assert_eq!(error["errorType"], "BoomError", "{name}: {error}");
        assert_eq!(error["errorMessage"], "boom", "{name}: {error}");
        match *name {
            // Lambda's Python runtime and awslambdaric: the request id and the stack.
            "python" | "python-ric" => {
                assert_eq!(
                    keys(error),
                    BTreeSet::from(["errorMessage", "errorType", "requestId", "stackTrace"]),
                    "{name}: {error}"
                );
                assert_eq!(error["requestId"], invoked.request_id.as_str(), "{name}");
                let stack = error["stackTrace"].as_array().unwrap();
                assert!(
                    stack
                        .iter()
                        .any(|frame| frame.as_str().unwrap().contains("raise BoomError")),
                    "{name}: {error}"
                );
            }
            // Lambda's Node.js runtime: the stack as `trace`.
            "node" => {
                assert_eq!(
                    keys(error),
                    BTreeSet::from(["errorMessage", "errorType", "trace"]),
                    "{error}"
                );
                assert!(
                    error["trace"][0]
                        .as_str()
                        .unwrap()
                        .starts_with("BoomError: boom"),
                    "{error}"
                );
            }
            // lambda_runtime posts the Diagnostic alone.
            _ => assert_eq!(
                keys(error),
                BTreeSet::from(["errorMessage", "errorType"]),
                "{error}"
            ),
        }
        // The instance survives a handled error.
        let again = lab.invoke(name, &event).await;
        assert_eq!(again.payload, echoed(name, &event), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boto3_in_a_handler_reads_dynamodb_with_its_role_credentials() {
    let lab = Lab::start("");
    lab.table("items").await;
    lab.ddb
        .put_item()
        .table_name("items")
        .item("id", AttributeValue::S("a".into()))
        .item("size", AttributeValue::N("42".into()))
        .item("tags", AttributeValue::Ss(vec!["x".into(), "y".into()]))
        .send()
        .await
        .unwrap();
    lab.python_function("reader").await;
    let invoked = lab
        .invoke(
            "reader",
            &json!({"action": "dynamodb", "table": "items", "key": {"id": {"S": "a"}}}),
        )
        .await;
    assert_eq!(invoked.function_error, None, "{}", invoked.payload);
    assert_eq!(
        invoked.payload,
        json!({"id": {"S": "a"}, "size": {"N": "42"}, "tags": {"SS": ["x", "y"]}})
    );
    // The credentials are a session of the function's role, not the administrator's key.
    let environment = lab
        .invoke(
            "reader",
            &json!({"action": "env", "names": ["AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"]}),
        )
        .await
        .payload;
    assert!(
        environment["AWS_ACCESS_KEY_ID"]
            .as_str()
            .unwrap()
            .starts_with("ASIA"),
        "{environment}"
    );
    assert!(
        environment["AWS_SESSION_TOKEN"].is_string(),
        "{environment}"
    );
    assert_eq!(environment["AWS_ENDPOINT_URL"], lab.unkai.endpoint());
    let (admin, _) = lab.unkai.credentials();
    assert_ne!(environment["AWS_ACCESS_KEY_ID"], admin.as_str());
}

/// The code, message and HTTP status of a failed invocation.
fn failure(error: &SdkError<InvokeError>) -> (String, String, u16) {
    (
        error.code().unwrap_or_default().to_owned(),
        error.message().unwrap_or_default().to_owned(),
        error
            .raw_response()
            .map_or(0, |response| response.status().as_u16()),
    )
}

fn throttle_reason(error: &SdkError<InvokeError>) -> Option<ThrottleReason> {
    match error.as_service_error() {
        Some(InvokeError::TooManyRequestsException(throttle)) => throttle.reason().cloned(),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reserved_concurrency_throttles() {
    let lab = Lab::start("");
    lab.python_function("zero").await;
    lab.lambda
        .put_function_concurrency()
        .function_name("zero")
        .reserved_concurrent_executions(0)
        .send()
        .await
        .unwrap();
    let refused = lab.call("zero", &json!({}), false).await.unwrap_err();
    assert_eq!(
        failure(&refused),
        (
            "TooManyRequestsException".into(),
            "Rate Exceeded.".into(),
            429
        )
    );
    assert_eq!(
        throttle_reason(&refused),
        Some(ThrottleReason::ReservedFunctionConcurrentInvocationLimitExceeded)
    );
    // Event invocations are accepted and wait in the queue.
    let queued = lab
        .lambda
        .invoke()
        .function_name("zero")
        .invocation_type(InvocationType::Event)
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status_code(), 202);

    // One reserved: of two invocations at once, one runs and one is throttled.
    lab.python_function("one").await;
    lab.lambda
        .put_function_concurrency()
        .function_name("one")
        .reserved_concurrent_executions(1)
        .send()
        .await
        .unwrap();
    let sleep = json!({"action": "sleep", "seconds": 2});
    let (first, second) = tokio::join!(
        lab.call("one", &sleep, false),
        lab.call("one", &sleep, false)
    );
    let (ran, throttled) = match (first, second) {
        (Ok(ran), Err(throttled)) | (Err(throttled), Ok(ran)) => (ran, throttled),
        (first, second) => panic!("expected one run and one throttle: {first:?} {second:?}"),
    };
    assert_eq!(ran.payload, json!({"slept": 2}));
    assert_eq!(failure(&throttled).2, 429);
    assert_eq!(
        throttle_reason(&throttled),
        Some(ThrottleReason::ReservedFunctionConcurrentInvocationLimitExceeded)
    );
    // Once the first is done, the function runs again.
    assert_eq!(
        lab.invoke("one", &json!({"action": "echo"}))
            .await
            .function_error,
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_is_sandbox_timedout_and_the_next_invocation_runs() {
    let lab = Lab::start("");
    lab.create("slow", "python3.12", "app.handler", &python_zip())
        .timeout(1)
        .send()
        .await
        .unwrap();
    let started = Instant::now();
    let invoked = lab
        .invoke_tail("slow", &json!({"action": "sleep", "seconds": 3}))
        .await;
    assert!(
        started.elapsed() < Duration::from_millis(2900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(invoked.status, 200);
    assert_eq!(invoked.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(
        invoked.payload["errorType"], "Sandbox.Timedout",
        "{}",
        invoked.payload
    );
    let message = invoked.payload["errorMessage"].as_str().unwrap();
    assert_eq!(
        message,
        format!(
            "RequestId: {} Error: Task timed out after 1.00 seconds",
            invoked.request_id
        )
    );
    let log = invoked.log.unwrap();
    assert!(
        log.lines().any(|line| line.ends_with(&format!(
            "{} Task timed out after 1.00 seconds",
            invoked.request_id
        ))),
        "{log}"
    );
    let next = lab
        .invoke("slow", &json!({"action": "sleep", "seconds": 0}))
        .await;
    assert_eq!(next.payload, json!({"slept": 0}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_is_runtime_exit_error_and_the_next_invocation_runs() {
    let lab = Lab::start("");
    lab.python_function("crashy").await;
    let invoked = lab.invoke("crashy", &json!({"action": "crash"})).await;
    assert_eq!(invoked.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(
        invoked.payload,
        json!({
            "errorType": "Runtime.ExitError",
            "errorMessage": format!(
                "RequestId: {} Error: Runtime exited with error: exit status 3",
                invoked.request_id
            ),
        })
    );
    let next = lab
        .invoke("crashy", &json!({"action": "echo", "numbers": [1, 2, 3]}))
        .await;
    assert_eq!(next.function_error, None);
    assert_eq!(next.payload["sum"], 6);
}

/// Checks a `REPORT` line field by field; returns whether it has `Init Duration`.
fn check_report(line: &str, request_id: &str) -> bool {
    fn millis_2dp(value: &str) -> bool {
        let Some(number) = value.strip_suffix(" ms") else {
            return false;
        };
        let Some((whole, fraction)) = number.split_once('.') else {
            return false;
        };
        !whole.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && fraction.len() == 2
            && fraction.bytes().all(|b| b.is_ascii_digit())
    }
    fn whole(value: &str, unit: &str) -> bool {
        value
            .strip_suffix(unit)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    }
    let fields: Vec<&str> = line.split('\t').collect();
    // Lambda ends the line with a tab: the last field is empty.
    assert_eq!(fields.last(), Some(&""), "{line:?}");
    let fields = &fields[..fields.len() - 1];
    assert!(fields.len() == 5 || fields.len() == 6, "{line:?}");
    assert_eq!(
        fields[0],
        format!("REPORT RequestId: {request_id}"),
        "{line:?}"
    );
    assert!(
        fields[1].strip_prefix("Duration: ").is_some_and(millis_2dp),
        "{line:?}"
    );
    assert!(
        fields[2]
            .strip_prefix("Billed Duration: ")
            .is_some_and(|v| whole(v, " ms")),
        "{line:?}"
    );
    assert_eq!(fields[3], "Memory Size: 128 MB", "{line:?}");
    assert!(
        fields[4]
            .strip_prefix("Max Memory Used: ")
            .is_some_and(|v| whole(v, " MB")),
        "{line:?}"
    );
    if let Some(init) = fields.get(5) {
        assert!(
            init.strip_prefix("Init Duration: ").is_some_and(millis_2dp),
            "{line:?}"
        );
        true
    } else {
        false
    }
}

/// The `REPORT` line of a tail, checked; whether it has `Init Duration`.
fn report_of(log: &str, request_id: &str) -> bool {
    let line = log
        .lines()
        .find(|line| line.starts_with("REPORT "))
        .unwrap_or_else(|| panic!("no REPORT line in {log:?}"));
    check_report(line, request_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_type_tail_frames_the_invocation_with_start_end_and_report() {
    let lab = Lab::start("");
    lab.python_function("printer").await;
    let event = json!({"action": "print", "lines": ["hello", "from unkai"]});
    let cold = lab.invoke_tail("printer", &event).await;
    assert_eq!(cold.payload, json!({"printed": 2}));
    let log = cold.log.unwrap();
    let lines: Vec<&str> = log.lines().collect();
    let id = &cold.request_id;
    assert_eq!(
        lines.first().copied(),
        Some(format!("START RequestId: {id} Version: $LATEST").as_str()),
        "{log}"
    );
    let end = lines.len() - 2;
    assert_eq!(lines[end], format!("END RequestId: {id}"), "{log}");
    assert!(lines[end + 1].starts_with("REPORT "), "{log}");
    assert!(
        report_of(&log, id),
        "a cold start reports Init Duration: {log}"
    );

    let warm = lab.invoke_tail("printer", &event).await;
    let log = warm.log.unwrap();
    assert!(
        log.starts_with(&format!(
            "START RequestId: {} Version: $LATEST\n",
            warm.request_id
        )),
        "{log}"
    );
    assert!(
        !report_of(&log, &warm.request_id),
        "a warm start has no Init Duration: {log}"
    );
    assert!(
        !log.contains(id.as_str()),
        "the tail holds this invocation only: {log}"
    );

    // Without LogType there is no log result.
    assert_eq!(lab.invoke("printer", &event).await.log, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_type_tail_holds_what_the_function_printed() {
    let lab = Lab::start("");
    lab.python_function("printer").await;
    let event = json!({"action": "print", "lines": ["hello", "from unkai"]});
    for _ in 0..5 {
        let invoked = lab.invoke_tail("printer", &event).await;
        let log = invoked.log.unwrap();
        let id = &invoked.request_id;
        let lines: Vec<&str> = log.lines().collect();
        let start = format!("START RequestId: {id} Version: $LATEST");
        let end = format!("END RequestId: {id}");
        let hello = lines
            .iter()
            .position(|line| *line == "hello")
            .unwrap_or_else(|| panic!("no printed line in {log}"));
        assert_eq!(lines[hello + 1], "from unkai", "{log}");
        // Python's logging, as Lambda's runtime formats it: [LEVEL] time request-id message.
        let warning = lines
            .iter()
            .position(|line| {
                line.starts_with("[WARNING]\t")
                    && line.ends_with(&format!("Z\t{id}\tprinted 2 lines"))
            })
            .unwrap_or_else(|| panic!("no logging line in {log}"));
        assert_eq!(lines[0], start, "{log}");
        assert!(hello < warning, "{log}");
        assert_eq!(lines[warning + 1], end, "{log}");
    }
}

/// What a crashing function printed before it exited is in its tail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_type_tail_holds_what_a_crashing_function_printed() {
    let lab = Lab::start("");
    lab.python_function("printer").await;
    for _ in 0..3 {
        let crashed = lab
            .invoke_tail("printer", &json!({"action": "crash"}))
            .await;
        let log = crashed.log.unwrap();
        assert!(log.lines().any(|line| line == "crashing now"), "{log}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payload_limits() {
    let lab = Lab::start("");
    lab.python_function("limits").await;
    // A JSON string one byte over 6 MB.
    let over_6mb = format!("\"{}\"", "x".repeat(6_291_456 - 1));
    let refused = lab
        .lambda
        .invoke()
        .function_name("limits")
        .payload(Blob::new(over_6mb))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&refused),
        (
            "RequestTooLargeException".into(),
            "Request must be smaller than 6291456 bytes for the InvokeFunction operation".into(),
            413
        )
    );
    let over_1mb = format!("\"{}\"", "x".repeat(1_048_576 - 1));
    let refused = lab
        .lambda
        .invoke()
        .function_name("limits")
        .invocation_type(InvocationType::Event)
        .payload(Blob::new(over_1mb))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&refused),
        (
            "RequestTooLargeException".into(),
            "Request must be smaller than 1048576 bytes for the InvokeFunction operation".into(),
            413
        )
    );
    // Just under the limits is accepted.
    let under = json!({"action": "echo", "padding": "x".repeat(1_000_000)});
    let echoed = lab.invoke("limits", &under).await;
    assert_eq!(
        echoed.payload["echo"]["padding"].as_str().map(str::len),
        Some(1_000_000)
    );

    // A response over 6 MB.
    let big = lab
        .invoke("limits", &json!({"action": "big", "size": 7_000_000}))
        .await;
    assert_eq!(big.status, 200);
    assert_eq!(big.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(
        big.payload,
        json!({
            "errorType": "Function.ResponseSizeTooLarge",
            "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
        })
    );
    // A response just under it is delivered.
    let fits = lab
        .invoke("limits", &json!({"action": "big", "size": 6_000_000}))
        .await;
    assert_eq!(fits.function_error, None);
    assert_eq!(fits.payload.as_str().map(str::len), Some(6_000_000));
}

/// A destination function that writes each record it gets into the table `TABLE`, keyed by the
/// source invocation's request id.
const RECORDER: &str = r#"
import json
import os

import boto3


def handler(event, context):
    boto3.client("dynamodb").put_item(
        TableName=os.environ["TABLE"],
        Item={
            "id": {"S": event["requestContext"]["requestId"]},
            "record": {"S": json.dumps(event)},
        },
    )
    return "recorded"
"#;

impl Lab {
    /// The record the recorder wrote for `request_id`, waiting for it.
    async fn recorded(&self, table: &str, request_id: &str, within: Duration) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let item = self
                .ddb
                .get_item()
                .table_name(table)
                .key("id", AttributeValue::S(request_id.into()))
                .consistent_read(true)
                .send()
                .await
                .unwrap();
            if let Some(AttributeValue::S(record)) = item.item().and_then(|item| item.get("record"))
            {
                return serde_json::from_str(record).unwrap();
            }
            assert!(
                Instant::now() < deadline,
                "no destination record for {request_id} within {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_invocations_retry_and_reach_their_destinations() {
    let lab = Lab::start("retry_delays_seconds = [1, 1]");
    lab.table("destinations").await;
    lab.create(
        "recorder",
        "python3.12",
        "handler.handler",
        &handler_zip(RECORDER),
    )
    .environment(
        Environment::builder()
            .variables("TABLE", "destinations")
            .build(),
    )
    .send()
    .await
    .unwrap();
    lab.python_function("worker").await;
    let recorder = "arn:aws:lambda:us-east-1:000000000000:function:recorder";
    lab.lambda
        .put_function_event_invoke_config()
        .function_name("worker")
        .destination_config(
            DestinationConfig::builder()
                .on_success(OnSuccess::builder().destination(recorder).build())
                .on_failure(OnFailure::builder().destination(recorder).build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    let worker_arn = "arn:aws:lambda:us-east-1:000000000000:function:worker:$LATEST";

    let failing = json!({"action": "error", "attempt": "all"});
    let queued = lab
        .lambda
        .invoke()
        .function_name("worker")
        .invocation_type(InvocationType::Event)
        .payload(Blob::new(failing.to_string()))
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status_code(), 202);
    let failed_id = queued.request_id().unwrap().to_owned();

    let succeeding = json!({"action": "echo", "numbers": [1, 2, 3]});
    let queued = lab
        .lambda
        .invoke()
        .function_name("worker")
        .invocation_type(InvocationType::Event)
        .payload(Blob::new(succeeding.to_string()))
        .send()
        .await
        .unwrap();
    let succeeded_id = queued.request_id().unwrap().to_owned();

    let success = lab
        .recorded("destinations", &succeeded_id, Duration::from_secs(30))
        .await;
    assert_eq!(success["version"], "1.0");
    assert_eq!(
        success["requestContext"],
        json!({
            "requestId": succeeded_id,
            "functionArn": worker_arn,
            "condition": "Success",
            "approximateInvokeCount": 1,
        })
    );
    assert_eq!(success["requestPayload"], succeeding);
    assert_eq!(
        success["responseContext"],
        json!({"statusCode": 200, "executedVersion": "$LATEST"})
    );
    assert_eq!(success["responsePayload"], echoed("worker", &succeeding));
    assert!(
        success["timestamp"].as_str().unwrap().ends_with('Z'),
        "{success}"
    );

    // Three attempts (the first and two retries 1 s apart), then the failure destination.
    let failure = lab
        .recorded("destinations", &failed_id, Duration::from_secs(60))
        .await;
    assert_eq!(
        failure["requestContext"],
        json!({
            "requestId": failed_id,
            "functionArn": worker_arn,
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 3,
        })
    );
    assert_eq!(failure["requestPayload"], failing);
    assert_eq!(
        failure["responseContext"],
        json!({"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"})
    );
    assert_eq!(failure["responsePayload"]["errorType"], "BoomError");
    assert_eq!(failure["responsePayload"]["errorMessage"], "boom");
}

/// The workers of the unkai process `pid`: its children, but for the sandbox launchers
/// waiting, started ahead of need, for a worker to start (they run the unkai binary).
fn children(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(child) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid …: comm may hold spaces and parentheses.
        let parent = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|ppid| ppid.parse::<u32>().ok());
        let waiting_launcher = std::fs::read_to_string(entry.path().join("cmdline"))
            .is_ok_and(|cmdline| cmdline.contains("__sandbox"));
        if parent == Some(pid) && !waiting_launcher {
            found.push(child);
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_instances_stop_and_the_next_invocation_starts_cold() {
    let lab = Lab::start("idle_timeout_seconds = 1");
    let pid = lab.unkai.pid();
    lab.python_function("sleepy").await;
    let before = children(pid);
    let first = lab.invoke_tail("sleepy", &json!({"action": "echo"})).await;
    assert!(
        report_of(first.log.as_deref().unwrap(), &first.request_id),
        "cold start"
    );
    let workers: Vec<u32> = children(pid)
        .into_iter()
        .filter(|child| !before.contains(child))
        .collect();
    assert!(!workers.is_empty(), "a worker runs after the invocation");

    let deadline = Instant::now() + Duration::from_secs(20);
    while workers.iter().any(|worker| children(pid).contains(worker)) {
        assert!(
            Instant::now() < deadline,
            "the idle worker {workers:?} still runs after 20 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let again = lab.invoke_tail("sleepy", &json!({"action": "echo"})).await;
    assert!(
        report_of(again.log.as_deref().unwrap(), &again.request_id),
        "after scaling to zero the next invocation is a cold start: {:?}",
        again.log
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn functions_are_isolated_from_unkai_and_each_other() {
    let lab = Lab::start("");
    let other = zip_dir(&function_dir("node"));
    lab.create("other", "nodejs20.x", "index.handler", &other)
        .send()
        .await
        .unwrap();
    lab.python_function("prober").await;
    let data = lab.unkai.data_dir().display().to_string();
    let other_code = format!(
        "{data}/lambda/code/{}",
        hex::encode(sha2::Sha256::digest(&other))
    );
    let paths = [
        data.clone(),
        format!("{data}/store"),
        format!("{data}/credentials"),
        other_code.clone(),
        format!("{other_code}/index.mjs"),
        "/etc/hostname".into(),
        ".".into(),
    ];
    let read = lab
        .invoke("prober", &json!({"action": "read", "paths": paths}))
        .await;
    assert_eq!(read.function_error, None, "{}", read.payload);
    for refused in &paths[..5] {
        assert_ne!(
            read.payload[refused.as_str()],
            "ok",
            "{refused} must be out of reach: {}",
            read.payload
        );
    }
    assert_eq!(read.payload["/etc/hostname"], "ok", "{}", read.payload);
    assert_eq!(
        read.payload["."], "ok",
        "the function's own code: {}",
        read.payload
    );
    // /tmp is the function's own: writable, and out of another function's reach.
    let name = format!("unkai-probe-{}.txt", std::process::id());
    let written = lab
        .invoke(
            "prober",
            &json!({"action": "write_tmp", "name": name, "content": "mine"}),
        )
        .await;
    assert_eq!(written.payload, "mine");
    lab.python_function("neighbour").await;
    let probe = format!("/tmp/{name}");
    let read = lab
        .invoke("neighbour", &json!({"action": "read", "paths": [probe]}))
        .await;
    // Without isolation the probe lands in the machine's /tmp.
    let _ = std::fs::remove_file(&probe);
    assert_ne!(read.payload[probe.as_str()], "ok", "{}", read.payload);
}

const SLOW_RECORDER: &str = r#"
import os
import time

import boto3


def handler(event, context):
    time.sleep(0.2)
    boto3.client("dynamodb").put_item(
        TableName=os.environ["TABLE"], Item={"id": {"S": event["id"]}}
    )
    return "recorded"
"#;

/// `Event` invocations are acknowledged once they are in the store: a SIGKILL right after the
/// 202s loses none; the restarted server runs every one of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_events_survive_a_crash() {
    let mut lab = Lab::start("");
    lab.table("seen").await;
    lab.create(
        "slow",
        "python3.12",
        "handler.handler",
        &handler_zip(SLOW_RECORDER),
    )
    .environment(Environment::builder().variables("TABLE", "seen").build())
    .send()
    .await
    .unwrap();
    // Two at a time, 0.2 s each: most events still wait in the queue when unkai dies.
    lab.lambda
        .put_function_concurrency()
        .function_name("slow")
        .reserved_concurrent_executions(2)
        .send()
        .await
        .unwrap();
    let ids: Vec<String> = (0..30).map(|i| format!("event-{i}")).collect();
    for id in &ids {
        let queued = lab
            .lambda
            .invoke()
            .function_name("slow")
            .invocation_type(InvocationType::Event)
            .payload(Blob::new(json!({ "id": id }).to_string()))
            .send()
            .await
            .unwrap();
        assert_eq!(queued.status_code(), 202);
    }
    lab.unkai.restart();
    let sdk = lab.unkai.sdk_config();
    let ddb = aws_sdk_dynamodb::Client::new(&sdk);
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let mut seen = BTreeSet::new();
        let mut start = None;
        loop {
            let page = ddb
                .scan()
                .table_name("seen")
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .unwrap();
            for item in page.items() {
                if let Some(AttributeValue::S(id)) = item.get("id") {
                    seen.insert(id.clone());
                }
            }
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                break;
            }
        }
        if ids.iter().all(|id| seen.contains(id)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "after the restart only {} of {} queued events ran",
            seen.len(),
            ids.len()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

const MEMORY_HOG: &str = r#"
def handler(event, context):
    blob = bytearray(event["mb"] * 1024 * 1024)
    for i in range(0, len(blob), 4096):
        blob[i] = 1
    return {"allocated": event["mb"]}
"#;

/// A function over its memory size is killed as on Lambda (`Runtime.OutOfMemory`), where the
/// machine gives unkai a memory cgroup; the next invocation gets a fresh instance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_size_is_enforced() {
    let lab = Lab::start("");
    let limited = lab
        .unkai
        .banner()
        .iter()
        .any(|line| line.contains("memory limits"));
    if !limited {
        eprintln!(
            "skipped: no writable memory cgroup here ({:?})",
            lab.unkai.banner()
        );
        return;
    }
    lab.create(
        "hog",
        "python3.12",
        "handler.handler",
        &handler_zip(MEMORY_HOG),
    )
    .memory_size(128)
    .send()
    .await
    .unwrap();
    let fits = lab.invoke("hog", &json!({"mb": 32})).await;
    assert_eq!(fits.function_error, None, "{}", fits.payload);
    let over = lab.invoke_tail("hog", &json!({"mb": 300})).await;
    assert_eq!(over.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(
        over.payload["errorType"], "Runtime.OutOfMemory",
        "{}",
        over.payload
    );
    assert!(
        over.payload["errorMessage"]
            .as_str()
            .unwrap()
            .ends_with("Error: Runtime exited with error: signal: killed"),
        "{}",
        over.payload
    );
    let log = over.log.unwrap_or_default();
    assert!(log.contains("Max Memory Used: 128 MB"), "{log}");
    let again = lab.invoke("hog", &json!({"mb": 32})).await;
    assert_eq!(again.function_error, None, "{}", again.payload);
}

const WHO_PYTHON: &str = r#"
import boto3


def handler(event, context):
    return boto3.client("sts").get_caller_identity()["Arn"]
"#;

const WHO_NODE: &str = r#"
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";

export const handler = async () =>
  (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Arn;
"#;

/// Handlers import the SDK their Lambda runtime includes without bundling it: unkai prepares
/// boto3 and the AWS SDK for Node.js once per machine (from PyPI and npm) when first needed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handlers_import_the_sdk_their_runtime_includes() {
    let unkai = Unkai::launch(Launch {
        args: vec!["--prepare-sdks".into(), "true".into()],
        ..Launch::default()
    });
    let sdk = unkai.sdk_config();
    let lambda = Client::from_conf(
        aws_sdk_lambda::config::Builder::from(&sdk)
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                aws_sdk_lambda::config::timeout::TimeoutConfig::builder()
                    .read_timeout(Duration::from_secs(300))
                    .build(),
            )
            .build(),
    );
    for (name, runtime, handler, file, source) in [
        (
            "who-python",
            "python3.12",
            "who.handler",
            "who.py",
            WHO_PYTHON,
        ),
        (
            "who-node",
            "nodejs20.x",
            "index.handler",
            "index.mjs",
            WHO_NODE,
        ),
    ] {
        lambda
            .create_function()
            .function_name(name)
            .runtime(Runtime::from(runtime))
            .role(ROLE)
            .handler(handler)
            .timeout(60)
            .code(
                FunctionCode::builder()
                    .zip_file(Blob::new(zip_of(&[(
                        file.into(),
                        source.as_bytes().to_vec(),
                        0o644,
                    )])))
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let answer = lambda
            .invoke()
            .function_name(name)
            .payload(Blob::new("{}"))
            .send()
            .await
            .unwrap();
        let payload = String::from_utf8_lossy(answer.payload().unwrap().as_ref()).into_owned();
        assert_eq!(answer.function_error(), None, "{name}: {payload}");
        assert_eq!(
            payload,
            format!("\"arn:aws:sts::000000000000:assumed-role/lambda-role/{name}\""),
            "{name}"
        );
    }
}
