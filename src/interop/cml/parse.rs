//! A recursive-descent parser for CML, after Context Mapper's Xtext grammar
//! (`ContextMappingDSL.xtext` and the tactic DDD grammar it builds on). It reads the parts
//! Stormlab maps — the context map, bounded contexts, aggregates, domain objects, services
//! and application flows — and reads past the rest (domains, user stories, stakeholders,
//! repositories…), noting each with its place, so that a newer CML with constructs this
//! parser does not know still imports. Only broken structure (an unclosed brace, a
//! relationship without its second context) is an error.
//!
//! Hand-written rather than generated: no Rust grammar for CML exists, and a grammar for
//! pest would need the same recovery rules written around it.

use std::ops::Range;

use super::ast::*;
use super::lexer::{Tok, Token, tokens, unquote};
use super::{Note, ParseError};

/// Keys of settings written without `=` (`owner ContractsTeam`, `type TEAM`).
const SETTINGS: &[&str] = &[
    "domainVisionStatement",
    "type",
    "state",
    "responsibilities",
    "implementationTechnology",
    "knowledgeLevel",
    "businessModel",
    "evolution",
    "owner",
    "useCases",
    "userStories",
    "features",
    "userRequirements",
    "likelihoodForChange",
    "structuralVolatility",
    "contentVolatility",
    "availabilityCriticality",
    "consistencyCriticality",
    "storageSimilarity",
    "securityCriticality",
    "securityZone",
    "securityAccessGroup",
    "exposedAggregates",
    "downstreamRights",
    "basePackage",
    "hint",
    "package",
];

/// Keywords that start a domain object.
const OBJECTS: &[&str] = &[
    "Entity",
    "ValueObject",
    "DomainEvent",
    "Event",
    "Command",
    "CommandEvent",
    "enum",
    "BasicType",
    "DataTransferObject",
    "Trait",
];

/// Flags and options a domain object's body or a property may carry.
const OPTIONS: &[&str] = &[
    "key",
    "changeable",
    "required",
    "nullable",
    "index",
    "assertFalse",
    "assertTrue",
    "hint",
    "creditCardNumber",
    "digits",
    "email",
    "future",
    "past",
    "max",
    "min",
    "decimalMax",
    "decimalMin",
    "notEmpty",
    "notBlank",
    "pattern",
    "range",
    "size",
    "length",
    "scriptAssert",
    "url",
    "validate",
    "transient",
    "databaseColumn",
    "databaseType",
    "cascade",
    "fetch",
    "cache",
    "inverse",
    "databaseJoinTable",
    "databaseJoinColumn",
    "valid",
    "orderby",
    "orderColumn",
];

/// Flags of a domain object's body (before its properties).
const OBJECT_FLAGS: &[&str] = &[
    "aggregateRoot",
    "optimisticLocking",
    "auditable",
    "immutable",
    "persistent",
    "cache",
    "gap",
    "nogap",
    "scaffold",
    "aggregateLifecycle",
    "ordinal",
];

const COLLECTIONS: &[&str] = &["List", "Set", "Bag", "Collection", "Map"];

const VISIBILITIES: &[&str] = &["public", "protected", "private", "package"];

/// Parses `src`: the file's structure and the notes about what was read past.
pub fn parse(src: &str) -> Result<(File, Vec<Note>), ParseError> {
    let toks = tokens(src)?;
    let mut p = Parser {
        src,
        toks,
        pos: 0,
        notes: Vec::new(),
    };
    let file = p.file()?;
    Ok((file, p.notes))
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    notes: Vec<Note>,
}

type Res<T> = Result<T, ParseError>;

impl Parser<'_> {
    // ---- tokens ----

    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    fn text_at(&self, i: usize) -> &str {
        self.toks.get(i).map_or("", |t| &self.src[t.span.clone()])
    }

    fn kind_at(&self, i: usize) -> Option<Tok> {
        self.toks.get(i).map(|t| t.kind)
    }

    fn text(&self) -> &str {
        self.text_at(self.pos)
    }

    /// Whether the next token is the identifier `word`.
    fn at(&self, word: &str) -> bool {
        self.kind_at(self.pos) == Some(Tok::Ident) && self.text() == word
    }

    /// Whether the next token is the punctuation `p`.
    fn at_punct(&self, p: &str) -> bool {
        self.kind_at(self.pos) == Some(Tok::Punct) && self.text() == p
    }

    fn at_ident(&self) -> bool {
        self.kind_at(self.pos) == Some(Tok::Ident)
    }

    fn eat(&mut self, word: &str) -> bool {
        let yes = self.at(word);
        if yes {
            self.pos += 1;
        }
        yes
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        let yes = self.at_punct(p);
        if yes {
            self.pos += 1;
        }
        yes
    }

    /// Where the next token is (the end of the file past the last).
    fn here(&self) -> Range<usize> {
        self.peek()
            .map_or(self.src.len()..self.src.len(), |t| t.span.clone())
    }

    fn start(&self) -> usize {
        self.here().start
    }

    /// The end of the last token read.
    fn end(&self) -> usize {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map_or(0, |t| t.span.end)
    }

    fn found(&self) -> String {
        match self.peek() {
            None => "the end of the file".into(),
            Some(t) => format!("`{}`", &self.src[t.span.clone()]),
        }
    }

    fn error<T>(&self, expected: &str) -> Res<T> {
        Err(ParseError::new(
            self.here(),
            format!("expected {expected}, found {}", self.found()),
        ))
    }

    fn expect_punct(&mut self, p: &str) -> Res<()> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            self.error(&format!("`{p}`"))
        }
    }

    fn expect_word(&mut self, word: &str) -> Res<()> {
        if self.eat(word) {
            Ok(())
        } else {
            self.error(&format!("`{word}`"))
        }
    }

    fn name(&mut self, what: &str) -> Res<Name> {
        if !self.at_ident() {
            return self.error(what);
        }
        let span = self.here();
        self.pos += 1;
        let text = self.src[span.clone()].trim_start_matches('^').to_owned();
        Ok(Name { text, span })
    }

    /// A name, possibly dotted (`java.util.Date`); its last part.
    fn dotted(&mut self, what: &str) -> Res<Name> {
        let mut n = self.name(what)?;
        while self.at_punct(".") && self.kind_at(self.pos + 1) == Some(Tok::Ident) {
            self.pos += 1;
            n = self.name(what)?;
        }
        Ok(n)
    }

    fn string(&mut self) -> Option<String> {
        (self.kind_at(self.pos) == Some(Tok::Str)).then(|| {
            let s = unquote(self.text());
            self.pos += 1;
            s
        })
    }

    fn note(&mut self, span: Range<usize>, message: String) {
        self.notes.push(Note { span, message });
    }

    /// Reads past one construct this parser does not map: its header up to a block, the
    /// balanced block, or — without a block — up to the next token that starts something
    /// (`stop` says which) or closes the enclosing block.
    fn skip(&mut self, stop: &dyn Fn(&Self) -> bool) -> Res<()> {
        let first = self.pos;
        while let Some(t) = self.peek() {
            if self.pos > first && (stop(self) || self.at_punct("}")) {
                return Ok(());
            }
            if t.kind == Tok::Punct && self.text() == "{" {
                return self.skip_block();
            }
            self.pos += 1;
        }
        Ok(())
    }

    /// Reads past a balanced `{ … }` starting at the next token.
    fn skip_block(&mut self) -> Res<()> {
        let open = self.here();
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            if t.kind == Tok::Punct {
                match self.text() {
                    "{" => depth += 1,
                    "}" => {
                        depth -= 1;
                        if depth == 0 {
                            self.pos += 1;
                            return Ok(());
                        }
                    }
                    _ => {}
                }
            }
            self.pos += 1;
        }
        Err(ParseError::new(open, "this `{` is never closed"))
    }

    /// `{`, then items until the matching `}`: `item` reads one and answers whether it
    /// understood it; what it did not is read past with a note.
    fn block(
        &mut self,
        what: &str,
        mut item: impl FnMut(&mut Self) -> Res<bool>,
        stop: &dyn Fn(&Self) -> bool,
    ) -> Res<()> {
        let open = self.here();
        self.expect_punct("{")?;
        loop {
            if self.eat_punct("}") {
                return Ok(());
            }
            if self.peek().is_none() {
                return Err(ParseError::new(
                    open,
                    format!("the `{{` of {what} is never closed"),
                ));
            }
            let before = self.pos;
            if !item(self)? {
                self.pos = before;
                let at = self.here();
                self.skip(stop)?;
                let shown = shorten(&self.src[at.start..self.end()]);
                self.note(at, format!("`{shown}` in {what} is not mapped: skipped"));
            }
        }
    }

    // ---- the file ----

    fn file(&mut self) -> Res<File> {
        let mut file = File::default();
        while self.peek().is_some() {
            let _doc = self.string();
            if self.at("ContextMap") {
                let map = self.context_map()?;
                if file.map.is_some() {
                    self.note(
                        map.name.as_ref().map_or(0..0, |n| n.span.clone()),
                        "a second context map: only the first is imported".into(),
                    );
                } else {
                    file.map = Some(map);
                }
            } else if self.at("BoundedContext") {
                file.contexts.push(self.context()?);
            } else if self.at("import") {
                let at = self.here();
                self.pos += 1;
                let what = self.string().unwrap_or_default();
                self.note(
                    at,
                    format!("`import \"{what}\"` is not followed: only this file is imported"),
                );
            } else if self.at_punct("}") {
                return Err(ParseError::new(self.here(), "this `}` closes no block"));
            } else if self.peek().is_some() {
                let at = self.here();
                let head = format!("{} {}", self.text(), self.text_at(self.pos + 1));
                let kind = self.text().to_owned();
                self.skip(&|p: &Self| TOP.contains(&p.text()))?;
                let why = match kind.as_str() {
                    "Domain" | "Subdomain" => {
                        "domains and subdomains have no place in a Stormlab model"
                    }
                    "UseCase" | "UserStory" => {
                        "user requirements have no place in a Stormlab model"
                    }
                    "Stakeholders" | "ValueRegistry" => {
                        "stakeholders and values have no place in a Stormlab model"
                    }
                    _ => "not a construct this importer knows",
                };
                self.note(
                    at,
                    format!("`{}` is not mapped ({why}): skipped", head.trim()),
                );
            }
        }
        Ok(file)
    }

    fn setting(&mut self) -> Res<Setting> {
        let key = self.name("a setting")?;
        self.eat_punct("=");
        let mut values = Vec::new();
        loop {
            if let Some(s) = self.string() {
                values.push(s);
            } else if self.at_ident() || self.kind_at(self.pos) == Some(Tok::Int) {
                values.push(self.dotted("a value")?.text);
            } else {
                return self.error(&format!("a value for `{}`", key.text));
            }
            if !self.eat_punct(",") {
                return Ok(Setting { key, values });
            }
        }
    }

    /// Whether the next tokens are a setting: a known key, or any name followed by `=`.
    fn at_setting(&self) -> bool {
        self.at_ident()
            && (SETTINGS.contains(&self.text())
                || (self.kind_at(self.pos + 1) == Some(Tok::Punct)
                    && self.text_at(self.pos + 1) == "="))
    }

    // ---- the context map ----

    fn context_map(&mut self) -> Res<ContextMap> {
        self.expect_word("ContextMap")?;
        let name = if self.at_ident() {
            Some(self.name("a name")?)
        } else {
            None
        };
        let mut map = ContextMap {
            name,
            settings: Vec::new(),
            relationships: Vec::new(),
        };
        self.block(
            "the context map",
            |p| {
                if p.at("type") || p.at("state") {
                    let s = p.setting()?;
                    map.settings.push(s);
                } else if p.eat("contains") {
                    loop {
                        p.name("a bounded context")?;
                        if !p.eat_punct(",") {
                            break;
                        }
                    }
                } else if p.at_ident() || p.at_punct("[") {
                    let r = p.relationship()?;
                    map.relationships.push(r);
                } else {
                    return Ok(false);
                }
                Ok(true)
            },
            &|p| p.at_ident() || p.at_punct("["),
        )?;
        Ok(map)
    }

    fn roles(&mut self) -> Res<Vec<Name>> {
        let mut roles = Vec::new();
        if self.eat_punct("[") {
            while !self.eat_punct("]") {
                roles.push(self.name("a role (U, D, S, C, OHS, PL, ACL, CF, P, SK)")?);
                if !self.eat_punct(",") {
                    self.expect_punct("]")?;
                    break;
                }
            }
        }
        Ok(roles)
    }

    /// A keyword of two words joined by `-` (`Customer-Supplier`).
    fn eat_dashed(&mut self, a: &str, b: &str) -> bool {
        let yes = self.at(a)
            && self.text_at(self.pos + 1) == "-"
            && self.kind_at(self.pos + 2) == Some(Tok::Ident)
            && self.text_at(self.pos + 2) == b;
        if yes {
            self.pos += 3;
        }
        yes
    }

    fn relationship(&mut self) -> Res<Relationship> {
        let start = self.start();
        let mut left_roles = self.roles()?;
        let left = self.name("a bounded context")?;
        left_roles.extend(self.roles()?);
        let arrow = if self.eat_punct("->") {
            Arrow::Right
        } else if self.eat_punct("<-") {
            Arrow::Left
        } else if self.eat_punct("<->") {
            Arrow::Both
        } else if self.eat("Partnership") {
            Arrow::Partnership
        } else if self.eat_dashed("Shared", "Kernel") {
            Arrow::SharedKernel
        } else if self.eat_dashed("Customer", "Supplier") {
            Arrow::CustomerSupplier
        } else if self.eat_dashed("Supplier", "Customer") {
            Arrow::SupplierCustomer
        } else if self.eat_dashed("Upstream", "Downstream") {
            Arrow::UpstreamDownstream
        } else if self.eat_dashed("Downstream", "Upstream") {
            Arrow::DownstreamUpstream
        } else {
            return self.error(
                "`->`, `<-`, `<->`, `Partnership`, `Shared-Kernel`, `Customer-Supplier` or \
                 `Upstream-Downstream` between two bounded contexts",
            );
        };
        let mut right_roles = self.roles()?;
        let right = self.name("a bounded context")?;
        right_roles.extend(self.roles()?);
        let name = if self.eat_punct(":") {
            Some(self.name("the relationship's name")?)
        } else {
            None
        };
        let mut settings = Vec::new();
        if self.at_punct("{") {
            self.block(
                "a relationship",
                |p| {
                    if p.at_setting() {
                        let s = p.setting()?;
                        settings.push(s);
                        Ok(true)
                    } else {
                        Ok(false)
                    }
                },
                &|p| p.at_setting(),
            )?;
        }
        Ok(Relationship {
            left,
            left_roles,
            arrow,
            right,
            right_roles,
            name,
            settings,
            span: start..self.end(),
        })
    }

    // ---- bounded contexts ----

    fn context(&mut self) -> Res<Context> {
        self.expect_word("BoundedContext")?;
        let name = self.name("the bounded context's name")?;
        let mut links = Vec::new();
        while self.at("implements") || self.at("realizes") || self.at("refines") {
            let link = self.name("a link")?;
            let mut names = vec![self.name("a name")?];
            while self.eat_punct(",") {
                names.push(self.name("a name")?);
            }
            links.push((link, names));
        }
        let mut c = Context {
            loose: Aggregate {
                name: name.clone(),
                doc: String::new(),
                settings: Vec::new(),
                objects: Vec::new(),
                services: Vec::new(),
            },
            name,
            links,
            settings: Vec::new(),
            aggregates: Vec::new(),
            application: None,
        };
        if self.at_punct("{") {
            let what = format!("bounded context {}", c.name.text);
            self.block(&what, |p| p.context_item(&mut c), &|p| {
                p.at_setting() || p.at("Aggregate") || p.at("Module") || p.at("Application")
            })?;
        }
        Ok(c)
    }

    fn context_item(&mut self, c: &mut Context) -> Res<bool> {
        let doc = self.string().unwrap_or_default();
        if self.at("Aggregate") {
            let mut a = self.aggregate()?;
            a.doc = doc;
            c.aggregates.push(a);
        } else if self.at("Module") {
            self.module(c)?;
        } else if self.at("Application") {
            let app = self.application()?;
            match &mut c.application {
                Some(have) => {
                    have.objects.extend(app.objects);
                    have.services.extend(app.services);
                    have.flows.extend(app.flows);
                }
                None => c.application = Some(app),
            }
        } else if self.at_setting() {
            let s = self.setting()?;
            c.settings.push(s);
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// A module's aggregates join its context's; its loose objects and services go to the
    /// context's loose ones.
    fn module(&mut self, c: &mut Context) -> Res<()> {
        self.expect_word("Module")?;
        let name = self.name("the module's name")?;
        if !self.at_punct("{") {
            return Ok(());
        }
        let what = format!("module {}", name.text);
        self.block(
            &what,
            |p| {
                let doc = p.string().unwrap_or_default();
                if p.eat("external") {
                } else if p.at("Aggregate") {
                    let mut a = p.aggregate()?;
                    a.doc = doc;
                    c.aggregates.push(a);
                } else if p.at_setting() {
                    p.setting()?;
                } else if p.at("Service") {
                    let s = p.service()?;
                    c.loose.services.push(s);
                } else if p.at_object() {
                    let mut o = p.object()?;
                    o.doc = doc;
                    c.loose.objects.push(o);
                } else {
                    return Ok(false);
                }
                Ok(true)
            },
            &|p| p.at("Aggregate") || p.at("Service") || p.at_object(),
        )
    }

    fn aggregate(&mut self) -> Res<Aggregate> {
        self.expect_word("Aggregate")?;
        let name = self.name("the aggregate's name")?;
        let mut a = Aggregate {
            name,
            doc: String::new(),
            settings: Vec::new(),
            objects: Vec::new(),
            services: Vec::new(),
        };
        if self.at_punct("{") {
            let what = format!("aggregate {}", a.name.text);
            self.block(
                &what,
                |p| {
                    let doc = p.string().unwrap_or_default();
                    if p.at("Service") {
                        let s = p.service()?;
                        a.services.push(s);
                    } else if p.at_object() {
                        let mut o = p.object()?;
                        o.doc = doc;
                        a.objects.push(o);
                    } else if p.at_setting() {
                        let s = p.setting()?;
                        a.settings.push(s);
                    } else {
                        return Ok(false);
                    }
                    Ok(true)
                },
                &|p| p.at("Service") || p.at_object() || p.at_setting(),
            )?;
        }
        Ok(a)
    }

    // ---- domain objects ----

    fn at_object(&self) -> bool {
        let i = if self.at("abstract") {
            self.pos + 1
        } else {
            self.pos
        };
        self.kind_at(i) == Some(Tok::Ident) && OBJECTS.contains(&self.text_at(i))
    }

    fn object(&mut self) -> Res<DomainObject> {
        let is_abstract = self.eat("abstract");
        let keyword = self.name("a domain object")?;
        let kind = match keyword.text.as_str() {
            "Entity" => ObjectKind::Entity,
            "DomainEvent" | "Event" => ObjectKind::Event,
            "Command" | "CommandEvent" => ObjectKind::Command,
            "enum" => ObjectKind::Enum,
            _ => ObjectKind::Value,
        };
        let name = self.name(&format!("the {}'s name", keyword.text))?;
        let mut o = DomainObject {
            kind,
            keyword,
            name,
            doc: String::new(),
            root: false,
            is_abstract,
            lifecycle: false,
            extends: None,
            properties: Vec::new(),
            values: Vec::new(),
            operations: Vec::new(),
            repository: None,
        };
        loop {
            if self.eat("extends") {
                self.eat_punct("@");
                o.extends = Some(self.dotted("the type it extends")?);
            } else if self.eat("with") {
                self.eat_punct("@");
                self.name("a trait")?;
            } else {
                break;
            }
        }
        if !self.at_punct("{") {
            return Ok(o);
        }
        let what = format!("{} {}", o.keyword.text, o.name.text);
        if kind == ObjectKind::Enum {
            self.block(&what, |p| p.enum_item(&mut o), &|p| p.at_punct(","))?;
        } else {
            self.block(&what, |p| p.object_item(&mut o), &|p| {
                p.at_punct("-") || p.at("def")
            })?;
        }
        Ok(o)
    }

    fn enum_item(&mut self, o: &mut DomainObject) -> Res<bool> {
        self.string();
        if self.eat("aggregateLifecycle") {
            o.lifecycle = true;
        } else if self.eat("ordinal") || self.eat_punct(",") || self.eat_punct(";") {
        } else if self.at("package") || self.at("hint") {
            self.setting()?;
        } else if self.at_ident() && self.kind_at(self.pos + 1) == Some(Tok::Ident) {
            // An enum attribute: `String label key;`.
            self.dotted("a type")?;
            self.name("the attribute's name")?;
            self.eat("key");
            self.eat_punct(";");
        } else if self.at_ident() {
            o.values.push(self.name("an enum value")?);
            if self.at_punct("(") {
                self.skip_parens()?;
            }
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    fn skip_parens(&mut self) -> Res<()> {
        let open = self.here();
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            if t.kind == Tok::Punct {
                match self.text() {
                    "(" => depth += 1,
                    ")" => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            self.pos += 1;
                            return Ok(());
                        }
                    }
                    "{" | "}" => break,
                    _ => {}
                }
            }
            self.pos += 1;
        }
        Err(ParseError::new(open, "this `(` is never closed"))
    }

    fn object_item(&mut self, o: &mut DomainObject) -> Res<bool> {
        let doc = self.string().unwrap_or_default();
        let negated = self.eat_punct("!") || self.eat("not");
        if self.at_ident() && OBJECT_FLAGS.contains(&self.text()) {
            if self.text() == "aggregateRoot" && !negated {
                o.root = true;
            }
            self.pos += 1;
        } else if negated {
            return Ok(false);
        } else if self.at("belongsTo") {
            self.pos += 1;
            self.eat_punct("@");
            self.name("a domain object")?;
        } else if self.at_ident() && self.text_at(self.pos + 1) == "=" {
            self.setting()?;
        } else if self.at("def") || self.at_punct("*") {
            self.pos += 1;
            let op = self.operation()?;
            o.operations.extend(op);
        } else if self.at("Repository") {
            self.pos += 1;
            let name = self.name("the repository's name")?;
            if self.at_punct("{") {
                self.skip_block()?;
            }
            o.repository = Some(name);
        } else if self.at_punct("-") || self.at("reference") {
            self.pos += 1;
            let mut prop = self.property(true)?;
            prop.doc = doc;
            o.properties.push(prop);
        } else if self.at_ident() {
            let mut prop = self.property(false)?;
            prop.doc = doc;
            o.properties.push(prop);
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// `[visibility] (Coll<@T> | T | @T) name options [;]`.
    fn property(&mut self, reference: bool) -> Res<Property> {
        if self.at_ident() && VISIBILITIES.contains(&self.text()) {
            self.pos += 1;
        }
        let mut collection = None;
        let ty;
        if self.at_ident()
            && COLLECTIONS.contains(&self.text())
            && self.text_at(self.pos + 1) == "<"
        {
            let coll = self.name("a collection")?;
            self.expect_punct("<")?;
            if coll.text == "Map" {
                self.eat_punct("@");
                self.dotted("the map's key type")?;
                self.expect_punct(",")?;
            }
            self.eat_punct("@");
            let mut inner = self.dotted("the element type")?;
            if self.eat_punct("<") {
                self.eat_punct("@");
                inner = self.dotted("the element type")?;
                self.expect_punct(">")?;
            }
            self.expect_punct(">")?;
            collection = Some(coll);
            ty = inner;
        } else {
            self.eat_punct("@");
            let mut t = self.dotted("a type")?;
            if self.eat_punct("<") {
                self.eat_punct("@");
                t = self.dotted("a type")?;
                self.expect_punct(">")?;
            }
            if self.at_punct("[") && self.text_at(self.pos + 1) == "]" {
                self.pos += 2;
            }
            ty = t;
        }
        let name = self.name("the property's name")?;
        let mut key = false;
        let mut nullable = false;
        loop {
            let negated = self.at_punct("!") || self.at("not");
            let i = if negated { self.pos + 1 } else { self.pos };
            let word = self.text_at(i);
            if self.kind_at(i) == Some(Tok::Ident) && OPTIONS.contains(&word) {
                key |= word == "key" && !negated;
                nullable |= word == "nullable" && !negated;
                self.pos = i + 1;
                if self.eat_punct("=") && self.string().is_none() {
                    self.name("a value")?;
                }
            } else if self.at("opposite") || self.at_punct("<->") {
                self.pos += 1;
                self.name("the opposite reference")?;
            } else {
                break;
            }
        }
        self.eat_punct(";");
        Ok(Property {
            reference,
            collection,
            ty,
            name,
            key,
            nullable,
            doc: String::new(),
        })
    }

    /// An operation (after `def` for an entity's), up to its `;`: its name (the last word
    /// before its parameters), the type before the name, its parameters' types.
    fn operation(&mut self) -> Res<Option<Operation>> {
        const STOPS: &[&str] = &["throws", "hint", "publish", "delegates"];
        let mut words: Vec<Name> = Vec::new();
        let mut params = Vec::new();
        let mut header = true;
        while let Some(t) = self.peek() {
            let (kind, span) = (t.kind, t.span.clone());
            let text = self.text().to_owned();
            match (kind, text.as_str()) {
                (Tok::Punct, ";") => {
                    self.pos += 1;
                    break;
                }
                (Tok::Punct, "{" | "}") => break,
                (Tok::Punct, "(") if header => {
                    header = false;
                    self.pos += 1;
                    params = self.parameters()?;
                    continue;
                }
                (Tok::Punct, "(") => {
                    self.skip_parens()?;
                    continue;
                }
                (Tok::Punct, ":" | "=>") => header = false,
                (Tok::Ident, w) if STOPS.contains(&w) => header = false,
                (Tok::Ident, w) if header => words.push(Name {
                    text: w.trim_start_matches('^').to_owned(),
                    span,
                }),
                _ => {}
            }
            self.pos += 1;
        }
        let Some(name) = words.pop() else {
            return Ok(None);
        };
        let returns = words.pop().filter(|w| {
            !matches!(w.text.as_str(), "void" | "abstract")
                && !VISIBILITIES.contains(&w.text.as_str())
        });
        Ok(Some(Operation {
            name,
            returns,
            params,
        }))
    }

    /// Parameters after `(`, through `)`: each one's type (the word before its name).
    fn parameters(&mut self) -> Res<Vec<Name>> {
        let open = self.here();
        let mut types = Vec::new();
        let mut words: Vec<Name> = Vec::new();
        while let Some(t) = self.peek() {
            let (kind, span) = (t.kind, t.span.clone());
            let text = self.text().to_owned();
            self.pos += 1;
            match (kind, text.as_str()) {
                (Tok::Punct, "," | ")") => {
                    if words.len() >= 2 {
                        types.push(words[words.len() - 2].clone());
                    }
                    words.clear();
                    if text == ")" {
                        return Ok(types);
                    }
                }
                (Tok::Punct, "{" | "}" | ";") => break,
                (Tok::Ident, w) => words.push(Name {
                    text: w.trim_start_matches('^').to_owned(),
                    span,
                }),
                _ => {}
            }
        }
        Err(ParseError::new(
            open,
            "these parameters are never closed with `)`",
        ))
    }

    fn service(&mut self) -> Res<Service> {
        self.expect_word("Service")?;
        let name = self.name("the service's name")?;
        let mut s = Service {
            name,
            operations: Vec::new(),
        };
        if self.at_punct("{") {
            let what = format!("service {}", s.name.text);
            self.block(
                &what,
                |p| {
                    p.string();
                    if p.eat("gap") || p.eat("nogap") || p.eat("webservice") {
                    } else if p.at("hint") && p.text_at(p.pos + 1) == "=" {
                        p.setting()?;
                    } else if p.eat("subscribe") {
                        while !p.at_punct(";") && !p.at_punct("}") && p.peek().is_some() {
                            if p.at("to") {
                                p.pos += 1;
                                p.dotted("a channel")?;
                                break;
                            }
                            p.pos += 1;
                        }
                    } else if p.eat_punct(">") || p.eat("inject") {
                        p.eat_punct("@");
                        p.name("a dependency")?;
                    } else if p.at_ident() || p.at_punct("@") {
                        let op = p.operation()?;
                        s.operations.extend(op);
                    } else {
                        return Ok(false);
                    }
                    Ok(true)
                },
                &|p| p.at_ident() || p.at_punct("@"),
            )?;
        }
        Ok(s)
    }

    // ---- the application layer ----

    fn application(&mut self) -> Res<Application> {
        self.expect_word("Application")?;
        if self.at_ident() {
            self.name("the application's name")?;
        }
        let mut app = Application::default();
        if !self.at_punct("{") {
            return Ok(app);
        }
        self.block(
            "the application layer",
            |p| {
                let doc = p.string().unwrap_or_default();
                if p.at("Flow") {
                    let f = p.flow()?;
                    app.flows.push(f);
                } else if p.at("Service") {
                    let s = p.service()?;
                    app.services.push(s);
                } else if p.at_object() {
                    let mut o = p.object()?;
                    o.doc = doc;
                    app.objects.push(o);
                } else {
                    return Ok(false);
                }
                Ok(true)
            },
            &|p| p.at("Flow") || p.at("Service") || p.at_object() || p.at("Coordination"),
        )?;
        Ok(app)
    }

    fn flow(&mut self) -> Res<Flow> {
        self.expect_word("Flow")?;
        let name = if self.at_ident() {
            Some(self.name("the flow's name")?)
        } else {
            None
        };
        let mut flow = Flow {
            name,
            steps: Vec::new(),
        };
        if self.at_punct("{") {
            let what = match &flow.name {
                Some(n) => format!("flow {}", n.text),
                None => "a flow".into(),
            };
            self.block(
                &what,
                |p| {
                    if p.at("command") || p.at("operation") {
                        let s = p.produce()?;
                        flow.steps.push(s);
                    } else if p.at("event") {
                        let s = p.trigger()?;
                        flow.steps.push(s);
                    } else {
                        return Ok(false);
                    }
                    Ok(true)
                },
                &|p| p.at("command") || p.at("operation") || p.at("event"),
            )?;
        }
        Ok(flow)
    }

    fn action_kind(&mut self) -> Res<ActionKind> {
        if self.eat("command") {
            Ok(ActionKind::Command)
        } else if self.eat("operation") {
            Ok(ActionKind::Operation)
        } else {
            self.error("`command` or `operation`")
        }
    }

    /// Names joined by `+`, `X` or `O` (one kind of join per list).
    fn joined(&mut self, what: &str) -> Res<(Vec<Name>, Join)> {
        let mut names = vec![self.name(what)?];
        let mut join = Join::Single;
        loop {
            let next = if self.at_punct("+") {
                Join::All
            } else if (self.at("X") || self.at("x"))
                && self.kind_at(self.pos + 1) == Some(Tok::Ident)
            {
                Join::OneOf
            } else if (self.at("O") || self.at("o"))
                && self.kind_at(self.pos + 1) == Some(Tok::Ident)
            {
                Join::AnyOf
            } else {
                return Ok((names, join));
            };
            if join != Join::Single && join != next {
                self.note(
                    self.here(),
                    "`+`, `X` and `O` mixed in one list: read as the first of them".into(),
                );
            }
            if join == Join::Single {
                join = next;
            }
            self.pos += 1;
            names.push(self.name(what)?);
        }
    }

    fn produce(&mut self) -> Res<Step> {
        let start = self.start();
        let kind = self.action_kind()?;
        let action = self.name("a command or operation")?;
        let mut actor = None;
        if self.at_punct("[") && self.text_at(self.pos + 1) == "triggered" {
            self.pos += 1;
            self.expect_word("triggered")?;
            self.expect_word("by")?;
            actor = self.string();
            if actor.is_none() {
                return self.error("the actor as a string");
            }
            self.expect_punct("]")?;
        }
        let mut aggregate = None;
        let mut transition = None;
        if self.eat("delegates") || self.eat_punct("=>") {
            self.eat("to");
            aggregate = Some(self.name("an aggregate")?);
            if self.eat_punct("[") {
                let mut from = Vec::new();
                while self.at_ident() {
                    from.push(self.name("a state")?);
                    if !self.eat_punct(",") {
                        break;
                    }
                }
                self.expect_punct("->")?;
                let (mut to, _) = self.joined("a state")?;
                self.eat_punct("*");
                while (self.at("X") || self.at("x"))
                    && self.kind_at(self.pos + 1) == Some(Tok::Ident)
                {
                    self.pos += 1;
                    to.push(self.name("a state")?);
                    self.eat_punct("*");
                }
                self.expect_punct("]")?;
                transition = Some((from, to));
            }
        }
        self.expect_word("emits")?;
        self.expect_word("event")?;
        let (events, join) = self.joined("an event")?;
        Ok(Step::Produce {
            kind,
            action,
            actor,
            aggregate,
            transition,
            events,
            join,
            span: start..self.end(),
        })
    }

    fn trigger(&mut self) -> Res<Step> {
        let start = self.start();
        self.expect_word("event")?;
        let mut events = vec![self.name("an event")?];
        while self.eat_punct("+") {
            events.push(self.name("an event")?);
        }
        self.expect_word("triggers")?;
        let kind = self.action_kind()?;
        let (actions, join) = self.joined("a command or operation")?;
        Ok(Step::Trigger {
            events,
            kind,
            actions,
            join,
            span: start..self.end(),
        })
    }
}

/// Keywords that start a construct at the top of a file.
const TOP: &[&str] = &[
    "ContextMap",
    "BoundedContext",
    "Domain",
    "Subdomain",
    "UseCase",
    "UserStory",
    "Stakeholders",
    "ValueRegistry",
    "import",
];

/// `s` on one line, cut after 60 characters.
fn shorten(s: &str) -> String {
    const MAX: usize = 60;
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= MAX {
        return s;
    }
    let head: String = s.chars().take(MAX).collect();
    format!("{head}…")
}
