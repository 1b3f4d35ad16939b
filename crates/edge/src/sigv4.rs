//! AWS Signature Version 4: finding a request's signature (the `Authorization` header or a
//! presigned query), rebuilding the canonical request exactly as the SDK signers do, and
//! checking the signature against the caller's secret.
//!
//! The same canonicalization signs requests in [`sign`], which the CLI and the tests use; it is
//! checked against AWS's documented example and against the official `aws-sigv4` signer.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderName};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::format_description;

/// The only algorithm unkai accepts.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The SHA-256 of an empty payload.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// The payload hash S3 clients send when they do not sign the body.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// How far a signed request's time may be from the server's.
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);
/// The longest a presigned URL may be valid (7 days).
pub const MAX_EXPIRES: u64 = 604_800;

/// Characters SigV4 percent-encodes: everything but `A-Z a-z 0-9 - _ . ~`.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// The same, keeping `/` (paths).
const ENCODE_PATH: &AsciiSet = &ENCODE.remove(b'/');

/// Where the signature was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// The `Authorization` header.
    Header,
    /// `X-Amz-*` query parameters (a presigned URL).
    Presigned,
}

/// The credential scope: `AKID/20150830/us-east-1/iam/aws4_request`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// `YYYYMMDD`.
    pub date: String,
    /// The region the request was signed for.
    pub region: String,
    /// The signing name of the service (`sts`, `dynamodb`, `s3`).
    pub service: String,
    /// Always `aws4_request` in a valid scope.
    pub terminator: String,
}

impl Scope {
    fn text(&self) -> String {
        let mut out = String::with_capacity(64);
        self.push_text(&mut out);
        out
    }

    /// Appends `date/region/service/terminator`.
    fn push_text(&self, out: &mut String) {
        for (n, part) in [&self.date, &self.region, &self.service, &self.terminator]
            .into_iter()
            .enumerate()
        {
            if n > 0 {
                out.push('/');
            }
            out.push_str(part);
        }
    }
}

/// A request's signature and what it covers.
#[derive(Clone, Debug)]
pub struct Signature {
    /// Where it was found.
    pub form: Form,
    /// The access key that signed.
    pub access_key_id: String,
    /// The credential scope.
    pub scope: Scope,
    /// The signed header names, lowercase, as listed: `content-type;host;x-amz-date`.
    pub signed_headers: String,
    /// The hex signature.
    pub signature: String,
    /// The request time, ISO 8601 basic (`20150830T123600Z`).
    pub timestamp: String,
    /// Presigned URLs: seconds the URL is valid from `timestamp`.
    pub expires: Option<u64>,
    /// `X-Amz-Security-Token`, for temporary credentials.
    pub security_token: Option<String>,
}

impl Signature {
    /// The signed header names, in their listed order.
    pub fn signed_header_names(&self) -> impl Iterator<Item = &str> {
        self.signed_headers.split(';')
    }
}

/// Why a request is not authenticated. The edge renders each as the calling service's family
/// would (see `crate::protocol`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// No signature at all.
    Missing,
    /// The signature is malformed; the message says how, in AWS's words.
    Incomplete(String),
    /// The signature is well formed but cannot be right (bad scope, unsigned `host`); message in
    /// AWS's words.
    Invalid(String),
    /// The access key is not known.
    UnknownKey,
    /// The session token does not belong to the access key.
    BadToken,
    /// The signature does not match.
    Mismatch {
        /// What the signature should have covered.
        canonical_request: String,
        /// What should have been signed.
        string_to_sign: String,
    },
    /// The request's time is too far from now; message in AWS's words.
    Expired(String),
    /// A presigned URL past its expiry.
    PresignExpired,
}

fn query_pairs(query: Option<&str>) -> impl Iterator<Item = (&str, &str)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
}

fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// A header's value when it is ASCII (what `HeaderValue::to_str` accepts, since header values
/// hold no control characters but tab), checked a word at a time.
fn header<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    let bytes = headers.get(name)?.as_bytes();
    if bytes.is_ascii() {
        std::str::from_utf8(bytes).ok()
    } else {
        None
    }
}

// Lookups by prepared names skip parsing the name on every request.
const X_AMZ_DATE: HeaderName = HeaderName::from_static("x-amz-date");
const X_AMZ_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-amz-security-token");

/// Finds the signature of a request: `None` when the request carries none.
pub fn parse(headers: &HeaderMap, query: Option<&str>) -> Result<Option<Signature>, Problem> {
    let presigned = query_pairs(query).any(|(name, _)| name == "X-Amz-Algorithm");
    match (header(headers, &http::header::AUTHORIZATION), presigned) {
        (Some(_), true) => Err(Problem::Invalid(
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP \
             header."
                .into(),
        )),
        (Some(authorization), false) => parse_header(authorization, headers).map(Some),
        (None, true) => parse_query(query).map(Some),
        (None, false) => Ok(None),
    }
}

fn parse_header(authorization: &str, headers: &HeaderMap) -> Result<Signature, Problem> {
    let authorization = authorization.trim();
    let (algorithm, rest) = authorization.split_once(' ').unwrap_or((authorization, ""));
    if algorithm != ALGORITHM {
        if !algorithm.starts_with("AWS4-") {
            return Err(Problem::Missing);
        }
        return Err(Problem::Incomplete(format!(
            "Unsupported AWS 'algorithm': '{algorithm}' (only AWS4-HMAC-SHA256 for now). "
        )));
    }
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in components(rest) {
        let Some((name, value)) = split_at_byte(part, b'=') else {
            return Err(Problem::Incomplete(format!(
                "'{part}' not a valid key=value pair (missing equal-sign) in Authorization \
                 header: '{authorization}'."
            )));
        };
        match name {
            "Credential" => credential = Some(value),
            "SignedHeaders" => signed_headers = Some(value),
            "Signature" => signature = Some(value),
            _ => {}
        }
    }
    let timestamp = match header(headers, &X_AMZ_DATE) {
        Some(date) => Some(date.to_string()),
        None => header(headers, &http::header::DATE).and_then(http_date_to_basic),
    };
    let mut missing = String::new();
    if credential.is_none() {
        missing.push_str("Authorization header requires 'Credential' parameter. ");
    }
    if signature.is_none() {
        missing.push_str("Authorization header requires 'Signature' parameter. ");
    }
    if signed_headers.is_none() {
        missing.push_str("Authorization header requires 'SignedHeaders' parameter. ");
    }
    if timestamp.is_none() {
        missing.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' \
             header. ",
        );
    }
    let (Some(credential), Some(signed_headers), Some(signature), Some(timestamp)) =
        (credential, signed_headers, signature, timestamp)
    else {
        return Err(Problem::Incomplete(format!(
            "{missing}Authorization={authorization}"
        )));
    };
    let (access_key_id, scope) = parse_credential(credential)?;
    Ok(Signature {
        form: Form::Header,
        access_key_id,
        scope,
        signed_headers: signed_headers.to_ascii_lowercase(),
        signature: signature.to_string(),
        timestamp,
        expires: None,
        security_token: header(headers, &X_AMZ_SECURITY_TOKEN).map(str::to_string),
    })
}

/// The `name=value` components of an Authorization header after its algorithm. They are
/// separated by commas; some clients separate them by ASCII whitespace only. Splitting every
/// part on whitespace walked the header byte by byte (a third of the signature's parsing);
/// a part is split only when it holds a byte at or below the space (a test without early
/// exit, which the compiler vectorizes), whitespace being among those.
fn components(rest: &str) -> impl Iterator<Item = &str> {
    rest.split(',').flat_map(|part| {
        let part = part.trim_ascii();
        let spaced = part
            .bytes()
            .fold(false, |found, byte| found | (byte <= b' '));
        let (whole, split) = if spaced {
            (None, Some(part.split_ascii_whitespace()))
        } else {
            (Some(part).filter(|part| !part.is_empty()), None)
        };
        whole.into_iter().chain(split.into_iter().flatten())
    })
}

/// `text` split around the first `byte` (ASCII). For the short spans of a signature a plain
/// scan beats `split_once`'s searcher, whose set-up costs more than the search.
fn split_at_byte(text: &str, byte: u8) -> Option<(&str, &str)> {
    debug_assert!(byte.is_ascii());
    let at = text.bytes().position(|b| b == byte)?;
    Some((&text[..at], &text[at + 1..]))
}

fn parse_query(query: Option<&str>) -> Result<Signature, Problem> {
    let mut fields: HashMap<&str, String> = HashMap::new();
    for (name, value) in query_pairs(query) {
        if name.starts_with("X-Amz-") {
            fields.insert(name, decode(value));
        }
    }
    let required = [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Signature",
        "X-Amz-SignedHeaders",
        "X-Amz-Date",
    ];
    let missing: String = required
        .iter()
        .filter(|name| !fields.contains_key(*name))
        .map(|name| format!("AWS query-string parameters must include '{name}'. "))
        .collect();
    if !missing.is_empty() {
        return Err(Problem::Incomplete(format!(
            "{missing}Re-examine the query-string parameters."
        )));
    }
    let algorithm = &fields["X-Amz-Algorithm"];
    if algorithm != ALGORITHM {
        return Err(Problem::Incomplete(format!(
            "Unsupported AWS 'algorithm': '{algorithm}' (only AWS4-HMAC-SHA256 for now). "
        )));
    }
    let (access_key_id, scope) = parse_credential(&fields["X-Amz-Credential"])?;
    let expires = match fields.get("X-Amz-Expires") {
        None => None,
        Some(text) => match text.parse::<u64>() {
            Ok(seconds) if seconds <= MAX_EXPIRES => Some(seconds),
            _ => {
                return Err(Problem::Incomplete(format!(
                    "X-Amz-Expires must be a number of seconds between 0 and {MAX_EXPIRES}, \
                     not '{text}'."
                )));
            }
        },
    };
    Ok(Signature {
        form: Form::Presigned,
        access_key_id,
        scope,
        signed_headers: fields["X-Amz-SignedHeaders"].to_ascii_lowercase(),
        signature: fields["X-Amz-Signature"].clone(),
        timestamp: fields["X-Amz-Date"].clone(),
        expires,
        security_token: fields.get("X-Amz-Security-Token").cloned(),
    })
}

fn parse_credential(credential: &str) -> Result<(String, Scope), Problem> {
    let mut parts = [""; 5];
    let mut count = 0;
    let mut rest = Some(credential);
    while let Some(text) = rest {
        let (part, after) = match split_at_byte(text, b'/') {
            Some((part, after)) => (part, Some(after)),
            None => (text, None),
        };
        if let Some(slot) = parts.get_mut(count) {
            *slot = part;
        }
        count += 1;
        rest = after;
    }
    let (5, [key, date, region, service, terminator]) = (count, parts) else {
        return Err(Problem::Incomplete(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. \
             keyid/date/region/service/term, got '{credential}'"
        )));
    };
    Ok((
        key.to_string(),
        Scope {
            date: date.to_string(),
            region: region.to_string(),
            service: service.to_string(),
            terminator: terminator.to_string(),
        },
    ))
}

/// `Tue, 30 Aug 2015 12:36:00 GMT` → `20150830T123600Z`.
fn http_date_to_basic(text: &str) -> Option<String> {
    let format = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let parsed = time::PrimitiveDateTime::parse(text, format).ok()?;
    Some(basic(parsed.assume_utc()))
}

fn basic(at: OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        at.year(),
        at.month() as u8,
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// Formats a time as ISO 8601 basic (`20150830T123600Z`).
pub fn format_timestamp(at: SystemTime) -> String {
    basic(OffsetDateTime::from(at))
}

/// `20150830T123600Z`, read by hand: every signed request has one.
fn parse_timestamp(text: &str) -> Option<SystemTime> {
    let bytes = text.as_bytes();
    if bytes.len() != 16 || bytes[8] != b'T' || bytes[15] != b'Z' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes[range].iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    let date = time::Date::from_calendar_date(
        i32::try_from(number(0..4)?).ok()?,
        time::Month::try_from(u8::try_from(number(4..6)?).ok()?).ok()?,
        u8::try_from(number(6..8)?).ok()?,
    )
    .ok()?;
    let at = time::Time::from_hms(
        u8::try_from(number(9..11)?).ok()?,
        u8::try_from(number(11..13)?).ok()?,
        u8::try_from(number(13..15)?).ok()?,
    )
    .ok()?;
    Some(time::PrimitiveDateTime::new(date, at).assume_utc().into())
}

/// The parts of a request that a signature covers.
#[derive(Clone, Copy, Debug)]
pub struct Parts<'a> {
    /// `GET`, `POST`…
    pub method: &'a str,
    /// The path as sent (percent-encoded).
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// The URI authority, used for `host` when the request has no `Host` header (HTTP/2).
    pub authority: Option<&'a str>,
}

/// Whether the service is S3, whose canonical paths are not normalized or double-encoded.
fn is_s3(service: &str) -> bool {
    service == "s3"
}

/// The canonical request the signer must have built.
fn canonical_request(
    parts: &Parts<'_>,
    signature: &Signature,
    payload_hash: &str,
    dot_ends_with_slash: bool,
) -> String {
    let mut out = String::with_capacity(256);
    out.push_str(parts.method);
    out.push('\n');
    if is_s3(&signature.scope.service) {
        out.push_str(if parts.path.is_empty() {
            "/"
        } else {
            parts.path
        });
    } else {
        let path = normalize_path(parts.path, dot_ends_with_slash);
        out.extend(utf8_percent_encode(&path, ENCODE_PATH));
    }
    out.push('\n');
    let mut pairs: Vec<(String, String)> = query_pairs(parts.query)
        .filter(|(name, _)| !(signature.form == Form::Presigned && *name == "X-Amz-Signature"))
        .map(|(name, value)| {
            (
                utf8_percent_encode(&decode(name), ENCODE).to_string(),
                utf8_percent_encode(&decode(value), ENCODE).to_string(),
            )
        })
        .collect();
    pairs.sort();
    for (n, (name, value)) in pairs.iter().enumerate() {
        if n > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out.push('\n');
    for name in signature.signed_header_names() {
        out.push_str(name);
        out.push(':');
        let mut values = parts.headers.get_all(name).iter().peekable();
        if values.peek().is_none() && name == "host" {
            out.push_str(parts.authority.unwrap_or(""));
        }
        let mut first = true;
        for value in values {
            if !first {
                out.push(',');
            }
            first = false;
            match std::str::from_utf8(value.as_bytes()) {
                Ok(value) => push_trimmed(&mut out, value),
                Err(_) => push_trimmed(&mut out, &String::from_utf8_lossy(value.as_bytes())),
            }
        }
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&signature.signed_headers);
    out.push('\n');
    out.push_str(payload_hash);
    out
}

/// Appends a header value with its spaces trimmed and runs of spaces made one.
fn push_trimmed(out: &mut String, value: &str) {
    let value = value.trim_matches(' ');
    if !value.contains("  ") {
        out.push_str(value);
        return;
    }
    let mut words = value.split(' ').filter(|word| !word.is_empty());
    if let Some(word) = words.next() {
        out.push_str(word);
        for word in words {
            out.push(' ');
            out.push_str(word);
        }
    }
}

/// Removes empty and `.` segments and resolves `..`, keeping a trailing slash, as the SDK
/// signers do for every service but S3. They differ on a path that ends in `.` or `..`:
/// `aws-sigv4` (RFC 3986) ends it with a slash, botocore does not; `dot_ends_with_slash` picks.
fn normalize_path(path: &str, dot_ends_with_slash: bool) -> Cow<'_, str> {
    // Most paths are normal already: `/`, or segments neither empty nor dots.
    let normal = path.strip_prefix('/').is_some_and(|rest| {
        let (inner, last) = match rest.rsplit_once('/') {
            Some((inner, last)) => (Some(inner), last),
            None => (None, rest),
        };
        inner.is_none_or(|inner| {
            inner
                .split('/')
                .all(|segment| !matches!(segment, "" | "." | ".."))
        }) && !matches!(last, "." | "..")
    });
    if normal {
        return Cow::Borrowed(path);
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut out = String::with_capacity(path.len() + 1);
    for segment in &segments {
        out.push('/');
        out.push_str(segment);
    }
    let ends_with_dot = path.ends_with("/.") || path.ends_with("/..");
    let trailing = path.ends_with('/') || (dot_ends_with_slash && ends_with_dot);
    if out.is_empty() || (trailing && !segments.is_empty()) {
        out.push('/');
    }
    Cow::Owned(out)
}

fn string_to_sign(signature: &Signature, canonical_request: &str) -> String {
    let mut out = String::with_capacity(160);
    for part in [ALGORITHM, "\n", &signature.timestamp, "\n"] {
        out.push_str(part);
    }
    signature.scope.push_text(&mut out);
    out.push('\n');
    push_hex(&mut out, &Sha256::digest(canonical_request.as_bytes()));
    out
}

type HmacSha256 = Hmac<Sha256>;

/// Lowercase hex.
fn to_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    push_hex(&mut out, bytes);
    out
}

/// Appends `bytes` in lowercase hex.
fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0F)]));
    }
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn signing_key(secret: &str, scope: &Scope) -> [u8; 32] {
    let date = hmac(format!("AWS4{secret}").as_bytes(), scope.date.as_bytes());
    let region = hmac(&date, scope.region.as_bytes());
    let service = hmac(&region, scope.service.as_bytes());
    hmac(&service, b"aws4_request")
}

/// Derived signing keys, which change once a day per key, region and service, kept as HMACs
/// ready to take a string to sign (their key's inner and outer blocks already hashed). Keyed by
/// secret, date, region and service, each prefixed by its length.
#[derive(Debug, Default)]
pub struct KeyCache(Mutex<HashMap<Box<[u8]>, HmacSha256>>);

impl KeyCache {
    fn get(&self, secret: &str, scope: &Scope) -> HmacSha256 {
        let parts = [secret, &scope.date, &scope.region, &scope.service];
        let mut id = Vec::with_capacity(parts.iter().map(|part| 4 + part.len()).sum());
        for part in parts {
            let size = u32::try_from(part.len()).unwrap_or(u32::MAX);
            id.extend_from_slice(&size.to_le_bytes());
            id.extend_from_slice(part.as_bytes());
        }
        let id = id.into_boxed_slice();
        if let Some(mac) = self.0.lock().ok().and_then(|cache| cache.get(&id).cloned()) {
            return mac;
        }
        let mac = HmacSha256::new_from_slice(&signing_key(secret, scope))
            .expect("HMAC takes keys of any length");
        if let Ok(mut cache) = self.0.lock() {
            if cache.len() >= 4096 {
                cache.clear();
            }
            cache.insert(id, mac.clone());
        }
        mac
    }
}

/// Whether a region name is well formed (`us-east-1`, `eu-central-2`, `local`).
fn valid_region(region: &str) -> bool {
    !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Checks the time and the scope of a signature (in that order, as AWS does), before any secret
/// is looked up. `service` is the signing name of the service the request was routed to.
pub fn check_scope(signature: &Signature, service: &str, now: SystemTime) -> Result<(), Problem> {
    let scope = &signature.scope;
    let Some(at) = parse_timestamp(&signature.timestamp) else {
        return Err(Problem::Incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{}'. See \
             http://en.wikipedia.org/wiki/ISO_8601",
            signature.timestamp
        )));
    };
    check_time(signature, at, now)?;
    let mut wrong = String::new();
    if !valid_region(&scope.region) {
        let _ = write!(
            wrong,
            "Credential should be scoped to a valid region, not '{}'. ",
            scope.region
        );
    }
    if scope.service != service {
        let _ = write!(
            wrong,
            "Credential should be scoped to correct service: '{service}'. "
        );
    }
    if scope.terminator != "aws4_request" {
        let _ = write!(
            wrong,
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'. ",
            scope.terminator
        );
    }
    if !signature.timestamp.starts_with(&scope.date) || scope.date.len() != 8 {
        let _ = write!(
            wrong,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from \
             HTTP: '{}' != '{}', from '{}'.",
            scope.date,
            signature.timestamp.get(..8).unwrap_or(&signature.timestamp),
            signature.timestamp
        );
    }
    if !wrong.is_empty() {
        return Err(Problem::Invalid(wrong));
    }
    if !signature.signed_header_names().any(|name| name == "host") {
        return Err(Problem::Invalid(
            "'Host' must be a 'SignedHeader' in the AWS Authorization.".into(),
        ));
    }
    Ok(())
}

/// Whether the signing time is acceptable: within 15 minutes of now, or, for presigned S3
/// URLs, before their expiry.
fn check_time(signature: &Signature, at: SystemTime, now: SystemTime) -> Result<(), Problem> {
    if let (Form::Presigned, Some(expires), true) = (
        signature.form,
        signature.expires,
        is_s3(&signature.scope.service),
    ) {
        if now > at + Duration::from_secs(expires) {
            return Err(Problem::PresignExpired);
        }
        return Ok(());
    }
    if now > at + MAX_SKEW {
        return Err(Problem::Expired(format!(
            "Signature expired: {} is now earlier than {} ({} - 15 min.)",
            signature.timestamp,
            format_timestamp(now - MAX_SKEW),
            format_timestamp(now)
        )));
    }
    if at > now + MAX_SKEW {
        return Err(Problem::Expired(format!(
            "Signature not yet current: {} is still later than {} ({} + 15 min.)",
            signature.timestamp,
            format_timestamp(now + MAX_SKEW),
            format_timestamp(now)
        )));
    }
    Ok(())
}

/// Checks the signature of a request with the caller's secret. `payload_hash` is the hex SHA-256
/// of the body, or the value of `x-amz-content-sha256` when the request carries one.
pub fn verify(
    parts: &Parts<'_>,
    signature: &Signature,
    payload_hash: &str,
    secret: &str,
    keys: &KeyCache,
) -> Result<(), Problem> {
    let mac = keys.get(secret, &signature.scope);
    let mut provided = [0u8; 32];
    let provided: &[u8] = match hex::decode_to_slice(&signature.signature, &mut provided) {
        Ok(()) => &provided,
        Err(_) => &[],
    };
    let attempt = |dot_ends_with_slash| {
        let canonical = canonical_request(parts, signature, payload_hash, dot_ends_with_slash);
        let string_to_sign = string_to_sign(signature, &canonical);
        let mut mac = mac.clone();
        mac.update(string_to_sign.as_bytes());
        let expected: [u8; 32] = mac.finalize().into_bytes().into();
        (
            constant_time_eq(&expected, provided),
            canonical,
            string_to_sign,
        )
    };
    let (matched, canonical_request, string_to_sign) = attempt(true);
    let dotted = parts.path.ends_with("/.") || parts.path.ends_with("/..");
    if matched || (dotted && attempt(false).0) {
        return Ok(());
    }
    Err(Problem::Mismatch {
        canonical_request,
        string_to_sign,
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What to sign a request with.
#[derive(Clone, Copy, Debug)]
pub struct SigningParams<'a> {
    /// The access key id.
    pub access_key_id: &'a str,
    /// Its secret.
    pub secret: &'a str,
    /// The region to scope the signature to.
    pub region: &'a str,
    /// The service's signing name.
    pub service: &'a str,
    /// The signing time.
    pub at: SystemTime,
}

/// Signs a request in the header form: returns the `x-amz-date` value and the `Authorization`
/// header value. Every header in `parts.headers` is signed (it must include `host`), and the
/// payload hash is that of `body`.
pub fn sign(parts: &Parts<'_>, body: &[u8], params: &SigningParams<'_>) -> (String, String) {
    let timestamp = format_timestamp(params.at);
    let mut signed_headers: Vec<&str> = parts
        .headers
        .keys()
        .map(HeaderName::as_str)
        .chain(std::iter::once("x-amz-date"))
        .collect();
    signed_headers.sort_unstable();
    signed_headers.dedup();
    let mut headers = parts.headers.clone();
    headers.insert(
        "x-amz-date",
        http::HeaderValue::from_str(&timestamp).expect("timestamps are ASCII"),
    );
    let signature = Signature {
        form: Form::Header,
        access_key_id: params.access_key_id.to_string(),
        scope: Scope {
            date: timestamp[..8].to_string(),
            region: params.region.to_string(),
            service: params.service.to_string(),
            terminator: "aws4_request".into(),
        },
        signed_headers: signed_headers.join(";"),
        signature: String::new(),
        timestamp: timestamp.clone(),
        expires: None,
        security_token: None,
    };
    let parts = Parts {
        headers: &headers,
        ..*parts
    };
    let payload_hash = to_hex(&Sha256::digest(body));
    let canonical = canonical_request(&parts, &signature, &payload_hash, true);
    let key = signing_key(params.secret, &signature.scope);
    let signed = to_hex(&hmac(
        &key,
        string_to_sign(&signature, &canonical).as_bytes(),
    ));
    let authorization = format!(
        "{ALGORITHM} Credential={}/{}, SignedHeaders={}, Signature={signed}",
        params.access_key_id,
        signature.scope.text(),
        signature.signed_headers,
    );
    (timestamp, authorization)
}

/// Signs `request` in place in the header form: every header it carries (which must include
/// `host`) is signed, and `x-amz-date` and `authorization` are added.
pub fn sign_request<B>(request: &mut http::Request<B>, body: &[u8], params: &SigningParams<'_>) {
    let (date, authorization) = sign(
        &Parts {
            method: request.method().as_str(),
            path: request.uri().path(),
            query: request.uri().query(),
            headers: request.headers(),
            authority: None,
        },
        body,
        params,
    );
    let headers = request.headers_mut();
    headers.insert(
        "x-amz-date",
        http::HeaderValue::from_str(&date).expect("timestamps are ASCII"),
    );
    headers.insert(
        "authorization",
        http::HeaderValue::from_str(&authorization).expect("signatures are ASCII"),
    );
}

/// The hex SHA-256 of a payload.
pub fn payload_hash(body: &[u8]) -> String {
    if body.is_empty() {
        return EMPTY_SHA256.to_string();
    }
    to_hex(&Sha256::digest(body))
}

#[cfg(test)]
mod tests;
