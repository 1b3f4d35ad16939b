//! Lambda's operations, one module per operation or family, and what they share: function
//! names and qualifiers, Lambda's validation messages, and the configuration rules.

mod aliases;
mod concurrency;
mod create_function;
mod delete_function;
mod event_invoke_config;
mod function_url;
mod get_function;
pub(crate) mod invoke;
mod invoke_with_response_stream;
mod list_functions;
mod policy;
mod publish_version;
mod tags;
mod update_function_code;
mod update_function_configuration;

use unkai_store::Tx;

use crate::Lambda;
use crate::api::Settings;
use crate::error::Error;
use crate::store::{self, LATEST, Version};

/// A body fed by a channel.
pub(crate) struct ChannelBody(pub(crate) tokio::sync::mpsc::Receiver<bytes::Bytes>);

impl http_body::Body for ChannelBody {
    type Data = bytes::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, Self::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|bytes| bytes.map(|bytes| Ok(http_body::Frame::data(bytes))))
    }
}

/// The runtimes unkai runs.
pub(crate) const SUPPORTED_RUNTIMES: &[&str] = &[
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
    "nodejs18.x",
    "nodejs20.x",
    "nodejs22.x",
    "nodejs24.x",
    "provided",
    "provided.al2",
    "provided.al2023",
];

/// Every runtime identifier Lambda's API knows.
const KNOWN_RUNTIMES: &[&str] = &[
    "nodejs",
    "nodejs4.3",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "nodejs18.x",
    "nodejs20.x",
    "nodejs22.x",
    "nodejs24.x",
    "java8",
    "java8.al2",
    "java11",
    "java17",
    "java21",
    "java25",
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet6",
    "dotnet8",
    "dotnet10",
    "nodejs4.3-edge",
    "go1.x",
    "ruby2.5",
    "ruby2.7",
    "ruby3.2",
    "ruby3.3",
    "ruby3.4",
    "ruby4.0",
    "provided",
    "provided.al2",
    "provided.al2023",
    "nodejs26.x",
    "python3.15",
    "java8.al2023",
    "java11.al2023",
    "java17.al2023",
    "custom",
];

/// Environment variables a function may not set.
const RESERVED_VARIABLES: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

/// A function name from a path, with the qualifier it carried or the query gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub name: String,
    pub qualifier: Option<String>,
}

/// `1 validation error detected: Value 'x' at 'field' failed to satisfy constraint: …`.
pub(crate) fn invalid(field: &str, value: Option<&str>, constraint: &str) -> Error {
    let value = value.map_or("null".to_owned(), |value| format!("'{value}'"));
    Error::ValidationException(format!(
        "1 validation error detected: Value {value} at '{field}' failed to satisfy constraint: \
         {constraint}"
    ))
}

fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn is_qualifier(text: &str) -> bool {
    text == LATEST || is_name(text)
}

const FUNCTION_NAME_PATTERN: &str = "Member must satisfy regular expression pattern: \
    (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?\
    ([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?";

impl Lambda {
    /// Parses a `FunctionName` (name, partial ARN or ARN, with an optional `:qualifier`) and
    /// the `Qualifier` query parameter.
    pub(crate) fn target(&self, raw: &str, qualifier: Option<&str>) -> Result<Target, Error> {
        if raw.is_empty() {
            return Err(invalid(
                "functionName",
                Some(raw),
                "Member must have length greater than or equal to 1",
            ));
        }
        if raw.len() > 140 {
            return Err(invalid(
                "functionName",
                Some(raw),
                "Member must have length less than or equal to 140",
            ));
        }
        let parts: Vec<&str> = raw.split(':').collect();
        let (name, suffix) = match parts.as_slice() {
            ["arn", _, "lambda", _, _, "function", name] => (*name, None),
            ["arn", _, "lambda", _, _, "function", name, qualifier] => (*name, Some(*qualifier)),
            [_, "function", name] => (*name, None),
            [_, "function", name, qualifier] => (*name, Some(*qualifier)),
            [name] => (*name, None),
            [name, qualifier] => (*name, Some(*qualifier)),
            _ => return Err(invalid("functionName", Some(raw), FUNCTION_NAME_PATTERN)),
        };
        if !is_name(name) || suffix.is_some_and(|q| !is_qualifier(q)) {
            return Err(invalid("functionName", Some(raw), FUNCTION_NAME_PATTERN));
        }
        if let Some(qualifier) = qualifier
            && (qualifier.is_empty()
                || qualifier.len() > 128
                || !qualifier
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"$_-".contains(&b)))
        {
            return Err(invalid(
                "qualifier",
                Some(qualifier),
                "Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)",
            ));
        }
        let qualifier = match (suffix, qualifier) {
            (Some(a), Some(b)) if a != b => {
                return Err(Error::InvalidParameterValueException(
                    "The derived qualifier from the function name does not match the specified \
                     qualifier."
                        .into(),
                ));
            }
            (Some(a), _) => Some(a.to_owned()),
            (None, b) => b.map(str::to_owned),
        };
        Ok(Target {
            name: name.to_owned(),
            qualifier,
        })
    }

    /// The ARN of a target, qualified when it has a qualifier.
    pub(crate) fn target_arn(&self, target: &Target) -> String {
        match &target.qualifier {
            Some(qualifier) => format!("{}:{qualifier}", self.function_arn(&target.name)),
            None => self.function_arn(&target.name),
        }
    }

    /// The version a target names: `$LATEST`, a number, or an alias's version.
    pub(crate) fn resolve(&self, tx: &mut Tx, target: &Target) -> Result<Version, Error> {
        let version = match target.qualifier.as_deref() {
            None | Some(LATEST) => LATEST.to_owned(),
            Some(number) if number.bytes().all(|b| b.is_ascii_digit()) => number.to_owned(),
            Some(alias) => match store::get_alias(tx, &target.name, alias)? {
                Some(alias) => alias.function_version,
                None => return Err(Error::function_not_found(&self.target_arn(target))),
            },
        };
        store::get_version(tx, &target.name, &version)?
            .ok_or_else(|| Error::function_not_found(&self.target_arn(target)))
    }

    /// `$LATEST` of a function that must exist.
    pub(crate) fn latest(&self, tx: &mut Tx, name: &str) -> Result<Version, Error> {
        store::get_version(tx, name, LATEST)?
            .ok_or_else(|| Error::function_not_found(&self.function_arn(name)))
    }

    /// The function record of a function that must exist.
    pub(crate) fn function(&self, tx: &mut Tx, name: &str) -> Result<store::Function, Error> {
        store::get_function(tx, name)?
            .ok_or_else(|| Error::function_not_found(&self.function_arn(name)))
    }

    pub(crate) fn new_revision(&self) -> String {
        unkai_types::request_id()
    }
}

/// Applies `settings` to `version`, with Lambda's validation.
pub(crate) fn apply_settings(version: &mut Version, settings: &Settings) -> Result<(), Error> {
    if let Some(runtime) = &settings.runtime {
        if !KNOWN_RUNTIMES.contains(&runtime.as_str()) {
            return Err(Error::InvalidParameterValueException(format!(
                "Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy \
                 enum value set: [{}] or be a valid ARN",
                KNOWN_RUNTIMES.join(", ")
            )));
        }
        if !SUPPORTED_RUNTIMES.contains(&runtime.as_str()) {
            return Err(Error::InvalidParameterValueException(format!(
                "The runtime parameter of {runtime} is not supported by unkai. Supported \
                 runtimes: {}",
                SUPPORTED_RUNTIMES.join(", ")
            )));
        }
        version.runtime = runtime.clone();
    }
    if let Some(role) = &settings.role {
        if !is_role_arn(role) {
            return Err(invalid(
                "role",
                Some(role),
                "Member must satisfy regular expression pattern: \
                 arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
            ));
        }
        version.role = role.clone();
    }
    if let Some(handler) = &settings.handler {
        if handler.len() > 128 {
            return Err(invalid(
                "handler",
                Some(handler),
                "Member must have length less than or equal to 128",
            ));
        }
        if handler.chars().any(char::is_whitespace) {
            return Err(invalid(
                "handler",
                Some(handler),
                "Member must satisfy regular expression pattern: [^\\s]+",
            ));
        }
        version.handler = handler.clone();
    }
    if let Some(description) = &settings.description {
        if description.chars().count() > 256 {
            return Err(invalid(
                "description",
                Some(description),
                "Member must have length less than or equal to 256",
            ));
        }
        version.description = description.clone();
    }
    if let Some(timeout) = settings.timeout {
        if timeout < 1 {
            return Err(invalid(
                "timeout",
                Some(&timeout.to_string()),
                "Member must have value greater than or equal to 1",
            ));
        }
        if timeout > 900 {
            return Err(invalid(
                "timeout",
                Some(&timeout.to_string()),
                "Member must have value less than or equal to 900",
            ));
        }
        version.timeout = timeout as u32;
    }
    if let Some(memory) = settings.memory_size {
        if memory < 128 {
            return Err(invalid(
                "memorySize",
                Some(&memory.to_string()),
                "Member must have value greater than or equal to 128",
            ));
        }
        if memory > 10240 {
            return Err(invalid(
                "memorySize",
                Some(&memory.to_string()),
                "Member must have value less than or equal to 10240",
            ));
        }
        version.memory = memory as u32;
    }
    if let Some(environment) = &settings.environment {
        let variables = environment.variables.clone().unwrap_or_default();
        for name in variables.keys() {
            let valid = name.len() >= 2
                && name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !valid {
                return Err(invalid(
                    "environment.variables",
                    None,
                    "Map keys must satisfy constraint: [Member must satisfy regular expression \
                     pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
                ));
            }
        }
        let reserved: Vec<&str> = variables
            .keys()
            .filter(|name| RESERVED_VARIABLES.contains(&name.as_str()))
            .map(String::as_str)
            .collect();
        if !reserved.is_empty() {
            return Err(Error::InvalidParameterValueException(format!(
                "Lambda was unable to configure your environment variables because the \
                 environment variables you have provided contains reserved keys that are \
                 currently not supported for modification. Reserved keys used in this request: \
                 {}",
                reserved.join(", ")
            )));
        }
        let measured = serde_json::to_string(&variables).unwrap_or_default();
        if measured.len() > 4096 {
            return Err(Error::InvalidParameterValueException(format!(
                "Lambda was unable to configure your environment variables because the \
                 environment variables you have provided exceeded the 4KB limit. String \
                 measured: {measured}"
            )));
        }
        version.environment = variables.into_iter().collect();
    }
    if let Some(layers) = &settings.layers {
        version.layers = layers.clone();
    }
    if let Some(config) = &settings.dead_letter_config {
        version.dead_letter_target = config.target_arn.clone().filter(|arn| !arn.is_empty());
    }
    if let Some(mode) = settings
        .tracing_config
        .as_ref()
        .and_then(|c| c.mode.clone())
    {
        if mode != "Active" && mode != "PassThrough" {
            return Err(invalid(
                "tracingConfig.mode",
                Some(&mode),
                "Member must satisfy enum value set: [Active, PassThrough]",
            ));
        }
        version.tracing_mode = mode;
    }
    if let Some(size) = settings.ephemeral_storage.as_ref().and_then(|s| s.size) {
        if !(512..=10240).contains(&size) {
            return Err(invalid(
                "ephemeralStorage.size",
                Some(&size.to_string()),
                if size < 512 {
                    "Member must have value greater than or equal to 512"
                } else {
                    "Member must have value less than or equal to 10240"
                },
            ));
        }
        version.ephemeral_storage = size;
    }
    if let Some(package) = &settings.package_type
        && package != "Zip"
    {
        return Err(Error::InvalidParameterValueException(
            "unkai runs Zip packages; container images (PackageType Image) are not supported"
                .into(),
        ));
    }
    Ok(())
}

fn is_role_arn(role: &str) -> bool {
    let Some(rest) = role.strip_prefix("arn:") else {
        return false;
    };
    let mut parts = rest.splitn(5, ':');
    let (Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    partition.starts_with("aws")
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && resource
            .strip_prefix("role")
            .is_some_and(|name| name.len() > 1 && !name.chars().any(char::is_whitespace))
}

/// `Marker` / `MaxItems` of list operations.
pub(crate) fn page_size(max_items: Option<&str>) -> Result<usize, Error> {
    match max_items {
        None => Ok(50),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (1..=10_000).contains(&n) => Ok(n as usize),
            Ok(n) if n < 1 => Err(invalid(
                "maxItems",
                Some(text),
                "Member must have value greater than or equal to 1",
            )),
            _ => Err(invalid(
                "maxItems",
                Some(text),
                "Member must have value less than or equal to 10000",
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_are_checked() {
        assert!(is_role_arn("arn:aws:iam::123456789012:role/lambda-role"));
        assert!(is_role_arn("arn:aws:iam::123456789012:role/service-role/x"));
        assert!(!is_role_arn("arn:aws:iam::123:role/x"));
        assert!(!is_role_arn("role/x"));
    }
}
