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
