//! ConditionExpression / FilterExpression: evaluation and validation.

use super::support::*;

const ALL_TYPES: [&str; 10] = [
    r#"{"N":"1"}"#,
    r#"{"S":"hello"}"#,
    r#"{"BOOL":true}"#,
    r#"{"B":"eHl6"}"#,
    r#"{"NULL":true}"#,
    r#"{"L":[{"S":"hello"},{"N":"42"}]}"#,
    r#"{"M":{"hello":{"S":"world"}}}"#,
    r#"{"SS":["hello","world"]}"#,
    r#"{"NS":["1","2","3"]}"#,
    r#"{"BS":["eHl6","aGk="]}"#,
];

fn with(a: &str, v: &str) -> (String, String) {
    (format!(r#"{{"a":{a}}}"#), format!(r#"{{":v":{v}}}"#))
}

#[test]
fn equality_holds_for_every_type_and_never_across_types() {
    for (i, a) in ALL_TYPES.iter().enumerate() {
        for (j, v) in ALL_TYPES.iter().enumerate() {
            let (item, values) = with(a, v);
            assert_eq!(holds("a = :v", &item, &values), i == j, "{a} = {v}");
            assert_eq!(holds("a <> :v", &item, &values), i != j, "{a} <> {v}");
        }
        // Comparing two attributes of the item.
        let item = format!(r#"{{"a":{a},"b":{a}}}"#);
        assert!(holds("a = b", &item, ""));
        assert!(holds("a IN (b)", &item, ""));
    }
}

#[test]
fn a_missing_attribute_equals_nothing_not_even_another_missing_one() {
    let values = r#"{":v":{"N":"2"}}"#;
    assert!(!holds("q = :v", r#"{"a":{"N":"1"}}"#, values));
    assert!(!holds("q = z", r#"{"a":{"N":"1"}}"#, ""));
    assert!(!holds("q = z", "", ""));
    assert!(holds("q <> z", "", ""));
    assert!(holds("z <> :v", r#"{"a":{"N":"1"}}"#, values));
    for op in ["<", "<=", ">", ">="] {
        assert!(!holds(&format!("q {op} z"), "", ""), "{op}");
        assert!(!holds(&format!("q {op} :v"), "", values), "{op}");
        assert!(!holds(&format!(":v {op} q"), "", values), "{op}");
    }
    assert!(!holds("q between z and x", "", ""));
}

#[test]
fn sets_are_equal_whatever_their_order_even_nested() {
    let item = r#"{"a":{"SS":["dog","chinchilla","cat","mouse"]}}"#;
    assert!(holds(
        "a = :v",
        item,
        r#"{":v":{"SS":["chinchilla","cat","dog","mouse"]}}"#
    ));
    assert!(!holds(
        "a <> :v",
        item,
        r#"{":v":{"SS":["mouse","cat","dog","chinchilla"]}}"#
    ));
    assert!(holds(
        "a <> :v",
        item,
        r#"{":v":{"SS":["chinchilla","cat","dog","horse"]}}"#
    ));
    let nested = r#"{"a":{"M":{"b":{"S":"c"},"d":{"L":[{"S":"e"},{"SS":["g","h","l","m"]}]}}}}"#;
    assert!(holds(
        "a = :v",
        nested,
        r#"{":v":{"M":{"d":{"L":[{"S":"e"},{"SS":["m","l","h","g"]}]},"b":{"S":"c"}}}}"#
    ));
    assert!(!holds(
        "a = :v",
        nested,
        r#"{":v":{"M":{"d":{"L":[{"S":"e"},{"SS":["m","l","h","bad"]}]},"b":{"S":"c"}}}}"#
    ));
}

#[test]
fn ordering_compares_numbers_strings_and_unsigned_bytes() {
    let item = r#"{"a":{"N":"1"},"b":{"S":"cat"},"c":{"B":"Y2F0"},"x":{"L":[{"N":"1"}]}}"#;
    let two = r#"{":v":{"N":"2"}}"#;
    let dog = r#"{":v":{"S":"dog"}}"#;
    let bdog = r#"{":v":{"B":"ZG9n"}}"#;
    assert!(holds("a < :v", item, two));
    assert!(holds("a <= :v", item, two));
    assert!(!holds("a > :v", item, two));
    assert!(!holds("a >= :v", item, two));
    assert!(holds(":v > a", item, two));
    assert!(holds("b < :v", item, dog));
    assert!(holds("c < :v", item, bdog));
    assert!(holds("b <= :v", item, r#"{":v":{"S":"cat"}}"#));
    assert!(!holds("b < :v", item, r#"{":v":{"S":"cat"}}"#));
    assert!(holds("b >= :v", item, r#"{":v":{"S":"aardvark"}}"#));
    // Different types, or a type that is not ordered in the item: false.
    assert!(!holds("a < :v", item, r#"{":v":{"S":"17"}}"#));
    assert!(!holds("a >= :v", item, r#"{":v":{"S":"0"}}"#));
    assert!(!holds("x < :v", item, r#"{":v":{"N":"1"}}"#));
    assert!(!holds(":v <= x", item, r#"{":v":{"N":"1"}}"#));
    // Bytes are unsigned: 0x7f < 0x80.
    let bytes = r#"{"b":{"B":"fw=="}}"#;
    assert!(holds("b < :v", bytes, r#"{":v":{"B":"gA=="}}"#));
    assert!(holds(
        "b between :lo and :hi",
        bytes,
        r#"{":lo":{"B":"fg=="},":hi":{"B":"gA=="}}"#
    ));
    // Strings compare bytewise (UTF-8), numbers numerically.
    assert!(holds(
        "a < :v",
        r#"{"a":{"N":"9"}}"#,
        r#"{":v":{"N":"10"}}"#
    ));
    assert!(holds("a > :v", r#"{"a":{"S":"é"}}"#, r#"{":v":{"S":"z"}}"#));
}

#[test]
fn a_constant_of_an_unordered_type_is_an_error() {
    for op in ["<", "<=", ">", ">="] {
        let expected = format!(
            "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: {op}, operand type: L"
        );
        let values = r#"{":v":{"L":[{"N":"1"},{"N":"2"}]}}"#;
        assert_eq!(
            condition_error(&format!("a {op} :v"), &[], values),
            expected
        );
        assert_eq!(
            condition_error(&format!(":v {op} a"), &[], values),
            expected
        );
    }
    assert_eq!(
        condition_error(
            "a BETWEEN :a AND :b",
            &[],
            r#"{":a":{"L":[{"N":"1"}]},":b":{"L":[{"N":"2"}]}}"#
        ),
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: L"
    );
    assert_eq!(
        condition_error("a < :v", &[], r#"{":v":{"BOOL":true}}"#),
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL"
    );
}

#[test]
fn between_is_inclusive_and_case_insensitive() {
    let item = r#"{"a":{"N":"1"},"b":{"S":"cat"},"x":{"N":"0"},"y":{"N":"2"},"two":{"N":"2"}}"#;
    let range = |lo: &str, hi: &str| format!(r#"{{":lo":{lo},":hi":{hi}}}"#);
    assert!(holds(
        "a BETWEEN :lo AND :hi",
        item,
        &range(r#"{"N":"0"}"#, r#"{"N":"2"}"#)
    ));
    assert!(holds(
        "a between :lo and :hi",
        item,
        &range(r#"{"N":"1"}"#, r#"{"N":"1"}"#)
    ));
    assert!(holds(
        "b BetWEeN :lo AnD :hi",
        item,
        &range(r#"{"S":"aardvark"}"#, r#"{"S":"dog"}"#)
    ));
    assert!(!holds(
        "a BETWEEN :lo AND :hi",
        item,
        &range(r#"{"N":"2"}"#, r#"{"N":"7"}"#)
    ));
    assert!(!holds(
        "a BETWEEN :lo AND :hi",
        item,
        &range(r#"{"S":"0"}"#, r#"{"S":"2"}"#)
    ));
    assert!(holds("a BETWEEN x AND y", item, ""));
    // Bounds from the item in the wrong order or of the wrong type: just false.
    assert!(!holds("a BETWEEN two AND :v", item, r#"{":v":{"N":"1"}}"#));
    assert!(!holds("a BETWEEN :v AND two", item, r#"{":v":{"N":"3"}}"#));
    assert!(!holds(
        "a BETWEEN two AND :v",
        item,
        r#"{":v":{"S":"dog"}}"#
    ));
    // BETWEEN binds tighter than AND.
    assert!(holds("a BETWEEN x AND y AND x < a", item, ""));
}

#[test]
fn between_constant_bounds_must_have_one_type_and_be_in_order() {
    assert_eq!(
        condition_error(
            "a between :b and :a",
            &[],
            r#"{":a":{"S":"a"},":b":{"N":"1"}}"#
        ),
        "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"
    );
    assert_eq!(
        condition_error(
            "a between :b and :a",
            &[],
            r#"{":a":{"S":"a"},":b":{"S":"b"}}"#
        ),
        "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"
    );
    assert!(
        condition_error(
            "a BETWEEN :lo AND :hi",
            &[],
            r#"{":lo":{"N":"2"},":hi":{"N":"1"}}"#
        )
        .contains(" BETWEEN ")
    );
}

#[test]
fn in_matches_any_listed_value_of_any_type() {
    let item = r#"{"a":{"N":"74"},"b":{"N":"74"}}"#;
    let list: Vec<String> = (0..100).map(|i| format!(":val{i}")).collect();
    let values = format!(
        "{{{}}}",
        (0..100)
            .map(|i| format!(r#"":val{i}":{{"N":"{i}"}}"#))
            .collect::<Vec<_>>()
            .join(",")
    );
    let text = format!("a IN ({})", list.join(","));
    assert!(holds(&text, item, &values));
    assert!(!holds(&text, r#"{"a":{"N":"174"}}"#, &values));
    assert!(!holds(&text.replacen('a', "q", 1), item, &values));
    assert!(holds(
        "a IN (:x, :y)",
        item,
        r#"{":x":{"S":"dog"},":y":{"N":"74"}}"#
    ));
    assert!(holds("a in (b, :x)", item, r#"{":x":{"N":"3"}}"#));
}

#[test]
fn in_takes_at_most_100_values_and_at_least_one() {
    let list: Vec<String> = (0..101).map(|i| format!(":val{i}")).collect();
    let values = format!(
        "{{{}}}",
        (0..101)
            .map(|i| format!(r#"":val{i}":{{"N":"{i}"}}"#))
            .collect::<Vec<_>>()
            .join(",")
    );
    assert_eq!(
        condition_error(&format!("a IN ({})", list.join(",")), &[], &values),
        "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101"
    );
    assert_eq!(
        condition_error("a IN ()", &[], ""),
        "Invalid ConditionExpression: Syntax error; token: \")\", near: \"()\""
    );
    assert!(condition_error("a in b", &[], "").contains("Syntax error"));
    assert!(condition_error("a in (b,c,)", &[], "").contains("Syntax error"));
}

#[test]
fn attribute_exists_and_not_exists() {
    let item = r#"{"a":{"N":"1"},"b":{"M":{"x":{"N":"1"}}}}"#;
    assert!(holds("attribute_exists (a)", item, ""));
    assert!(!holds("attribute_exists (z)", item, ""));
    assert!(holds("attribute_not_exists (z)", item, ""));
    assert!(!holds("attribute_not_exists (a)", item, ""));
    assert!(holds("attribute_exists (b.x)", item, ""));
    assert!(!holds("attribute_exists (b.y)", item, ""));
    assert!(!holds("attribute_exists (b[0])", item, ""));
    // An absent item has no attributes.
    assert!(holds("attribute_not_exists(p)", "", ""));
    assert_eq!(
        condition_error("attribute_exists (:val)", &[], r#"{":val":{"N":"3"}}"#),
        "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists"
    );
    assert_eq!(
        condition_error("attribute_not_exists(size(:a))", &[], r#"{":a":{"S":"1"}}"#),
        "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_not_exists"
    );
}

#[test]
fn a_bare_operand_is_not_a_condition() {
    for text in [
        "a",
        ":val",
        "NOT a",
        "a AND :val",
        "a OR NOT :val",
        "a = :val OR NOT :val",
    ] {
        let error = condition_error(text, &[], r#"{":val":{"BOOL":true}}"#);
        assert!(error.contains("Syntax error"), "{text}: {error}");
    }
    assert_eq!(
        condition_error("a", &[], ""),
        "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"a\""
    );
}

#[test]
fn attribute_type_knows_every_type_name() {
    let names = ["N", "S", "BOOL", "B", "NULL", "L", "M", "SS", "NS", "BS"];
    for (i, a) in ALL_TYPES.iter().enumerate() {
        for (j, name) in names.iter().enumerate() {
            let item = format!(r#"{{"a":{a}}}"#);
            let values = format!(r#"{{":t":{{"S":"{name}"}}}}"#);
            assert_eq!(holds("attribute_type (a, :t)", &item, &values), i == j);
        }
    }
    assert!(!holds("attribute_type(q, :t)", "{}", r#"{":t":{"S":"N"}}"#));
    // The first operand may be a value.
    assert!(holds(
        "attribute_type (:val, :type)",
        "{}",
        r#"{":val":{"N":"0"},":type":{"S":"N"}}"#
    ));
}

#[test]
fn attribute_type_needs_a_known_type_name_as_a_value() {
    assert_eq!(
        condition_error("attribute_type (a, :type)", &[], r#"{":type":{"S":"DOG"}}"#),
        "Invalid ConditionExpression: Invalid attribute type name found; type: DOG, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"
    );
    assert_eq!(
        condition_error("attribute_type (a, b)", &[], ""),
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}"
    );
    assert_eq!(
        condition_error("attribute_type(a, :a)", &[], r#"{":a":{"N":"1"}}"#),
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"
    );
    assert_eq!(
        condition_error("attribute_type(a, size(a)) and a=a and a=:a", &[], ""),
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"
    );
}

#[test]
fn begins_with_strings_and_binaries() {
    let item = r#"{"a":{"S":"hello"},"b":{"B":"aGkgdGhlcmU="},"c":{"N":"5"}}"#;
    assert!(holds(
        "begins_with(a, :arg)",
        item,
        r#"{":arg":{"S":"hell"}}"#
    ));
    assert!(holds(
        "begins_with(b, :arg)",
        item,
        r#"{":arg":{"B":"aGk="}}"#
    ));
    assert!(!holds(
        "begins_with(a, :arg)",
        item,
        r#"{":arg":{"S":"dog"}}"#
    ));
    assert!(!holds(
        "begins_with(b, :arg)",
        item,
        r#"{":arg":{"S":"hi"}}"#
    ));
    // A number in the item is just not a match.
    assert!(!holds(
        "begins_with(c, :arg)",
        item,
        r#"{":arg":{"S":"5"}}"#
    ));
    assert!(!holds("begins_with(c, a)", item, ""));
    // Either operand may be a value or a path.
    assert!(holds(
        "begins_with(:str, a)",
        item,
        r#"{":str":{"S":"hellohi"}}"#
    ));
    assert!(holds(
        "begins_with(a, d)",
        r#"{"a":{"S":"hello"},"d":{"S":"he"}}"#,
        ""
    ));
}

#[test]
fn begins_with_a_non_string_constant_is_an_error() {
    for (v, t) in [
        (r#"{"N":"2"}"#, "N"),
        (r#"{"BOOL":true}"#, "BOOL"),
        (r#"{"NULL":true}"#, "NULL"),
        (r#"{"L":[]}"#, "L"),
        (r#"{"M":{}}"#, "M"),
        (r#"{"SS":["1"]}"#, "SS"),
        (r#"{"NS":["1"]}"#, "NS"),
        (r#"{"BS":["YQ=="]}"#, "BS"),
    ] {
        let expected = format!(
            "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: {t}"
        );
        let values = format!(r#"{{":a":{v}}}"#);
        assert_eq!(
            condition_error("begins_with(a, :a)", &[], &values),
            expected
        );
        assert_eq!(
            condition_error("begins_with(:a, a)", &[], &values),
            expected
        );
    }
    assert_eq!(
        condition_error(
            "begins_with(a, size(a)) and a=:a",
            &[],
            r#"{":a":{"N":"1"}}"#
        ),
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"
    );
}

#[test]
fn contains_substrings_members_and_list_elements() {
    let item = r#"{
        "a":{"S":"hello"},
        "b":{"NS":["2","4","7"]},
        "c":{"L":[{"N":"2"},{"N":"4"},{"N":"7"}]},
        "d":{"B":"aGkgdGhlcmU="},
        "e":{"L":[{"S":"hi"},{"NS":["1","2"]},{"L":[{"N":"3"},{"N":"4"}]}]},
        "m":{"M":{"k":{"N":"1"}}},
        "t":{"BOOL":true},
        "s":{"SS":["x","y"]}
    }"#;
    assert!(holds("contains(a, :v)", item, r#"{":v":{"S":"ell"}}"#));
    assert!(!holds("contains(a, :v)", item, r#"{":v":{"S":"dog"}}"#));
    assert!(holds("contains(b, :v)", item, r#"{":v":{"N":"4"}}"#));
    assert!(!holds("contains(b, :v)", item, r#"{":v":{"N":"1"}}"#));
    assert!(holds("contains(c, :v)", item, r#"{":v":{"N":"4"}}"#));
    assert!(holds("contains(d, :v)", item, r#"{":v":{"B":"aGVyZQ=="}}"#));
    assert!(!holds("contains(d, :v)", item, r#"{":v":{"B":"ZG9n"}}"#));
    assert!(!holds(
        "contains(d, :v)",
        item,
        r#"{":v":{"NS":["1","2"]}}"#
    ));
    assert!(holds("contains(e, :v)", item, r#"{":v":{"NS":["2","1"]}}"#));
    assert!(holds(
        "contains(e, :v)",
        item,
        r#"{":v":{"L":[{"N":"3"},{"N":"4"}]}}"#
    ));
    assert!(holds("contains(s, :v)", item, r#"{":v":{"S":"x"}}"#));
    // A set is not a member of itself; maps contain nothing; a bool is no list.
    assert!(!holds(
        "contains(b, :v)",
        item,
        r#"{":v":{"NS":["2","4","7"]}}"#
    ));
    assert!(!holds("contains(m, :v)", item, r#"{":v":{"S":"k"}}"#));
    assert!(!holds("contains(t, :v)", item, r#"{":v":{"BOOL":true}}"#));
    assert!(!holds("contains(q, :v)", item, r#"{":v":{"S":"x"}}"#));
    // A value may be searched too.
    assert!(holds(
        "contains(:v, a)",
        r#"{"a":{"S":"ll"}}"#,
        r#"{":v":{"S":"hello"}}"#
    ));
}

#[test]
fn size_of_strings_binaries_sets_lists_and_maps() {
    let item = r#"{
        "a":{"S":"hello"},
        "b":{"NS":["2","4","7"]},
        "c":{"L":[{"N":"2"},{"S":"dog"},{"N":"7"}]},
        "d":{"B":"aGkgdGhlcmU="},
        "e":{"M":{"x":{"N":"2"},"y":{"M":{"m":{"N":"3"},"n":{"N":"4"}}}}},
        "f":{"N":"5"},
        "g":{"BOOL":true},
        "h":{"NULL":true},
        "u":{"S":"héllo😀"}
    }"#;
    let n = |v: &str| format!(r#"{{":arg":{{"N":"{v}"}}}}"#);
    assert!(holds("size(a)=:arg", item, &n("5")));
    assert!(holds("size(b)=:arg", item, &n("3")));
    assert!(holds("size(c)=:arg", item, &n("3")));
    assert!(holds("size(d)=:arg", item, &n("8")));
    assert!(holds("size(e)=:arg", item, &n("2")));
    // Strings are measured in UTF-16 code units.
    assert!(holds("size(u)=:arg", item, &n("7")));
    for name in ["f", "g", "h", "q"] {
        // No size: equal to nothing, so "<>" holds.
        assert!(!holds(&format!("size({name})=:arg"), item, &n("1")));
        assert!(holds(&format!("size({name})<>:arg"), item, &n("1")));
        assert!(!holds(&format!("size({name})<:arg"), item, &n("3")));
        assert!(!holds(&format!("size({name})>=:arg"), item, &n("3")));
    }
    assert!(!holds("size(a)=:arg", item, r#"{":arg":{"S":"dog"}}"#));
    assert!(holds("size(a)=f", item, ""));
    assert!(holds("size(a)<>:arg", item, &n("4")));
    assert!(holds("size(a)<:arg", item, &n("7")));
    assert!(holds("size(a)<=:arg", item, &n("7")));
    assert!(holds("size(a)>:arg", item, &n("2")));
    assert!(holds("size(a)>=:arg", item, &n("2")));
    assert!(holds(
        "size(a) BETWEEN :a1 AND :a2",
        item,
        r#"{":a1":{"N":"5"},":a2":{"N":"6"}}"#
    ));
    assert!(holds(
        "size(a) IN (:a1, :a2)",
        item,
        r#"{":a1":{"N":"1"},":a2":{"N":"5"}}"#
    ));
    // size() of a value.
    assert!(holds(
        "size(:xyz)>=:arg",
        "{}",
        r#"{":arg":{"N":"2"},":xyz":{"S":"abc"}}"#
    ));
}

#[test]
fn size_misuse_is_an_error() {
    assert_eq!(
        condition_error("size(a, a)=:arg", &[], r#"{":arg":{"N":"5"}}"#),
        "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"
    );
    assert_eq!(
        condition_error(
            "size(:xyz)>=:arg",
            &[],
            r#"{":arg":{"N":"2"},":xyz":{"N":"123"}}"#
        ),
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N"
    );
    assert_eq!(
        condition_error("size(size(a))>=:arg", &[], r#"{":arg":{"N":"2"}}"#),
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N"
    );
    for (v, t) in [(r#"{"BOOL":true}"#, "BOOL"), (r#"{"NULL":true}"#, "NULL")] {
        assert_eq!(
            condition_error("size(:a) > a", &[], &format!(r#"{{":a":{v}}}"#)),
            format!(
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: {t}"
            )
        );
    }
}

#[test]
fn functions_used_in_the_wrong_place() {
    let misused = |f: &str| {
        format!(
            "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: {f}"
        )
    };
    assert_eq!(condition_error("size(a)", &[], ""), misused("size"));
    assert_eq!(condition_error("size(things)", &[], ""), misused("size"));
    assert_eq!(
        condition_error("attribute_exists(a) < :val", &[], r#"{":val":{"N":"1"}}"#),
        misused("attribute_exists")
    );
    for (text, function) in [
        (
            "a=a and attribute_exists((views), (#a)) > b",
            "attribute_exists",
        ),
        ("attribute_not_exists(things) > b", "attribute_not_exists"),
        ("attribute_type(things, :a) > b", "attribute_type"),
        ("begins_with(things, a) > b", "begins_with"),
        ("contains(:things, c) > b", "contains"),
        ("size(contains(a, b)) > a", "contains"),
        (
            "a between b and attribute_exists(things)",
            "attribute_exists",
        ),
        ("a in (b, attribute_exists(things))", "attribute_exists"),
    ] {
        assert_eq!(condition_error(text, &[], ""), misused(function), "{text}");
    }
}

#[test]
fn unknown_functions_and_update_functions() {
    assert_eq!(
        condition_error("dog(a)=:arg", &[], r#"{":arg":{"N":"5"}}"#),
        "Invalid ConditionExpression: Invalid function name; function: dog"
    );
    assert_eq!(
        condition_error("attRIbute_exIsts((views), #a)", &[], ""),
        "Invalid ConditionExpression: Invalid function name; function: attRIbute_exIsts"
    );
    assert_eq!(
        condition_error("a=a and whatever((:things)) > a", &[], ""),
        "Invalid ConditionExpression: Invalid function name; function: whatever"
    );
    for f in ["if_not_exists", "list_append"] {
        assert_eq!(
            condition_error(&format!("{f}(a, a)=:arg"), &[], r#"{":arg":{"N":"5"}}"#),
            format!(
                "Invalid ConditionExpression: The function is not allowed in a condition expression; function: {f}"
            )
        );
    }
}

#[test]
fn function_operand_counts() {
    for (text, function, count) in [
        ("attribute_exists(things, a) and a=a", "attribute_exists", 2),
        ("attribute_not_exists(things, b)", "attribute_not_exists", 2),
        ("attribute_type(things)", "attribute_type", 1),
        ("begins_with(things)", "begins_with", 1),
        ("begins_with(things, size(a), b)", "begins_with", 3),
        ("contains(things)", "contains", 1),
        ("size(things, a) > b", "size", 2),
    ] {
        assert_eq!(
            condition_error(text, &[], ""),
            format!(
                "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: {function}, number of operands: {count}"
            ),
            "{text}"
        );
    }
}

#[test]
fn nested_attributes_and_name_references() {
    let doc = r#"{"b":{"M":{"x":{"N":"1"},"y":{"L":[{"N":"-1"},{"N":"2"},{"N":"0"}]}}}}"#;
    assert!(holds("attribute_exists (b.x)", doc, ""));
    assert!(holds("b.x < b.y[1]", doc, ""));
    assert!(!holds("b.x < b.y[0]", doc, ""));
    assert!(!holds("b.z < b.y[100]", doc, ""));
    let and_or = item_with_reserved();
    let c = condition(
        "#name1.#name2 = :two",
        &[("#name1", "and"), ("#name2", "or")],
        r#"{":two":{"N":"2"}}"#,
    )
    .unwrap();
    assert!(c.evaluate(Some(&and_or)));
    let c = condition("attribute_exists (#name)", &[("#name", "and")], "").unwrap();
    assert!(c.evaluate(Some(&and_or)));
    // A name holding a dot is one attribute, not a path.
    let dotted = item(r#"{"a.b":{"N":"1"},"a":{"M":{"b":{"N":"2"}}}}"#);
    let c = condition("#n = :v", &[("#n", "a.b")], r#"{":v":{"N":"1"}}"#).unwrap();
    assert!(c.evaluate(Some(&dotted)));
    let c = condition("a.b = :v", &[], r#"{":v":{"N":"2"}}"#).unwrap();
    assert!(c.evaluate(Some(&dotted)));
}

fn item_with_reserved() -> crate::item::Item {
    item(r#"{"and":{"M":{"or":{"N":"2"}}}}"#)
}

#[test]
fn boolean_operators_and_their_precedence() {
    let item = r#"{"a":{"N":"1"},"b":{"N":"2"},"c":{"N":"3"}}"#;
    assert!(holds("a < b AND b < c", item, ""));
    assert!(holds("a < b aNd b < c", item, ""));
    assert!(!holds("a < b AND c < b", item, ""));
    assert!(holds("a < b OR b < c", item, ""));
    assert!(holds("b < a oR b < c", item, ""));
    assert!(!holds("b < a OR c < b", item, ""));
    assert!(holds("NOT b < a", item, ""));
    assert!(holds("nOt b < a", item, ""));
    assert!(!holds("NOT a < b", item, ""));
    assert!(holds("NOT NOT NOT NOT a < b", item, ""));
    assert!(!holds("NOT NOT NOT a < b", item, ""));
    assert!(holds(
        "(a < b OR b < a) AND (b < c AND (a < b OR b < c))",
        item,
        ""
    ));
    // AND before OR, NOT before AND.
    assert!(holds("a < b OR c < b AND b < c", item, ""));
    assert!(!holds("NOT a < b AND c < b", item, ""));
    assert!(holds("NOT (a < b AND c < b)", item, ""));
    assert!(holds(
        "(((a=:v1) AND b=:v2) OR a=:v3 oR a=:v4) or NoT a<:v5",
        item,
        r#"{":v1":{"N":"9"},":v2":{"N":"2"},":v3":{"N":"9"},":v4":{"N":"9"},":v5":{"N":"0"}}"#
    ));
    assert!(holds("   a   =  :v   ", item, r#"{":v":{"N":"1"}}"#));
    assert!(holds("\ta\r\n=\n:v", item, r#"{":v":{"N":"1"}}"#));
}

#[test]
fn placeholders_must_be_defined_and_used() {
    assert_eq!(
        condition_error("i=:i", &[], r#"{":p":{"N":"1"}}"#),
        "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :i"
    );
    assert_eq!(
        condition_error("#name=:i", &[], r#"{":i":{"N":"1"}}"#),
        "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #name"
    );
    assert_eq!(
        condition_error(
            "i=:i",
            &[],
            r#"{":i":{"N":"1"},":qq":{"N":"1"},":a":{"N":"1"}}"#
        ),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :qq}"
    );
    assert_eq!(
        condition_error(
            "#name=:i",
            &[("#name", "i"), ("#another", "j")],
            r#"{":i":{"N":"1"}}"#
        ),
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#another}"
    );
    // Names are checked before values.
    assert!(
        condition_error("a=:i", &[("#n", "x")], r#"{":i":{"N":"1"},":j":{"N":"1"}}"#)
            .contains("ExpressionAttributeNames")
    );
    // Whatever short-circuit evaluation may skip still counts as used.
    let c = condition(
        "#name1 = :val1 OR #name2 = :val2",
        &[("#name1", "a"), ("#name2", "b")],
        r#"{":val1":{"N":"1"},":val2":{"N":"2"}}"#,
    )
    .unwrap();
    assert!(c.evaluate(Some(&item(r#"{"a":{"N":"1"}}"#))));
}

#[test]
fn placeholders_are_resolved_in_text_order() {
    for (text, missing) in [
        (
            "attribute_exists(#Pictures.RearView, :a) and a=a",
            "name: #Pictures",
        ),
        ("begins_with(Pictures.#RearView)", "name: #RearView"),
        (
            "(#P between :lo and :hi) and (#PC in (:cat1, :cat2))",
            "name: #P",
        ),
        ("#4g > a", "name: #4g"),
        ("#_ > a", "name: #_"),
        ("(a)between(b.c[45].#d)and(:a)", "name: #d"),
        ("begins_with(:hello, #a, #b)", "value: :hello"),
        (":a < :b", "value: :a"),
        (":_ > a", "value: :_"),
    ] {
        let error = condition_error(text, &[], "");
        assert!(error.ends_with(missing), "{text}: {error}");
    }
}

#[test]
fn the_first_operand_must_not_be_repeated() {
    let repeated = |op: &str, path: &str| {
        format!(
            "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: {op}, first operand: {path}"
        )
    };
    let names = [("#a", "a")];
    for (text, op, path) in [
        ("a = a AND #a = b AND :views > a", "=", "[a]"),
        ("#a <> a", "<>", "[a]"),
        ("a > #a", ">", "[a]"),
        ("((a=a) OR (a=a))", "=", "[a]"),
        (
            "contains(ab.bc[1].a, ab.bc[1].#a)",
            "contains",
            "[ab, bc, [1], a]",
        ),
        (
            "attribute_type(ab.bc[1].#a, ab.bc[1].a)",
            "attribute_type",
            "[ab, bc, [1], a]",
        ),
        (
            "begins_with(ab.bc[1].a, ab.bc[1].#a)",
            "begins_with",
            "[ab, bc, [1], a]",
        ),
        ("a BETWEEN b AND a", "BETWEEN", "[a]"),
        ("a IN (b, a)", "IN", "[a]"),
    ] {
        assert_eq!(
            condition_error(text, &names, ""),
            repeated(op, path),
            "{text}"
        );
    }
    // The same value twice is fine; so are different paths.
    assert!(condition(":a > :a", &[], r#"{":a":{"N":"1"}}"#).is_ok());
    assert!(condition("contains(a, a1)", &[], "").is_ok());
}

#[test]
fn redundant_parentheses() {
    let redundant = "Invalid ConditionExpression: The expression has redundant parentheses;";
    for text in [
        "((p <> :p))",
        "a=a and a > ((views))",
        "(a)between(((b.c)).d)and(c)",
        "a > whatever((:things), ((a)))",
        "a=a AND ((a=a AND a=a)) AND a=a",
        "a=a OR ((a=a OR a=a)) OR a=a",
        "a=a AND ((a=a AND (a=a AND a=a)))",
        "a=a OR ((a=a OR (a=a OR a=a)))",
        "((c=:p) AND ((p=:p)))",
        "NOT ((a = :p))",
        "size(((a))) > :p",
    ] {
        assert_eq!(
            condition_error(text, &[], r#"{":p":{"N":"1"}}"#),
            redundant,
            "{text}"
        );
    }
    // One pair is fine anywhere.
    for text in [
        "(p <> :p)",
        "((p <> :p) and p <> :p)",
        "((c=:p) AND (p=:p))",
        "(p) <> (:p)",
        "(a.b) = :p",
        "size((a)) > :p",
        "(attribute_exists(a))",
        "(size(a)) > :p",
        "NOT (p <> :p)",
    ] {
        let values = if text.contains(":p") {
            r#"{":p":{"N":"1"}}"#
        } else {
            ""
        };
        assert!(condition(text, &[], values).is_ok(), "{text}");
    }
}

#[test]
fn syntax_errors_quote_the_token_and_its_neighbours() {
    let error = |text: &str| condition_error(text, &[], r#"{":i":{"N":"1"}}"#);
    assert_eq!(
        error("i != :i"),
        "Invalid ConditionExpression: Syntax error; token: \"!\", near: \"i !=\""
    );
    assert_eq!(
        error("a > 4"),
        "Invalid ConditionExpression: Syntax error; token: \"4\", near: \"> 4\""
    );
    assert_eq!(
        error("a = :i AND"),
        "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND\""
    );
    assert_eq!(
        error("a = :i AND  "),
        "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND  \""
    );
    assert_eq!(
        error("  ! a = :i"),
        "Invalid ConditionExpression: Syntax error; token: \"!\", near: \"  ! a\""
    );
    assert_eq!(
        error("attribute_exists(Pictures-RearView)"),
        "Invalid ConditionExpression: Syntax error; token: \"-\", near: \"Pictures-RearView\""
    );
    for text in [
        "things are not gonna be ok",
        "attribute_exists(\"Pictures.RearView\")",
        "attribute_exists(Pictures..RearView)",
        "attribute_exists(Pi#ctures.RearView)",
        "attribute_exists(asdf[a])",
        "a in b, c",
        "a > between",
        "(a)between(b.(c.d))and(c)",
        "(a)between(b.c.d)and((c)",
        "#$.b > a",
        "a > :things.stuff",
        "b[:a] > a",
        "b[#_] > a",
        "ü > a",
        "(a)between(b.c[4.5].#d)and(:a)",
        "size(a).b > a",
        "(size(a)).b > a",
        "size(a)[0] > a",
        "(size(a))[0] > a",
        "a[-1] = :i",
        "a[] = :i",
        "a[01] = :i",
        "f() = :i",
        "a = :i AND AND b = :i",
        "a < b < c",
        "_a = :i",
        "a = :",
        "# = :i",
        "in = :i",
        "   ",
    ] {
        let message = error(text);
        assert!(
            message.starts_with("Invalid ConditionExpression: Syntax error; token: "),
            "{text}: {message}"
        );
    }
}

#[test]
fn reserved_words_need_placeholders() {
    assert_eq!(
        condition_error("count = :v", &[], r#"{":v":{"N":"1"}}"#),
        "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: count"
    );
    assert_eq!(
        condition_error("attribute_exists(views, #a)", &[("#a", "a")], ""),
        "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: views"
    );
    assert_eq!(
        condition_error(":a < abOrT", &[], r#"{":a":{"N":"1"}}"#),
        "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: abOrT"
    );
    assert_eq!(
        condition_error("a.size = :v", &[], r#"{":v":{"N":"1"}}"#),
        "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: size"
    );
    // Function names are not attribute names; placeholders may name anything.
    assert!(condition("size(a) > :v", &[], r#"{":v":{"N":"1"}}"#).is_ok());
    assert!(condition("#c = :v", &[("#c", "count")], r#"{":v":{"N":"1"}}"#).is_ok());
}

#[test]
fn names_are_alphanumeric_tokens() {
    for ok in ["alnum", "Alpha_Numeric_123", "A123_"] {
        assert!(condition(&format!("{ok} = :v"), &[], r#"{":v":{"N":"1"}}"#).is_ok());
    }
    for placeholder in ["#Alpha_Numeric_123", "#123a", "#123", "#_"] {
        assert!(
            condition(
                &format!("{placeholder} = :v"),
                &[(placeholder, "3can include any character!.#=")],
                r#"{":v":{"N":"1"}}"#
            )
            .is_ok()
        );
    }
    for placeholder in [":Alpha_Numeric_123", ":123a", ":123", ":_"] {
        assert!(
            condition(
                &format!("a = {placeholder}"),
                &[],
                &format!(r#"{{"{placeholder}":{{"N":"1"}}}}"#)
            )
            .is_ok()
        );
    }
}

#[test]
fn empty_and_oversized_expressions() {
    assert_eq!(
        condition_error("", &[], ""),
        "Invalid ConditionExpression: The expression can not be empty;"
    );
    let spaces = " ".repeat(4085);
    let old = r#"{":oldval":{"N":"1"}}"#;
    assert!(condition(&format!("a{spaces} = :oldval"), &[], old).is_ok());
    assert_eq!(
        condition_error(&format!("a {spaces} = :oldval"), &[], old),
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097"
    );
    let deep = format!("a<b {}{}", "and (a<b ".repeat(20000), ")".repeat(20000));
    assert!(condition_error(&deep, &[], "").contains("expression size: 200004"));
    assert!(condition_error(&"(".repeat(15000), &[], "").contains("expression size"));
}

#[test]
fn at_most_300_operators() {
    let ok = format!("a<b {}{}", "or (a<b ".repeat(149), ")".repeat(149));
    assert!(condition(&ok, &[], "").is_ok());
    let too_many = format!("a<b {}{}", "or (a<b ".repeat(150), ")".repeat(150));
    assert_eq!(
        condition_error(&too_many, &[], ""),
        "Invalid ConditionExpression: The expression contains too many operators; operator count: 301"
    );
    let flat = format!("a<b {}", "or a<b ".repeat(584));
    assert!(flat.len() < 4096);
    assert!(condition_error(&flat, &[], "").contains("operator count: 301"));
    let nots = format!("{}a<b", "not ".repeat(1000));
    assert!(condition_error(&nots, &[], "").contains("operator count: 301"));
    // Functions count as operators too.
    let functions = (0..151)
        .map(|_| "attribute_exists(a)")
        .collect::<Vec<_>>()
        .join(" and ");
    assert!(condition_error(&functions, &[], "").contains("operator count: 301"));
}

#[test]
fn paths_have_at_most_32_elements() {
    let ok = format!("a{} = :v", ".b".repeat(31));
    assert!(condition(&ok, &[], r#"{":v":{"N":"1"}}"#).is_ok());
    let deep = format!("a{} = :v", ".b".repeat(32));
    assert_eq!(
        condition_error(&deep, &[], r#"{":v":{"N":"1"}}"#),
        "Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 33"
    );
    assert_eq!(
        condition_error("a[99999999999999] = :v", &[], r#"{":v":{"N":"1"}}"#),
        "Invalid ConditionExpression: List index is not within the allowable range; index: [99999999999999]"
    );
}

#[test]
fn deeply_nested_expressions_are_rejected_without_overflowing_the_stack() {
    let run = || {
        let parens = format!("{}a<b{}", "(".repeat(2046), ")".repeat(2046));
        assert!(condition_error(&parens, &[], "").contains("redundant parentheses"));
        let open = "(".repeat(4096);
        assert!(condition_error(&open, &[], "").contains("Syntax error; token: \"<EOF>\""));
        let calls = format!("a < {}b{}", "f(".repeat(1355), ")".repeat(1355));
        assert_eq!(
            condition_error(&calls, &[], ""),
            "Invalid ConditionExpression: Invalid function name; function: f"
        );
        let sizes = format!("a < {}b{}", "size(".repeat(680), ")".repeat(680));
        assert!(condition_error(&sizes, &[], "").contains("Invalid ConditionExpression"));
        let ors = format!("a<b {}{}", "or (a<b ".repeat(454), ")".repeat(454));
        assert!(condition_error(&ors, &[], "").contains("operator count: 301"));
    };
    // Well under the 2 MiB of a Tokio worker thread.
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn filter_expressions_name_themselves_and_report_key_attributes() {
    use crate::expr::{Context, ExprKind, parse_condition};
    let ctx = Context::new(None, None);
    let error = parse_condition("i != :i", ExprKind::Filter, &ctx).unwrap_err();
    assert!(message(error).starts_with("Invalid FilterExpression: Syntax error"));
    let values = values(r#"{":b":{"N":"1"}}"#);
    let ctx = Context::new(None, values.as_ref());
    let filter =
        parse_condition("attribute_exists(b.c) AND c = :b", ExprKind::Filter, &ctx).unwrap();
    assert_eq!(
        message(filter.check_filter_keys(&["a", "b"]).unwrap_err()),
        "Filter Expression can only contain non-primary key attributes: Primary key attribute: b"
    );
    assert!(filter.check_filter_keys(&["p"]).is_ok());
    assert_eq!(filter.top_level_attributes(), vec!["b", "c"]);
}
