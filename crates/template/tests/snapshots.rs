//! Snapshot tests: each template in `tests/snapshots/` (`.yaml`, `.yml` or `.json`, with
//! optional stack parameters in `<name>.parameters.json`) is parsed, localized against its
//! directory, prepared and every resource and output resolved against a deterministic fake
//! [`Lookup`]; the result is compared with `<name>.plan.json`. An error at any step is the
//! snapshot (`{"error": "..."}`), which is how the error templates are covered.
//!
//! `UNKAI_UPDATE_SNAPSHOTS=1 cargo test -p unkai-template` rewrites the snapshots; without it a
//! difference fails with a line diff.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use unkai_template::{Error, Lookup, Stack, localize, parse, prepare, resolve};

/// Physical ids `<LogicalId>-physical`, attributes `<LogicalId>.<Attr>`, exports `<name>-imported`.
struct Fake;

impl Lookup for Fake {
    fn reference(&self, logical_id: &str) -> Option<String> {
        Some(format!("{logical_id}-physical"))
    }
    fn attribute(&self, logical_id: &str, attribute: &str) -> Option<Value> {
        Some(Value::String(format!("{logical_id}.{attribute}")))
    }
    fn import(&self, export: &str) -> Option<String> {
        Some(format!("{export}-imported"))
    }
}

fn stack(parameters: BTreeMap<String, String>) -> Stack {
    Stack {
        name: "snapshot".to_string(),
        id: "arn:aws:cloudformation:us-east-1:123456789012:stack/snapshot/6c1c4d4a-0000-0000-0000-000000000000".to_string(),
        account_id: "123456789012".to_string(),
        region: "us-east-1".to_string(),
        parameters,
    }
}

fn plan(path: &Path) -> Result<Value, Error> {
    let body = std::fs::read_to_string(path).expect("a snapshot template is readable");
    let parameters_path = path.with_extension("parameters.json");
    let parameters: BTreeMap<String, String> = match std::fs::read_to_string(&parameters_path) {
        Ok(text) => serde_json::from_str(&text).expect("parameters are a JSON map of strings"),
        Err(_) => BTreeMap::new(),
    };
    let mut template = parse(&body)?;
    let dir = path.parent().expect("a snapshot has a directory");
    localize(&mut template, dir)?;
    // Absolute paths differ between checkouts, and generated ids (a version's hash of its code
    // location) depend on them: plan as if the snapshots lived at `$SNAPSHOTS`.
    let text = template
        .to_string()
        .replace(&dir.to_string_lossy().into_owned(), "$SNAPSHOTS");
    let template: Value = serde_json::from_str(&text).expect("still JSON");
    let prepared = prepare(&template, &stack(parameters))?;
    let mut resources = Vec::new();
    for resource in &prepared.resources {
        let mut entry = json!({
            "LogicalId": resource.logical_id,
            "Type": resource.resource_type,
            "DependsOn": resource.depends_on,
            "Properties": resolve(&resource.properties, &prepared, &Fake)?,
        });
        if let Some(policy) = &resource.deletion_policy {
            entry["DeletionPolicy"] = json!(policy);
        }
        if let Some(metadata) = &resource.metadata {
            entry["Metadata"] = metadata.clone();
        }
        resources.push(entry);
    }
    let mut outputs = Vec::new();
    for output in &prepared.outputs {
        let mut entry =
            json!({ "Key": output.key, "Value": resolve(&output.value, &prepared, &Fake)? });
        if let Some(description) = &output.description {
            entry["Description"] = json!(description);
        }
        if let Some(export) = &output.export {
            entry["Export"] = resolve(export, &prepared, &Fake)?;
        }
        outputs.push(entry);
    }
    Ok(json!({
        "Parameters": prepared.parameters,
        "Conditions": prepared.conditions,
        "Resources": resources,
        "Outputs": outputs,
    }))
}

fn render(path: &Path, dir: &Path) -> String {
    let value = plan(path).unwrap_or_else(|e| json!({ "error": e.0 }));
    let text = serde_json::to_string_pretty(&value).expect("a JSON value serializes") + "\n";
    // Absolute paths differ between checkouts.
    text.replace(&dir.to_string_lossy().into_owned(), "$SNAPSHOTS")
}

/// A line diff (longest common subsequence), `-` expected, `+` actual.
fn diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("+{:>5} {}\n", j + 1, b[j]));
            j += 1;
        } else {
            out.push_str(&format!("-{:>5} {}\n", i + 1, a[i]));
            i += 1;
        }
    }
    out
}

fn templates(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("tests/snapshots exists")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            p.is_file()
                && (name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json"))
                && !name.ends_with(".plan.json")
                && !name.ends_with(".parameters.json")
        })
        .collect();
    paths.sort();
    paths
}

#[test]
fn snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("snapshots");
    let update = std::env::var_os("UNKAI_UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    let paths = templates(&dir);
    assert!(
        !paths.is_empty(),
        "no snapshot templates in {}",
        dir.display()
    );
    for path in paths {
        let stem = path
            .file_name()
            .expect("a file name")
            .to_string_lossy()
            .into_owned();
        let stem = stem
            .rsplit_once('.')
            .map_or(stem.as_str(), |(s, _)| s)
            .to_string();
        let snapshot = dir.join(format!("{stem}.plan.json"));
        let actual = render(&path, &dir);
        if update {
            std::fs::write(&snapshot, &actual).expect("the snapshot is writable");
            continue;
        }
        let expected = std::fs::read_to_string(&snapshot).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "{} differs from its template's plan:\n{}",
                snapshot.display(),
                diff(&expected, &actual)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(rerun with UNKAI_UPDATE_SNAPSHOTS=1 to accept the new plans)",
        failures.join("\n")
    );
}
