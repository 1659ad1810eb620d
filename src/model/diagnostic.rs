//! Diagnostics: coded findings about a model, each pointing at an element and a place in the
//! file (and, for expressions, a span inside the expression).

use std::fmt;
use std::ops::Range;

use super::element::{Loc, PathSeg};
use super::locate::{LineCol, Places, offset_in_string, token_end};

/// How serious a finding is. Errors stop simulation and export; warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The model cannot be run or exported as it is.
    Error,
    /// Probably a mistake, or an open question.
    Warning,
    /// Worth knowing.
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

macro_rules! codes {
    ($($name:ident = $code:literal, $sev:ident, $doc:literal;)*) => {
        /// The diagnostic codes. Numbers are stable: a code is never reused for another meaning.
        ///
        /// | code | severity | meaning |
        /// |---|---|---|
        $(#[doc = concat!("| ", $code, " | ", stringify!($sev), " | ", $doc, " |")])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(#[doc = $doc] $name,)*
        }

        impl Code {
            /// All codes, in order.
            pub const ALL: &[Code] = &[$(Code::$name,)*];

            /// `SL001`…
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$name => $code,)* }
            }

            /// The severity findings of this code have.
            pub fn severity(self) -> Severity {
                match self { $(Code::$name => Severity::$sev,)* }
            }

            /// What the code means.
            pub fn meaning(self) -> &'static str {
                match self { $(Code::$name => $doc,)* }
            }
        }
    };
}

codes! {
    DanglingReference = "SL001", Error, "a reference names no element of the right kind";
    AmbiguousReference = "SL002", Error, "an unqualified name matches elements in several contexts";
    DuplicateName = "SL003", Error, "two elements of a context share a name";
    DuplicateMember = "SL004", Error, "a field, lifecycle state or enum value is declared twice";
    ExpressionError = "SL005", Error, "an expression does not parse or type-check";
    EmitsForeignEvent = "SL006", Error, "a handler emits an event owned by another aggregate";
    HandlesForeignCommand = "SL007", Error, "a handler handles a command addressed to another target";
    UnreachableState = "SL008", Warning, "a lifecycle state cannot be reached from the initial state";
    UnknownState = "SL009", Error, "a handler or applier names a lifecycle state the aggregate does not have";
    EventNeverEmitted = "SL010", Warning, "no handler, external system, translation or scenario produces the event";
    CommandNotHandled = "SL011", Error, "no handler handles the command";
    UnknownIssuedCommand = "SL012", Error, "a policy or saga issues a command that does not exist";
    MissingRelation = "SL013", Error, "an event is consumed in another context without a relation that allows it";
    BypassesTranslation = "SL014", Warning, "a downstream context consumes an upstream event directly instead of through its anticorruption layer";
    ConsumesInternalEvent = "SL015", Warning, "another context consumes an event that is not published";
    ProtoNameClash = "SL016", Error, "two names become the same protobuf identifier after case conversion";
    BadFieldNumber = "SL017", Error, "a field number is reused, zero, too large or in 19000-19999";
    ReusesReserved = "SL018", Error, "a field reuses a reserved number or name";
    UnguardedPolicyCycle = "SL019", Error, "policies form a cycle with no condition that can stop it";
    MissingCorrelation = "SL020", Error, "an event a saga handles lacks the saga's correlation field";
    BadProbabilities = "SL021", Error, "an external system's outcome probabilities are outside 0..1 or do not sum to 1";
    BadTime = "SL022", Error, "a duration, timestamp or time of day cannot be read";
    BadLoad = "SL023", Error, "a load generator has a count that is not from 1 to 10,000,000, an interval that is not positive, or a field picked from no values";
    BadRate = "SL024", Error, "a fault rate is outside 0..1";
    NotAnIdentifier = "SL025", Error, "a name is not an identifier (letters, digits, `_`; starting with a letter)";
    HotSpot = "SL026", Warning, "an open question on the board";
    Empty = "SL027", Info, "a model or context has no elements";
    BadPosition = "SL028", Error, "a position or size is not a finite number";
    MissingIdField = "SL029", Error, "a message addressed to an aggregate or external system lacks its id field";
    BadRelation = "SL030", Warning, "a relation is inconsistent (a context with itself, translations without an anticorruption layer)";
    BadKey = "SL031", Error, "a read model's key is not one of its columns";
    UnknownTargetField = "SL032", Error, "an assignment sets a field the target does not have";
    BadEventNumber = "SL033", Error, "an event's envelope number is reused, retired, below 16, too large or in 19000-19999";
    ImportCycle = "SL034", Error, "the contracts of two or more contexts use each other's types (a protobuf import cycle)";
    PlaceholderName = "SL035", Warning, "a sticky still has the name it was created with (`DoSomething`)";
    BadContractName = "SL036", Error, "a name is too long for the exported contract, or the organisation is not a protobuf package";
    BadScenarioName = "SL037", Error, "a scenario's name is empty, used twice or has a line break (`--scenario NAME` could not pick it)";
    FileFormat = "SL038", Error, "the file is not a model: a syntax error, an unknown or missing field, a value of the wrong type, or an unsupported format version";
    DuplicateHandler = "SL039", Error, "an aggregate has two handlers for one command (only one could ever decide; use `branches` for different outcomes)";
    MisplacedOtherwise = "SL040", Error, "a handler's otherwise branch (the one without `when`) is not its last";
    CopiedFieldType = "SL041", Error, "a field left unassigned would be copied from a same-named field of another type";
    LookupAcrossContexts = "SL042", Error, "a decision looks up a read model of another context with no relation between the two";
    BadInvariant = "SL043", Error, "an invariant says neither or both of `always` and `eventually`, has `within` where only a saga's `eventually` may, or shares its name with another invariant of the same element";
    BadJoin = "SL044", Error, "a saga step's join waits for one event twice (the `on` event again, or an event listed twice in `and`)";
    IdleStep = "SL045", Warning, "a saga step neither sets state nor issues a command";
}

/// One finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// The code.
    pub code: Code,
    /// Its severity.
    pub severity: Severity,
    /// What is wrong, naming the element.
    pub message: String,
    /// The element it is about.
    pub element: Option<Loc>,
    /// Where in the file (a path into the model).
    pub path: Vec<PathSeg>,
    /// For expressions: the byte range inside the expression string at `path`.
    pub span: Option<Range<usize>>,
}

impl Diagnostic {
    /// A finding of `code` (with its severity) about `element` at `path`.
    pub fn new(code: Code, element: Option<Loc>, path: Vec<PathSeg>, message: String) -> Self {
        Self {
            code,
            severity: code.severity(),
            message,
            element,
            path,
            span: None,
        }
    }

    /// The line and column this finding points at in `src`.
    pub fn place(&self, src: &str) -> LineCol {
        self.place_in(&mut Places::new(src))
    }

    /// As [`Diagnostic::place`], in a text indexed once for many findings.
    pub fn place_in(&self, places: &mut Places<'_>) -> LineCol {
        let at = self.range_in(places).start;
        places.line_col(at)
    }

    /// The bytes of the file this finding is about, to underline: inside an expression, its
    /// span; elsewhere the token where the element or value starts (a name, a string, a
    /// number, or the bracket opening the element).
    pub fn range_in(&self, places: &mut Places<'_>) -> Range<usize> {
        let at = places.locate(&self.path);
        let text = places.text();
        match &self.span {
            Some(span) => {
                let start = offset_in_string(text, at, span.start);
                let end = if span.end > span.start {
                    offset_in_string(text, at, span.end)
                } else {
                    token_end(text, start)
                };
                start..end.max(start)
            }
            // An element: its name (a hot spot: its text), where it has one.
            None if text.as_bytes().get(at) == Some(&b'(') => {
                for key in ["name", "text"] {
                    let mut named = self.path.clone();
                    named.push(PathSeg::Key(key));
                    let name = places.locate(&named);
                    if name > at {
                        return name..token_end(text, name);
                    }
                }
                at..at + 1
            }
            None => at..token_end(text, at),
        }
    }
}

/// `file:line:col: error[SL012]: message`, as compilers print it.
pub fn render(d: &Diagnostic, src: &str, file: &str) -> String {
    render_in(d, &mut Places::new(src), file)
}

/// As [`render`], in a text indexed once (printing many findings of one file).
pub fn render_in(d: &Diagnostic, places: &mut Places<'_>, file: &str) -> String {
    let at = d.place_in(places);
    format!(
        "{file}:{}:{}: {}[{}]: {}",
        at.line,
        at.col,
        d.severity,
        d.code.as_str(),
        d.message
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_sequential() {
        for (i, c) in Code::ALL.iter().enumerate() {
            assert_eq!(c.as_str(), format!("SL{:03}", i + 1));
        }
    }
}
