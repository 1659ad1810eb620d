//! Tests of the expression language.

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;

struct Env {
    kinds: Vec<String>,
}

impl TypeEnv for Env {
    fn enum_values(&self, name: &str) -> Option<&[String]> {
        matches!(name, "ServiceKind" | "Booking.ServiceKind").then_some(self.kinds.as_slice())
    }
    fn record_fields(&self, name: &str) -> Option<Vec<(String, Type)>> {
        (name == "Money").then(|| {
            vec![
                ("amount".into(), Type::Decimal),
                ("currency".into(), Type::String),
            ]
        })
    }
}

fn env() -> Env {
    Env {
        kinds: vec!["OilChange".into(), "Inspection".into()],
    }
}

fn scope() -> Scope {
    Scope::new()
        .record(
            "cmd",
            vec![
                ("amount".into(), Type::Int),
                ("price".into(), Type::Named("Money".into())),
                ("kind".into(), Type::Named("ServiceKind".into())),
                ("note".into(), Type::Optional(Box::new(Type::String))),
                ("tags".into(), Type::List(Box::new(Type::String))),
                ("id".into(), Type::Id),
                ("at".into(), Type::Timestamp),
                ("counts".into(), Type::List(Box::new(Type::Int))),
                (
                    "lines".into(),
                    Type::List(Box::new(Type::Named("Money".into()))),
                ),
            ],
        )
        .scalar("now", Type::Timestamp)
}

fn cmd() -> Vec<Value> {
    vec![
        Value::Int(7),
        Value::Record(vec![Value::Dec(Decimal::new(4990, 2)), Value::str("EUR")].into()),
        Value::str("Inspection"),
        Value::None,
        Value::List(vec![Value::str("vip")].into()),
        Value::str("b-1"),
        Value::Ts(1_000),
        Value::List(vec![Value::Int(3), Value::Int(-1), Value::Int(5)].into()),
        Value::List(
            vec![
                Value::Record(vec![Value::Dec(Decimal::new(1000, 2)), Value::str("EUR")].into()),
                Value::Record(vec![Value::Dec(Decimal::new(250, 2)), Value::str("USD")].into()),
            ]
            .into(),
        ),
    ]
}

fn run(src: &str) -> Result<Value, String> {
    let e = Expr::compile(src, &scope(), &env(), None).map_err(|e| format!("{:?}", e[0]))?;
    let c = cmd();
    let now = Value::Ts(86_400_000);
    e.eval(&[RootValue::Record(&c), RootValue::Scalar(&now)])
        .map_err(|e| e.to_string())
}

fn ok(src: &str) -> Value {
    run(src).unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn dec(s: &str) -> Value {
    Value::Dec(s.parse().unwrap())
}

fn compile_err(src: &str) -> ExprError {
    match Expr::compile(src, &scope(), &env(), None) {
        Ok(_) => panic!("{src} should not compile"),
        Err(mut e) => e.remove(0),
    }
}

#[test]
fn arithmetic_with_promotion_and_precedence() {
    assert_eq!(ok("1 + 2 * 3"), Value::Int(7));
    assert_eq!(ok("(1 + 2) * 3"), Value::Int(9));
    assert_eq!(ok("cmd.amount % 4"), Value::Int(3));
    assert_eq!(ok("cmd.amount / 2"), Value::Int(3));
    assert_eq!(ok("cmd.price.amount * 2"), dec("99.80"));
    assert_eq!(ok("cmd.amount + 0.5"), dec("7.5"));
    assert_eq!(ok("-cmd.amount"), Value::Int(-7));
    assert_eq!(ok("'b-' + str(cmd.amount)"), Value::str("b-7"));
}

#[test]
fn time_arithmetic() {
    assert_eq!(ok("now + days(1)"), Value::Ts(2 * 86_400_000));
    assert_eq!(ok("now - cmd.at"), Value::Dur(86_399_000));
    assert_eq!(ok("hours(2) * 3"), Value::Dur(21_600_000));
    assert_eq!(ok("now > ts('1970-01-01T12:00:00Z')"), Value::Bool(true));
    assert_eq!(
        ok("minutes(90) == hours(1) + minutes(30)"),
        Value::Bool(true)
    );
}

#[test]
fn calendar_arithmetic_on_the_virtual_clock() {
    assert_eq!(
        ok("add_months(ts('2024-01-31T09:00:00Z'), 1) == ts('2024-02-29T09:00:00Z')"),
        Value::Bool(true)
    );
    assert_eq!(
        ok("add_years(ts('2024-02-29T00:00:00Z'), 1) == ts('2025-02-28T00:00:00Z')"),
        Value::Bool(true)
    );
    assert_eq!(ok("start_of_day(now + hours(5)) == now"), Value::Bool(true));
    assert_eq!(ok("weekday(now)"), Value::Int(5));
    let e = run("add_years(now, 9223372036854775807)").unwrap_err();
    assert!(e.contains("overflow"), "{e}");
    let e = compile_err("add_months(now, days(1))");
    assert!(
        e.message.contains("`add_months` needs an int"),
        "{}",
        e.message
    );
}

#[test]
fn comparison_logic_and_conditionals() {
    assert_eq!(
        ok("cmd.amount > 5 && !(cmd.amount > 10)"),
        Value::Bool(true)
    );
    assert_eq!(ok("cmd.amount < 5 or cmd.id == 'b-1'"), Value::Bool(true));
    assert_eq!(ok("not false and true"), Value::Bool(true));
    assert_eq!(ok("if cmd.amount >= 7 then 1 else 2.5"), dec("1"));
    assert_eq!(ok("cmd.kind == ServiceKind.Inspection"), Value::Bool(true));
    assert_eq!(ok("cmd.kind != 'OilChange'"), Value::Bool(true));
    assert_eq!(
        ok("cmd.kind == Booking.ServiceKind.Inspection"),
        Value::Bool(true)
    );
    assert_eq!(ok("'pay-' + cmd.id"), Value::str("pay-b-1"));
    assert_eq!(ok("cmd.price.currency <= 'EUR'"), Value::Bool(true));
}

#[test]
fn optionals_lists_and_functions() {
    assert_eq!(ok("cmd.note ?? 'none given'"), Value::str("none given"));
    assert_eq!(ok("cmd.note == none"), Value::Bool(true));
    assert_eq!(ok("is_some(cmd.note)"), Value::Bool(false));
    assert_eq!(ok("contains(cmd.tags, 'vip')"), Value::Bool(true));
    assert_eq!(ok("contains(cmd.id, 'b-')"), Value::Bool(true));
    assert_eq!(ok("len(cmd.tags) + len('abc')"), Value::Int(4));
    assert_eq!(ok("min(3, cmd.amount)"), Value::Int(3));
    assert_eq!(ok("max(1, 2.5)"), dec("2.5"));
    assert_eq!(ok("abs(-4)"), Value::Int(4));
    assert_eq!(ok("round(2.345, 2)"), dec("2.34"));
    assert_eq!(ok("upper('a') + lower('B')"), Value::str("Ab"));
    assert_eq!(
        ok("[1, 2.5]"),
        Value::List(vec![dec("1"), dec("2.5")].into())
    );
    assert_eq!(ok("len([])"), Value::Int(0));
    assert_eq!(ok("str(seconds(90))"), Value::str("1m30s"));
    assert_eq!(
        ok("append(cmd.tags, 'new')"),
        Value::List(vec![Value::str("vip"), Value::str("new")].into())
    );
    assert_eq!(ok("without(cmd.tags, 'vip')"), Value::List(vec![].into()));
    assert_eq!(ok("len(append([], 3))"), Value::Int(1));
    assert!(
        compile_err("append(cmd.tags, 3)")
            .message
            .contains("needs a `string`")
    );
}

#[test]
fn value_objects_are_built_from_their_fields_in_order() {
    assert_eq!(
        ok("Money(9, 'EUR')"),
        Value::Record(vec![dec("9"), Value::str("EUR")].into())
    );
    assert_eq!(ok("Money(1.5, 'EUR') == cmd.price"), Value::Bool(false));
    let e = compile_err("Money(1)");
    assert!(
        e.message
            .contains("takes its 2 fields in order (amount, currency)"),
        "{}",
        e.message
    );
    let e = compile_err("Money('x', 'EUR')");
    assert_eq!(e.span, 6..9);
}

#[test]
fn expected_types_convert_or_are_reported() {
    let e = Expr::compile("cmd.amount", &scope(), &env(), Some(&Type::Decimal)).unwrap();
    assert_eq!(e.ty(), &Type::Decimal);
    let c = cmd();
    let now = Value::Ts(0);
    assert_eq!(
        e.eval(&[RootValue::Record(&c), RootValue::Scalar(&now)])
            .unwrap(),
        dec("7")
    );
    let e = Expr::compile("'x'", &scope(), &env(), Some(&Type::Decimal)).unwrap_err();
    assert_eq!(
        (e[0].span.clone(), e[0].message.as_str()),
        (0..3, "expected `decimal`, found `string`")
    );
    assert!(
        Expr::compile(
            "none",
            &scope(),
            &env(),
            Some(&Type::Optional(Box::new(Type::Int)))
        )
        .is_ok()
    );
    assert!(Expr::compile("'b-1'", &scope(), &env(), Some(&Type::Id)).is_ok());
}

#[test]
fn errors_have_spans_and_suggestions() {
    let e = compile_err("cmd.amout > 0");
    assert_eq!(e.span, 0..9);
    assert!(
        e.message.contains("did you mean `amount`?"),
        "{}",
        e.message
    );
    let e = compile_err("cmd.amount + 'x'");
    assert_eq!(
        (e.span, e.message.as_str()),
        (11..12, "cannot add `int` and `string`")
    );
    let e = compile_err("evnt.x");
    assert!(
        e.message.contains("unknown name `evnt`") && e.message.contains("cmd, now"),
        "{}",
        e.message
    );
    let e = compile_err("lenn(cmd.tags)");
    assert_eq!(e.span, 0..4);
    assert!(e.message.contains("did you mean `len`?"));
    let e = compile_err("len(1, 2)");
    assert!(e.message.contains("takes 1 argument, found 2"));
    let e = compile_err("ServiceKind.Wash");
    assert_eq!(e.span, 12..16);
    let e = compile_err("cmd.note.x");
    assert!(e.message.contains("optional"));
    let e = compile_err("if 1 then 2 else 3");
    assert_eq!(e.span, 3..4);
    let e = compile_err("ts('yesterday')");
    assert_eq!(e.span, 3..14);
    let e = compile_err("cmd.amount > 'x'");
    assert!(e.message.contains("cannot compare"));
}

#[test]
fn evaluation_errors_reject_instead_of_panicking() {
    assert_eq!(run("cmd.amount / 0"), Err("division by zero".into()));
    assert_eq!(
        run("cmd.amount % (cmd.amount - 7)"),
        Err("division by zero".into())
    );
    assert_eq!(
        run("cmd.price.amount / 0.0"),
        Err("division by zero".into())
    );
    assert_eq!(
        run("9223372036854775807 + cmd.amount"),
        Err("arithmetic overflow".into())
    );
    assert_eq!(
        run("-9223372036854775807 - 2"),
        Err("arithmetic overflow".into())
    );
    assert_eq!(
        run("days(9223372036854775807)"),
        Err("arithmetic overflow".into())
    );
    let e = Expr::compile("1 / 0", &scope(), &env(), None).unwrap();
    match e.eval(&[]) {
        Err(EvalError::DivisionByZero { span }) => assert_eq!(span, 2..3),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_largest_accepted_expressions_evaluate_within_the_budget() {
    // The language has no loops: cost is bounded by the source (≤ 4 KiB, depth ≤ 64).
    let chain = format!("{}1", "1+".repeat(60));
    let e = Expr::compile(&chain, &scope(), &env(), None).unwrap();
    assert_eq!(e.eval(&[]), Ok(Value::Int(61)));
    let wide = format!("[{}]", vec!["len('abc') * 2"; 250].join(", "));
    assert!(wide.len() < 4096);
    let e = Expr::compile(&wide, &scope(), &env(), None).unwrap();
    assert!(matches!(e.eval(&[]), Ok(Value::List(l)) if l.len() == 250));
    let e = Expr::compile(&"x".repeat(5000), &scope(), &env(), None).unwrap_err();
    assert!(e[0].message.contains("longer than 4096 bytes"));
}

#[test]
fn reads_lists_the_fields_used() {
    let e = Expr::compile(
        "cmd.amount + cmd.amount > len(cmd.tags)",
        &scope(),
        &env(),
        None,
    )
    .unwrap();
    assert_eq!(e.reads(), vec![(0, 0), (0, 4)]);
}

#[test]
fn zero_values_follow_the_type() {
    assert_eq!(
        Value::zero_of(&Type::Named("ServiceKind".into()), &env()),
        Value::str("OilChange")
    );
    assert_eq!(
        Value::zero_of(&Type::Named("Money".into()), &env()),
        Value::Record(vec![dec("0"), Value::str("")].into())
    );
    assert_eq!(
        Value::zero_of(&Type::Optional(Box::new(Type::Int)), &env()),
        Value::None
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn arbitrary_source_never_panics(src in "\\PC{0,60}") {
        if let Ok(e) = Expr::compile(&src, &scope(), &env(), None) {
            let c = cmd();
            let now = Value::Ts(0);
            let _ = e.eval(&[RootValue::Record(&c), RootValue::Scalar(&now)]);
        }
    }

    #[test]
    fn mutated_expressions_never_panic(
        base in prop::sample::select(vec![
            "cmd.amount * 2 + 1", "if cmd.amount > 3 then cmd.price.amount else 0.5",
            "contains(cmd.tags, 'x') && cmd.note ?? 'y' == 'y'", "now + days(cmd.amount) - hours(2)",
            "sum(cmd.lines, l -> l.amount) + cmd.counts[1]",
            "count(filter(cmd.counts, c -> c > 0), c -> any(cmd.counts, d -> d == c))",
        ]),
        at in 0usize..60, junk in "[-+*/%()!&|?<>=.,'\"a-z0-9 \\[\\]]{0,4}"
    ) {
        let mut src = base.to_string();
        let at = at.min(src.len());
        src.insert_str(at, &junk);
        if let Ok(e) = Expr::compile(&src, &scope(), &env(), None) {
            let c = cmd();
            let now = Value::Ts(0);
            let _ = e.eval(&[RootValue::Record(&c), RootValue::Scalar(&now)]);
        }
    }
}

#[test]
fn an_expression_that_reads_nothing_is_worked_out_once() {
    let e = Expr::compile("Money(99.00, 'EUR')", &scope(), &env(), None).unwrap();
    let (a, b) = (e.eval(&[]).unwrap(), e.eval(&[]).unwrap());
    match (&a, &b) {
        (Value::Record(x), Value::Record(y)) => {
            assert!(
                Arc::ptr_eq(x, y),
                "one value, shared, not built per evaluation"
            )
        }
        _ => panic!("a record: {a}"),
    }
    assert_eq!(a.to_string(), "(99, EUR)");
    // Reading a root keeps it an evaluation: the value follows the command.
    assert_eq!(
        ok("Money(cmd.price.amount, 'EUR')").to_string(),
        "(49.9, EUR)"
    );
    // A constant that fails still fails where it is evaluated, with its place.
    assert!(run("1 / 0").unwrap_err().contains("division by zero"));
}

#[test]
fn lists_are_indexed_and_their_elements_read() {
    assert_eq!(ok("cmd.counts[0] + cmd.counts[2]"), Value::Int(8));
    assert_eq!(ok("cmd.lines[1].currency"), Value::str("USD"));
    assert_eq!(ok("cmd.lines[len(cmd.lines) - 1].amount"), dec("2.50"));
    assert_eq!(ok("[10, 20][1]"), Value::Int(20));
    // Out of bounds rejects, naming the index and the length.
    let e = run("cmd.counts[3]").unwrap_err();
    assert!(
        e.contains("index 3 is outside the list, which has 3 elements"),
        "{e}"
    );
    let e = run("cmd.counts[-1]").unwrap_err();
    assert!(e.contains("index -1"), "{e}");
    let e = compile_err("cmd.amount[0]");
    assert_eq!(e.span, 0..10);
    assert!(
        e.message.contains("only a list can be indexed"),
        "{}",
        e.message
    );
    let e = compile_err("cmd.counts['a']");
    assert_eq!(e.span, 11..14);
    assert!(e.message.contains("an index is an int"), "{}", e.message);
    let e = compile_err("cmd.lines.amount");
    assert!(e.message.contains("it is a list"), "{}", e.message);
    let e = compile_err("cmd.lines[0].amout");
    assert_eq!(e.span, 13..18);
    assert!(e.message.contains("did you mean `amount`"), "{}", e.message);
}

#[test]
fn list_functions_aggregate_map_and_filter() {
    assert_eq!(ok("sum(cmd.counts)"), Value::Int(7));
    assert_eq!(ok("sum(cmd.lines, l -> l.amount)"), dec("12.50"));
    assert_eq!(ok("sum(filter(cmd.counts, c -> c > 100))"), Value::Int(0));
    assert_eq!(
        ok("sum(filter(cmd.lines, l -> l.currency == 'GBP'), l -> l.amount)"),
        dec("0")
    );
    assert_eq!(ok("sum([hours(1), minutes(30)])"), Value::Dur(5_400_000));
    assert_eq!(ok("count(cmd.counts)"), Value::Int(3));
    assert_eq!(ok("count(cmd.counts, c -> c > 0)"), Value::Int(2));
    assert_eq!(
        ok("any(cmd.lines, l -> l.currency == 'USD')"),
        Value::Bool(true)
    );
    assert_eq!(ok("all(cmd.counts, c -> c > 0)"), Value::Bool(false));
    assert_eq!(ok("all([], c -> c > 0)"), Value::Bool(true));
    assert_eq!(ok("min(cmd.counts) + max(cmd.counts)"), Value::Int(4));
    assert_eq!(
        ok("map(cmd.lines, l -> l.currency)"),
        Value::List(vec![Value::str("EUR"), Value::str("USD")].into())
    );
    assert_eq!(
        ok("filter(cmd.counts, c -> c > cmd.amount - 4)"),
        Value::List(vec![Value::Int(5)].into())
    );
    // Nested: the inner parameter shadows nothing of the outer, both are visible.
    assert_eq!(
        ok("count(cmd.counts, c -> any(cmd.counts, d -> d == c + 2))"),
        Value::Int(1)
    );
    let e = run("max(filter(cmd.counts, c -> c > 9))").unwrap_err();
    assert!(e.contains("`max` of an empty list"), "{e}");
}

#[test]
fn list_functions_are_type_checked_with_spans() {
    let e = compile_err("sum(cmd.lines)");
    assert!(e.message.contains("sum(xs, x -> x.field)"), "{}", e.message);
    assert_eq!(e.span, 4..13);
    let e = compile_err("filter(cmd.counts, c -> c + 1)");
    assert_eq!(e.span, 24..29);
    assert!(e.message.contains("must give a bool"), "{}", e.message);
    let e = compile_err("map(cmd.counts)");
    assert!(e.message.contains("`map` is written"), "{}", e.message);
    let e = compile_err("sum(cmd.amount)");
    assert!(e.message.contains("needs a list"), "{}", e.message);
    let e = compile_err("x -> x");
    assert!(e.message.contains("unexpected"), "{}", e.message);
    let e = compile_err("len(x -> x)");
    assert!(
        e.message.contains("can only be given to map"),
        "{}",
        e.message
    );
    let e = compile_err("max(cmd.lines)");
    assert!(e.message.contains("have no order"), "{}", e.message);
    let e = compile_err("count(cmd.counts, c -> c.size)");
    assert!(
        e.message.contains("`int` has no field `size`"),
        "{}",
        e.message
    );
    // `sum` is a function now: a typo suggests it.
    let e = compile_err("summ(cmd.counts)");
    assert!(e.message.contains("did you mean `sum`"), "{}", e.message);
}

#[test]
fn a_list_function_over_a_long_list_stays_within_the_step_budget() {
    let e = Expr::compile("sum(cmd.counts, c -> c * 2)", &scope(), &env(), None).unwrap();
    let mut c = cmd();
    c[7] = Value::List((0..20_000).map(Value::Int).collect::<Vec<_>>().into());
    let now = Value::Ts(0);
    let r = e.eval(&[RootValue::Record(&c), RootValue::Scalar(&now)]);
    assert!(matches!(r, Err(EvalError::TooManySteps(_))), "{r:?}");
}
