//! ProjectionExpression: validation and application.

use super::support::*;

fn invalid(message: &str) -> String {
    format!("Invalid ProjectionExpression: {message}")
}

fn projection_error(text: &str, names_: &[(&str, &str)]) -> String {
    match projection(text, names_) {
        Ok(p) => panic!("{text}: expected an error, got {p:?}"),
        Err(message) => message,
    }
}

const DOC: &str = r#"{
    "p":{"S":"k"},
    "a":{"M":{"b":{"L":[{"N":"2"},{"N":"4"},{"M":{"x":{"S":"hi"},"y":{"S":"yo"}}}]},"c":{"N":"5"}}},
    "b":{"S":"hello"}
}"#;

#[test]
fn top_level_attributes() {
    let doc = r#"{"p":{"S":"k"},"c":{"S":"s"},"a":{"S":"hello"},"b":{"S":"hi"}}"#;
    assert_eq!(project("a", doc), item(r#"{"a":{"S":"hello"}}"#));
    assert_eq!(
        project("c, a", doc),
        item(r#"{"c":{"S":"s"},"a":{"S":"hello"}}"#)
    );
    assert_eq!(
        project("p,c", doc),
        item(r#"{"p":{"S":"k"},"c":{"S":"s"}}"#)
    );
    assert_eq!(project("nonexistent", doc), item("{}"));
    assert_eq!(
        project(" a  ,   b  ", doc),
        item(r#"{"a":{"S":"hello"},"b":{"S":"hi"}}"#)
    );
    let p = projection("#name", &[("#name", "a")]).unwrap();
    assert_eq!(p.apply(&item(doc)), item(r#"{"a":{"S":"hello"}}"#));
}

#[test]
fn nested_paths_keep_the_structure() {
    assert_eq!(
        project("a", DOC),
        item(
            r#"{"a":{"M":{"b":{"L":[{"N":"2"},{"N":"4"},{"M":{"x":{"S":"hi"},"y":{"S":"yo"}}}]},"c":{"N":"5"}}}}"#
        )
    );
    assert_eq!(
        project("a.b", DOC),
        item(
            r#"{"a":{"M":{"b":{"L":[{"N":"2"},{"N":"4"},{"M":{"x":{"S":"hi"},"y":{"S":"yo"}}}]}}}}"#
        )
    );
    assert_eq!(
        project("a.b[0]", DOC),
        item(r#"{"a":{"M":{"b":{"L":[{"N":"2"}]}}}}"#)
    );
    assert_eq!(
        project("a.b[2]", DOC),
        item(r#"{"a":{"M":{"b":{"L":[{"M":{"x":{"S":"hi"},"y":{"S":"yo"}}}]}}}}"#)
    );
    assert_eq!(
        project("a.b[2].y", DOC),
        item(r#"{"a":{"M":{"b":{"L":[{"M":{"y":{"S":"yo"}}}]}}}}"#)
    );
    for nowhere in [
        "x",
        "a.b[3]",
        "a.x",
        "a.x.y",
        "a.b[3].x",
        "a.b.x",
        "a[0]",
        "a.b[0].x",
        "a.b[0][0]",
    ] {
        assert_eq!(project(nowhere, DOC), item("{}"), "{nowhere}");
    }
    assert_eq!(
        project("a.b[0],a.b[1]", DOC),
        item(r#"{"a":{"M":{"b":{"L":[{"N":"2"},{"N":"4"}]}}}}"#)
    );
    assert_eq!(
        project("a.b[1],a.b[0]", DOC),
        item(r#"{"a":{"M":{"b":{"L":[{"N":"2"},{"N":"4"}]}}}}"#)
    );
    assert_eq!(
        project("a.b[0],a.c", DOC),
        item(r#"{"a":{"M":{"b":{"L":[{"N":"2"}]},"c":{"N":"5"}}}}"#)
    );
    assert_eq!(
        project("a.c,b", DOC),
        item(r#"{"a":{"M":{"c":{"N":"5"}}},"b":{"S":"hello"}}"#)
    );
    assert_eq!(
        project("a.x, a.b[0], x, a.b[3].x", DOC),
        item(r#"{"a":{"M":{"b":{"L":[{"N":"2"}]}}}}"#)
    );
    let list = r#"{"a":{"L":[{"N":"7"},{"N":"42"}]}}"#;
    assert_eq!(project("a[0]", list), item(r#"{"a":{"L":[{"N":"7"}]}}"#));
    assert_eq!(project("a[1]", list), item(r#"{"a":{"L":[{"N":"42"}]}}"#));
    assert_eq!(project("a[2]", list), item("{}"));
    assert_eq!(project("a[999]", list), item("{}"));
}

#[test]
fn placeholders_name_one_element_each() {
    let doc = r#"{"a":{"M":{"b":{"N":"1"},"c":{"N":"2"}}},"b":{"S":"hi"},"a.b":{"S":"dot"}}"#;
    let expected = item(r#"{"a":{"M":{"b":{"N":"1"}}}}"#);
    for (text, names_) in [
        ("a.b", vec![]),
        ("#n1.b", vec![("#n1", "a")]),
        ("a.#n2", vec![("#n2", "b")]),
        ("#n1.#n2", vec![("#n1", "a"), ("#n2", "b")]),
    ] {
        assert_eq!(
            projection(text, &names_).unwrap().apply(&item(doc)),
            expected,
            "{text}"
        );
    }
    let p = projection("#name", &[("#name", "a.b")]).unwrap();
    assert_eq!(p.apply(&item(doc)), item(r#"{"a.b":{"S":"dot"}}"#));
    assert_eq!(
        projection_error("a.#n2", &[("#wrong", "b")]),
        invalid(
            "An expression attribute name used in the document path is not defined; attribute name: #n2"
        )
    );
    assert_eq!(
        projection_error("a.#n2", &[("#n2", "b"), ("#unused", "x")]),
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}"
    );
}

#[test]
fn overlapping_and_conflicting_paths() {
    let overlap = |one: &str, two: &str| {
        invalid(&format!(
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: {one}, path two: {two}"
        ))
    };
    // Paths are placed from the last to the first.
    assert_eq!(projection_error("a,a", &[]), overlap("[a]", "[a]"));
    assert_eq!(
        projection_error("a.b[0],a.b[0]", &[]),
        overlap("[a, b, [0]]", "[a, b, [0]]")
    );
    assert_eq!(
        projection_error("a,a.b[0]", &[]),
        overlap("[a]", "[a, b, [0]]")
    );
    for text in [
        "a, a",
        "a.b, a.b",
        "a[1], a[1]",
        "a, a.b",
        "a.b, a",
        "a.b, a.b[2]",
        "a.b, a.b.c",
        "a, a.b[2].c",
        "a.b.d, a.b",
        "a.b.d.e, a.b",
        "a.b, a.b.d",
        "a.b, a.b.d.e",
    ] {
        assert!(projection_error(text, &[]).contains(" overlap "), "{text}");
    }
    for text in [
        "a, b",
        "a.b, a.c",
        "a.b.d, a.b.e",
        "a[1], a[2]",
        "a.b, a.c[2]",
        "a.b, a.c[1]",
    ] {
        assert!(projection(text, &[]).is_ok(), "{text}");
    }
    assert_eq!(
        projection_error("a.b, a[1]", &[]),
        invalid(
            "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]"
        )
    );
    for text in ["a[1], a.b", "a.b[1], a.b.c", "a.b.c, a.b[1]"] {
        assert!(projection_error(text, &[]).contains(" conflict "), "{text}");
    }
}

#[test]
fn syntax_and_limits() {
    for text in [
        "a,", ",a", "a,,b", "a[-1]", "a[]", "a = b", ":a", "a.:b", "size(a)", "a b", "(a)",
    ] {
        let error = projection_error(text, &[]);
        assert!(
            error.starts_with(&invalid("Syntax error; ")),
            "{text}: {error}"
        );
    }
    assert_eq!(
        projection_error("a[-1]", &[]),
        invalid("Syntax error; token: \"-\", near: \"[-1\"")
    );
    assert_eq!(
        projection_error("test-data", &[]),
        invalid("Syntax error; token: \"-\", near: \"test-data\"")
    );
    assert_eq!(
        projection_error("", &[]),
        invalid("The expression can not be empty;")
    );
    assert_eq!(
        projection_error("a[99999999999999]", &[]),
        invalid("List index is not within the allowable range; index: [99999999999999]")
    );
    assert_eq!(
        projection_error("count", &[]),
        invalid("Attribute name is a reserved keyword; reserved keyword: count")
    );
    assert!(projection(&format!("a{}", ".b".repeat(31)), &[]).is_ok());
    assert_eq!(
        projection_error(&format!("a{}", ".b".repeat(32)), &[]),
        invalid("The document path has too many nesting levels; nesting levels: 33")
    );
    assert!(projection(&"x".repeat(4096), &[]).is_ok());
    assert_eq!(
        projection_error(&"x".repeat(4097), &[]),
        invalid("Expression size has exceeded the maximum allowed size;")
    );
}

#[test]
fn nested_attributes_are_reported() {
    let p = projection("a.b, c, d[1], a.c", &[]).unwrap();
    assert_eq!(p.nested_attributes(), vec!["a", "d"]);
    assert_eq!(p.paths().len(), 4);
    assert_eq!(p.paths()[0].to_string(), "[a, b]");
}
