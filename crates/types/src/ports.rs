//! Ports: what one part of unkai offers another without either depending on the other. The
//! server wires implementations to the parts that use them.

use std::future::Future;
use std::pin::Pin;

/// A boxed future that may cross threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One CloudWatch Logs event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEvent {
    /// When it happened, in milliseconds since the Unix epoch.
    pub timestamp: i64,
    /// The message, one log line without its line break.
    pub message: String,
}

/// Where platform components (the function runtime) write log events: CloudWatch Logs.
pub trait LogSink: Send + Sync + 'static {
    /// Appends `events` (in time order) to `stream` in `group`, creating the group and the
    /// stream when they do not exist. Returns once the events are durable.
    fn append<'a>(
        &'a self,
        group: &'a str,
        stream: &'a str,
        events: Vec<LogEvent>,
    ) -> BoxFuture<'a, Result<(), String>>;
}

/// Temporary credentials for a role session, as STS `AssumeRole` returns them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionKey {
    /// `ASIA…`.
    pub access_key_id: String,
    /// The secret.
    pub secret_access_key: String,
    /// The session token requests must carry.
    pub session_token: String,
    /// When the credentials stop working, seconds since the Unix epoch.
    pub expires: u64,
}

/// Issues role sessions (IAM): what a function's code runs as.
pub trait Sessions: Send + Sync + 'static {
    /// Credentials for `role_arn` in a session named `session_name` (the function's name),
    /// valid for `seconds`.
    fn assume_role<'a>(
        &'a self,
        role_arn: &'a str,
        session_name: &'a str,
        seconds: u64,
    ) -> BoxFuture<'a, Result<SessionKey, String>>;
}

/// What a synchronous invocation returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invoked {
    /// The function's response, or its error document when `function_error` is set.
    pub payload: Vec<u8>,
    /// `Unhandled` when the function failed (`X-Amz-Function-Error`).
    pub function_error: Option<String>,
    /// The version that ran.
    pub executed_version: String,
}

/// Why an invocation did not run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InvokeFailure {
    /// No such function, version or alias.
    NotFound(String),
    /// Over a concurrency limit.
    Throttled,
    /// The event is larger than the function takes.
    TooLarge(String),
    /// Anything else (the worker could not start, the store failed).
    Failed(String),
}

/// Runs functions (Lambda), for the parts of unkai that invoke them by ARN: API Gateway's
/// integrations, authorizers, event sources.
pub trait Invoke: Send + Sync + 'static {
    /// Invokes `function` (a name or ARN, with an optional `:qualifier`) synchronously with
    /// the JSON event `payload`.
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: Vec<u8>,
    ) -> BoxFuture<'a, Result<Invoked, InvokeFailure>>;
}

/// A request to one of unkai's AWS APIs made from inside unkai: CloudFormation provisions
/// resources through the same operations the SDKs call, so every validation and error message
/// is the service's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiRequest {
    /// The service's SDK name (`lambda`, `dynamodb`, `apigatewayv2`).
    pub service: &'static str,
    /// The HTTP method (`POST`).
    pub method: &'static str,
    /// The path and query (`/2015-03-31/functions`); `/` for awsJson and awsQuery.
    pub path: String,
    /// awsJson: the operation, sent as `X-Amz-Target` with the service's prefix.
    pub operation: Option<&'static str>,
    /// The body in the service's protocol (JSON, or a form for awsQuery).
    pub body: Vec<u8>,
}

/// A service's answer to an [`ApiRequest`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiResponse {
    /// The HTTP status.
    pub status: u16,
    /// The body as the service rendered it.
    pub body: Vec<u8>,
}

/// Calls unkai's AWS APIs as an authenticated caller, skipping the signature (the caller was
/// authenticated when it asked for the work).
pub trait Api: Send + Sync + 'static {
    /// Sends `request` as `caller`.
    fn call<'a>(
        &'a self,
        caller: &'a crate::Caller,
        request: ApiRequest,
    ) -> BoxFuture<'a, Result<ApiResponse, String>>;
}
