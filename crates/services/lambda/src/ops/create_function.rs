//! `CreateFunction`: <https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html>.
//! Deviations: zip packages and local directories (`S3Bucket: hot-reload`, `S3Key: /path`)
//! only; the function is `Active` as soon as the call returns (the response still says
//! `Pending`, as Lambda's does, so waiters behave the same).

use http::StatusCode;

use super::{apply_settings, invalid};
use crate::api::{CreateFunctionInput, FunctionCode, Qualify, Shown, configuration, last_modified};
use crate::code::{self, Stored};
use crate::error::Error;
use crate::store::{self, LATEST, Version};
use crate::{Call, Lambda, Reply};

impl Lambda {
    pub(crate) async fn create_function(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let input: CreateFunctionInput = call.body().map_err(|error| {
            Error::InvalidRequestContentException(error.message.unwrap_or_default())
        })?;
        let Some(raw_name) = input.function_name.as_deref() else {
            return Err(invalid("functionName", None, "Member must not be null"));
        };
        let target = self.target(raw_name, None)?;
        if target.qualifier.is_some() || target.name.len() > 64 {
            return Err(invalid(
                "functionName",
                Some(raw_name),
                "Member must satisfy regular expression pattern: \
                 (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?\
                 (function:)?([a-zA-Z0-9-_]+)",
            ));
        }
        if input.settings.role.is_none() {
            return Err(invalid("role", None, "Member must not be null"));
        }
        let Some(code) = &input.code else {
            return Err(invalid("code", None, "Member must not be null"));
        };
        if input.settings.runtime.is_none() || input.settings.handler.is_none() {
            return Err(Error::InvalidParameterValueException(
                "Runtime and Handler are mandatory parameters for functions created with \
                 deployment packages."
                    .into(),
            ));
        }
        let now = self.now_ms();
        let mut version = Version {
            version: LATEST.into(),
            runtime: String::new(),
            role: String::new(),
            handler: String::new(),
            description: String::new(),
            timeout: 3,
            memory: 128,
            ephemeral_storage: 512,
            environment: Vec::new(),
            architectures: architectures(input.architectures.as_deref())?,
            code: store::Code::Directory {
                path: String::new(),
            },
            code_sha256: String::new(),
            code_size: 0,
            layers: Vec::new(),
            dead_letter_target: None,
            tracing_mode: "PassThrough".into(),
            last_modified: last_modified(now),
            revision_id: self.new_revision(),
        };
        apply_settings(&mut version, &input.settings)?;
        let stored = self.store_code(code, "CreateFunction")?;
        version.code = stored.code;
        version.code_sha256 = stored.sha256_base64;
        version.code_size = stored.size;
        let tags: Vec<(String, String)> = input.tags.unwrap_or_default().into_iter().collect();
        super::tags::check_tags(&tags)?;

        let name = target.name.clone();
        let publish = input.publish;
        let shown = self
            .inner
            .kv
            .transact(|tx| {
                if store::get_function(tx, &name)?.is_some() {
                    return Err(Error::ResourceConflictException(format!(
                        "Function already exist: {name}"
                    )));
                }
                let mut function = store::Function {
                    name: name.clone(),
                    next_version: 1,
                    last_published: None,
                    reserved_concurrency: None,
                    tags: tags.clone(),
                    policy: Vec::new(),
                    policy_revision: self.new_revision(),
                };
                store::put_version(tx, &name, &version);
                let shown = if publish {
                    self.publish(tx, &mut function, &version, None)?
                } else {
                    version.clone()
                };
                store::put_function(tx, &function);
                Ok(shown)
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::CREATED,
            configuration(
                &self.function_arn(&name),
                &name,
                &shown,
                Shown::Created,
                Qualify::Never,
            ),
        ))
    }

    /// Stores uploaded code (or checks a local directory).
    pub(crate) fn store_code(&self, code: &FunctionCode, operation: &str) -> Result<Stored, Error> {
        if code.image_uri.is_some() {
            return Err(Error::InvalidParameterValueException(
                "unkai runs Zip packages; container images (ImageUri) are not supported".into(),
            ));
        }
        if let Some(zip) = &code.zip_file {
            return code::store_zip(&self.inner.options.code_dir, zip, operation);
        }
        match (code.s3_bucket.as_deref(), code.s3_key.as_deref()) {
            (Some("hot-reload"), Some(path)) => code::directory(path),
            (Some(bucket), Some(_)) => Err(Error::InvalidParameterValueException(format!(
                "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: \
                 The specified bucket does not exist ({bucket}); unkai takes code as ZipFile, or \
                 as a local directory with S3Bucket hot-reload and the path as S3Key"
            ))),
            _ => Err(Error::InvalidParameterValueException(
                "Please provide a source for function code.".into(),
            )),
        }
    }
}

pub(crate) fn architectures(given: Option<&[String]>) -> Result<Vec<String>, Error> {
    match given {
        None => Ok(vec!["x86_64".into()]),
        Some([one]) if one == "x86_64" || one == "arm64" => Ok(vec![one.clone()]),
        Some(list) if list.len() != 1 => Err(invalid(
            "architectures",
            Some(&format!("[{}]", list.join(", "))),
            "Member must have length less than or equal to 1",
        )),
        Some(list) => Err(invalid(
            "architectures",
            Some(&format!("[{}]", list.join(", "))),
            "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]",
        )),
    }
}
