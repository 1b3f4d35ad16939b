//! The `unkai` command line: up, env, keys, configuration, shutdown.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, SystemTime};

use unkai_e2e::{Launch, Unkai, assert_success, unkai_binary, venv};

fn run_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(unkai_binary())
        .args(args)
        .current_dir(dir)
        .env_remove("UNKAI_DATA_DIR")
        .env_remove("UNKAI_CONFIG")
        .output()
        .unwrap()
}

#[test]
fn version_and_help() {
    let dir = tempfile::tempdir().unwrap();
    let version = assert_success(&run_in(dir.path(), &["--version"]));
    assert_eq!(
        version.trim(),
        format!("unkai {}", env!("CARGO_PKG_VERSION"))
    );
    let help = assert_success(&run_in(dir.path(), &["--help"]));
    for command in ["up", "env", "keys"] {
        assert!(help.contains(command), "{help}");
    }
    let keys = assert_success(&run_in(dir.path(), &["keys", "--help"]));
    for command in ["create", "list", "delete"] {
        assert!(keys.contains(command), "{keys}");
    }
}

#[test]
fn env_before_the_first_start_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_in(dir.path(), &["env"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("start unkai once with `unkai up`"),
        "{stderr}"
    );
}

#[test]
fn the_banner_tells_endpoint_region_credentials_and_durability() {
    let unkai = Unkai::start();
    let banner = unkai.banner().join("\n");
    let (key, secret) = unkai.credentials();
    assert!(banner.contains("ready in"), "{banner}");
    assert!(banner.contains("region       us-east-1"), "{banner}");
    assert!(
        banner.contains(&format!("credentials  {key} / {secret}")),
        "{banner}"
    );
    assert!(
        banner.contains("acknowledged writes are on disk (fsync)"),
        "{banner}"
    );
    let os = Unkai::launch(Launch {
        durability: Some("os"),
        ..Launch::default()
    });
    assert!(
        os.banner()
            .join("\n")
            .contains("survive a crash of unkai, not a power loss (os)")
    );
}

#[test]
fn env_credentials_work_for_the_cli_and_boto3() {
    let unkai = Unkai::start();
    let exports = assert_success(&unkai.cli(&["env"]));
    assert!(exports.contains(&format!("export AWS_ENDPOINT_URL={}", unkai.endpoint())));
    let script = format!(
        "set -e; eval \"$({bin} env)\"; aws sts get-caller-identity; \
         python -c 'import boto3; print(boto3.client(\"sts\").get_caller_identity()[\"Arn\"])'",
        bin = unkai_binary().display()
    );
    let path = format!(
        "{}:{}",
        venv().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .args(["-c", &script])
        .env("PATH", path)
        .env("UNKAI_DATA_DIR", unkai.data_dir())
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap();
    let stdout = assert_success(&output);
    assert_eq!(
        stdout
            .matches("arn:aws:iam::000000000000:user/admin")
            .count(),
        2,
        "{stdout}"
    );
}

fn key_ids(listing: &str) -> Vec<String> {
    listing
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|id| id.starts_with("AKIA"))
        .map(str::to_string)
        .collect()
}

/// Runs `unkai keys create --user USER` and returns the new key's id.
fn create_key(unkai: &Unkai, user: &str) -> String {
    let created = assert_success(&unkai.cli(&["keys", "create", "--user", user]));
    let id = created
        .split_whitespace()
        .find(|word| word.starts_with("AKIA"));
    id.expect("the new key's id").to_string()
}

#[test]
fn keys_are_managed_through_a_running_server_and_offline() {
    let mut unkai = Unkai::start();
    let id = create_key(&unkai, "erin");
    let listing = assert_success(&unkai.cli(&["keys", "list", "--user", "erin"]));
    assert_eq!(key_ids(&listing), std::slice::from_ref(&id));
    let output = unkai.aws_cli(&["iam", "list-access-keys", "--user-name", "erin"]);
    assert!(assert_success(&output).contains(&id));

    // Offline: the server is stopped and the CLI opens the store itself.
    assert!(unkai.stop_with("TERM").success());
    let second_id = create_key(&unkai, "erin");
    assert_success(&unkai.cli(&["keys", "delete", &id, "--user", "erin"]));
    let listing = assert_success(&unkai.cli(&["keys", "list", "--user", "erin"]));
    assert_eq!(key_ids(&listing), [second_id]);
    let missing = unkai.cli(&["keys", "delete", &id, "--user", "erin"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot be found"));
}

#[test]
fn configuration_files_apply_and_unknown_keys_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("unkai.toml"),
        "listen = \"127.0.0.1:4566\"\nregionn = \"x\"\n",
    )
    .unwrap();
    let output = run_in(dir.path(), &["up"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown field `regionn`"), "{stderr}");
    assert!(stderr.contains("unkai.toml"), "{stderr}");

    std::fs::write(dir.path().join("unkai.toml"), "region = \"eu-west-3\"\n").unwrap();
    let unkai = Unkai::launch(Launch {
        args: vec![
            "--config".into(),
            dir.path().join("unkai.toml").display().to_string(),
        ],
        ..Launch::default()
    });
    assert!(unkai.banner().join("\n").contains("region       eu-west-3"));
}

#[test]
fn dev_credentials_are_explicit_and_loopback_only() {
    let as_test_key = |unkai: &Unkai| {
        Command::new(venv().join("bin/aws"))
            .args(["sts", "get-caller-identity"])
            .envs(unkai.aws_env())
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .output()
            .unwrap()
    };
    let with = Unkai::launch(Launch {
        dev_credentials: true,
        ..Launch::default()
    });
    assert!(assert_success(&as_test_key(&with)).contains("user/admin"));
    let without = Unkai::start();
    let refused = as_test_key(&without);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("InvalidClientTokenId"));

    let dir = tempfile::tempdir().unwrap();
    let refused = run_in(
        dir.path(),
        &[
            "up",
            "--listen",
            "0.0.0.0:0",
            "--dev-credentials",
            "--data-dir",
            "d",
        ],
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("only allowed on a loopback address")
    );
}

#[test]
fn a_data_directory_serves_one_unkai_at_a_time() {
    let unkai = Unkai::start();
    let dir = unkai.data_dir().to_str().unwrap().to_string();
    let second = unkai_binary_output(&["up", "--listen", "127.0.0.1:0", "--data-dir", &dir]);
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("in use by another unkai process"),
        "{stderr}"
    );
}

fn unkai_binary_output(args: &[&str]) -> std::process::Output {
    Command::new(unkai_binary())
        .args(args)
        .env_remove("UNKAI_CONFIG")
        .output()
        .unwrap()
}

/// SIGTERM while a request is half received: the request completes, then unkai exits 0.
#[test]
fn shutdown_finishes_in_flight_requests_and_exits_zero() {
    for signal in ["TERM", "INT"] {
        let mut unkai = Unkai::start();
        let (key, secret) = unkai.credentials();
        let body = "Action=GetCallerIdentity&Version=2011-06-15";
        let mut request = http::Request::post("/")
            .header("host", unkai.authority())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(())
            .unwrap();
        unkai_edge::sigv4::sign_request(
            &mut request,
            body.as_bytes(),
            &unkai_edge::sigv4::SigningParams {
                access_key_id: &key,
                secret: &secret,
                region: "us-east-1",
                service: "sts",
                at: SystemTime::now(),
            },
        );
        let mut head = String::from("POST / HTTP/1.1\r\n");
        for (name, value) in request.headers() {
            head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
        }
        head.push_str(&format!(
            "content-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        ));
        let mut stream = TcpStream::connect(unkai.authority()).unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&body.as_bytes()[..10]).unwrap();
        stream.flush().unwrap();
        std::thread::sleep(Duration::from_millis(200));
        let pid = unkai.pid();
        let signaller = std::thread::spawn(move || {
            Command::new("kill")
                .arg(format!("-{signal}"))
                .arg(pid.to_string())
                .status()
                .unwrap()
        });
        std::thread::sleep(Duration::from_millis(300));
        stream.write_all(&body.as_bytes()[10..]).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        assert!(response.starts_with("HTTP/1.1 200"), "{signal}: {response}");
        assert!(response.contains("<Arn>arn:aws:iam::000000000000:user/admin</Arn>"));
        assert!(signaller.join().unwrap().success());
        let status = unkai.stop_after_signal();
        assert_eq!(status.code(), Some(0), "{signal}");
        assert!(!unkai.data_dir().join("server.json").exists());
    }
}

const APP: &str = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Get:
          Type: HttpApi
          Properties:
            Path: /hello
            Method: GET
Outputs:
  HelloUrl:
    Value: !Sub "${ServerlessHttpApi.ApiEndpoint}/hello"
"#;

fn get(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, path) = rest.split_once('/').unwrap();
    let port = authority.rsplit_once(':').unwrap().1;
    let mut stream = TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap())).unwrap();
    write!(
        stream,
        "GET /{path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// `unkai up DIR` deploys DIR's template, prints a line to try, and puts changed function code
/// into service when it is saved.
#[test]
fn up_dir_deploys_the_app_and_redeploys_changed_code() {
    use std::io::BufRead;
    let app = unkai_e2e::scratch_dir();
    std::fs::write(app.path().join("template.yaml"), APP).unwrap();
    std::fs::create_dir(app.path().join("src")).unwrap();
    let code = app.path().join("src/app.py");
    std::fs::write(&code, "def handler(event, context):\n    return 'first'\n").unwrap();
    let port = unkai_e2e::free_port();
    let mut child = Command::new(unkai_binary())
        .args(["up", app.path().to_str().unwrap(), "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["--prepare-sdks", "false"])
        .env_remove("UNKAI_DATA_DIR")
        .env_remove("UNKAI_CONFIG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (lines, printed) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines.send(line);
        }
    });
    let wait_for = |what: &str| -> String {
        loop {
            let line = printed
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("unkai up never printed {what:?}"));
            if line.contains(what) {
                return line;
            }
        }
    };
    let try_it = wait_for("Try it: curl ");
    let url = try_it.rsplit(' ').next().unwrap().to_owned();
    assert!(url.ends_with("/hello"), "{try_it}");
    wait_for("Watching");
    assert!(get(&url).ends_with("\"first\""), "{}", get(&url));

    std::fs::write(&code, "def handler(event, context):\n    return 'second'\n").unwrap();
    wait_for("updated the code of Hello");
    let answer = get(&url);
    assert!(answer.ends_with("\"second\""), "{answer}");
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    assert!(child.wait().unwrap().success());
}
