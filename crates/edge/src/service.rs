//! The services the edge dispatches to: their wire metadata ([`ServiceInfo`]) and the
//! [`Service`] trait they implement.

use std::time::SystemTime;

use bytes::Bytes;
use unkai_types::Caller;

use crate::protocol::Protocol;
use crate::{BoxFuture, Response};

/// Every AWS service unkai serves or will serve. The edge knows all of them, so that a request
/// to one unkai does not implement yet still gets an answer in that service's protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServiceId {
    /// AWS Security Token Service.
    Sts,
    /// Identity and Access Management.
    Iam,
    /// DynamoDB.
    DynamoDb,
    /// DynamoDB Streams.
    DynamoDbStreams,
    /// Lambda.
    Lambda,
    /// S3.
    S3,
    /// SQS.
    Sqs,
    /// SNS.
    Sns,
    /// EventBridge.
    Events,
    /// EventBridge Scheduler.
    Scheduler,
    /// Step Functions.
    StepFunctions,
    /// Kinesis Data Streams.
    Kinesis,
    /// Data Firehose.
    Firehose,
    /// CloudWatch Logs.
    Logs,
    /// API Gateway (REST APIs).
    ApiGateway,
    /// API Gateway v2 (HTTP and WebSocket APIs).
    ApiGatewayV2,
    /// The API Gateway management API (`@connections`).
    ApiGatewayManagement,
    /// CloudFormation.
    CloudFormation,
    /// CloudWatch metrics.
    CloudWatch,
}

/// What the edge needs to know about a service's wire protocol.
#[derive(Debug)]
pub struct ServiceInfo {
    /// Which service.
    pub id: ServiceId,
    /// The SDKs' name for it (`sts`, `dynamodb`, `stepfunctions`).
    pub name: &'static str,
    /// The SigV4 signing name (`sts`, `dynamodb`, `states`).
    pub signing_name: &'static str,
    /// The wire protocol.
    pub protocol: Protocol,
    /// The API version (`2011-06-15`).
    pub api_version: &'static str,
    /// awsJson: the `X-Amz-Target` prefix before the operation name.
    pub target_prefix: Option<&'static str>,
    /// awsQuery: the namespace of response documents.
    pub xml_namespace: Option<&'static str>,
    /// awsJson 1.0: the shape-id prefix of the service's own errors in `__type`.
    pub error_namespace: Option<&'static str>,
    /// Whether responses carry `x-amz-crc32` (DynamoDB).
    pub crc32: bool,
    /// The largest request body accepted.
    pub max_body: usize,
}

const MIB: usize = 1 << 20;

macro_rules! service {
    ($id:ident, $name:literal, $signing:literal, $protocol:ident, $version:literal
     $(, target = $target:literal)? $(, xmlns = $xmlns:literal)? $(, errors = $errors:literal)?
     $(, crc32 = $crc:literal)?, max_body = $max:expr) => {
        ServiceInfo {
            id: ServiceId::$id,
            name: $name,
            signing_name: $signing,
            protocol: Protocol::$protocol,
            api_version: $version,
            target_prefix: service!(@opt $($target)?),
            xml_namespace: service!(@opt $($xmlns)?),
            error_namespace: service!(@opt $($errors)?),
            crc32: service!(@bool $($crc)?),
            max_body: $max,
        }
    };
    (@opt $value:literal) => { Some($value) };
    (@opt) => { None };
    (@bool $value:literal) => { $value };
    (@bool) => { false };
}

/// Every service, with the metadata of the botocore models.
pub static SERVICES: &[ServiceInfo] = &[
    service!(
        Sts,
        "sts",
        "sts",
        AwsQuery,
        "2011-06-15",
        xmlns = "https://sts.amazonaws.com/doc/2011-06-15/",
        max_body = MIB
    ),
    service!(
        Iam,
        "iam",
        "iam",
        AwsQuery,
        "2010-05-08",
        xmlns = "https://iam.amazonaws.com/doc/2010-05-08/",
        max_body = MIB
    ),
    service!(
        DynamoDb,
        "dynamodb",
        "dynamodb",
        AwsJson10,
        "2012-08-10",
        target = "DynamoDB_20120810",
        errors = "com.amazonaws.dynamodb.v20120810#",
        crc32 = true,
        max_body = 16 * MIB
    ),
    service!(
        DynamoDbStreams,
        "dynamodbstreams",
        "dynamodb",
        AwsJson10,
        "2012-08-10",
        target = "DynamoDBStreams_20120810",
        errors = "com.amazonaws.dynamodb.v20120810#",
        crc32 = true,
        max_body = MIB
    ),
    service!(
        Lambda,
        "lambda",
        "lambda",
        RestJson1,
        "2015-03-31",
        max_body = 80 * MIB
    ),
    service!(S3, "s3", "s3", RestXml, "2006-03-01", max_body = 64 * MIB),
    service!(
        Sqs,
        "sqs",
        "sqs",
        AwsJson10,
        "2012-11-05",
        target = "AmazonSQS",
        errors = "com.amazonaws.sqs#",
        max_body = 2 * MIB
    ),
    service!(
        Sns,
        "sns",
        "sns",
        AwsQuery,
        "2010-03-31",
        xmlns = "http://sns.amazonaws.com/doc/2010-03-31/",
        max_body = 2 * MIB
    ),
    service!(
        Events,
        "events",
        "events",
        AwsJson11,
        "2015-10-07",
        target = "AWSEvents",
        max_body = 2 * MIB
    ),
    service!(
        Scheduler,
        "scheduler",
        "scheduler",
        RestJson1,
        "2021-06-30",
        max_body = 2 * MIB
    ),
    service!(
        StepFunctions,
        "stepfunctions",
        "states",
        AwsJson10,
        "2016-11-23",
        target = "AWSStepFunctions",
        errors = "com.amazonaws.stepfunctions#",
        max_body = 2 * MIB
    ),
    service!(
        Kinesis,
        "kinesis",
        "kinesis",
        AwsJson11,
        "2013-12-02",
        target = "Kinesis_20131202",
        max_body = 16 * MIB
    ),
    service!(
        Firehose,
        "firehose",
        "firehose",
        AwsJson11,
        "2015-08-04",
        target = "Firehose_20150804",
        max_body = 16 * MIB
    ),
    service!(
        Logs,
        "logs",
        "logs",
        AwsJson11,
        "2014-03-28",
        target = "Logs_20140328",
        max_body = 2 * MIB
    ),
    service!(
        ApiGateway,
        "apigateway",
        "apigateway",
        RestJson1,
        "2015-07-09",
        max_body = 16 * MIB
    ),
    service!(
        ApiGatewayV2,
        "apigatewayv2",
        "apigateway",
        RestJson1,
        "2018-11-29",
        max_body = 16 * MIB
    ),
    service!(
        ApiGatewayManagement,
        "apigatewaymanagementapi",
        "execute-api",
        RestJson1,
        "2018-11-29",
        max_body = MIB
    ),
    service!(
        CloudFormation,
        "cloudformation",
        "cloudformation",
        AwsQuery,
        "2010-05-15",
        xmlns = "http://cloudformation.amazonaws.com/doc/2010-05-15/",
        max_body = 2 * MIB
    ),
    service!(
        CloudWatch,
        "cloudwatch",
        "monitoring",
        AwsJson10,
        "2010-08-01",
        target = "GraniteServiceVersion20100801",
        errors = "com.amazonaws.cloudwatch.v2010_08_01#",
        max_body = 2 * MIB
    ),
];

impl ServiceId {
    /// The service's wire metadata.
    pub fn info(self) -> &'static ServiceInfo {
        SERVICES
            .iter()
            .find(|info| info.id == self)
            .expect("every ServiceId has an entry in SERVICES")
    }
}

/// An authenticated request, ready for a service.
#[derive(Debug)]
pub struct Request {
    /// Who asked, and when.
    pub context: Context,
    /// Method, URI, headers.
    pub parts: http::request::Parts,
    /// The whole body.
    pub body: Bytes,
}

/// What the edge established about a request.
#[derive(Clone, Debug)]
pub struct Context {
    /// The id sent back in `x-amzn-RequestId`.
    pub request_id: String,
    /// The caller the signature belongs to.
    pub caller: Caller,
    /// The region the request was signed for.
    pub region: String,
    /// When the request arrived.
    pub received: SystemTime,
}

/// A service behind the edge.
pub trait Service: Send + Sync + 'static {
    /// Which service this is.
    fn info(&self) -> &'static ServiceInfo;

    /// Whether `operation` names one of the service's operations (implemented or not).
    fn knows_operation(&self, operation: &str) -> bool;

    /// Handles an authenticated request. Errors are responses too, rendered with
    /// [`crate::protocol::error_response`].
    fn call(&self, request: Request) -> BoxFuture<'_, Response>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_id_has_one_entry() {
        let mut ids: Vec<ServiceId> = SERVICES.iter().map(|info| info.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), SERVICES.len());
        assert_eq!(ServiceId::DynamoDbStreams.info().signing_name, "dynamodb");
    }
}
