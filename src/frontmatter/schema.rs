//! Every problem in a YAML tree, found by walking it against the JSON Schema that schemars derives
//! from the model's types (the schema `dossier schema` prints), so a file with five mistakes gets
//! five findings where serde stops at the first.
//!
//! It reads scalars as serde-saphyr does: plain `true`/`false` are booleans, plain numbers are
//! numbers, an empty plain value, `~` and `null` are null, and any other scalar is text.

use std::path::Path;

use serde_json::Value as Schema;
use serde_saphyr::granit_parser::ScalarStyle;

use super::tree::{Node, Value};
use super::{describe_event, describe_scalar};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::model::Date;

/// The problems of `root` against `schema` (a root schema with its `$defs`), in document order.
pub(super) fn check(path: &Path, schema: &Schema, root: &Node) -> Vec<Diagnostic> {
    let mut checker = Checker { path, root: schema, found: Vec::new() };
    checker.node(schema, root);
    checker.found
}

struct Checker<'s> {
    path: &'s Path,
    root: &'s Schema,
    found: Vec<Diagnostic>,
}

/// The shape of a YAML value, as a JSON Schema type can accept it.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Null,
    Boolean,
    Integer,
    Number,
    Text,
    List,
    Map,
    Any,
}

fn shape_of(node: &Node) -> Shape {
    match &node.value {
        Value::Alias => Shape::Any,
        Value::List(_) => Shape::List,
        Value::Map(_) => Shape::Map,
        value if value.is_null() => Shape::Null,
        Value::Scalar(text, ScalarStyle::Plain) if matches!(text.as_ref(), "true" | "false") => Shape::Boolean,
        Value::Scalar(text, ScalarStyle::Plain) if text.parse::<i128>().is_ok() => Shape::Integer,
        Value::Scalar(text, ScalarStyle::Plain) if text.parse::<f64>().is_ok_and(f64::is_finite) => Shape::Number,
        Value::Scalar(..) => Shape::Text,
    }
}

/// Whether a value of `shape` is accepted where the schema says `ty`.
fn accepts(ty: &str, shape: Shape) -> bool {
    match ty {
        "null" => shape == Shape::Null,
        "boolean" => shape == Shape::Boolean,
        "integer" => shape == Shape::Integer,
        "number" => matches!(shape, Shape::Integer | Shape::Number),
        // serde-saphyr reads any scalar but null as text.
        "string" => matches!(shape, Shape::Boolean | Shape::Integer | Shape::Number | Shape::Text),
        "array" => shape == Shape::List,
        "object" => shape == Shape::Map,
        _ => true,
    }
}

/// The types a schema allows (`type` as a word or a list); empty when it does not say.
fn types(schema: &Schema) -> Vec<&str> {
    match schema.get("type") {
        Some(Schema::String(ty)) => vec![ty.as_str()],
        Some(Schema::Array(list)) => list.iter().filter_map(Schema::as_str).collect(),
        _ => Vec::new(),
    }
}

/// What a schema wants, as a contributor would say it.
fn describe(schema: &Schema) -> String {
    let words: Vec<String> = types(schema)
        .into_iter()
        .filter(|ty| *ty != "null")
        .map(|ty| match ty {
            "boolean" => describe_scalar("bool").to_owned(),
            "integer" => integer_words(schema).to_owned(),
            "number" => describe_scalar("f64").to_owned(),
            "string" => "text".to_owned(),
            "array" => describe_event("sequence start"),
            "object" => describe_event("mapping start"),
            other => other.to_owned(),
        })
        .collect();
    match words.as_slice() {
        [] => "a value".into(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}, or {last}", rest.join(", ")),
    }
}

/// A whole number's range in words, from its schema's format (`uint16` is Rust's `u16`).
fn integer_words(schema: &Schema) -> &'static str {
    let ty = match schema.get("format").and_then(Schema::as_str) {
        Some(format) if format.starts_with("uint") => format.replacen("uint", "u", 1),
        Some(format) if format.starts_with("int") => format.replacen("int", "i", 1),
        _ => "i64".to_owned(),
    };
    describe_scalar(&ty)
}

impl<'s> Checker<'s> {
    /// The schema a `$ref` names, followed to the end.
    fn resolve(&self, mut schema: &'s Schema) -> &'s Schema {
        for _ in 0..32 {
            match schema.get("$ref").and_then(Schema::as_str).and_then(|r| r.strip_prefix("#/$defs/")) {
                Some(name) => schema = &self.root["$defs"][name],
                None => break,
            }
        }
        schema
    }

    fn push(&mut self, code: Code, node: &Node, message: String, help: impl Into<String>) {
        self.found.push(Diagnostic::new(code, self.path, node.pos, message).help(help.into()));
    }

    fn wrong_type(&mut self, node: &Node, expected: String) {
        let message = match shape_of(node) {
            Shape::Null => "expected a value here, found none".to_owned(),
            _ => format!("expected {expected} here"),
        };
        let help = match shape_of(node) {
            Shape::Null => "write the value after the colon, or remove the key if it is optional",
            _ => "check the value's type against `dossier schema`",
        };
        self.push(Code::WrongType, node, message, help);
    }

    fn node(&mut self, schema: &'s Schema, node: &Node) {
        let schema = self.resolve(schema);
        let shape = shape_of(node);
        if shape == Shape::Any {
            return;
        }
        if let Some(alternatives) = schema.get("anyOf").or_else(|| schema.get("oneOf")).and_then(Schema::as_array) {
            return self.any_of(alternatives, node);
        }
        if let Some(allowed) = schema.get("enum").and_then(Schema::as_array) {
            return self.one_word(allowed, node);
        }
        let types = types(schema);
        if !types.is_empty() && !types.iter().any(|ty| accepts(ty, shape)) {
            let expected = match (shape, types.iter().any(|ty| matches!(*ty, "array" | "object"))) {
                (Shape::List | Shape::Map, false) => describe_event("scalar"),
                _ => describe(schema),
            };
            return self.wrong_type(node, expected);
        }
        match &node.value {
            Value::Map(pairs) => self.map(schema, node, pairs),
            Value::List(items) => {
                if let Some(item) = schema.get("items") {
                    for each in items {
                        self.node(item, each);
                    }
                }
            }
            Value::Scalar(text, _) => self.scalar(schema, node, text, shape),
            Value::Alias => {}
        }
    }

    fn scalar(&mut self, schema: &Schema, node: &Node, text: &str, shape: Shape) {
        if shape == Shape::Integer {
            let (min, max) =
                (schema.get("minimum").and_then(Schema::as_f64), schema.get("maximum").and_then(Schema::as_f64));
            let n = text.parse::<f64>().unwrap_or(f64::NAN);
            if min.is_some_and(|min| n < min) || max.is_some_and(|max| n > max) {
                return self.wrong_type(node, describe(schema));
            }
        }
        if schema.get("format").and_then(Schema::as_str) == Some("date") && Date::parse(text).is_none() {
            self.push(
                Code::InvalidDate,
                node,
                format!("`{text}` is not a valid date"),
                "write a real calendar day as YYYY-MM-DD, e.g. 2026-10-01",
            );
        }
    }

    fn one_word(&mut self, allowed: &[Schema], node: &Node) {
        let words: Vec<&str> = allowed.iter().filter_map(Schema::as_str).collect();
        match &node.value {
            Value::Scalar(text, _) if shape_of(node) != Shape::Null => {
                if !words.contains(&text.as_ref()) {
                    let help = match did_you_mean(text, words.iter().copied()) {
                        Some(best) => format!("did you mean `{best}`?"),
                        None => format!("use one of: {}", words.join(", ")),
                    };
                    self.push(Code::WrongType, node, format!("`{text}` is not an allowed value here"), help);
                }
            }
            _ => self.wrong_type(node, "one word from the allowed values".into()),
        }
    }

    /// An untagged choice (a fact's value, a named or inline source) or an optional value.
    fn any_of(&mut self, alternatives: &'s [Schema], node: &Node) {
        let shape = shape_of(node);
        let alternatives: Vec<&'s Schema> = alternatives.iter().map(|a| self.resolve(a)).collect();
        let fits = |schema: &&Schema| {
            let types = types(schema);
            types.is_empty() || types.iter().any(|ty| accepts(ty, shape))
        };
        let fitting: Vec<&'s Schema> = alternatives.iter().copied().filter(fits).collect();
        match fitting.as_slice() {
            [] => {
                let choices: Vec<String> =
                    alternatives
                        .iter()
                        .filter(|a| !types(a).contains(&"null"))
                        .map(|a| {
                            if a.get("enum").is_some() {
                                "one word from the allowed values".into()
                            } else {
                                describe(a)
                            }
                        })
                        .collect();
                self.wrong_type(node, choices.join(", or "));
            }
            [one] => self.node(one, node),
            several => {
                // The first alternative without a problem wins, as serde's untagged enums do.
                let mut first_found = None;
                for schema in several {
                    let mut trial = Checker { path: self.path, root: self.root, found: Vec::new() };
                    trial.node(schema, node);
                    if trial.found.is_empty() {
                        return;
                    }
                    first_found.get_or_insert(trial.found);
                }
                self.found.extend(first_found.unwrap_or_default());
            }
        }
    }

    fn map(&mut self, schema: &'s Schema, node: &Node, pairs: &[(Node, Node)]) {
        let properties = schema.get("properties").and_then(Schema::as_object);
        let extra = schema.get("additionalProperties");
        let mut seen: Vec<&str> = Vec::with_capacity(pairs.len());
        // Keys a misspelt key was taken for: its "did you mean" already says they are missing.
        let mut meant: Vec<&str> = Vec::new();
        for (key, value) in pairs {
            let Value::Scalar(name, _) = &key.value else {
                self.push(Code::WrongType, key, "a key must be a single word".into(), "write keys as plain words");
                continue;
            };
            let name = name.as_ref();
            if seen.contains(&name) {
                self.push(Code::DuplicateKey, key, format!("the key `{name}` appears twice"), "keep one of them");
                continue;
            }
            seen.push(name);
            match (properties.and_then(|p| p.get(name)), extra) {
                (Some(field), _) => self.node(field, value),
                (None, Some(Schema::Bool(false))) => {
                    let names =
                        properties.map(|p| p.keys().map(String::as_str).collect::<Vec<_>>()).unwrap_or_default();
                    let help = match did_you_mean(name, names.iter().copied()) {
                        Some(best) => {
                            meant.push(best);
                            format!("did you mean `{best}`?")
                        }
                        None => format!("the keys allowed here are: {}", names.join(", ")),
                    };
                    self.push(Code::UnknownKey, key, format!("unknown key `{name}`"), help);
                }
                (None, Some(each @ Schema::Object(_))) => self.node(each, value),
                (None, _) => {}
            }
        }
        let required = schema.get("required").and_then(Schema::as_array).map(Vec::as_slice).unwrap_or_default();
        for field in required.iter().filter_map(Schema::as_str) {
            if !seen.contains(&field) && !meant.contains(&field) {
                self.push(
                    Code::MissingField,
                    node,
                    format!("missing required key `{field}`"),
                    format!("add `{field}:` here; `dossier schema` describes every field"),
                );
            }
        }
    }
}
