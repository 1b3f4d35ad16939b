/// The first byte of every stored key: which part of unkai owns it.
///
/// Architecture Invariant: every top-level key prefix is declared here and nowhere else; a
/// retired prefix stays in the enum, marked retired, and is never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Space {
    /// Store metadata: the layout version of the data directory.
    Meta = 0x01,
    /// IAM: users and their access keys.
    Iam = 0x02,
    /// DynamoDB: tables, items, index entries, stream records.
    DynamoDb = 0x03,
    /// Lambda: functions, versions, aliases, queued asynchronous invocations.
    Lambda = 0x04,
    /// CloudWatch Logs: log groups, streams and their events.
    Logs = 0x05,
    /// API Gateway: APIs, routes, integrations, stages, authorizers, deployments, and where
    /// each open WebSocket connection is.
    ApiGateway = 0x06,
    /// CloudFormation: stacks, their resources and events, change sets, exports.
    CloudFormation = 0x07,
    /// Scratch keys written by tests and benchmarks of the store itself.
    Test = 0x7F,
}

impl Space {
    /// The prefix byte.
    pub const fn byte(self) -> u8 {
        self as u8
    }
}
