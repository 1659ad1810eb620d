//! Tokens and the syntax tree: a recursive-descent parser with byte spans, bounded in depth.

use rust_decimal::Decimal;

use super::{ExprError, Span};

/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 64;
/// Longest source accepted, in bytes.
pub const MAX_SOURCE: usize = 4096;

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Int(i64),
    Dec(Decimal),
    Str(String),
    Ident(String),
    Sym(&'static str),
    End,
}

/// A literal in the source.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    /// `42`
    Int(i64),
    /// `49.90`
    Dec(Decimal),
    /// `'text'`
    Str(String),
    /// `true` / `false`
    Bool(bool),
    /// `none`
    None,
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UnOp {
    /// `-x`
    Neg,
    /// `!x`, `not x`
    Not,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `&&`
    And,
    /// `||`
    Or,
    /// `??`
    Default,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "&&",
            BinOp::Or => "||",
            BinOp::Default => "??",
        }
    }
}

/// The syntax tree; every node knows its span.
#[derive(Clone, Debug, PartialEq)]
pub enum Ast {
    /// A literal.
    Lit(Lit, Span),
    /// A dotted name `a.b.c`, each part with its span.
    Name(Vec<(String, Span)>),
    /// A unary operation.
    Unary(UnOp, Box<Ast>, Span),
    /// A binary operation; the span is the operator's.
    Binary(BinOp, Box<Ast>, Box<Ast>, Span),
    /// `if c then a else b`.
    If(Box<Ast>, Box<Ast>, Box<Ast>, Span),
    /// A function call: name, its span, arguments, whole span.
    Call(String, Span, Vec<Ast>, Span),
    /// A list literal.
    List(Vec<Ast>, Span),
    /// `list[i]`: the list, the index, the whole span.
    Index(Box<Ast>, Box<Ast>, Span),
    /// `value.field` after an index or a call (`lines[0].qty`): the value, the field and
    /// its span.
    Member(Box<Ast>, String, Span),
    /// `x -> body`, only as an argument of a list function: the parameter, its span, the
    /// body, the whole span.
    Lambda(String, Span, Box<Ast>, Span),
}

impl Ast {
    /// The source range the node covers.
    pub fn span(&self) -> Span {
        match self {
            Ast::Lit(_, s)
            | Ast::Unary(_, _, s)
            | Ast::If(_, _, _, s)
            | Ast::Call(_, _, _, s)
            | Ast::List(_, s)
            | Ast::Index(_, _, s)
            | Ast::Lambda(_, _, _, s) => s.clone(),
            Ast::Member(base, _, s) => base.span().start..s.end,
            Ast::Name(parts) => match (parts.first(), parts.last()) {
                (Some(a), Some(b)) => a.1.start..b.1.end,
                _ => 0..0,
            },
            Ast::Binary(_, a, b, _) => a.span().start..b.span().end,
        }
    }
}

const SYMBOLS: [&str; 23] = [
    "==", "!=", "<=", ">=", "&&", "||", "??", "->", "<", ">", "+", "-", "*", "/", "%", "!", "(",
    ")", "[", "]", ",", ".", "?",
];

fn lex(src: &str) -> Result<Vec<(Tok, Span)>, ExprError> {
    let b = src.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    let err = |span: Span, message: String| ExprError { span, message };
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let is_dec = i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit();
            if is_dec {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                let text = &src[start..i];
                let d = text
                    .parse::<Decimal>()
                    .map_err(|_| err(start..i, format!("`{text}` is not a valid decimal")))?;
                out.push((Tok::Dec(d), start..i));
            } else {
                let text = &src[start..i];
                let n = text
                    .parse::<i64>()
                    .map_err(|_| err(start..i, format!("`{text}` is too large for an int")))?;
                out.push((Tok::Int(n), start..i));
            }
            if i < b.len() && (b[i].is_ascii_alphabetic() || b[i] == b'_') {
                return Err(err(
                    start..i + 1,
                    "a number cannot run into a name; add a space or an operator".into(),
                ));
            }
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push((Tok::Ident(src[start..i].to_owned()), start..i));
            continue;
        }
        if c == b'\'' || c == b'"' {
            i += 1;
            let mut s = String::new();
            loop {
                let Some(ch) = src[i..].chars().next() else {
                    return Err(err(
                        start..src.len(),
                        "unterminated string: add the closing quote".into(),
                    ));
                };
                if ch as u32 == u32::from(c) {
                    i += 1;
                    break;
                }
                if ch == '\\' {
                    let esc = src[i + 1..].chars().next();
                    let decoded = match esc {
                        Some('n') => '\n',
                        Some('t') => '\t',
                        Some(e @ ('\\' | '\'' | '"')) => e,
                        _ => {
                            return Err(err(
                                i..i + 2,
                                "unknown escape; use \\\\, \\', \\\", \\n or \\t".into(),
                            ));
                        }
                    };
                    s.push(decoded);
                    i += 2;
                    continue;
                }
                s.push(ch);
                i += ch.len_utf8();
            }
            out.push((Tok::Str(s), start..i));
            continue;
        }
        match SYMBOLS.iter().find(|s| src[i..].starts_with(**s)) {
            Some(s) => {
                i += s.len();
                out.push((Tok::Sym(s), start..i));
            }
            None => {
                let ch = src[i..].chars().next().unwrap_or(' ');
                return Err(err(
                    i..i + ch.len_utf8(),
                    format!("unexpected character `{ch}`"),
                ));
            }
        }
    }
    out.push((Tok::End, src.len()..src.len()));
    Ok(out)
}

/// Parses `src` into a syntax tree.
pub fn parse(src: &str) -> Result<Ast, ExprError> {
    if src.len() > MAX_SOURCE {
        return Err(ExprError {
            span: 0..src.len(),
            message: format!("expression is longer than {MAX_SOURCE} bytes"),
        });
    }
    if src.trim().is_empty() {
        return Err(ExprError {
            span: 0..src.len(),
            message: "empty expression".into(),
        });
    }
    let toks = lex(src)?;
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let ast = p.expr()?;
    match p.peek() {
        Tok::End => Ok(ast),
        t => Err(ExprError {
            span: p.span(),
            message: format!("unexpected {} after the end of the expression", describe(t)),
        }),
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Int(n) => format!("`{n}`"),
        Tok::Dec(d) => format!("`{d}`"),
        Tok::Str(s) => format!("string '{s}'"),
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Sym(s) => format!("`{s}`"),
        Tok::End => "end of expression".into(),
    }
}

struct Parser {
    toks: Vec<(Tok, Span)>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.toks.get(self.pos).map_or(&Tok::End, |t| &t.0)
    }

    fn span(&self) -> Span {
        self.toks.get(self.pos).map_or(0..0, |t| t.1.clone())
    }

    fn bump(&mut self) -> (Tok, Span) {
        let t = self.toks.get(self.pos).cloned().unwrap_or((Tok::End, 0..0));
        self.pos += 1;
        t
    }

    fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Tok::Sym(x) if *x == s)
    }

    fn is_kw(&self, k: &str) -> bool {
        matches!(self.peek(), Tok::Ident(x) if x == k)
    }

    fn expect_sym(&mut self, s: &str) -> Result<Span, ExprError> {
        if self.is_sym(s) {
            Ok(self.bump().1)
        } else {
            Err(ExprError {
                span: self.span(),
                message: format!("expected `{s}`, found {}", describe(self.peek())),
            })
        }
    }

    fn expect_kw(&mut self, k: &str) -> Result<Span, ExprError> {
        if self.is_kw(k) {
            Ok(self.bump().1)
        } else {
            Err(ExprError {
                span: self.span(),
                message: format!("expected `{k}`, found {}", describe(self.peek())),
            })
        }
    }

    fn enter(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError {
                span: self.span(),
                message: "expression nested too deeply".into(),
            });
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Ast, ExprError> {
        self.enter()?;
        let r = if self.is_kw("if") {
            let start = self.bump().1.start;
            let c = self.expr()?;
            self.expect_kw("then")?;
            let a = self.expr()?;
            self.expect_kw("else")?;
            let b = self.expr()?;
            let end = b.span().end;
            Ok(Ast::If(Box::new(c), Box::new(a), Box::new(b), start..end))
        } else {
            self.binary(0)
        };
        self.depth -= 1;
        r
    }

    fn op_at(&self, level: usize) -> Option<BinOp> {
        let t = self.peek();
        let sym = |s: &str| matches!(t, Tok::Sym(x) if *x == s);
        let kw = |s: &str| matches!(t, Tok::Ident(x) if x == s);
        match level {
            0 if sym("||") || kw("or") => Some(BinOp::Or),
            1 if sym("&&") || kw("and") => Some(BinOp::And),
            2 if sym("==") => Some(BinOp::Eq),
            2 if sym("!=") => Some(BinOp::Ne),
            3 if sym("<") => Some(BinOp::Lt),
            3 if sym("<=") => Some(BinOp::Le),
            3 if sym(">") => Some(BinOp::Gt),
            3 if sym(">=") => Some(BinOp::Ge),
            4 if sym("??") => Some(BinOp::Default),
            5 if sym("+") => Some(BinOp::Add),
            5 if sym("-") => Some(BinOp::Sub),
            6 if sym("*") => Some(BinOp::Mul),
            6 if sym("/") => Some(BinOp::Div),
            6 if sym("%") => Some(BinOp::Rem),
            _ => None,
        }
    }

    fn binary(&mut self, level: usize) -> Result<Ast, ExprError> {
        if level > 6 {
            return self.unary();
        }
        let mut lhs = self.binary(level + 1)?;
        // Each operator of a chain `a + b + c` nests the tree one level deeper on the left.
        let base = self.depth;
        while let Some(op) = self.op_at(level) {
            let span = self.bump().1;
            self.enter()?;
            let rhs = self.binary(level + 1)?;
            lhs = Ast::Binary(op, Box::new(lhs), Box::new(rhs), span);
        }
        self.depth = base;
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Ast, ExprError> {
        let op = if self.is_sym("-") {
            Some(UnOp::Neg)
        } else if self.is_sym("!") || self.is_kw("not") {
            Some(UnOp::Not)
        } else {
            None
        };
        match op {
            Some(op) => {
                let start = self.bump().1.start;
                self.enter()?;
                let inner = self.unary()?;
                self.depth -= 1;
                let end = inner.span().end;
                Ok(Ast::Unary(op, Box::new(inner), start..end))
            }
            None => self.postfix(),
        }
    }

    /// A value followed by any number of `[index]` and `.field`.
    fn postfix(&mut self) -> Result<Ast, ExprError> {
        let mut ast = self.primary()?;
        let base = self.depth;
        loop {
            if self.is_sym("[") {
                self.bump();
                self.enter()?;
                let index = self.expr()?;
                let end = self.expect_sym("]")?.end;
                let start = ast.span().start;
                ast = Ast::Index(Box::new(ast), Box::new(index), start..end);
            } else if self.is_sym(".") && !matches!(ast, Ast::Name(_)) {
                self.bump();
                self.enter()?;
                let (n, s) = self.field_name()?;
                ast = Ast::Member(Box::new(ast), n, s);
            } else {
                break;
            }
        }
        self.depth = base;
        Ok(ast)
    }

    /// The field name after a `.`.
    fn field_name(&mut self) -> Result<(String, Span), ExprError> {
        match self.bump() {
            (Tok::Ident(n), s) => Ok((n, s)),
            (t, s) => Err(ExprError {
                span: s,
                message: format!("expected a field name after `.`, found {}", describe(&t)),
            }),
        }
    }

    /// A call's argument: an expression, or `x -> body` for the list functions.
    fn argument(&mut self) -> Result<Ast, ExprError> {
        let is_lambda = matches!(self.peek(), Tok::Ident(_))
            && matches!(self.toks.get(self.pos + 1), Some((Tok::Sym("->"), _)));
        if !is_lambda {
            return self.expr();
        }
        let (param, pspan) = match self.bump() {
            (Tok::Ident(n), s) => (n, s),
            (_, s) => (String::new(), s),
        };
        self.bump();
        let body = self.expr()?;
        let span = pspan.start..body.span().end;
        Ok(Ast::Lambda(param, pspan, Box::new(body), span))
    }

    fn primary(&mut self) -> Result<Ast, ExprError> {
        let (tok, span) = self.bump();
        match tok {
            Tok::Int(n) => Ok(Ast::Lit(Lit::Int(n), span)),
            Tok::Dec(d) => Ok(Ast::Lit(Lit::Dec(d), span)),
            Tok::Str(s) => Ok(Ast::Lit(Lit::Str(s), span)),
            Tok::Sym("(") => {
                let inner = self.expr()?;
                self.expect_sym(")")?;
                Ok(inner)
            }
            Tok::Sym("[") => {
                let mut items = Vec::new();
                while !self.is_sym("]") {
                    items.push(self.expr()?);
                    if !self.is_sym("]") {
                        self.expect_sym(",")?;
                    }
                }
                let end = self.bump().1.end;
                Ok(Ast::List(items, span.start..end))
            }
            Tok::Ident(name) => match name.as_str() {
                "true" => Ok(Ast::Lit(Lit::Bool(true), span)),
                "false" => Ok(Ast::Lit(Lit::Bool(false), span)),
                "none" => Ok(Ast::Lit(Lit::None, span)),
                "if" | "then" | "else" | "and" | "or" | "not" => Err(ExprError {
                    span,
                    message: format!("expected a value, found `{name}`"),
                }),
                _ if self.is_sym("(") => {
                    self.bump();
                    let mut args = Vec::new();
                    while !self.is_sym(")") {
                        args.push(self.argument()?);
                        if !self.is_sym(")") {
                            self.expect_sym(",")?;
                        }
                    }
                    let end = self.bump().1.end;
                    Ok(Ast::Call(name, span.clone(), args, span.start..end))
                }
                _ => {
                    let mut parts = vec![(name, span)];
                    while self.is_sym(".") {
                        self.bump();
                        parts.push(self.field_name()?);
                    }
                    Ok(Ast::Name(parts))
                }
            },
            t => Err(ExprError {
                span,
                message: format!("expected a value, found {}", describe(&t)),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_spans() {
        let a = parse("1 + 2 * 3 > 4 && x.y").unwrap();
        let Ast::Binary(BinOp::And, l, r, op) = a else {
            panic!()
        };
        assert_eq!(op, 14..16);
        assert!(matches!(*l, Ast::Binary(BinOp::Gt, ..)));
        assert_eq!(r.span(), 17..20);
    }

    #[test]
    fn syntax_errors_point_at_the_problem() {
        let e = parse("if a then b c").unwrap_err();
        assert_eq!(
            (e.span, e.message.as_str()),
            (12..13, "expected `else`, found `c`")
        );
        let e = parse("'abc").unwrap_err();
        assert_eq!(e.span, 0..4);
        assert!(e.message.contains("unterminated"));
        let e = parse("1 +").unwrap_err();
        assert_eq!(e.span, 3..3);
        let e = parse("a # b").unwrap_err();
        assert_eq!(e.span, 2..3);
        let e = parse(&"(".repeat(100)).unwrap_err();
        assert!(e.message.contains("nested too deeply"));
        let e = parse(&format!("{}1", "-".repeat(200))).unwrap_err();
        assert!(e.message.contains("nested too deeply"));
        let e = parse(&format!("{}1", "1+".repeat(200))).unwrap_err();
        assert!(e.message.contains("nested too deeply"));
        assert!(parse(&format!("{}1", "1+".repeat(60))).is_ok());
    }
}
