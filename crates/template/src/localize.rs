//! Local paths in a template made absolute, so a server that reads code in place finds it
//! wherever it was started.

use std::path::{Component, Path, PathBuf};

use serde_json::{Value, json};

use crate::{Error, parse};

/// Where code from a local path is said to live: the bucket `sam local` and unkai use for
/// code read in place rather than from S3 (the key is the absolute path).
pub(crate) const HOT_RELOAD_BUCKET: &str = "hot-reload";

/// Rewrites local paths in a SAM/CloudFormation template relative to `base` (the template's directory)
/// into absolute paths: AWS::Serverless::Function CodeUri (string, not s3://), AWS::Lambda::Function
/// Code when it is a string path, AWS::Serverless::Api/HttpApi DefinitionUri when a local file is
/// inlined as DefinitionBody (parse it with `parse`). Globals.Function.CodeUri too. What `sam build` +
/// `aws cloudformation package` would do, for a local server that reads code in place.
///
/// `AWS::Lambda::Function` `Code` given as a path becomes `{"S3Bucket": "hot-reload", "S3Key":
/// "<absolute path>"}`, the object shape CloudFormation accepts, as `package` would make it
/// (with an uploaded object's bucket and key). The only file read is a local DefinitionUri.
pub fn localize(template: &mut Value, base: &Path) -> Result<(), Error> {
    let base = absolute(base);
    if let Some(code_uri) = template.pointer_mut("/Globals/Function/CodeUri") {
        localize_code_uri(code_uri, &base);
    }
    let Some(resources) = template.get_mut("Resources").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (id, resource) in resources.iter_mut() {
        let kind = resource
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let Some(properties) = resource
            .get_mut("Properties")
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        match kind.as_str() {
            "AWS::Serverless::Function" => {
                if let Some(code_uri) = properties.get_mut("CodeUri") {
                    localize_code_uri(code_uri, &base);
                }
            }
            "AWS::Lambda::Function" => {
                if let Some(code) = properties.get_mut("Code")
                    && let Some(path) = code.as_str().filter(|p| !p.starts_with("s3://"))
                {
                    let path = join(&base, path);
                    *code = json!({ "S3Bucket": HOT_RELOAD_BUCKET, "S3Key": path });
                }
            }
            "AWS::Serverless::Api" | "AWS::Serverless::HttpApi" => {
                let Some(uri) = properties.get("DefinitionUri").and_then(Value::as_str) else {
                    continue;
                };
                if uri.starts_with("s3://") {
                    continue;
                }
                let path = join(&base, uri);
                let body = std::fs::read_to_string(&path).map_err(|e| {
                    Error::new(format!(
                        "[InvalidResourceException('{id}', \"DefinitionUri {uri} could not be read: {e}\")]"
                    ))
                })?;
                let definition = parse(&body)?;
                properties.remove("DefinitionUri");
                properties.insert("DefinitionBody".to_string(), definition);
            }
            _ => {}
        }
    }
    Ok(())
}

fn localize_code_uri(code_uri: &mut Value, base: &Path) {
    if let Some(path) = code_uri.as_str().filter(|p| !p.starts_with("s3://")) {
        *code_uri = Value::String(join(base, path));
    }
}

/// `path` against `base`, with `.` and `..` folded away lexically (the directory need not exist).
fn join(base: &Path, path: &str) -> String {
    let mut out = PathBuf::new();
    for component in base.join(path).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out.to_string_lossy().into_owned()
}

/// `base` made absolute against the working directory when it is relative.
fn absolute(base: &Path) -> PathBuf {
    if base.is_absolute() {
        base.to_path_buf()
    } else {
        std::path::absolute(base).unwrap_or_else(|_| base.to_path_buf())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_paths_become_absolute() {
        let mut t = json!({
            "Globals": {"Function": {"CodeUri": "src/"}},
            "Resources": {
                "A": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "./fns/../a"}},
                "B": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "s3://bucket/key.zip"}},
                "C": {"Type": "AWS::Lambda::Function", "Properties": {"Code": "c"}},
                "D": {"Type": "AWS::Lambda::Function", "Properties": {"Code": {"ZipFile": "x"}}},
                "E": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": {"Bucket": "b", "Key": "k"}}}
            }
        });
        localize(&mut t, Path::new("/srv/app")).unwrap();
        assert_eq!(t["Globals"]["Function"]["CodeUri"], json!("/srv/app/src"));
        assert_eq!(
            t["Resources"]["A"]["Properties"]["CodeUri"],
            json!("/srv/app/a")
        );
        assert_eq!(
            t["Resources"]["B"]["Properties"]["CodeUri"],
            json!("s3://bucket/key.zip")
        );
        assert_eq!(
            t["Resources"]["C"]["Properties"]["Code"],
            json!({"S3Bucket": "hot-reload", "S3Key": "/srv/app/c"})
        );
        assert_eq!(
            t["Resources"]["D"]["Properties"]["Code"],
            json!({"ZipFile": "x"})
        );
        assert_eq!(
            t["Resources"]["E"]["Properties"]["CodeUri"],
            json!({"Bucket": "b", "Key": "k"})
        );
    }

    #[test]
    fn a_missing_definition_file_is_an_error() {
        let mut t = json!({"Resources": {"Api": {"Type": "AWS::Serverless::Api", "Properties": {"DefinitionUri": "nope.yaml"}}}});
        let e = localize(&mut t, Path::new("/nonexistent-dir")).unwrap_err();
        assert!(
            e.0.starts_with(
                "[InvalidResourceException('Api', \"DefinitionUri nope.yaml could not be read"
            ),
            "{e}"
        );
    }
}
