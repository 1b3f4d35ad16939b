//! UpdateExpression: validation and application.

use super::support::*;

fn invalid(message: &str) -> String {
    format!("Invalid UpdateExpression: {message}")
}

const INVALID_PATH: &str =
    "The document path provided in the update expression is invalid for update";
const MISSING: &str =
    "The provided expression refers to an attribute that does not exist in the item";
const WRONG_TYPE: &str = "An operand in the update expression has an incorrect data type";

#[test]
fn set_writes_and_merges() {
    assert_eq!(
        apply("SET b = :val1", "", r#"{":val1":{"N":"4"}}"#).unwrap(),
        item(r#"{"b":{"N":"4"}}"#)
    );
    assert_eq!(
        apply(
            "SET x = :v, y = :v",
            r#"{"a":{"S":"hi"}}"#,
            r#"{":v":{"N":"4"}}"#
        )
        .unwrap(),
        item(r#"{"a":{"S":"hi"},"x":{"N":"4"},"y":{"N":"4"}}"#)
    );
    for text in ["set b = :v", "sEt b = :v", "  set   b=:v  "] {
        assert_eq!(
            apply(text, r#"{"b":{"N":"1"}}"#, r#"{":v":{"N":"5"}}"#).unwrap(),
            item(r#"{"b":{"N":"5"}}"#)
        );
    }
    // Sets, empty lists, maps, strings and binaries may be written.
    assert_eq!(
        apply(
            "SET d = :v1, e = :v2, f = :v3, g = :v4",
            "",
            r#"{":v1":{"L":[]},":v2":{"M":{}},":v3":{"S":""},":v4":{"B":""}}"#
        )
        .unwrap(),
        item(r#"{"d":{"L":[]},"e":{"M":{}},"f":{"S":""},"g":{"B":""}}"#)
    );
}

#[test]
fn set_copies_what_the_item_held_before_the_update() {
    let hello = r#"{"a":{"S":"hello"}}"#;
    assert_eq!(
        apply("SET b = a", hello, "").unwrap(),
        item(r#"{"a":{"S":"hello"},"b":{"S":"hello"}}"#)
    );
    assert_eq!(apply("SET c = z", hello, "").unwrap_err(), MISSING);
    assert_eq!(apply("SET c = z", "", "").unwrap_err(), MISSING);
    // Operands are read before anything is written.
    assert_eq!(
        apply("SET x = :val1, y = x", hello, r#"{":val1":{"N":"4"}}"#).unwrap_err(),
        MISSING
    );
    assert_eq!(apply("SET a = a", hello, "").unwrap(), item(hello));
    assert_eq!(apply("SET z = z", hello, "").unwrap_err(), MISSING);
    assert_eq!(
        apply("REMOVE a SET b = a", hello, "").unwrap(),
        item(r#"{"b":{"S":"hello"}}"#)
    );
    assert_eq!(
        apply("SET c = b REMOVE b", r#"{"b":{"S":"hello"}}"#, "").unwrap(),
        item(r#"{"c":{"S":"hello"}}"#)
    );
    let u = update("SET #one = #two", &[("#one", "c"), ("#two", "a")], "").unwrap();
    let mut target = item(hello);
    u.apply(&mut target, true).unwrap();
    assert_eq!(target, item(r#"{"a":{"S":"hello"},"c":{"S":"hello"}}"#));
    assert_eq!(
        update_error(
            "SET #one = #two",
            &[("#one", "c"), ("#two", "a"), ("#three", "z")],
            ""
        ),
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#three}"
    );
    // Keys are attributes like any other.
    assert_eq!(
        apply(
            "SET n = p, nn = c + c",
            r#"{"p":{"S":"x"},"c":{"N":"7"}}"#,
            ""
        )
        .unwrap(),
        item(r#"{"p":{"S":"x"},"c":{"N":"7"},"n":{"S":"x"},"nn":{"N":"14"}}"#)
    );
}

#[test]
fn remove_deletes_attributes() {
    assert_eq!(
        apply("REMOVE a", r#"{"a":{"S":"hello"},"b":{"S":"hi"}}"#, "").unwrap(),
        item(r#"{"b":{"S":"hi"}}"#)
    );
    assert_eq!(
        apply("REMOVE c", r#"{"a":{"S":"hello"}}"#, "").unwrap(),
        item(r#"{"a":{"S":"hello"}}"#)
    );
}

#[test]
fn names_and_placeholders_are_single_tokens() {
    let v = r#"{":val1":{"N":"3"}}"#;
    for ok in ["alnum", "Alpha_Numeric_123", "A123_"] {
        assert!(update(&format!("SET {ok} = :val1"), &[], v).is_ok(), "{ok}");
    }
    assert_eq!(
        update_error("SET _123 = :val1", &[], v),
        invalid("Syntax error; token: \"_\", near: \"SET _123\"")
    );
    for bad in [
        "_abc",
        "123a",
        "123",
        "hi-there",
        "hi$there",
        "\"hithere\"",
        "!hithere",
    ] {
        let error = update_error(&format!("SET {bad} = :val1"), &[], v);
        assert!(
            error.starts_with(&invalid("Syntax error;")),
            "{bad}: {error}"
        );
    }
    let silly = "3can include any character!.#=";
    for placeholder in ["#Alpha_Numeric_123", "#123a", "#123", "#_"] {
        let u = update(
            &format!("SET {placeholder} = :val1"),
            &[(placeholder, silly)],
            v,
        )
        .unwrap();
        assert_eq!(u.top_level_attributes().collect::<Vec<_>>(), vec![silly]);
    }
    for bad in ["#hi-there", "#!hi"] {
        let error = update_error(&format!("SET {bad} = :val1"), &[("#hi", silly)], v);
        assert!(error.contains("Syntax error"), "{bad}: {error}");
    }
    assert!(update_error("SET # = :val1", &[("#a", silly)], v).contains("Syntax error"));
    for placeholder in [":Alpha_Numeric_123", ":123a", ":123", ":_"] {
        let values = format!(r#"{{"{placeholder}":{{"N":"8"}}}}"#);
        assert!(update(&format!("SET a = {placeholder}"), &[], &values).is_ok());
    }
    assert!(
        update_error("SET a = :hi!there", &[], r#"{":hi":{"N":"1"}}"#).contains("Syntax error")
    );
    assert!(update_error("SET a = :", &[], r#"{":a":{"N":"1"}}"#).contains("Syntax error"));
    assert!(
        update_error("SET :a = :b", &[], r#"{":a":{"N":"1"},":b":{"N":"2"}}"#)
            .contains("Syntax error; token: \":a\"")
    );
}

#[test]
fn each_section_at_most_once() {
    let v = r#"{":val1":{"N":"1"},":val2":{"N":"2"}}"#;
    assert_eq!(
        update_error("SET a = :val1 SET b = :val2", &[], v),
        invalid("The \"SET\" section can only be used once in an update expression;")
    );
    assert_eq!(
        update_error("SET a = :val1 REMOVE a SET b = :val2", &[], v),
        invalid("The \"SET\" section can only be used once in an update expression;")
    );
    let names = [("#a", "a"), ("#b", "b")];
    let values = r#"{":a":{"S":"a"},":b":{"S":"a"}}"#;
    for (text, section) in [
        ("set a = #c set c = :d", "SET"),
        ("remove #d set a = b remove e", "REMOVE"),
        ("add #d :e set a = b add e :f", "ADD"),
        ("delete #d :e set a = b delete #e :f", "DELETE"),
    ] {
        assert_eq!(
            update_error(text, &names, values),
            invalid(&format!(
                "The \"{section}\" section can only be used once in an update expression;"
            ))
        );
    }
    assert_eq!(
        apply(
            "REMOVE a SET b = :v",
            r#"{"a":{"N":"1"}}"#,
            r#"{":v":{"N":"3"}}"#
        )
        .unwrap(),
        item(r#"{"b":{"N":"3"}}"#)
    );
}

#[test]
fn paths_may_not_overlap() {
    let overlap = |one: &str, two: &str| {
        invalid(&format!(
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: {one}, path two: {two}"
        ))
    };
    let v = r#"{":v":{"S":"hi"}}"#;
    assert_eq!(
        update_error("REMOVE a SET a = :v", &[], v),
        overlap("[a]", "[a]")
    );
    assert_eq!(
        update_error("SET a = :v REMOVE a", &[], v),
        overlap("[a]", "[a]")
    );
    let two = r#"{":val1":{"N":"2"},":val2":{"S":"there"}}"#;
    assert_eq!(
        update_error(
            "SET #a1 = :val1, #a2 = :val2",
            &[("#a1", "a"), ("#a2", "a")],
            two
        ),
        overlap("[a]", "[a]")
    );
    assert_eq!(
        update_error("SET a = :val1, a.b = :val2", &[], two),
        overlap("[a]", "[a, b]")
    );
    assert_eq!(
        update_error("SET a.b = :val1, a = :val2", &[], two),
        overlap("[a, b]", "[a]")
    );
    assert_eq!(
        update_error("SET a.b = :val1, a.b.c.d.e = :val2", &[], two),
        overlap("[a, b]", "[a, b, c, d, e]")
    );
    for text in [
        "SET a.b = :val1, a.b = :val2",
        "SET a.b = :val1, a.b.c = :val2",
        "SET a.b.c = :val1, a.b = :val2",
        "SET a.b.c = :val1, a.b.c = :val2",
        "SET a.b.c.d.e = :val1, a.b = :val2",
        "SET a = :val1, a[1] = :val2",
        "SET a[1] = :val1, a = :val2",
        "SET a[1] = :val1, a[1] = :val2",
        "SET a[1][1] = :val1, a[1] = :val2",
        "SET a[1] = :val1, a[1][1] = :val2",
        "SET a[1][1] = :val1, a[1][1] = :val2",
        "SET a[1][1][1][1] = :val1, a[1][1] = :val2",
        "SET a[1][1] = :val1, a[1][1][1][1] = :val2",
        "SET a[1][1][1][1] = :val1, a[1][1][1][1] = :val2",
    ] {
        assert!(update_error(text, &[], two).contains("overlap"), "{text}");
    }
    // DynamoDB checks the paths from the last action to the first.
    assert_eq!(
        update_error(
            "set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)",
            &[("#c", "c"), ("#d", "[3]")],
            ""
        ),
        overlap("[c, [1], a]", "[c]")
    );
    assert_eq!(
        update_error(
            "set #c[3].#d = a, #c[3] = a",
            &[("#c", "c"), ("#d", "[3]")],
            ""
        ),
        overlap("[c, [3], [3]]", "[c, [3]]")
    );
}

#[test]
fn paths_may_not_conflict() {
    let conflict = |one: &str, two: &str| {
        invalid(&format!(
            "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: {one}, path two: {two}"
        ))
    };
    let two = r#"{":val1":{"N":"2"},":val2":{"S":"there"}}"#;
    assert_eq!(
        update_error("SET a.b = :val1, a[1] = :val2", &[], two),
        conflict("[a, b]", "[a, [1]]")
    );
    assert_eq!(
        update_error("SET a.b.c = :val1, a.b[2] = :val2", &[], two),
        conflict("[a, b, c]", "[a, b, [2]]")
    );
    let names = [("#b", "b"), ("#c", "c"), ("#d", "[3]")];
    assert_eq!(
        update_error("set #c[3].#d = a, #c.#d[3] = if_not_exists(a)", &names, ""),
        conflict("[c, [3], [3]]", "[c, [3], [3]]")
    );
    assert_eq!(
        update_error("remove a.#c set a[1] = #d", &names, ""),
        conflict("[a, c]", "[a, [1]]")
    );
}

#[test]
fn non_overlapping_nested_changes() {
    let before = r#"{"a":{"M":{"x":{"N":"3"},"y":{"N":"4"},"c":{"M":{"y":{"N":"3"}}}}},"b":{"M":{"x":{"N":"1"},"y":{"N":"2"}}}}"#;
    assert_eq!(
        apply(
            "SET a.b = :val1, a.c.d = :val2, b.x = :val3 REMOVE a.x, b.y",
            before,
            r#"{":val1":{"N":"10"},":val2":{"S":"dog"},":val3":{"N":"17"}}"#
        )
        .unwrap(),
        item(
            r#"{"a":{"M":{"y":{"N":"4"},"b":{"N":"10"},"c":{"M":{"y":{"N":"3"},"d":{"S":"dog"}}}}},"b":{"M":{"x":{"N":"17"}}}}"#
        )
    );
}

#[test]
fn placeholders_must_be_defined_and_used() {
    assert_eq!(
        update_error("SET b = :val1", &[], r#"{":val2":{"N":"4"}}"#),
        invalid(
            "An expression attribute value used in expression is not defined; attribute value: :val1"
        )
    );
    assert_eq!(
        update_error("SET b = :val1", &[], ""),
        invalid(
            "An expression attribute value used in expression is not defined; attribute value: :val1"
        )
    );
    assert_eq!(
        update_error(
            "SET #name = :val1",
            &[("#wrongname", "hello")],
            r#"{":val2":{"N":"4"}}"#
        ),
        invalid(
            "An expression attribute name used in the document path is not defined; attribute name: #name"
        )
    );
    assert_eq!(
        update_error(
            "SET a = :val1",
            &[],
            r#"{":val1":{"N":"3"},":val2":{"N":"4"}}"#
        ),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:val2}"
    );
    assert_eq!(
        update_error(
            "SET #a = :val1",
            &[("#a", "hello"), ("#b", "hi")],
            r#"{":val1":{"N":"3"},":val2":{"N":"4"}}"#
        ),
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}"
    );
    let names = [("#a", "a"), ("#b", "b")];
    let values = r#"{":a":{"S":"a"},":b":{"S":"a"}}"#;
    assert_eq!(
        update_error("SET #c = if_not_exists(:c)", &names, values),
        invalid(
            "An expression attribute name used in the document path is not defined; attribute name: #c"
        )
    );
    assert_eq!(
        update_error("SET #a = if_not_exists(:c)", &names, values),
        invalid(
            "An expression attribute value used in expression is not defined; attribute value: :c"
        )
    );
}

#[test]
fn key_attributes_cannot_be_updated() {
    let v = r#"{":val1":{"N":"4"}}"#;
    let s = r#"{":val1":{"SS":["cat","mouse"]}}"#;
    for (text, values, key) in [
        ("SET p = :val1", v, "p"),
        ("SET c = :val1", v, "c"),
        ("REMOVE p", "", "p"),
        ("REMOVE c", "", "c"),
        ("ADD p :val1", v, "p"),
        ("DELETE c :val1", s, "c"),
        ("ADD p.b :val1", v, "p"),
        ("remove d set b = :val1, p = :val1", v, "p"),
        ("set p = p.b + p[1]", "", "p"),
    ] {
        let u = update(text, &[], values).unwrap();
        assert_eq!(
            message(u.check_key_attributes(&["p", "c"]).unwrap_err()),
            format!(
                "One or more parameter values were invalid: Cannot update attribute {key}. This attribute is part of the key"
            ),
            "{text}"
        );
    }
    let u = update("SET a = :val1", &[], v).unwrap();
    assert!(u.check_key_attributes(&["p", "c"]).is_ok());
    let u = update("SET a.b = :val1, a.c = :val1, b = :val1", &[], v).unwrap();
    assert_eq!(u.top_level_attributes().collect::<Vec<_>>(), vec!["a", "b"]);
    assert_eq!(u.nested_attributes().collect::<Vec<_>>(), vec!["a"]);
}

#[test]
fn syntax_errors() {
    for text in [
        "whatever",
        "HELLO b = :val1",
        "set a",
        "add a",
        "delete a",
        "set a=set",
        "remove a = b",
        "add a = b",
        "delete a = b",
        "delete a b",
        "delete a if_not_exist(b)",
        "add abort b",
        "add a if_not_exist(b)",
        "remove a b",
        "set a b",
        "set :a = b",
        "add :a b",
        "delete :a b",
        "remove :a",
        "set a = b / c",
        "set a = b * c",
        "set a[1] = \"eight\"",
        "set a[1] = 1",
        "SET a = if_not_exist(a, 100)",
        "SET if_not_exist(a, b) = a",
        "set (a = (b + c))",
        "set a = (b.c).d + e",
        "set a = (b.c)[0] + e",
        "set a = b + c + d",
        "set a = (b + c) + d",
        "SET a[:xyz] = :v",
        "SET a[#xyz] = :v",
        "SET c = if_not_exists(c, :val1+:val2)",
        "SET b = if_not_exists(non@sense, :val1)",
        "SET a = _f(b,c,d)",
        "SET a = :v,",
        "SET a = :v REMOVE",
        "set = :v",
    ] {
        let error = update_error(text, &[], "");
        assert!(
            error.starts_with(&invalid("Syntax error; ")),
            "{text}: {error}"
        );
    }
    assert_eq!(
        update_error("HELLO b = :val1", &[], ""),
        invalid("Syntax error; token: \"HELLO\", near: \"HELLO b\"")
    );
    assert_eq!(
        update_error("SET a = :v REMOVE", &[], ""),
        invalid("Syntax error; token: \"<EOF>\", near: \"REMOVE\"")
    );
}

#[test]
fn parentheses_in_set_values() {
    let v = r#"{":a":{"N":"1"},":b":{"N":"2"}}"#;
    assert_eq!(
        apply("SET x = (:a + :b)", "", v).unwrap(),
        item(r#"{"x":{"N":"3"}}"#)
    );
    assert_eq!(
        apply("SET x = (:a) + (:b)", "", v).unwrap(),
        item(r#"{"x":{"N":"3"}}"#)
    );
    assert_eq!(
        apply("SET x = ((:a) + :b)", "", v).unwrap(),
        item(r#"{"x":{"N":"3"}}"#)
    );
    let redundant = invalid("The expression has redundant parentheses;");
    assert_eq!(update_error("SET x = ((:a + :b))", &[], v), redundant);
    assert_eq!(update_error("SET x = ((:a)) + :b", &[], v), redundant);
}

#[test]
fn reserved_words_and_unknown_functions() {
    let names = [("#a", "a"), ("#b", "b")];
    let values = r#"{":a":{"S":"a"},":b":{"S":"a"}}"#;
    assert_eq!(
        update_error(" set #c = :c set abOrt = true ", &names, values),
        invalid("Attribute name is a reserved keyword; reserved keyword: abOrt")
    );
    assert_eq!(
        update_error(" remove Absolute ", &names, values),
        invalid("Attribute name is a reserved keyword; reserved keyword: Absolute")
    );
    assert_eq!(
        update_error("set #c = if_not_exist(:c) set c = d", &names, values),
        invalid("Invalid function name; function: if_not_exist")
    );
    assert_eq!(
        update_error("SET a = f(b,c,d)", &[], ""),
        invalid("Invalid function name; function: f")
    );
    assert_eq!(
        update_error("SET a = f123_hi(b,c,d)", &[], ""),
        invalid("Invalid function name; function: f123_hi")
    );
    assert_eq!(
        update_error("SET a = LIST_APPEND(:val1, :val2)", &[], ""),
        invalid("Invalid function name; function: LIST_APPEND")
    );
    assert_eq!(
        update_error("SET a = size(b)", &[], ""),
        invalid("The function is not allowed in an update expression; function: size")
    );
    assert_eq!(
        update_error("SET a = attribute_exists(b)", &[], ""),
        invalid("The function is not allowed in an update expression; function: attribute_exists")
    );
}

#[test]
fn arithmetic_adds_and_subtracts_two_numbers() {
    let v = r#"{":val1":{"N":"4"},":val2":{"N":"3"}}"#;
    assert_eq!(
        apply("SET b = :val1 + :val2", "", v).unwrap(),
        item(r#"{"b":{"N":"7"}}"#)
    );
    assert_eq!(
        apply("SET b = :val1 - :val2", "", v).unwrap(),
        item(r#"{"b":{"N":"1"}}"#)
    );
    let a = r#"{"a":{"N":"2"}}"#;
    assert_eq!(
        apply("SET a = a + :val1", a, r#"{":val1":{"N":"3"}}"#).unwrap(),
        item(r#"{"a":{"N":"5"}}"#)
    );
    assert_eq!(
        apply("SET a = :val1 + a", a, r#"{":val1":{"N":"4"}}"#).unwrap(),
        item(r#"{"a":{"N":"6"}}"#)
    );
    assert_eq!(
        apply("SET b = :val1 + a", a, r#"{":val1":{"N":"1"}}"#).unwrap(),
        item(r#"{"a":{"N":"2"},"b":{"N":"3"}}"#)
    );
    assert_eq!(
        apply("SET a = b + a", r#"{"a":{"N":"2"},"b":{"N":"3"}}"#, "").unwrap(),
        item(r#"{"a":{"N":"5"},"b":{"N":"3"}}"#)
    );
    assert_eq!(
        apply(
            "SET nn = :seven - n",
            r#"{"n":{"N":"2"}}"#,
            r#"{":seven":{"N":"7"}}"#
        )
        .unwrap(),
        item(r#"{"n":{"N":"2"},"nn":{"N":"5"}}"#)
    );
    assert_eq!(
        apply("SET b = b + :val1", a, r#"{":val1":{"N":"7"}}"#).unwrap_err(),
        MISSING
    );
    assert_eq!(
        apply("SET b = b + :val1", "", r#"{":val1":{"N":"7"}}"#).unwrap_err(),
        MISSING
    );
    // Number::add's errors propagate.
    let big = r#"{":v":{"N":"9e125"}}"#;
    assert!(
        apply("SET a = :v + :v", "", big)
            .unwrap_err()
            .contains("overflow")
    );
    assert!(
        apply(
            "SET a = a - :v",
            r#"{"a":{"N":"1e50"}}"#,
            r#"{":v":{"N":"1"}}"#
        )
        .unwrap_err()
        .contains("overflow")
    );
    // The ADD idiom: treat a missing attribute as zero.
    let zero = r#"{":val":{"N":"3"},":zero":{"N":"0"}}"#;
    assert_eq!(
        apply(
            "SET a = if_not_exists(a, :zero) + :val",
            r#"{"a":{"N":"49"}}"#,
            zero
        )
        .unwrap(),
        item(r#"{"a":{"N":"52"}}"#)
    );
    assert_eq!(
        apply("SET a = if_not_exists(a, :zero) + :val", "", zero).unwrap(),
        item(r#"{"a":{"N":"3"}}"#)
    );
}

#[test]
fn arithmetic_operand_types() {
    let values = r#"{
        ":a":{"S":"a"},":b":{"N":"1"},":c":{"B":"YQ=="},":d":{"BOOL":false},":e":{"NULL":true},
        ":f":{"SS":["a"]},":g":{"NS":["1"]},":h":{"BS":["YQ=="]},":i":{"M":{}},":j":{"L":[]}
    }"#;
    let check = |text: &str, op: &str, t: &str| {
        let names = names(&[("#a", "a"), ("#b", "b")]);
        let values = super::support::values(values);
        let ctx = crate::expr::Context::new(names.as_ref(), values.as_ref());
        let error = message(crate::expr::parse_update(text, &ctx).unwrap_err());
        assert_eq!(
            error,
            invalid(&format!(
                "Incorrect operand type for operator or function; operator or function: {op}, operand type: {t}"
            )),
            "{text}"
        );
    };
    for (text, t) in [
        ("set a = list_append(:a, a)", "S"),
        ("set a = list_append(a, :b)", "N"),
        ("set a = list_append(:c, a)", "B"),
        ("set a = list_append(:d, a)", "BOOL"),
        ("set a = list_append(:e, a)", "NULL"),
        ("set a = list_append(:f, a)", "SS"),
        ("set a = list_append(:g, a)", "NS"),
        ("set a = list_append(:h, a)", "BS"),
        ("set a = list_append(:i, a)", "M"),
    ] {
        check(text, "list_append", t);
    }
    for op in ["+", "-"] {
        for (value, t) in [
            (":a", "S"),
            (":d", "BOOL"),
            (":e", "NULL"),
            (":f", "SS"),
            (":g", "NS"),
            (":h", "BS"),
            (":i", "M"),
            (":j", "L"),
        ] {
            check(&format!("set a = a {op} {value}"), op, t);
        }
        check(&format!("set a = :a {op} :c"), op, "S");
        check(&format!("set a = :c {op} a"), op, "B");
    }
}

#[test]
fn list_append_concatenates_lists() {
    assert_eq!(
        apply(
            "SET a = list_append(:val1, :val2)",
            "",
            r#"{":val1":{"L":[{"N":"4"},{"S":"hello"}]},":val2":{"L":[{"S":"hi"},{"N":"7"}]}}"#
        )
        .unwrap(),
        item(r#"{"a":{"L":[{"N":"4"},{"S":"hello"},{"S":"hi"},{"N":"7"}]}}"#)
    );
    let a = r#"{"a":{"L":[{"S":"hi"},{"N":"2"}]}}"#;
    assert_eq!(
        apply(
            "SET a = list_append(a, :val1)",
            a,
            r#"{":val1":{"L":[{"N":"4"}]}}"#
        )
        .unwrap(),
        item(r#"{"a":{"L":[{"S":"hi"},{"N":"2"},{"N":"4"}]}}"#)
    );
    assert_eq!(
        apply(
            "SET a = list_append(:val1, a)",
            a,
            r#"{":val1":{"L":[{"S":"dog"}]}}"#
        )
        .unwrap(),
        item(r#"{"a":{"L":[{"S":"dog"},{"S":"hi"},{"N":"2"}]}}"#)
    );
    assert_eq!(
        apply(
            "SET c = list_append(a, b)",
            r#"{"a":{"L":[{"N":"1"}]},"b":{"L":[]}}"#,
            ""
        )
        .unwrap(),
        item(r#"{"a":{"L":[{"N":"1"}]},"b":{"L":[]},"c":{"L":[{"N":"1"}]}}"#)
    );
    assert_eq!(
        update_error("SET a = list_append(:val1)", &[], r#"{":val1":{"L":[]}}"#),
        invalid(
            "Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1"
        )
    );
    assert_eq!(
        update_error(
            "SET a = list_append(:val1, :val2, :val3)",
            &[],
            r#"{":val1":{"L":[]},":val2":{"L":[]},":val3":{"L":[]}}"#
        ),
        invalid(
            "Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 3"
        )
    );
    // Missing or non-list attributes fail when applied.
    let v = r#"{":val1":{"L":[{"S":"hi"}]}}"#;
    for args in ["b, :val1", ":val1, b"] {
        let text = format!("SET a = list_append({args})");
        assert_eq!(apply(&text, "", v).unwrap_err(), MISSING);
        assert_eq!(apply(&text, r#"{"a":{"N":"2"}}"#, v).unwrap_err(), MISSING);
        for b in [
            r#"{"N":"7"}"#,
            r#"{"S":"hello"}"#,
            r#"{"B":"aGk="}"#,
            r#"{"NS":["1"]}"#,
            r#"{"M":{}}"#,
        ] {
            assert_eq!(
                apply(&text, &format!(r#"{{"b":{b}}}"#), v).unwrap_err(),
                WRONG_TYPE
            );
        }
        for b in [r#"{"L":[]}"#, r#"{"L":[{"S":"x"},{"L":[{"S":"hi"}]}]}"#] {
            assert!(apply(&text, &format!(r#"{{"b":{b}}}"#), v).is_ok());
        }
    }
}

#[test]
fn if_not_exists_falls_back_when_the_attribute_is_missing() {
    assert_eq!(
        apply(
            "SET a = if_not_exists(a, :val1)",
            "",
            r#"{":val1":{"N":"2"}}"#
        )
        .unwrap(),
        item(r#"{"a":{"N":"2"}}"#)
    );
    assert_eq!(
        apply(
            "SET a = if_not_exists(a, :val1)",
            r#"{"a":{"N":"2"}}"#,
            r#"{":val1":{"N":"3"}}"#
        )
        .unwrap(),
        item(r#"{"a":{"N":"2"}}"#)
    );
    assert_eq!(
        apply(
            "SET b = if_not_exists(a, :val1)",
            r#"{"a":{"N":"2"}}"#,
            r#"{":val1":{"N":"6"}}"#
        )
        .unwrap(),
        item(r#"{"a":{"N":"2"},"b":{"N":"2"}}"#)
    );
    // The fallback is evaluated even when not needed: a missing one fails.
    assert_eq!(
        apply("SET b = if_not_exists(a, c)", r#"{"a":{"N":"2"}}"#, "").unwrap_err(),
        MISSING
    );
    assert_eq!(
        update_error(
            "SET b = if_not_exists(if_not_exists(a, :val2), :val1)",
            &[],
            r#"{":val1":{"N":"6"},":val2":{"N":"3"}}"#
        ),
        invalid(
            "Operator or function requires a document path; operator or function: if_not_exists"
        )
    );
    assert_eq!(
        update_error(
            "SET b = if_not_exists(:val2, :val1)",
            &[],
            r#"{":val1":{"N":"6"},":val2":{"N":"3"}}"#
        ),
        invalid(
            "Operator or function requires a document path; operator or function: if_not_exists"
        )
    );
    assert_eq!(
        update_error(
            "SET b = if_not_exists(:val2, :val1)",
            &[],
            r#"{":val1":{"N":"6"}}"#
        ),
        invalid(
            "An expression attribute value used in expression is not defined; attribute value: :val2"
        )
    );
    assert_eq!(
        update_error("set a = if_not_exists(c)", &[], ""),
        invalid(
            "Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1"
        )
    );
}

#[test]
fn function_nesting() {
    let v = r#"{":val1":{"L":[{"S":"a"}]},":val2":{"L":[{"S":"cat"}]}}"#;
    assert_eq!(
        apply("SET a = list_append(if_not_exists(a, :val1), :val2)", "", v).unwrap(),
        item(r#"{"a":{"L":[{"S":"a"},{"S":"cat"}]}}"#)
    );
    assert_eq!(
        apply(
            "SET a = if_not_exists(b, if_not_exists(c, :val1))",
            "",
            r#"{":val1":{"N":"3"}}"#
        )
        .unwrap(),
        item(r#"{"a":{"N":"3"}}"#)
    );
    assert_eq!(
        apply(
            "SET b = if_not_exists(b, :val1)+:val2",
            "",
            r#"{":val1":{"N":"2"},":val2":{"N":"3"}}"#
        )
        .unwrap(),
        item(r#"{"b":{"N":"5"}}"#)
    );
    let misused = invalid(
        "The function is not allowed to be used this way in an expression; function: list_append",
    );
    assert_eq!(
        update_error(
            "SET a = list_append(list_append(:val1, :val2), :val3)",
            &[],
            r#"{":val1":{"L":[]},":val2":{"L":[]},":val3":{"L":[]}}"#
        ),
        misused
    );
    assert_eq!(
        update_error("SET a = list_append(a, b) + :v", &[], ""),
        misused
    );
}

#[test]
fn add_numbers_and_sets() {
    let a = r#"{"a":{"N":"3"},"b":{"S":"hi"}}"#;
    assert_eq!(
        apply("ADD a :val1", a, r#"{":val1":{"N":"4"}}"#).unwrap(),
        item(r#"{"a":{"N":"7"},"b":{"S":"hi"}}"#)
    );
    assert_eq!(
        update_error("ADD a :val1", &[], r#"{":val1":{"S":"hello"}}"#),
        invalid(
            "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"
        )
    );
    assert_eq!(
        apply("ADD b :val1", a, r#"{":val1":{"N":"1"}}"#).unwrap_err(),
        WRONG_TYPE
    );
    assert_eq!(
        apply(
            "ADD b :val1",
            r#"{"a":{"S":"hello"}}"#,
            r#"{":val1":{"N":"7"}}"#
        )
        .unwrap(),
        item(r#"{"a":{"S":"hello"},"b":{"N":"7"}}"#)
    );
    assert_eq!(
        apply("ADD b :val1", "", r#"{":val1":{"N":"8"}}"#).unwrap(),
        item(r#"{"b":{"N":"8"}}"#)
    );
    let set = r#"{"a":{"SS":["dog","cat","mouse"]}}"#;
    assert_eq!(
        apply("ADD a :val1", set, r#"{":val1":{"SS":["pig"]}}"#).unwrap(),
        item(r#"{"a":{"SS":["dog","cat","mouse","pig"]}}"#)
    );
    assert_eq!(
        apply(
            "ADD a :val1",
            set,
            r#"{":val1":{"SS":["cat","beaver","badger"]}}"#
        )
        .unwrap(),
        item(r#"{"a":{"SS":["dog","cat","mouse","beaver","badger"]}}"#)
    );
    assert_eq!(
        apply("ADD b :val1", "", r#"{":val1":{"SS":["cat"]}}"#).unwrap(),
        item(r#"{"b":{"SS":["cat"]}}"#)
    );
    assert_eq!(
        apply("ADD a :val1", set, r#"{":val1":{"NS":["1"]}}"#).unwrap_err(),
        WRONG_TYPE
    );
    assert_eq!(
        apply(
            "ADD a :val1",
            r#"{"a":{"NS":["1"]}}"#,
            r#"{":val1":{"N":"1"}}"#
        )
        .unwrap_err(),
        WRONG_TYPE
    );
    assert_eq!(
        apply(
            "ADD a :val1",
            r#"{"a":{"L":[{"N":"1"}]}}"#,
            r#"{":val1":{"NS":["3","4"]}}"#
        )
        .unwrap_err(),
        WRONG_TYPE
    );
    // Lists cannot be added to (unlike with AttributeUpdates).
    assert_eq!(
        update_error("ADD a :val1", &[], r#"{":val1":{"L":[{"N":"3"}]}}"#),
        invalid(
            "Incorrect operand type for operator or function; operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND"
        )
    );
    // Nested attributes too.
    assert_eq!(
        apply(
            "ADD a.b[1] :v",
            r#"{"a":{"M":{"b":{"L":[{"N":"1"},{"NS":["1"]}]}}}}"#,
            r#"{":v":{"NS":["2"]}}"#
        )
        .unwrap(),
        item(r#"{"a":{"M":{"b":{"L":[{"N":"1"},{"NS":["1","2"]}]}}}}"#)
    );
}

#[test]
fn add_and_delete_operand_types() {
    for (text, value, op, t) in [
        ("delete a.b :a", r#"{"S":"a"}"#, "DELETE", "STRING"),
        ("add a.b :a", r#"{"NULL":true}"#, "ADD", "NULL"),
        ("delete a.b :a", r#"{"NULL":true}"#, "DELETE", "NULL"),
        ("add a.b :a", r#"{"BOOL":false}"#, "ADD", "BOOLEAN"),
        ("delete a.b :a", r#"{"BOOL":false}"#, "DELETE", "BOOLEAN"),
        ("add a.b :a", r#"{"B":"YQ=="}"#, "ADD", "BINARY"),
        ("delete a.b :a", r#"{"B":"YQ=="}"#, "DELETE", "BINARY"),
        ("add a.b :a", r#"{"M":{}}"#, "ADD", "MAP"),
        ("delete a.b :a", r#"{"M":{}}"#, "DELETE", "MAP"),
        ("add a.b :a", r#"{"L":[]}"#, "ADD", "LIST"),
        ("delete a.b :a", r#"{"L":[]}"#, "DELETE", "LIST"),
        ("delete a.b :a", r#"{"N":"1"}"#, "DELETE", "NUMBER"),
    ] {
        assert_eq!(
            update_error(text, &[], &format!(r#"{{":a":{value}}}"#)),
            invalid(&format!(
                "Incorrect operand type for operator or function; operator: {op}, operand type: {t}, typeSet: ALLOWED_FOR_{op}_OPERAND"
            )),
            "{text}"
        );
    }
    // Actions are checked from the last to the first.
    assert_eq!(
        update_error(
            "set b = list_append(:a, a), c = if_not_exists(a) add a.b :a",
            &[],
            r#"{":a":{"S":"a"}}"#
        ),
        invalid(
            "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"
        )
    );
}

#[test]
fn delete_removes_set_elements() {
    let set = r#"{"a":{"SS":["dog","cat","mouse"]},"b":{"S":"hi"}}"#;
    let after = apply("DELETE a :val1", set, r#"{":val1":{"SS":["cat","mouse"]}}"#).unwrap();
    assert_eq!(after, item(r#"{"a":{"SS":["dog"]},"b":{"S":"hi"}}"#));
    assert_eq!(
        apply("DELETE a :val1", set, r#"{":val1":{"SS":["pig"]}}"#).unwrap(),
        item(set)
    );
    // Emptied sets disappear; missing ones stay missing.
    assert_eq!(
        apply(
            "DELETE a :val1",
            r#"{"a":{"SS":["dog"]},"b":{"S":"hi"}}"#,
            r#"{":val1":{"SS":["dog"]}}"#
        )
        .unwrap(),
        item(r#"{"b":{"S":"hi"}}"#)
    );
    assert_eq!(
        apply(
            "DELETE a :val1",
            r#"{"b":{"S":"hi"}}"#,
            r#"{":val1":{"SS":["dog"]}}"#
        )
        .unwrap(),
        item(r#"{"b":{"S":"hi"}}"#)
    );
    assert_eq!(
        apply(
            "DELETE a :v",
            r#"{"a":{"NS":["1","2","3"]}}"#,
            r#"{":v":{"NS":["2.0","5"]}}"#
        )
        .unwrap(),
        item(r#"{"a":{"NS":["1","3"]}}"#)
    );
    assert_eq!(
        update_error("DELETE a :val1", &[], r#"{":val1":{"S":"hello"}}"#),
        invalid(
            "Incorrect operand type for operator or function; operator: DELETE, operand type: STRING, typeSet: ALLOWED_FOR_DELETE_OPERAND"
        )
    );
    for (doc, value) in [
        (r#"{"d":{"NS":["1"]}}"#, r#"{"SS":["1"]}"#),
        (r#"{"d":{"M":{"a":{"SS":["1"]}}}}"#, r#"{"NS":["1"]}"#),
        (r#"{"d":{"N":"1"}}"#, r#"{"NS":["1"]}"#),
    ] {
        assert_eq!(
            apply("DELETE d :a", doc, &format!(r#"{{":a":{value}}}"#)).unwrap_err(),
            WRONG_TYPE
        );
    }
    assert_eq!(
        apply(
            "DELETE d.a :a",
            r#"{"d":{"M":{"a":{"SS":["1"]}}}}"#,
            r#"{":a":{"NS":["1"]}}"#
        )
        .unwrap_err(),
        WRONG_TYPE
    );
}

#[test]
fn nested_paths_write_inside_maps_and_lists() {
    assert_eq!(
        update_error("SET #a = :val1", &[], r#"{":val1":{"N":"3"}}"#),
        invalid(
            "An expression attribute name used in the document path is not defined; attribute name: #a"
        )
    );
    let u = update("SET #a = :val1", &[("#a", "a.b")], r#"{":val1":{"N":"3"}}"#).unwrap();
    let mut target = crate::item::Item::new();
    u.apply(&mut target, false).unwrap();
    assert_eq!(target, item(r#"{"a.b":{"N":"3"}}"#));

    let doc =
        r#"{"a":{"M":{"b":{"N":"3"},"c":{"M":{"x":{"N":"7"},"y":{"N":"8"}}}}},"d":{"N":"5"}}"#;
    assert_eq!(
        apply("SET z = a.c.x", doc, "").unwrap()["z"],
        value(r#"{"N":"7"}"#)
    );
    assert_eq!(
        apply("SET a.c = :val1", doc, r#"{":val1":{"N":"7"}}"#).unwrap(),
        item(r#"{"a":{"M":{"b":{"N":"3"},"c":{"N":"7"}}},"d":{"N":"5"}}"#)
    );
    assert_eq!(
        apply("SET a.d = :val1", doc, r#"{":val1":{"N":"3"}}"#).unwrap()["a"],
        value(r#"{"M":{"b":{"N":"3"},"c":{"M":{"x":{"N":"7"},"y":{"N":"8"}}},"d":{"N":"3"}}}"#)
    );
    assert_eq!(
        apply(
            "SET a[1] = :val1",
            r#"{"a":{"L":[{"S":"one"},{"S":"two"},{"S":"three"}]}}"#,
            r#"{":val1":{"S":"hello"}}"#
        )
        .unwrap(),
        item(r#"{"a":{"L":[{"S":"one"},{"S":"hello"},{"S":"three"}]}}"#)
    );
    let deep = r#"{"a":{"M":{"b":{"N":"3"},"c":{"L":[{"S":"hi"},{"M":{"x":{"M":{"y":{"L":[{"N":"3"},{"N":"5"},{"N":"7"}]}}}}}]}}}}"#;
    let names = [("#name", "x")];
    let u = update(
        "SET a.c[1].#name.y[1] = :val1",
        &names,
        r#"{":val1":{"N":"9"}}"#,
    )
    .unwrap();
    let mut target = item(deep);
    u.apply(&mut target, true).unwrap();
    assert_eq!(
        target,
        item(
            r#"{"a":{"M":{"b":{"N":"3"},"c":{"L":[{"S":"hi"},{"M":{"x":{"M":{"y":{"L":[{"N":"3"},{"N":"9"},{"N":"7"}]}}}}}]}}}}"#
        )
    );
    let u = update("SET a.z = a.c[1].#name.y[1]", &names, "").unwrap();
    u.apply(&mut target, true).unwrap();
    assert_eq!(lookup_z(&target), value(r#"{"N":"9"}"#));
}

fn lookup_z(target: &crate::item::Item) -> crate::item::Value {
    match &target["a"] {
        crate::item::Value::M(m) => m["z"].clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn remove_in_lists_shifts_but_indexes_refer_to_the_old_list() {
    let deep = r#"{"a":{"M":{"b":{"N":"3"},"c":{"L":[{"S":"hi"},{"M":{"x":{"M":{"y":{"L":[{"N":"3"},{"N":"5"},{"N":"7"}]}}},"q":{"N":"2"}}}]}}}}"#;
    assert_eq!(
        apply("REMOVE a.c[1].x.y[1], a.c[1].q", deep, "").unwrap(),
        item(
            r#"{"a":{"M":{"b":{"N":"3"},"c":{"L":[{"S":"hi"},{"M":{"x":{"M":{"y":{"L":[{"N":"3"},{"N":"7"}]}}}}}]}}}}"#
        )
    );
    let list = r#"{"a":{"L":[{"N":"4"},{"N":"5"},{"N":"6"}]}}"#;
    assert_eq!(apply("REMOVE a[17]", list, "").unwrap(), item(list));
    let numbers = r#"{"a":{"L":[{"N":"2"},{"N":"3"},{"N":"4"},{"N":"5"},{"N":"6"},{"N":"7"}]}}"#;
    let expected = item(r#"{"a":{"L":[{"N":"2"},{"N":"4"},{"N":"17"},{"N":"6"},{"N":"7"}]}}"#);
    let v = r#"{":val":{"N":"17"}}"#;
    assert_eq!(
        apply("REMOVE a[1] SET a[3] = :val", numbers, v).unwrap(),
        expected
    );
    assert_eq!(
        apply("SET a[3] = :val REMOVE a[1]", numbers, v).unwrap(),
        expected
    );
    assert_eq!(
        apply("REMOVE a[0], a[2]", numbers, "").unwrap(),
        item(r#"{"a":{"L":[{"N":"3"},{"N":"5"},{"N":"6"},{"N":"7"}]}}"#)
    );
    // Removing the only member leaves an empty map or list.
    assert_eq!(
        apply("REMOVE a.b", r#"{"a":{"M":{"b":{"N":"1"}}}}"#, "").unwrap(),
        item(r#"{"a":{"M":{}}}"#)
    );
    assert_eq!(
        apply("REMOVE a[0]", r#"{"a":{"L":[{"N":"1"}]}}"#, "").unwrap(),
        item(r#"{"a":{"L":[]}}"#)
    );
}

#[test]
fn setting_past_the_end_of_a_list_appends_in_index_order() {
    let list = r#"{"a":{"L":[{"S":"one"},{"S":"two"},{"S":"three"}]}}"#;
    let once = apply("SET a[7] = :val1", list, r#"{":val1":{"S":"hello"}}"#).unwrap();
    assert_eq!(
        once,
        item(r#"{"a":{"L":[{"S":"one"},{"S":"two"},{"S":"three"},{"S":"hello"}]}}"#)
    );
    let u = update(
        "SET a[84] = :val1, a[37] = :val2, a[17] = :val3, a[50] = :val4",
        &[],
        r#"{":val1":{"S":"a1"},":val2":{"S":"a2"},":val3":{"S":"a3"},":val4":{"S":"a4"}}"#,
    )
    .unwrap();
    let mut target = once;
    u.apply(&mut target, true).unwrap();
    assert_eq!(
        target,
        item(
            r#"{"a":{"L":[{"S":"one"},{"S":"two"},{"S":"three"},{"S":"hello"},{"S":"a3"},{"S":"a2"},{"S":"a4"},{"S":"a1"}]}}"#
        )
    );
}

#[test]
fn paths_through_missing_or_scalar_attributes_are_invalid() {
    let doc = r#"{"a":{"S":"hello"},"b":{"L":[{"S":"hi"}]}}"#;
    let v = r#"{":val1":{"N":"7"}}"#;
    for text in [
        "SET a.c = :val1",
        "SET b.c = :val1",
        "SET c.c = :val1",
        "SET a[0] = :val1",
        "SET c[0] = :val1",
    ] {
        assert_eq!(apply(text, doc, v).unwrap_err(), INVALID_PATH, "{text}");
    }
    for text in [
        "REMOVE a.c",
        "REMOVE b.c",
        "REMOVE c.c",
        "REMOVE a[0]",
        "REMOVE c[0]",
    ] {
        assert_eq!(apply(text, doc, "").unwrap_err(), INVALID_PATH, "{text}");
    }
    // The item does not exist: writing below a missing attribute fails…
    assert_eq!(apply("SET c.c = :val1", "", v).unwrap_err(), INVALID_PATH);
    assert_eq!(apply("SET b[0] = :val1", "", v).unwrap_err(), INVALID_PATH);
    assert_eq!(apply("SET b.a = a", "", "").unwrap_err(), MISSING);
    // …but removing below one is silently ignored.
    assert_eq!(apply("REMOVE x.y", "", "").unwrap(), item("{}"));
    assert_eq!(apply("REMOVE x[0]", "", "").unwrap(), item("{}"));
    // Removing a missing leaf does nothing.
    let doc = r#"{"a":{"M":{"x":{"N":"3"}}},"b":{"L":[{"S":"hi"}]}}"#;
    for text in ["REMOVE a.y", "REMOVE b[7]", "REMOVE c"] {
        assert_eq!(apply(text, doc, "").unwrap(), item(doc), "{text}");
    }
    // Index on a map, name on a list, paths below scalars, for every action.
    let doc = r#"{"b":{"S":"a"},"c":{"M":{"1":{"S":"a"}}},"d":{"L":[{"S":"a"},{"S":"b"}]}}"#;
    let names = [("#1", "1")];
    let values = r#"{":a":{"SS":["a"]}}"#;
    for text in [
        "set b.a = :a, #1 = :a",
        "set b[1] = :a, #1 = :a",
        "set y.a = :a, #1 = :a",
        "set y[1] = :a, #1 = :a",
        "set c[1] = :a, #1 = :a",
        "set d.#1 = :a",
        "remove b.a set #1 = :a",
        "remove b[1] set #1 = :a",
        "remove y.a set #1 = :a",
        "remove y[1] set #1 = :a",
        "remove c[1] set #1 = :a",
        "remove d.#1 set #1 = :a",
        "delete b.a :a set #1 = :a",
        "delete b[1] :a set #1 = :a",
        "delete y.a :a set #1 = :a",
        "delete y[1] :a set #1 = :a",
        "delete c[1] :a set #1 = :a",
        "delete d.#1 :a",
        "add b.a :a set #1 = :a",
        "add b[1] :a set #1 = :a",
        "add y.a :a set #1 = :a",
        "add y[1] :a set #1 = :a",
        "add c[1] :a set #1 = :a",
        "add d.#1 :a",
    ] {
        let u = update(text, &names, values).unwrap_or_else(|e| panic!("{text}: {e}"));
        let mut target = item(doc);
        assert_eq!(
            message(u.apply(&mut target, true).unwrap_err()),
            INVALID_PATH,
            "{text}"
        );
        assert_eq!(target, item(doc), "a failed update changes nothing");
    }
}

#[test]
fn type_errors_when_applied() {
    let doc = r#"{"a":{"S":"k"},"b":{"M":{"a":{"SS":["1"]}}},"c":{"N":"1"},"d":{"NS":["1"]}}"#;
    for (text, values) in [
        ("delete d :a", r#"{":a":{"SS":["1"]}}"#),
        ("delete b :a", r#"{":a":{"NS":["1"]}}"#),
        ("delete b.a :a", r#"{":a":{"NS":["1"]}}"#),
        ("delete b.a :a", r#"{":a":{"BS":["YQ=="]}}"#),
        ("delete c :a", r#"{":a":{"NS":["1"]}}"#),
        ("add b :a", r#"{":a":{"NS":["1"]}}"#),
        ("add d :a", r#"{":a":{"N":"1"}}"#),
        ("set e = a + :a", r#"{":a":{"N":"1"}}"#),
        ("set e = b - :a", r#"{":a":{"N":"1"}}"#),
        (
            "set e = list_append(d, if_not_exists(f, :a))",
            r#"{":a":{"L":[]}}"#,
        ),
    ] {
        let u = update(text, &[], values).unwrap_or_else(|e| panic!("{text}: {e}"));
        let mut target = item(doc);
        assert_eq!(
            message(u.apply(&mut target, true).unwrap_err()),
            WRONG_TYPE,
            "{text}"
        );
    }
    for text in ["set c = b2", "set e = list_append(b2, c2)"] {
        let u = update(text, &[], "").unwrap();
        let mut target = item(doc);
        assert_eq!(
            message(u.apply(&mut target, true).unwrap_err()),
            MISSING,
            "{text}"
        );
    }
}

#[test]
fn empty_and_oversized_expressions() {
    assert_eq!(
        update_error("", &[], ""),
        invalid("The expression can not be empty;")
    );
    let spaces = " ".repeat(4085);
    let v = r#"{":val":{"N":"1"}}"#;
    assert!(update(&format!("SET{spaces}a = :val"), &[], v).is_ok());
    assert_eq!(
        update_error(&format!("SET {spaces}a = :val"), &[], v),
        invalid("Expression size has exceeded the maximum allowed size;")
    );
}

#[test]
fn deep_set_values_do_not_overflow_the_stack() {
    let run = || {
        let text = format!("SET a = {}:v{}", "(".repeat(2000), ")".repeat(2000));
        assert!(update_error(&text, &[], r#"{":v":{"N":"1"}}"#).contains("redundant parentheses"));
        let text = format!(
            "SET a = {}:v, b){}",
            "if_not_exists(b, ".repeat(500),
            ")".repeat(499)
        );
        assert!(
            update_error(&text, &[], r#"{":v":{"N":"1"}}"#).starts_with("Invalid UpdateExpression")
        );
    };
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn the_updated_paths_project_old_and_new_items() {
    let before = item(
        r#"{"p":{"S":"k"},"a":{"M":{"b":{"N":"1"},"c":{"N":"2"}}},"d":{"N":"3"},"e":{"N":"4"}}"#,
    );
    let u = update("SET a.b = :v, x = :v REMOVE d", &[], r#"{":v":{"N":"9"}}"#).unwrap();
    let mut after = before.clone();
    u.apply(&mut after, true).unwrap();
    let p = u.projection();
    assert_eq!(
        p.apply(&before),
        item(r#"{"a":{"M":{"b":{"N":"1"}}},"d":{"N":"3"}}"#)
    );
    assert_eq!(
        p.apply(&after),
        item(r#"{"a":{"M":{"b":{"N":"9"}}},"x":{"N":"9"}}"#)
    );
}

#[test]
fn nested_access_to_key_attributes() {
    let c = condition(
        "attribute_exists(d.c) AND c = :b",
        &[],
        r#"{":b":{"N":"1"}}"#,
    )
    .unwrap();
    assert_eq!(c.nested_attributes(), vec!["d"]);
    assert_eq!(
        message(crate::expr::nested_key_attribute_error("d", true)),
        "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: d"
    );
    assert_eq!(
        message(crate::expr::nested_key_attribute_error("a", false)),
        "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: a"
    );
}
