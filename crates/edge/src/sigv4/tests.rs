use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{
    PayloadChecksumKind, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
};
use aws_smithy_runtime_api::client::identity::Identity;
use http::{HeaderMap, HeaderValue};
use proptest::prelude::*;

use super::*;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn at(text: &str) -> SystemTime {
    parse_timestamp(text).unwrap()
}

/// The worked example of the AWS SigV4 documentation (IAM ListUsers, 2015-08-30).
fn documented_request() -> (HeaderMap, &'static str) {
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("iam.amazonaws.com"));
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8"),
    );
    headers.insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
    headers.insert(
        "authorization",
        HeaderValue::from_static(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        ),
    );
    (headers, "Action=ListUsers&Version=2010-05-08")
}

fn parts<'a>(
    method: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    headers: &'a HeaderMap,
) -> Parts<'a> {
    Parts {
        method,
        path,
        query,
        headers,
        authority: None,
    }
}

#[test]
fn the_documented_example_verifies_and_a_wrong_secret_does_not() {
    let (headers, query) = documented_request();
    let request = parts("GET", "/", Some(query), &headers);
    let signature = parse(&headers, Some(query)).unwrap().unwrap();
    assert_eq!(signature.access_key_id, AKID);
    assert_eq!(signature.scope.service, "iam");
    check_scope(
        &signature,
        &signature.scope.service.clone(),
        at("20150830T123600Z"),
    )
    .unwrap();
    let keys = KeyCache::default();
    verify(&request, &signature, EMPTY_SHA256, SECRET, &keys).unwrap();
    let Err(Problem::Mismatch {
        canonical_request,
        string_to_sign,
    }) = verify(&request, &signature, EMPTY_SHA256, "wrong", &keys)
    else {
        panic!("a wrong secret must not verify");
    };
    assert_eq!(
        canonical_request,
        "GET\n/\nAction=ListUsers&Version=2010-05-08\n\
         content-type:application/x-www-form-urlencoded; charset=utf-8\n\
         host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n\
         content-type;host;x-amz-date\n\
         e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert!(
        string_to_sign
            .ends_with("f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59")
    );
}

#[test]
fn every_spelling_of_the_authorization_header_verifies() {
    let (mut headers, query) = documented_request();
    let signed = headers.clone();
    let request = parts("GET", "/", Some(query), &signed);
    for authorization in [
        // Spaces only between components, upper-case signed header names.
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request \
         SignedHeaders=Content-Type;HOST;x-amz-date\t\
         Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        // Commas alone.
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request,\
         SignedHeaders=content-type;host;x-amz-date,\
         Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        // Runs of spaces and tabs, empty components.
        "AWS4-HMAC-SHA256   Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request ,  \
         SignedHeaders=content-type;host;x-amz-date,,\t\
         Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7 ,",
    ] {
        headers.insert("authorization", HeaderValue::from_static(authorization));
        let signature = parse(&headers, Some(query)).unwrap().unwrap();
        assert_eq!(
            signature.signed_headers, "content-type;host;x-amz-date",
            "{authorization}"
        );
        verify(
            &request,
            &signature,
            EMPTY_SHA256,
            SECRET,
            &KeyCache::default(),
        )
        .unwrap();
    }
}

#[test]
fn our_signer_reproduces_the_documented_signature() {
    let (mut headers, query) = documented_request();
    headers.remove("authorization");
    headers.remove("x-amz-date");
    let (date, authorization) = sign(
        &parts("GET", "/", Some(query), &headers),
        b"",
        &SigningParams {
            access_key_id: AKID,
            secret: SECRET,
            region: "us-east-1",
            service: "iam",
            at: at("20150830T123600Z"),
        },
    );
    assert_eq!(date, "20150830T123600Z");
    assert!(
        authorization.ends_with(
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        )
    );
}

#[test]
fn skew_beyond_fifteen_minutes_is_refused_in_aws_words() {
    let (headers, query) = documented_request();
    let signature = parse(&headers, Some(query)).unwrap().unwrap();
    let late = at("20150830T125200Z");
    assert_eq!(
        check_scope(&signature, "iam", late),
        Err(Problem::Expired(
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z \
             (20150830T125200Z - 15 min.)"
                .into()
        ))
    );
    assert!(
        check_scope(
            &signature,
            &signature.scope.service.clone(),
            at("20150830T125000Z")
        )
        .is_ok()
    );
    let early = at("20150830T122000Z");
    assert_eq!(
        check_scope(&signature, "iam", early),
        Err(Problem::Expired(
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z \
             (20150830T122000Z + 15 min.)"
                .into()
        ))
    );
}

#[test]
fn malformed_authorization_headers_are_described() {
    let mut headers = HeaderMap::new();
    headers.insert(
        "authorization",
        HeaderValue::from_static("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, Signature=b"),
    );
    let Err(Problem::Incomplete(message)) = parse(&headers, None) else {
        panic!("incomplete header accepted");
    };
    assert_eq!(
        message,
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires \
         existence of either a 'X-Amz-Date' or a 'Date' header. \
         Authorization=AWS4-HMAC-SHA256 Credential=a/b/c/d/e, Signature=b"
    );
    headers.insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
    for credential in ["a/b/c/d", "a/b/c/d/e/f", "a/b/c/d/e/"] {
        let authorization =
            format!("AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host, Signature=b");
        headers.insert("authorization", authorization.parse().unwrap());
        let Err(Problem::Incomplete(message)) = parse(&headers, None) else {
            panic!("{credential} accepted");
        };
        assert_eq!(
            message,
            format!(
                "Credential must have exactly 5 slash-delimited elements, e.g. \
                 keyid/date/region/service/term, got '{credential}'"
            )
        );
    }
    headers.insert(
        "authorization",
        HeaderValue::from_static(
            "AWS4-HMAC-SHA256 Credential=k/20150830/us-east-1/sts/aws4_request, SignedHeaders",
        ),
    );
    assert!(
        matches!(parse(&headers, None), Err(Problem::Incomplete(m)) if m.contains("not a valid key=value pair"))
    );
    headers.insert("authorization", HeaderValue::from_static("Bearer token"));
    assert_eq!(parse(&headers, None).unwrap_err(), Problem::Missing);
    headers.remove("authorization");
    assert!(parse(&headers, None).unwrap().is_none());
}

#[test]
fn scope_problems_are_listed_together() {
    let mut headers = HeaderMap::new();
    headers.insert(
        "authorization",
        HeaderValue::from_static(
            "AWS4-HMAC-SHA256 Credential=k/20150829/US_EAST/sts/aws5, SignedHeaders=host;x-amz-date, Signature=00",
        ),
    );
    headers.insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
    let signature = parse(&headers, None).unwrap().unwrap();
    let Err(Problem::Invalid(message)) = check_scope(
        &signature,
        &signature.scope.service.clone(),
        at("20150830T123600Z"),
    ) else {
        panic!("bad scope accepted");
    };
    assert_eq!(
        message,
        "Credential should be scoped to a valid region, not 'US_EAST'. Credential should be \
         scoped with a valid terminator: 'aws4_request', not 'aws5'. Date in Credential scope \
         does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150829' != \
         '20150830', from '20150830T123600Z'."
    );
}

#[test]
fn paths_normalize_like_the_sdk_signers() {
    for rfc in [true, false] {
        assert_eq!(normalize_path("", rfc), "/");
        assert_eq!(normalize_path("/", rfc), "/");
        assert_eq!(normalize_path("/a//b/./c/../d/", rfc), "/a/b/d/");
        assert_eq!(normalize_path("/a/..", rfc), "/");
        for (path, normal) in [
            ("/a/b", "/a/b"),
            ("/a/b/", "/a/b/"),
            ("/a//", "/a/"),
            ("//a", "/a"),
            ("//", "/"),
            ("a/b", "/a/b"),
            ("/a/./b", "/a/b"),
            ("/..", "/"),
            ("/.../b", "/.../b"),
            ("/a/b/../c", "/a/c"),
        ] {
            assert_eq!(normalize_path(path, rfc), normal, "{path}");
        }
    }
    assert_eq!(normalize_path("/a/b/.", true), "/a/b/");
    assert_eq!(normalize_path("/a/b/.", false), "/a/b");
}

/// Signs with the official `aws-sigv4` crate (the signer inside every Rust SDK client).
fn official_sign(
    method: &str,
    uri: &str,
    headers: &[(String, String)],
    body: &[u8],
    service: &str,
    presigned: bool,
    when: SystemTime,
) -> http::Request<()> {
    let identity: Identity =
        aws_credential_types::Credentials::new(AKID, SECRET, None, None, "test").into();
    let mut settings = SigningSettings::default();
    if presigned {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(300));
    }
    if service == "s3" {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        settings.percent_encoding_mode = aws_sigv4::http_request::PercentEncodingMode::Single;
        settings.uri_path_normalization_mode =
            aws_sigv4::http_request::UriPathNormalizationMode::Disabled;
    }
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("eu-west-3")
        .name(service)
        .time(when)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let signable = SignableRequest::new(
        method,
        uri,
        headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        if presigned && service == "s3" {
            SignableBody::UnsignedPayload
        } else {
            SignableBody::Bytes(body)
        },
    )
    .unwrap();
    let (instructions, _) = aws_sigv4::http_request::sign(signable, &params)
        .unwrap()
        .into_parts();
    let mut request = http::Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let mut request = request.body(()).unwrap();
    instructions.apply_to_request_http1x(&mut request);
    request
}

fn verify_http(request: &http::Request<()>, body: &[u8]) -> Result<Signature, Problem> {
    let signature = parse(request.headers(), request.uri().query())?.ok_or(Problem::Missing)?;
    let payload = match request.headers().get("x-amz-content-sha256") {
        Some(value) => value.to_str().unwrap().to_string(),
        None if signature.form == Form::Presigned && signature.scope.service == "s3" => {
            UNSIGNED_PAYLOAD.to_string()
        }
        None => payload_hash(body),
    };
    let parts = Parts {
        method: request.method().as_str(),
        path: request.uri().path(),
        query: request.uri().query(),
        headers: request.headers(),
        authority: request.uri().authority().map(|a| a.as_str()),
    };
    verify(&parts, &signature, &payload, SECRET, &KeyCache::default())?;
    Ok(signature)
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9_.~-]{1,8}",
        "[a-z]{1,3}( |%|\\+|:|=|&|é|\\$|!)[a-z]{0,3}",
    ]
}

fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, ENCODE).to_string()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn requests_signed_by_the_official_signer_verify(
        service in prop_oneof![Just("dynamodb"), Just("lambda"), Just("s3"), Just("sts")],
        path in proptest::collection::vec(segment(), 0..4),
        query in proptest::collection::vec((segment(), segment()), 0..4),
        extra in proptest::collection::vec(("x-custom-[a-z]{1,4}", "[ a-zA-Z0-9]{0,12}"), 0..3),
        body in proptest::collection::vec(any::<u8>(), 0..64),
        presigned in any::<bool>(),
        method in prop_oneof![Just("GET"), Just("POST"), Just("PUT")],
    ) {
        let path: String = path.iter().map(|s| format!("/{}", encode_segment(s))).collect();
        let query: Vec<String> = query.iter().map(|(n, v)| format!("{}={}", encode_segment(n), encode_segment(v))).collect();
        let mut uri = format!("http://localhost:4566{}", if path.is_empty() { "/" } else { &path });
        if !query.is_empty() {
            uri.push('?');
            uri.push_str(&query.join("&"));
        }
        let mut headers = vec![("host".to_string(), "localhost:4566".to_string())];
        for (name, value) in extra {
            headers.push((name, value));
        }
        let when = SystemTime::now();
        let request = official_sign(method, &uri, &headers, &body, service, presigned, when);
        let signature = verify_http(&request, &body).unwrap();
        prop_assert!(check_scope(&signature, service, when).is_ok());
        prop_assert_eq!(signature.form, if presigned { Form::Presigned } else { Form::Header });
        // One changed byte of the body, or of the path, must break a header signature.
        if !presigned && service != "s3" {
            let mut tampered = body.clone();
            tampered.push(b'!');
            let is_mismatch = matches!(verify_http(&request, &tampered), Err(Problem::Mismatch { .. }));
            prop_assert!(is_mismatch);
        }
    }
}

#[test]
fn timestamps_are_iso_8601_basic() {
    assert_eq!(
        at("20150830T123600Z"),
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_440_938_160)
    );
    for bad in [
        "20150830T123600",
        "20150830 123600Z",
        "2015083OT123600Z",
        "20151330T123600Z",
        "20150230T123600Z",
        "20150830T246000Z",
        "+0150830T123600Z",
        "20150830T123600Z ",
        "",
    ] {
        assert_eq!(parse_timestamp(bad), None, "{bad}");
    }
}

proptest! {
    #[test]
    fn formatted_timestamps_parse_back(seconds in 0u64..253_402_300_799) {
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(seconds);
        prop_assert_eq!(parse_timestamp(&format_timestamp(time)), Some(time));
    }
}
