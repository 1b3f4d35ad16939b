use http_body_util::BodyExt;

use super::*;
use crate::ServiceId;

async fn render(service: ServiceId, error: &AwsError) -> (StatusCode, http::HeaderMap, String) {
    let response = error_response(
        service.info(),
        "16fc956c-311e-4199-bee1-1680236e9698",
        error,
    );
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8(bytes.to_vec()).unwrap(),
    )
}

#[tokio::test]
async fn sts_errors_match_captured_aws_responses_byte_for_byte() {
    let (status, headers, body) = render(
        ServiceId::Sts,
        &auth_error(ServiceId::Sts.info(), &Problem::BadToken),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(headers["content-type"], "text/xml");
    assert_eq!(
        headers["x-amzn-requestid"],
        "16fc956c-311e-4199-bee1-1680236e9698"
    );
    let expected = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>InvalidClientTokenId</Code>\n    <Message>The security token included in the request is invalid</Message>\n  </Error>\n  <RequestId>16fc956c-311e-4199-bee1-1680236e9698</RequestId>\n</ErrorResponse>\n";
    assert_eq!(body, expected);
    assert_eq!(body.len(), 305, "the captured Content-Length");
    let (status, _, body) = render(
        ServiceId::Sts,
        &auth_error(ServiceId::Sts.info(), &Problem::Missing),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(body.len(), 297, "the captured Content-Length");
    assert!(body.contains("<Code>MissingAuthenticationToken</Code>"));
}

#[tokio::test]
async fn dynamodb_errors_carry_coral_types_and_a_matching_crc32() {
    let (status, headers, body) = render(
        ServiceId::DynamoDb,
        &auth_error(ServiceId::DynamoDb.info(), &Problem::Missing),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        r#"{"__type":"com.amazon.coral.service#MissingAuthenticationTokenException","message":"Request is missing Authentication Token"}"#
    );
    assert_eq!(
        headers["x-amz-crc32"], "2088342776",
        "the CRC AWS sent for this body"
    );
    let (_, headers, body) = render(
        ServiceId::DynamoDb,
        &unknown_operation(ServiceId::DynamoDb.info(), "Nope"),
    )
    .await;
    assert_eq!(
        body,
        r#"{"__type":"com.amazon.coral.service#UnknownOperationException"}"#
    );
    assert_eq!(headers["x-amz-crc32"], "1368724161");
    let service_error = AwsError::new(StatusCode::BAD_REQUEST, "ResourceNotFoundException", "gone");
    let (_, _, body) = render(ServiceId::DynamoDb, &service_error).await;
    assert!(body.contains("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"));
}

#[tokio::test]
async fn json_rest_and_xml_families_differ_as_aws_does() {
    let (status, headers, body) = render(
        ServiceId::Logs,
        &auth_error(ServiceId::Logs.info(), &Problem::UnknownKey),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(headers["content-type"], "application/x-amz-json-1.1");
    assert_eq!(
        body,
        r#"{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}"#
    );
    let (status, headers, body) = render(
        ServiceId::Lambda,
        &auth_error(ServiceId::Lambda.info(), &Problem::Missing),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        headers["x-amzn-errortype"],
        "MissingAuthenticationTokenException"
    );
    assert_eq!(body, r#"{"message":"Missing Authentication Token"}"#);
    let (status, headers, body) = render(
        ServiceId::S3,
        &auth_error(ServiceId::S3.info(), &Problem::UnknownKey),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        headers["x-amz-request-id"],
        "16fc956c-311e-4199-bee1-1680236e9698"
    );
    assert!(body.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidAccessKeyId</Code>"
    ));
}

#[test]
fn every_problem_has_an_error_in_every_family() {
    let problems = [
        Problem::Missing,
        Problem::Incomplete("x".into()),
        Problem::Invalid("x".into()),
        Problem::UnknownKey,
        Problem::BadToken,
        Problem::Mismatch {
            canonical_request: "c".into(),
            string_to_sign: "s".into(),
        },
        Problem::Expired("x".into()),
        Problem::PresignExpired,
    ];
    for service in crate::SERVICES {
        for problem in &problems {
            let error = auth_error(service, problem);
            assert!(error.status.is_client_error(), "{service:?} {problem:?}");
            assert!(error.message.is_some());
        }
    }
}
