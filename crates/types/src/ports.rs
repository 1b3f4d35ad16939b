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
