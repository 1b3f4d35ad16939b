//! Lambda's wire shapes: the operation list, the REST routes that select an operation, the
//! request inputs, and the output documents.

use std::collections::BTreeMap;

use http::Method;
use serde::Deserialize;
use serde_json::{Value as Json, json};

use crate::store::{self, Version};

const NO_LAYERS: &str = "layers are not served yet";
const NO_ESM: &str = "event source mappings arrive with SQS, Kinesis and DynamoDB Streams delivery";
const NO_CODE_SIGNING: &str = "code signing has no equivalent in unkai";
const NO_PROVISIONED: &str = "every instance starts on demand";
const NO_DURABLE: &str = "durable executions are not served";
const NO_CAPACITY: &str = "capacity providers have no equivalent in unkai";
const LATER: &str = "planned";

unkai_edge::operations! {
    /// Every Lambda operation.
    pub enum Operation {
        AddLayerVersionPermission => Planned(NO_LAYERS),
        AddPermission => Partial("statements are stored and returned; unkai does not evaluate them"),
        CheckpointDurableExecution => No(NO_DURABLE),
        CreateAlias => Full,
        CreateCapacityProvider => No(NO_CAPACITY),
        CreateCodeSigningConfig => No(NO_CODE_SIGNING),
        CreateEventSourceMapping => Planned(NO_ESM),
        CreateFunction => Partial("zip packages and local directories (`S3Bucket: hot-reload`); no container images, VPCs or file systems"),
        CreateFunctionUrlConfig => Partial("URLs are http://<url-id>.lambda-url.<region>.localhost:<port>/"),
        DeleteAlias => Full,
        DeleteCapacityProvider => No(NO_CAPACITY),
        DeleteCodeSigningConfig => No(NO_CODE_SIGNING),
        DeleteDurableExecution => No(NO_DURABLE),
        DeleteEventSourceMapping => Planned(NO_ESM),
        DeleteFunction => Full,
        DeleteFunctionCodeSigningConfig => No(NO_CODE_SIGNING),
        DeleteFunctionConcurrency => Full,
        DeleteFunctionEventInvokeConfig => Full,
        DeleteFunctionUrlConfig => Full,
        DeleteLayerVersion => Planned(NO_LAYERS),
        DeleteProvisionedConcurrencyConfig => No(NO_PROVISIONED),
        DeleteResourcePolicy => No("resource-based policies of the 2026 API are not served"),
        GetAccountSettings => Full,
        GetAlias => Full,
        GetCapacityProvider => No(NO_CAPACITY),
        GetCodeSigningConfig => No(NO_CODE_SIGNING),
        GetDurableExecution => No(NO_DURABLE),
        GetDurableExecutionHistory => No(NO_DURABLE),
        GetDurableExecutionState => No(NO_DURABLE),
        GetEventSourceMapping => Planned(NO_ESM),
        GetFunction => Partial("`Code.Location` is not a download URL"),
        GetFunctionCodeSigningConfig => No(NO_CODE_SIGNING),
        GetFunctionConcurrency => Full,
        GetFunctionConfiguration => Full,
        GetFunctionEventInvokeConfig => Full,
        GetFunctionRecursionConfig => Planned(LATER),
        GetFunctionScalingConfig => No(NO_CAPACITY),
        GetFunctionUrlConfig => Full,
        GetLayerVersion => Planned(NO_LAYERS),
        GetLayerVersionByArn => Planned(NO_LAYERS),
        GetLayerVersionPolicy => Planned(NO_LAYERS),
        GetPolicy => Full,
        GetProvisionedConcurrencyConfig => No(NO_PROVISIONED),
        GetResourcePolicy => No("resource-based policies of the 2026 API are not served"),
        GetRuntimeManagementConfig => Planned(LATER),
        Invoke => Partial("aliases with weighted routing run the alias's main version"),
        InvokeAsync => Full,
        InvokeWithResponseStream => Full,
        ListAliases => Full,
        ListCapacityProviders => No(NO_CAPACITY),
        ListCodeSigningConfigs => No(NO_CODE_SIGNING),
        ListDurableExecutionsByFunction => No(NO_DURABLE),
        ListEventSourceMappings => Planned(NO_ESM),
        ListFunctionEventInvokeConfigs => Full,
        ListFunctionUrlConfigs => Full,
        ListFunctionVersionsByCapacityProvider => No(NO_CAPACITY),
        ListFunctions => Full,
        ListFunctionsByCodeSigningConfig => No(NO_CODE_SIGNING),
        ListLayerVersions => Planned(NO_LAYERS),
        ListLayers => Planned(NO_LAYERS),
        ListProvisionedConcurrencyConfigs => No(NO_PROVISIONED),
        ListTags => Full,
        ListVersionsByFunction => Full,
        PauseDurableExecution => No(NO_DURABLE),
        PublishLayerVersion => Planned(NO_LAYERS),
        PublishVersion => Full,
        PutFunctionCodeSigningConfig => No(NO_CODE_SIGNING),
        PutFunctionConcurrency => Full,
        PutFunctionEventInvokeConfig => Partial("destinations may be Lambda functions; queues, topics and buses arrive with those services"),
        PutFunctionRecursionConfig => Planned(LATER),
        PutFunctionScalingConfig => No(NO_CAPACITY),
        PutProvisionedConcurrencyConfig => No(NO_PROVISIONED),
        PutResourcePolicy => No("resource-based policies of the 2026 API are not served"),
        PutRuntimeManagementConfig => Planned(LATER),
        RemoveLayerVersionPermission => Planned(NO_LAYERS),
        RemovePermission => Full,
        ResumeDurableExecution => No(NO_DURABLE),
        SendDurableExecutionCallbackFailure => No(NO_DURABLE),
        SendDurableExecutionCallbackHeartbeat => No(NO_DURABLE),
        SendDurableExecutionCallbackSuccess => No(NO_DURABLE),
        StopDurableExecution => No(NO_DURABLE),
        TagResource => Full,
        UntagResource => Full,
        UpdateAlias => Full,
        UpdateCapacityProvider => No(NO_CAPACITY),
        UpdateCodeSigningConfig => No(NO_CODE_SIGNING),
        UpdateEventSourceMapping => Planned(NO_ESM),
        UpdateFunctionCode => Full,
        UpdateFunctionConfiguration => Full,
        UpdateFunctionEventInvokeConfig => Full,
        UpdateFunctionUrlConfig => Full,
    }
}

use Operation as Op;

/// Every route: method, path template (`{Label}` matches one segment), operation. A template's
/// `?name=value` must be in the query.
const ROUTES: &[(Method, &str, Operation)] = &[
    (
        Method::POST,
        "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy",
        Op::AddLayerVersionPermission,
    ),
    (
        Method::POST,
        "/2015-03-31/functions/{FunctionName}/policy",
        Op::AddPermission,
    ),
    (
        Method::POST,
        "/2025-12-01/durable-executions/{DurableExecutionArn}/checkpoint",
        Op::CheckpointDurableExecution,
    ),
    (
        Method::POST,
        "/2015-03-31/functions/{FunctionName}/aliases",
        Op::CreateAlias,
    ),
    (
        Method::POST,
        "/2025-11-30/capacity-providers",
        Op::CreateCapacityProvider,
    ),
    (
        Method::POST,
        "/2020-04-22/code-signing-configs",
        Op::CreateCodeSigningConfig,
    ),
    (
        Method::POST,
        "/2015-03-31/event-source-mappings",
        Op::CreateEventSourceMapping,
    ),
    (Method::POST, "/2015-03-31/functions", Op::CreateFunction),
    (
        Method::POST,
        "/2021-10-31/functions/{FunctionName}/url",
        Op::CreateFunctionUrlConfig,
    ),
    (
        Method::DELETE,
        "/2015-03-31/functions/{FunctionName}/aliases/{Name}",
        Op::DeleteAlias,
    ),
    (
        Method::DELETE,
        "/2025-11-30/capacity-providers/{CapacityProviderName}",
        Op::DeleteCapacityProvider,
    ),
    (
        Method::DELETE,
        "/2020-04-22/code-signing-configs/{CodeSigningConfigArn}",
        Op::DeleteCodeSigningConfig,
    ),
    (
        Method::DELETE,
        "/2025-12-01/durable-executions/{DurableExecutionArn}",
        Op::DeleteDurableExecution,
    ),
    (
        Method::DELETE,
        "/2015-03-31/event-source-mappings/{UUID}",
        Op::DeleteEventSourceMapping,
    ),
    (
        Method::DELETE,
        "/2015-03-31/functions/{FunctionName}",
        Op::DeleteFunction,
    ),
    (
        Method::DELETE,
        "/2020-06-30/functions/{FunctionName}/code-signing-config",
        Op::DeleteFunctionCodeSigningConfig,
    ),
    (
        Method::DELETE,
        "/2017-10-31/functions/{FunctionName}/concurrency",
        Op::DeleteFunctionConcurrency,
    ),
    (
        Method::DELETE,
        "/2019-09-25/functions/{FunctionName}/event-invoke-config",
        Op::DeleteFunctionEventInvokeConfig,
    ),
    (
        Method::DELETE,
        "/2021-10-31/functions/{FunctionName}/url",
        Op::DeleteFunctionUrlConfig,
    ),
    (
        Method::DELETE,
        "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}",
        Op::DeleteLayerVersion,
    ),
    (
        Method::DELETE,
        "/2019-09-30/functions/{FunctionName}/provisioned-concurrency",
        Op::DeleteProvisionedConcurrencyConfig,
    ),
    (
        Method::DELETE,
        "/2026-07-09/resource-policy/{ResourceArn}",
        Op::DeleteResourcePolicy,
    ),
    (
        Method::GET,
        "/2016-08-19/account-settings",
        Op::GetAccountSettings,
    ),
    (
        Method::GET,
        "/2015-03-31/functions/{FunctionName}/aliases/{Name}",
        Op::GetAlias,
    ),
    (
        Method::GET,
        "/2025-11-30/capacity-providers/{CapacityProviderName}",
        Op::GetCapacityProvider,
    ),
    (
        Method::GET,
        "/2020-04-22/code-signing-configs/{CodeSigningConfigArn}",
        Op::GetCodeSigningConfig,
    ),
    (
        Method::GET,
        "/2025-12-01/durable-executions/{DurableExecutionArn}",
        Op::GetDurableExecution,
    ),
    (
        Method::GET,
        "/2025-12-01/durable-executions/{DurableExecutionArn}/history",
        Op::GetDurableExecutionHistory,
    ),
    (
        Method::GET,
        "/2025-12-01/durable-executions/{DurableExecutionArn}/state",
        Op::GetDurableExecutionState,
    ),
    (
        Method::GET,
        "/2015-03-31/event-source-mappings/{UUID}",
        Op::GetEventSourceMapping,
    ),
    (
        Method::GET,
        "/2015-03-31/functions/{FunctionName}",
        Op::GetFunction,
    ),
    (
        Method::GET,
        "/2020-06-30/functions/{FunctionName}/code-signing-config",
        Op::GetFunctionCodeSigningConfig,
    ),
    (
        Method::GET,
        "/2019-09-30/functions/{FunctionName}/concurrency",
        Op::GetFunctionConcurrency,
    ),
    (
        Method::GET,
        "/2015-03-31/functions/{FunctionName}/configuration",
        Op::GetFunctionConfiguration,
    ),
    (
        Method::GET,
        "/2019-09-25/functions/{FunctionName}/event-invoke-config",
        Op::GetFunctionEventInvokeConfig,
    ),
    (
        Method::GET,
        "/2024-08-31/functions/{FunctionName}/recursion-config",
        Op::GetFunctionRecursionConfig,
    ),
    (
        Method::GET,
        "/2025-11-30/functions/{FunctionName}/function-scaling-config",
        Op::GetFunctionScalingConfig,
    ),
    (
        Method::GET,
        "/2021-10-31/functions/{FunctionName}/url",
        Op::GetFunctionUrlConfig,
    ),
    (
        Method::GET,
        "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}",
        Op::GetLayerVersion,
    ),
    (
        Method::GET,
        "/2018-10-31/layers?find=LayerVersion",
        Op::GetLayerVersionByArn,
    ),
    (
        Method::GET,
        "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy",
        Op::GetLayerVersionPolicy,
    ),
    (
        Method::GET,
        "/2015-03-31/functions/{FunctionName}/policy",
        Op::GetPolicy,
    ),
    (
        Method::GET,
        "/2019-09-30/functions/{FunctionName}/provisioned-concurrency?List=ALL",
        Op::ListProvisionedConcurrencyConfigs,
    ),
    (
        Method::GET,
        "/2019-09-30/functions/{FunctionName}/provisioned-concurrency",
        Op::GetProvisionedConcurrencyConfig,
    ),
    (
        Method::GET,
        "/2026-07-09/resource-policy/{ResourceArn}",
        Op::GetResourcePolicy,
    ),
    (
        Method::GET,
        "/2021-07-20/functions/{FunctionName}/runtime-management-config",
        Op::GetRuntimeManagementConfig,
    ),
    (
        Method::POST,
        "/2015-03-31/functions/{FunctionName}/invocations",
        Op::Invoke,
    ),
    (
        Method::POST,
        "/2014-11-13/functions/{FunctionName}/invoke-async",
        Op::InvokeAsync,
    ),
    (
        Method::POST,
        "/2021-11-15/functions/{FunctionName}/response-streaming-invocations",
        Op::InvokeWithResponseStream,
    ),
    (
        Method::GET,
        "/2015-03-31/functions/{FunctionName}/aliases",
        Op::ListAliases,
    ),
    (
        Method::GET,
        "/2025-11-30/capacity-providers",
        Op::ListCapacityProviders,
    ),
    (
        Method::GET,
        "/2020-04-22/code-signing-configs",
        Op::ListCodeSigningConfigs,
    ),
    (
        Method::GET,
        "/2025-12-01/functions/{FunctionName}/durable-executions",
        Op::ListDurableExecutionsByFunction,
    ),
    (
        Method::GET,
        "/2015-03-31/event-source-mappings",
        Op::ListEventSourceMappings,
    ),
    (
        Method::GET,
        "/2019-09-25/functions/{FunctionName}/event-invoke-config/list",
        Op::ListFunctionEventInvokeConfigs,
    ),
    (
        Method::GET,
        "/2021-10-31/functions/{FunctionName}/urls",
        Op::ListFunctionUrlConfigs,
    ),
    (
        Method::GET,
        "/2025-11-30/capacity-providers/{CapacityProviderName}/function-versions",
        Op::ListFunctionVersionsByCapacityProvider,
    ),
    (Method::GET, "/2015-03-31/functions", Op::ListFunctions),
    (
        Method::GET,
        "/2020-04-22/code-signing-configs/{CodeSigningConfigArn}/functions",
        Op::ListFunctionsByCodeSigningConfig,
    ),
    (
        Method::GET,
        "/2018-10-31/layers/{LayerName}/versions",
        Op::ListLayerVersions,
    ),
    (Method::GET, "/2018-10-31/layers", Op::ListLayers),
    (Method::GET, "/2017-03-31/tags/{Resource}", Op::ListTags),
    (
        Method::GET,
        "/2015-03-31/functions/{FunctionName}/versions",
        Op::ListVersionsByFunction,
    ),
    (
        Method::POST,
        "/2025-12-01/durable-executions/{DurableExecutionArn}/pause",
        Op::PauseDurableExecution,
    ),
    (
        Method::POST,
        "/2018-10-31/layers/{LayerName}/versions",
        Op::PublishLayerVersion,
    ),
    (
        Method::POST,
        "/2015-03-31/functions/{FunctionName}/versions",
        Op::PublishVersion,
    ),
    (
        Method::PUT,
        "/2020-06-30/functions/{FunctionName}/code-signing-config",
        Op::PutFunctionCodeSigningConfig,
    ),
    (
        Method::PUT,
        "/2017-10-31/functions/{FunctionName}/concurrency",
        Op::PutFunctionConcurrency,
    ),
    (
        Method::PUT,
        "/2019-09-25/functions/{FunctionName}/event-invoke-config",
        Op::PutFunctionEventInvokeConfig,
    ),
    (
        Method::PUT,
        "/2024-08-31/functions/{FunctionName}/recursion-config",
        Op::PutFunctionRecursionConfig,
    ),
    (
        Method::PUT,
        "/2025-11-30/functions/{FunctionName}/function-scaling-config",
        Op::PutFunctionScalingConfig,
    ),
    (
        Method::PUT,
        "/2019-09-30/functions/{FunctionName}/provisioned-concurrency",
        Op::PutProvisionedConcurrencyConfig,
    ),
    (
        Method::PUT,
        "/2026-07-09/resource-policy/{ResourceArn}",
        Op::PutResourcePolicy,
    ),
    (
        Method::PUT,
        "/2021-07-20/functions/{FunctionName}/runtime-management-config",
        Op::PutRuntimeManagementConfig,
    ),
    (
        Method::DELETE,
        "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy/{StatementId}",
        Op::RemoveLayerVersionPermission,
    ),
    (
        Method::DELETE,
        "/2015-03-31/functions/{FunctionName}/policy/{StatementId}",
        Op::RemovePermission,
    ),
    (
        Method::POST,
        "/2025-12-01/durable-executions/{DurableExecutionArn}/resume",
        Op::ResumeDurableExecution,
    ),
    (
        Method::POST,
        "/2025-12-01/durable-execution-callbacks/{CallbackId}/fail",
        Op::SendDurableExecutionCallbackFailure,
    ),
    (
        Method::POST,
        "/2025-12-01/durable-execution-callbacks/{CallbackId}/heartbeat",
        Op::SendDurableExecutionCallbackHeartbeat,
    ),
    (
        Method::POST,
        "/2025-12-01/durable-execution-callbacks/{CallbackId}/succeed",
        Op::SendDurableExecutionCallbackSuccess,
    ),
    (
        Method::POST,
        "/2025-12-01/durable-executions/{DurableExecutionArn}/stop",
        Op::StopDurableExecution,
    ),
    (Method::POST, "/2017-03-31/tags/{Resource}", Op::TagResource),
    (
        Method::DELETE,
        "/2017-03-31/tags/{Resource}",
        Op::UntagResource,
    ),
    (
        Method::PUT,
        "/2015-03-31/functions/{FunctionName}/aliases/{Name}",
        Op::UpdateAlias,
    ),
    (
        Method::PUT,
        "/2025-11-30/capacity-providers/{CapacityProviderName}",
        Op::UpdateCapacityProvider,
    ),
    (
        Method::PUT,
        "/2020-04-22/code-signing-configs/{CodeSigningConfigArn}",
        Op::UpdateCodeSigningConfig,
    ),
    (
        Method::PUT,
        "/2015-03-31/event-source-mappings/{UUID}",
        Op::UpdateEventSourceMapping,
    ),
    (
        Method::PUT,
        "/2015-03-31/functions/{FunctionName}/code",
        Op::UpdateFunctionCode,
    ),
    (
        Method::PUT,
        "/2015-03-31/functions/{FunctionName}/configuration",
        Op::UpdateFunctionConfiguration,
    ),
    (
        Method::POST,
        "/2019-09-25/functions/{FunctionName}/event-invoke-config",
        Op::UpdateFunctionEventInvokeConfig,
    ),
    (
        Method::PUT,
        "/2021-10-31/functions/{FunctionName}/url",
        Op::UpdateFunctionUrlConfig,
    ),
];

/// The operation a request names, and its path labels (percent-decoded), in template order.
pub(crate) fn route(
    method: &Method,
    path: &str,
    query: &[(String, String)],
) -> Option<(Operation, Vec<String>)> {
    let path = path.trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    for (route_method, template, operation) in ROUTES {
        if route_method != method {
            continue;
        }
        let (template, required) = match template.split_once('?') {
            Some((template, required)) => (template, required.split_once('=')),
            None => (*template, None),
        };
        if let Some((name, value)) = required
            && !query.iter().any(|(n, v)| n == name && v == value)
        {
            continue;
        }
        let Some(labels) = unkai_edge::protocol::rest::labels(template, &segments) else {
            continue;
        };
        return Some((*operation, labels));
    }
    None
}

/// `Environment` in requests and responses.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Environment {
    /// The variables.
    #[serde(default)]
    pub variables: Option<BTreeMap<String, String>>,
}

/// `Code` of `CreateFunction`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FunctionCode {
    /// The zip, base64 on the wire.
    pub zip_file: Option<String>,
    /// An S3 bucket; `hot-reload` means `S3Key` is a local directory.
    pub s3_bucket: Option<String>,
    /// The object key, or the directory for `hot-reload`.
    pub s3_key: Option<String>,
    /// A container image.
    pub image_uri: Option<String>,
}

/// `DeadLetterConfig`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeadLetterConfig {
    /// The queue or topic.
    pub target_arn: Option<String>,
}

/// `TracingConfig`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TracingConfig {
    /// `Active` or `PassThrough`.
    pub mode: Option<String>,
}

/// `EphemeralStorage`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EphemeralStorage {
    /// MB, 512–10240.
    pub size: Option<u32>,
}

/// The configuration members shared by `CreateFunction` and `UpdateFunctionConfiguration`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Settings {
    /// The runtime.
    pub runtime: Option<String>,
    /// The execution role.
    pub role: Option<String>,
    /// The handler.
    pub handler: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// Timeout in seconds.
    pub timeout: Option<i64>,
    /// Memory in MB.
    pub memory_size: Option<i64>,
    /// Environment variables.
    pub environment: Option<Environment>,
    /// Layer ARNs.
    pub layers: Option<Vec<String>>,
    /// The dead-letter target.
    pub dead_letter_config: Option<DeadLetterConfig>,
    /// Tracing.
    pub tracing_config: Option<TracingConfig>,
    /// `/tmp` size.
    pub ephemeral_storage: Option<EphemeralStorage>,
    /// Only with `RevisionId` matching.
    pub revision_id: Option<String>,
    /// `Zip` or `Image`.
    pub package_type: Option<String>,
}

/// `CreateFunction` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateFunctionInput {
    /// The name.
    pub function_name: Option<String>,
    /// The code.
    pub code: Option<FunctionCode>,
    /// Publish version 1 at once.
    #[serde(default)]
    pub publish: bool,
    /// Tags.
    pub tags: Option<BTreeMap<String, String>>,
    /// `x86_64` or `arm64`.
    pub architectures: Option<Vec<String>>,
    /// The configuration.
    #[serde(flatten)]
    pub settings: Settings,
}

/// `UpdateFunctionCode` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateFunctionCodeInput {
    /// The zip, base64 on the wire.
    pub zip_file: Option<String>,
    /// An S3 bucket; `hot-reload` means `S3Key` is a local directory.
    pub s3_bucket: Option<String>,
    /// The object key or directory.
    pub s3_key: Option<String>,
    /// A container image.
    pub image_uri: Option<String>,
    /// Publish a version after the update.
    #[serde(default)]
    pub publish: bool,
    /// Validate only.
    #[serde(default)]
    pub dry_run: bool,
    /// Only with `RevisionId` matching.
    pub revision_id: Option<String>,
    /// `x86_64` or `arm64`.
    pub architectures: Option<Vec<String>>,
}

/// The restJson1 timestamp form Lambda uses in `LastModified`: `2024-01-31T12:00:00.000+0000`.
pub(crate) fn last_modified(unix_ms: u64) -> String {
    let iso = unkai_types::iso8601(unix_ms / 1000);
    format!("{}.{:03}+0000", iso.trim_end_matches('Z'), unix_ms % 1000)
}

/// How a function version is shown right after a change: `Pending` after creation,
/// `InProgress` after an update; `Active` / `Successful` on every later read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shown {
    Created,
    Updated,
    Settled,
}

/// How `FunctionArn` names a version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Qualify {
    /// Published versions qualified, `$LATEST` not (a plain read).
    Published,
    /// Every version qualified, `:$LATEST` too (listing versions, reading `$LATEST` by name).
    Always,
    /// Never (what `CreateFunction` answers).
    Never,
}

/// `FunctionConfiguration` of one version.
pub(crate) fn configuration(
    arn: &str,
    name: &str,
    version: &Version,
    shown: Shown,
    qualify: Qualify,
) -> Json {
    let qualified = match qualify {
        Qualify::Never => arn.to_owned(),
        Qualify::Published if version.version == store::LATEST => arn.to_owned(),
        _ => format!("{arn}:{}", version.version),
    };
    let mut out = json!({
        "FunctionName": name,
        "FunctionArn": qualified,
        "Runtime": version.runtime,
        "Role": version.role,
        "Handler": version.handler,
        "CodeSize": version.code_size,
        "Description": version.description,
        "Timeout": version.timeout,
        "MemorySize": version.memory,
        "LastModified": version.last_modified,
        "CodeSha256": version.code_sha256,
        "Version": version.version,
        "TracingConfig": {"Mode": version.tracing_mode},
        "RevisionId": version.revision_id,
        "PackageType": "Zip",
        "Architectures": version.architectures,
        "EphemeralStorage": {"Size": version.ephemeral_storage},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": format!("/aws/lambda/{name}")},
    });
    let fields = out.as_object_mut().expect("a JSON object literal");
    if !version.environment.is_empty() {
        let variables: serde_json::Map<String, Json> = version
            .environment
            .iter()
            .map(|(name, value)| (name.clone(), Json::from(value.clone())))
            .collect();
        fields.insert("Environment".into(), json!({ "Variables": variables }));
    }
    if !version.layers.is_empty() {
        let layers: Vec<Json> = version
            .layers
            .iter()
            .map(|arn| json!({"Arn": arn, "CodeSize": 0}))
            .collect();
        fields.insert("Layers".into(), layers.into());
    }
    if let Some(target) = &version.dead_letter_target {
        fields.insert("DeadLetterConfig".into(), json!({ "TargetArn": target }));
    }
    match shown {
        Shown::Created => {
            fields.insert("State".into(), "Pending".into());
            fields.insert(
                "StateReason".into(),
                "The function is being created.".into(),
            );
            fields.insert("StateReasonCode".into(), "Creating".into());
        }
        Shown::Updated => {
            fields.insert("State".into(), "Active".into());
            fields.insert("LastUpdateStatus".into(), "InProgress".into());
            fields.insert(
                "LastUpdateStatusReason".into(),
                "The function is being created.".into(),
            );
            fields.insert("LastUpdateStatusReasonCode".into(), "Creating".into());
        }
        Shown::Settled => {
            fields.insert("State".into(), "Active".into());
            fields.insert("LastUpdateStatus".into(), "Successful".into());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_select_operations_and_labels() {
        let none: &[(String, String)] = &[];
        assert_eq!(
            route(&Method::POST, "/2015-03-31/functions/", none),
            Some((Op::CreateFunction, vec![]))
        );
        assert_eq!(
            route(&Method::GET, "/2015-03-31/functions/", none),
            Some((Op::ListFunctions, vec![]))
        );
        assert_eq!(
            route(
                &Method::POST,
                "/2015-03-31/functions/my-fn/invocations",
                none
            ),
            Some((Op::Invoke, vec!["my-fn".into()]))
        );
        assert_eq!(
            route(
                &Method::GET,
                "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af",
                none
            ),
            Some((
                Op::ListTags,
                vec!["arn:aws:lambda:us-east-1:000000000000:function:f".into()]
            ))
        );
        assert_eq!(
            route(
                &Method::GET,
                "/2019-09-30/functions/f/provisioned-concurrency",
                &[("List".into(), "ALL".into())]
            ),
            Some((Op::ListProvisionedConcurrencyConfigs, vec!["f".into()]))
        );
        assert_eq!(route(&Method::PATCH, "/2015-03-31/functions", none), None);
        // Every operation has a route.
        for operation in Operation::ALL {
            assert!(
                ROUTES.iter().any(|(_, _, routed)| routed == operation),
                "{operation:?}"
            );
        }
    }
}
