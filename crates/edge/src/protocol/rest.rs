//! restJson1 / restXml request paths: matching a path against an operation's URI template.

/// The labels of a path (split on `/`) when it matches `template`
/// (`/2015-03-31/functions/{FunctionName}`): each `{Label}` takes one non-empty segment,
/// percent-decoded; every other part must be equal.
pub fn labels(template: &str, segments: &[&str]) -> Option<Vec<String>> {
    let parts: Vec<&str> = template.split('/').collect();
    if parts.len() != segments.len() {
        return None;
    }
    let mut labels = Vec::new();
    for (part, segment) in parts.iter().zip(segments) {
        if part.starts_with('{') {
            if segment.is_empty() {
                return None;
            }
            labels.push(
                percent_encoding::percent_decode_str(segment)
                    .decode_utf8_lossy()
                    .into_owned(),
            );
        } else if part != segment {
            return None;
        }
    }
    Some(labels)
}

#[cfg(test)]
mod tests {
    #[test]
    fn templates_take_one_decoded_segment_per_label() {
        let segments: Vec<&str> = "/v1/things/a%3Ab/x".split('/').collect();
        assert_eq!(
            super::labels("/v1/things/{Id}/x", &segments),
            Some(vec!["a:b".to_owned()])
        );
        assert_eq!(super::labels("/v1/things/{Id}/y", &segments), None);
        let empty: Vec<&str> = "/v1/things//x".split('/').collect();
        assert_eq!(super::labels("/v1/things/{Id}/x", &empty), None);
    }
}
