//! `unkai deploy [TEMPLATE]`: what `sam build` + `sam deploy` do, against a running unkai.
//!
//! Local paths in the template (CodeUri) become absolute, functions built with
//! `BuildMethod: rust-cargolambda` are compiled with cargo and staged as `bootstrap`, then a
//! change set is created and executed while the stack's events are printed as they happen;
//! the outputs come at the end.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::client::{self, Client};

const VERSION: &str = "2010-05-15";

/// `unkai deploy`.
pub async fn run(args: crate::DeployArgs) -> Result<()> {
    let config = crate::load_config(&args.data)?;
    let template = match args.template {
        Some(path) if path.is_dir() => find_template(&path)?,
        Some(path) => path,
        None => find_template(Path::new("."))?,
    };
    let deployment = Deployment::new(template, args.stack_name, args.parameter_overrides)?;
    let client = Client::running(&config).await?;
    let packaged = package(&deployment)?;
    deploy(&client, &deployment, &packaged).await
}

impl Deployment {
    /// A deployment of `template`, named `stack_name` or after the template's directory.
    pub fn new(
        template: PathBuf,
        stack_name: Option<String>,
        parameters: Vec<(String, String)>,
    ) -> Result<Self> {
        let dir = std::fs::canonicalize(&template)
            .with_context(|| format!("cannot read {}", template.display()))?
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let stack_name = match stack_name {
            Some(name) => name,
            None => {
                let base = dir
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let mut name: String = base
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                    .collect();
                if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
                    name.insert_str(0, "stack-");
                }
                name
            }
        };
        Ok(Self {
            template,
            stack_name,
            parameters,
            build_dir: dir.join(".unkai-build"),
        })
    }
}

/// What to deploy.
#[derive(Clone, Debug)]
pub struct Deployment {
    /// The template file.
    pub template: PathBuf,
    /// The stack's name.
    pub stack_name: String,
    /// `Key=Value` parameter overrides.
    pub parameters: Vec<(String, String)>,
    /// Where built artifacts go.
    pub build_dir: PathBuf,
}

/// The template file in `dir`: `template.yaml`, `template.yml` or `template.json`.
pub fn find_template(dir: &Path) -> Result<PathBuf> {
    ["template.yaml", "template.yml", "template.json"]
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())
        .with_context(|| {
            format!(
                "no template.yaml, template.yml or template.json in {}; name the template file",
                dir.display()
            )
        })
}

/// Parses `--parameter-overrides` items (`Key=Value`, or `ParameterKey=K,ParameterValue=V`).
pub fn parse_override(text: &str) -> Result<(String, String), String> {
    if let Some(rest) = text.strip_prefix("ParameterKey=")
        && let Some((key, value)) = rest.split_once(",ParameterValue=")
    {
        return Ok((key.to_owned(), value.to_owned()));
    }
    text.split_once('=')
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .ok_or_else(|| format!("{text:?} is not Key=Value"))
}

/// Reads the template, makes its paths absolute and builds what needs building.
pub fn package(deployment: &Deployment) -> Result<Value> {
    let text = std::fs::read_to_string(&deployment.template)
        .with_context(|| format!("cannot read {}", deployment.template.display()))?;
    let mut template = unkai_template::parse(&text)
        .map_err(|error| anyhow::anyhow!("{}: {error}", deployment.template.display()))?;
    let base = deployment
        .template
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let base = std::fs::canonicalize(if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        &base
    })?;
    unkai_template::localize(&mut template, &base)
        .map_err(|error| anyhow::anyhow!("{}: {error}", deployment.template.display()))?;
    build_rust(&mut template, &deployment.build_dir)?;
    Ok(template)
}

/// Builds every function whose metadata says `BuildMethod: rust-cargolambda` and points its
/// CodeUri at a directory holding the binary as `bootstrap`.
fn build_rust(template: &mut Value, build_dir: &Path) -> Result<()> {
    let Some(resources) = template.get_mut("Resources").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (logical_id, resource) in resources.iter_mut() {
        let method = resource["Metadata"]["BuildMethod"]
            .as_str()
            .unwrap_or_default();
        if method != "rust-cargolambda" {
            continue;
        }
        let Some(source) = resource["Properties"]["CodeUri"]
            .as_str()
            .map(PathBuf::from)
        else {
            bail!(
                "{logical_id}: BuildMethod rust-cargolambda needs CodeUri to be the crate's directory"
            );
        };
        let binary = resource["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .map(str::to_owned);
        eprintln!("building {logical_id} (cargo, {})", source.display());
        let built = cargo_build(&source, binary.as_deref())
            .with_context(|| format!("building {logical_id} in {}", source.display()))?;
        let staged = build_dir.join(logical_id);
        std::fs::create_dir_all(&staged)
            .with_context(|| format!("cannot create {}", staged.display()))?;
        let bootstrap = staged.join("bootstrap");
        // Replace, not overwrite: a running worker may hold the old file.
        let _ = std::fs::remove_file(&bootstrap);
        std::fs::copy(&built, &bootstrap).with_context(|| {
            format!("cannot copy {} to {}", built.display(), bootstrap.display())
        })?;
        resource["Properties"]["CodeUri"] = Value::String(staged.display().to_string());
    }
    Ok(())
}

/// Runs `cargo build` for the crate in `dir` and returns the binary it produced. The profile
/// is `release` unless `UNKAI_CARGO_PROFILE` names another (tests use `dev`).
fn cargo_build(dir: &Path, binary: Option<&str>) -> Result<PathBuf> {
    let profile = std::env::var("UNKAI_CARGO_PROFILE").unwrap_or_else(|_| "release".into());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = std::process::Command::new(cargo);
    command
        .current_dir(dir)
        .args([
            "build",
            "--message-format=json-render-diagnostics",
            "--profile",
            &profile,
        ])
        .stderr(std::process::Stdio::inherit());
    if let Some(binary) = binary {
        command.args(["--bin", binary]);
    }
    let output = command.output().context("cannot run cargo")?;
    if !output.status.success() {
        bail!("cargo build failed (its messages are above)");
    }
    let manifest = std::fs::canonicalize(dir.join("Cargo.toml"))?;
    let mut found = None;
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-artifact"
            || message["manifest_path"].as_str().map(Path::new) != Some(manifest.as_path())
        {
            continue;
        }
        if !message["target"]["kind"]
            .as_array()
            .is_some_and(|kinds| kinds.iter().any(|kind| kind == "bin"))
        {
            continue;
        }
        if let Some(executable) = message["executable"].as_str() {
            found = Some(PathBuf::from(executable));
        }
    }
    found.context("cargo built no binary; name it with Metadata.BuildProperties.Binary")
}

fn now_millis() -> u128 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
}

/// One stack event as printed.
struct Event {
    id: String,
    timestamp: String,
    status: String,
    resource_type: String,
    logical_id: String,
    reason: String,
}

fn events(document: &str) -> Vec<Event> {
    client::elements(document, "member")
        .into_iter()
        .map(|member| {
            let field = |name| client::field(&member, name).unwrap_or_default();
            Event {
                id: field("EventId"),
                timestamp: field("Timestamp"),
                status: field("ResourceStatus"),
                resource_type: field("ResourceType"),
                logical_id: field("LogicalResourceId"),
                reason: field("ResourceStatusReason"),
            }
        })
        .collect()
}

fn print_event(event: &Event) {
    let time = event.timestamp.get(11..19).unwrap_or(&event.timestamp);
    let mut line = format!(
        "  {time}  {:<36} {:<34} {}",
        event.status, event.resource_type, event.logical_id
    );
    if !event.reason.is_empty() && event.reason != "User Initiated" {
        line.push_str("  ");
        line.push_str(&event.reason);
    }
    println!("{line}");
}

async fn stack_status(client: &Client, name: &str) -> Result<Option<String>> {
    match client
        .query(
            "cloudformation",
            VERSION,
            "DescribeStacks",
            &[("StackName", name)],
        )
        .await
    {
        Ok(document) => Ok(client::field(&document, "StackStatus")),
        Err(error) if error.to_string().contains("does not exist") => Ok(None),
        Err(error) => Err(error),
    }
}

/// Deploys `template` as `stack` through `client`, printing progress; fails when the stack
/// does not reach a complete state.
pub async fn deploy(client: &Client, deployment: &Deployment, template: &Value) -> Result<()> {
    let name = deployment.stack_name.as_str();
    let body = template.to_string();
    let existing = stack_status(client, name).await?;
    let kind = match existing.as_deref() {
        None | Some("REVIEW_IN_PROGRESS") => "CREATE",
        Some("ROLLBACK_COMPLETE") => {
            bail!(
                "stack {name} is in ROLLBACK_COMPLETE (its creation failed): delete it with \
                 `aws cloudformation delete-stack --stack-name {name}` and deploy again"
            )
        }
        Some(_) => "UPDATE",
    };
    let change_set = format!("unkai-deploy-{}", now_millis());
    let mut params: Vec<(String, String)> = vec![
        ("StackName".into(), name.into()),
        ("ChangeSetName".into(), change_set.clone()),
        ("ChangeSetType".into(), kind.into()),
        ("TemplateBody".into(), body),
        ("Capabilities.member.1".into(), "CAPABILITY_IAM".into()),
        (
            "Capabilities.member.2".into(),
            "CAPABILITY_NAMED_IAM".into(),
        ),
        (
            "Capabilities.member.3".into(),
            "CAPABILITY_AUTO_EXPAND".into(),
        ),
    ];
    for (index, (key, value)) in deployment.parameters.iter().enumerate() {
        params.push((
            format!("Parameters.member.{}.ParameterKey", index + 1),
            key.clone(),
        ));
        params.push((
            format!("Parameters.member.{}.ParameterValue", index + 1),
            value.clone(),
        ));
    }
    let borrowed: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let created = client
        .query("cloudformation", VERSION, "CreateChangeSet", &borrowed)
        .await?;
    let change_set_id = client::field(&created, "Id").unwrap_or(change_set);
    let described = client
        .query(
            "cloudformation",
            VERSION,
            "DescribeChangeSet",
            &[("ChangeSetName", &change_set_id)],
        )
        .await?;
    if client::field(&described, "Status").as_deref() == Some("FAILED") {
        let reason = client::field(&described, "StatusReason").unwrap_or_default();
        if reason.contains("didn't contain changes") {
            println!("No changes to deploy: stack {name} is up to date.");
            let _ = client
                .query(
                    "cloudformation",
                    VERSION,
                    "DeleteChangeSet",
                    &[("ChangeSetName", &change_set_id)],
                )
                .await;
            return print_outputs(client, name).await;
        }
        bail!("the change set failed: {reason}");
    }
    let count = client::elements(&described, "ResourceChange").len();
    println!(
        "{} stack {name}: {count} resource change{}",
        if kind == "CREATE" {
            "Creating"
        } else {
            "Updating"
        },
        if count == 1 { "" } else { "s" }
    );
    let execute_params = [("ChangeSetName", change_set_id.as_str())];
    let execute = client.query(
        "cloudformation",
        VERSION,
        "ExecuteChangeSet",
        &execute_params,
    );
    let follow = follow(client, name);
    tokio::pin!(execute, follow);
    let mut executed = false;
    let status = loop {
        tokio::select! {
            answer = &mut execute, if !executed => {
                answer?;
                executed = true;
            }
            status = &mut follow => break status?,
        }
    };
    if status.ends_with("_COMPLETE") && !status.contains("ROLLBACK") {
        println!("Stack {name}: {status}");
        print_outputs(client, name).await
    } else {
        bail!("stack {name} ended in {status}; the events above say why")
    }
}

/// Prints the stack's new events until it settles; returns its final status.
async fn follow(client: &Client, name: &str) -> Result<String> {
    let mut seen: HashSet<String> = HashSet::new();
    // Events from before this deployment are not shown.
    if let Ok(document) = client
        .query(
            "cloudformation",
            VERSION,
            "DescribeStackEvents",
            &[("StackName", name)],
        )
        .await
    {
        seen.extend(events(&document).into_iter().map(|event| event.id));
    }
    let mut started = false;
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let document = client
            .query(
                "cloudformation",
                VERSION,
                "DescribeStackEvents",
                &[("StackName", name)],
            )
            .await?;
        let mut fresh: Vec<Event> = events(&document)
            .into_iter()
            .filter(|event| !seen.contains(&event.id))
            .collect();
        fresh.reverse();
        for event in &fresh {
            seen.insert(event.id.clone());
            print_event(event);
        }
        let status = stack_status(client, name).await?.unwrap_or_default();
        started |= !fresh.is_empty();
        if started && !status.ends_with("_IN_PROGRESS") {
            return Ok(status);
        }
    }
}

async fn print_outputs(client: &Client, name: &str) -> Result<()> {
    let document = client
        .query(
            "cloudformation",
            VERSION,
            "DescribeStacks",
            &[("StackName", name)],
        )
        .await?;
    let keys = client::elements(&document, "OutputKey");
    let values = client::elements(&document, "OutputValue");
    if keys.is_empty() {
        return Ok(());
    }
    println!("Outputs");
    let width = keys.iter().map(String::len).max().unwrap_or(0);
    for (key, value) in keys.iter().zip(values.iter()) {
        println!("  {key:<width$}  {value}");
    }
    // A URL output is something to try at once; the longest one names a resource.
    if let Some(url) = keys
        .iter()
        .zip(values.iter())
        .filter(|(key, value)| key.ends_with("Url") && value.starts_with("http://"))
        .map(|(_, value)| value)
        .max_by_key(|value| value.len())
    {
        println!("Try it: curl {url}");
    }
    Ok(())
}

/// The directories whose files are a function's code: (logical id, directory), from the
/// packaged template (`CodeUri`, or `Code.S3Key` with `S3Bucket: hot-reload`), with Rust
/// functions' crate directories in place of their staged binaries.
fn code_dirs(source: &Value, packaged: &Value) -> Vec<(String, PathBuf)> {
    let mut dirs = Vec::new();
    let Some(resources) = packaged["Resources"].as_object() else {
        return dirs;
    };
    for (logical_id, resource) in resources {
        let properties = &resource["Properties"];
        let dir = properties["CodeUri"]
            .as_str()
            .or(properties["Code"]["S3Key"].as_str())
            .map(PathBuf::from);
        let Some(dir) = dir.filter(|dir| dir.is_dir()) else {
            continue;
        };
        // A built function is watched at its sources, not at its staged binary.
        let watched = match source["Resources"][logical_id]["Metadata"]["BuildMethod"].as_str() {
            Some("rust-cargolambda") => source["Resources"][logical_id]["Properties"]["CodeUri"]
                .as_str()
                .map(PathBuf::from)
                .unwrap_or(dir),
            _ => dir,
        };
        dirs.push((logical_id.clone(), watched));
    }
    dirs
}

/// The newest modification time under `dir` and the number of files (what "changed" means).
fn fingerprint(path: &Path) -> (SystemTime, usize) {
    let mut newest = SystemTime::UNIX_EPOCH;
    let mut count = 0;
    let mut stack = vec![path.to_path_buf()];
    while let Some(next) = stack.pop() {
        let Ok(meta) = std::fs::metadata(&next) else {
            continue;
        };
        if let Ok(modified) = meta.modified() {
            newest = newest.max(modified);
        }
        count += 1;
        if meta.is_dir() {
            let skip = next.file_name().is_some_and(|name| {
                [
                    "target",
                    ".unkai",
                    ".unkai-build",
                    "node_modules",
                    "__pycache__",
                ]
                .contains(&&*name.to_string_lossy())
            });
            if skip && next != path {
                continue;
            }
            if let Ok(entries) = std::fs::read_dir(&next) {
                stack.extend(entries.flatten().map(|entry| entry.path()));
            }
        }
    }
    (newest, count)
}

/// `unkai up DIR`: deploys DIR's template to the server that just started, then redeploys
/// whenever the template or a function's code changes (a function's new code runs in new
/// instances: its code is updated, which retires the warm ones).
pub async fn serve_app(client: Client, deployment: Deployment) {
    let source = match std::fs::read_to_string(&deployment.template)
        .map_err(anyhow::Error::from)
        .and_then(|text| unkai_template::parse(&text).map_err(|error| anyhow::anyhow!("{error}")))
    {
        Ok(source) => source,
        Err(error) => {
            eprintln!(
                "unkai: cannot read {}: {error:#}",
                deployment.template.display()
            );
            return;
        }
    };
    let mut source = source;
    let base = deployment
        .template
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    if let Ok(base) = std::fs::canonicalize(&base) {
        let _ = unkai_template::localize(&mut source, &base);
    }
    let mut watched: Vec<(String, PathBuf, (SystemTime, usize))> = Vec::new();
    let mut template_print = fingerprint(&deployment.template);
    let mut first = true;
    loop {
        let changed: Vec<String> = watched
            .iter()
            .filter(|(_, dir, print)| fingerprint(dir) != *print)
            .map(|(logical, _, _)| logical.clone())
            .collect();
        let template_changed = fingerprint(&deployment.template) != template_print;
        if first || template_changed || !changed.is_empty() {
            if !first {
                println!("Change detected; redeploying {}", deployment.stack_name);
            }
            template_print = fingerprint(&deployment.template);
            match package(&deployment) {
                Ok(packaged) => {
                    if let Err(error) = deploy(&client, &deployment, &packaged).await {
                        eprintln!("unkai: deploy failed: {error:#}");
                    } else if !first {
                        refresh_code(&client, &deployment.stack_name, &changed, &packaged).await;
                    }
                    watched = code_dirs(&source, &packaged)
                        .into_iter()
                        .map(|(logical, dir)| {
                            let print = fingerprint(&dir);
                            (logical, dir, print)
                        })
                        .collect();
                    if first {
                        println!(
                            "Watching {} for changes (Ctrl-C stops)",
                            deployment
                                .template
                                .parent()
                                .unwrap_or(Path::new("."))
                                .display()
                        );
                    }
                }
                Err(error) => eprintln!(
                    "unkai: cannot package {}: {error:#}",
                    deployment.template.display()
                ),
            }
            first = false;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Updates the code of the functions `logical_ids` of the stack, so new instances run it.
async fn refresh_code(client: &Client, stack: &str, logical_ids: &[String], packaged: &Value) {
    for logical_id in logical_ids {
        let described = client
            .query(
                "cloudformation",
                VERSION,
                "DescribeStackResource",
                &[("StackName", stack), ("LogicalResourceId", logical_id)],
            )
            .await;
        let Some(function) = described
            .ok()
            .and_then(|document| client::field(&document, "PhysicalResourceId"))
        else {
            continue;
        };
        let properties = &packaged["Resources"][logical_id]["Properties"];
        let Some(dir) = properties["CodeUri"]
            .as_str()
            .or(properties["Code"]["S3Key"].as_str())
        else {
            continue;
        };
        let input = serde_json::json!({"S3Bucket": "hot-reload", "S3Key": dir});
        let path = format!("/2015-03-31/functions/{function}/code");
        match client
            .rest("lambda", http::Method::PUT, &path, &input)
            .await
        {
            Ok(_) => println!("  updated the code of {logical_id} ({function})"),
            Err(error) => eprintln!("unkai: cannot update the code of {logical_id}: {error:#}"),
        }
    }
}
