//! A serde `Deserializer` over positioned YAML nodes that collects every problem.
//!
//! serde stops at the first error, but a manifest must report all of them. So this
//! deserializer never fails on a type mismatch: it records a [`Diagnostic`] at the node's
//! position and hands the visitor a neutral value (`None`, `""`, `0`, an empty list or
//! mapping), and it drops unknown keys of a struct after recording "unknown key" with a
//! "did you mean". The raw manifest types are built so those neutral values are always
//! acceptable (every key is optional; names are validated later), which means deserializing
//! a manifest always produces a raw value plus the list of problems.
//!
//! [`Spanned<T>`] captures the position of a value: it asks for a struct with a private
//! name, which this deserializer answers with the node's line, column and value.

use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::{Deserialize, Deserializer};

use super::diagnostics::{Diagnostic, Pos};
use super::yaml::{Node, NodeKind, Scalar};

const SPANNED: &str = "$__ampsync_spanned";
const SPANNED_LINE: &str = "$__ampsync_line";
const SPANNED_COL: &str = "$__ampsync_col";
const SPANNED_VALUE: &str = "$__ampsync_value";
const SPANNED_FIELDS: &[&str] = &[SPANNED_LINE, SPANNED_COL, SPANNED_VALUE];

/// A value with the position it was written at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Spanned<T> {
    pub pos: Pos,
    pub value: T,
}

impl<T> Spanned<T> {
    pub fn new(pos: Pos, value: T) -> Self {
        Self { pos, value }
    }

    pub fn as_ref(&self) -> Spanned<&T> {
        Spanned { pos: self.pos, value: &self.value }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SpannedVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for SpannedVisitor<T> {
            type Value = Spanned<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a positioned value")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut line = 0u32;
                let mut col = 0u32;
                while let Some(key) = map.next_key::<&str>()? {
                    match key {
                        SPANNED_LINE => line = map.next_value()?,
                        SPANNED_COL => col = map.next_value()?,
                        SPANNED_VALUE => {
                            let value = map.next_value()?;
                            return Ok(Spanned { pos: Pos::new(line, col), value });
                        }
                        _ => return Err(de::Error::custom("not a positioned value")),
                    }
                }
                Err(de::Error::custom("positioned value without a value"))
            }
        }
        deserializer.deserialize_struct(SPANNED, SPANNED_FIELDS, SpannedVisitor(PhantomData))
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// How a struct is named in messages ("unknown key `x` in a field"), and which key a bare
/// scalar stands for when a struct may be written in short form (`options: [a, b]`).
pub trait StructInfo {
    fn describe(struct_name: &str) -> String;
    fn scalar_shorthand(struct_name: &str) -> Option<&'static str>;
}

/// The error type: only used for problems that cannot be recovered (which the raw types are
/// designed never to produce); ordinary problems become diagnostics instead.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Error {}
impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// Where diagnostics are collected while deserializing.
pub struct Collector<I> {
    diagnostics: RefCell<Vec<Diagnostic>>,
    _info: PhantomData<I>,
}

impl<I: StructInfo> Collector<I> {
    pub fn new() -> Self {
        Self { diagnostics: RefCell::new(Vec::new()), _info: PhantomData }
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics.into_inner()
    }

    fn push(&self, d: Diagnostic) {
        self.diagnostics.borrow_mut().push(d);
    }

    /// Deserializes `T` from `node`, collecting problems; fails only on a defect of `T`.
    pub fn deserialize<'de, T: Deserialize<'de>>(&self, node: &Node) -> Result<T, Error> {
        T::deserialize(NodeDe { node, cx: self })
    }
}

impl<I: StructInfo> Default for Collector<I> {
    fn default() -> Self {
        Self::new()
    }
}

struct NodeDe<'a, I> {
    node: &'a Node,
    cx: &'a Collector<I>,
}

impl<'a, I: StructInfo> NodeDe<'a, I> {
    fn mismatch(&self, expected: &str) {
        self.cx.push(
            Diagnostic::new(self.node.pos, format!("expected {expected}, found {}", self.node.describe()))
                .with_hint(hint_for(expected)),
        );
    }
}

fn hint_for(expected: &str) -> String {
    match expected {
        "a list" => "write a list as `[a, b]` or as lines starting with `- `".into(),
        "a mapping" => "write a mapping as indented `key: value` lines".into(),
        "`true` or `false`" => "write `true` or `false` (without quotes)".into(),
        "a whole number" | "a number" => "write the number without quotes".into(),
        _ => format!("write {expected} here"),
    }
}

/// The neutral value a visitor gets after a mismatch was recorded.
struct Neutral;

impl<'de> Deserializer<'de> for Neutral {
    type Error = Error;
    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }
    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_bool(false)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_i64(0)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_u64(0)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_f64(0.0)
    }
    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_str("")
    }
    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_str("")
    }
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_none()
    }
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_seq(de::value::SeqDeserializer::<std::iter::Empty<()>, Error>::new(std::iter::empty()))
    }
    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_map(de::value::MapDeserializer::<std::iter::Empty<((), ())>, Error>::new(std::iter::empty()))
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(v)
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        let first = variants.first().copied().unwrap_or("");
        v.visit_enum(first.into_deserializer())
    }
    serde::forward_to_deserialize_any! {
        i8 i16 i32 i128 u8 u16 u32 u128 f32 char bytes byte_buf unit unit_struct
        newtype_struct tuple tuple_struct identifier ignored_any
    }
}

macro_rules! int_method {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
            match self.node.scalar() {
                Some(Scalar::Int(i)) => v.visit_i64(i),
                _ => {
                    self.mismatch("a whole number");
                    Neutral.deserialize_i64(v)
                }
            }
        }
    )*};
}

impl<'de, 'a, I: StructInfo> Deserializer<'de> for NodeDe<'a, I> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match &self.node.kind {
            NodeKind::Seq(items) => v.visit_seq(Seq { items: items.iter(), cx: self.cx }),
            NodeKind::Map(entries) => v.visit_map(Map { entries: entries.iter(), value: None, cx: self.cx }),
            NodeKind::Scalar { .. } => match self.node.scalar() {
                Some(Scalar::Null) | None => v.visit_unit(),
                Some(Scalar::Bool(b)) => v.visit_bool(b),
                Some(Scalar::Int(i)) => v.visit_i64(i),
                Some(Scalar::Float(x)) => v.visit_f64(x),
                Some(Scalar::Str(s)) => v.visit_str(s),
            },
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.node.scalar() {
            Some(Scalar::Bool(b)) => v.visit_bool(b),
            _ => {
                self.mismatch("`true` or `false`");
                Neutral.deserialize_bool(v)
            }
        }
    }

    int_method!(deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128);

    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_f64(v)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.node.scalar() {
            Some(Scalar::Int(i)) => v.visit_f64(i as f64),
            Some(Scalar::Float(x)) if x.is_finite() => v.visit_f64(x),
            _ => {
                self.mismatch("a number");
                Neutral.deserialize_f64(v)
            }
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        // Text is lenient: `project: 2024` is the text "2024", as written.
        match (&self.node.kind, self.node.scalar()) {
            (_, Some(Scalar::Null)) | (_, None) => {
                self.mismatch("text");
                Neutral.deserialize_str(v)
            }
            (NodeKind::Scalar { text, .. }, Some(_)) => v.visit_str(text),
            _ => unreachable!("scalar() is Some only for scalars"),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if self.node.is_null() { v.visit_none() } else { v.visit_some(self) }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, v: V) -> Result<V::Value, Error> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match &self.node.kind {
            NodeKind::Seq(items) => v.visit_seq(Seq { items: items.iter(), cx: self.cx }),
            _ => {
                self.mismatch("a list");
                Neutral.deserialize_seq(v)
            }
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match &self.node.kind {
            NodeKind::Map(entries) => v.visit_map(Map { entries: entries.iter(), value: None, cx: self.cx }),
            _ => {
                self.mismatch("a mapping");
                Neutral.deserialize_map(v)
            }
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        if name == SPANNED {
            return v.visit_map(SpannedAccess { node: self.node, cx: self.cx, step: 0 });
        }
        match &self.node.kind {
            NodeKind::Map(entries) => {
                let mut known = Vec::with_capacity(entries.len());
                for (key, value) in entries {
                    if fields.contains(&key.name.as_str()) {
                        known.push((key, value));
                    } else {
                        self.cx.push(unknown_key::<I>(&key.name, key.pos, name, fields));
                    }
                }
                v.visit_map(StructMap { entries: known.into_iter(), value: None, cx: self.cx })
            }
            NodeKind::Scalar { .. } if !self.node.is_null() && I::scalar_shorthand(name).is_some() => {
                let key = I::scalar_shorthand(name).expect("checked above");
                v.visit_map(Shorthand { key: Some(key), node: self.node, cx: self.cx })
            }
            _ => {
                self.mismatch(&format!("a mapping ({})", I::describe(name)));
                Neutral.deserialize_map(v)
            }
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        match self.node.scalar() {
            Some(Scalar::Str(s)) if variants.contains(&s) => v.visit_enum(s.into_deserializer()),
            _ => {
                self.mismatch(&format!("one of {} ({})", list(variants), I::describe(name)));
                Neutral.deserialize_enum(name, variants, v)
            }
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }
}

/// "`a`, `b` or `c`".
pub fn list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => format!("`{one}`"),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(|s| format!("`{s}`")).collect();
            format!("{} or `{last}`", init.join(", "))
        }
    }
}

/// The closest candidate to `word` when it is close enough to be a likely typo.
pub fn did_you_mean<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

fn unknown_key<I: StructInfo>(key: &str, pos: Pos, struct_name: &str, fields: &[&str]) -> Diagnostic {
    let d = Diagnostic::new(pos, format!("unknown key `{key}` in {}", I::describe(struct_name)));
    match did_you_mean(key, fields.iter().copied()) {
        Some(near) => d.with_hint(format!("did you mean `{near}`?")),
        None => d.with_hint(format!("expected one of {}", list(fields))),
    }
}

struct Seq<'a, I> {
    items: std::slice::Iter<'a, Node>,
    cx: &'a Collector<I>,
}

impl<'de, 'a, I: StructInfo> de::SeqAccess<'de> for Seq<'a, I> {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        match self.items.next() {
            Some(node) => seed.deserialize(NodeDe { node, cx: self.cx }).map(Some),
            None => Ok(None),
        }
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// A mapping read as a map (string keys).
struct Map<'a, I> {
    entries: std::slice::Iter<'a, (super::yaml::Key, Node)>,
    value: Option<&'a Node>,
    cx: &'a Collector<I>,
}

impl<'de, 'a, I: StructInfo> de::MapAccess<'de> for Map<'a, I> {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                let key_node = Node { pos: key.pos, kind: NodeKind::Scalar { text: key.name.clone(), plain: false } };
                seed.deserialize(NodeDe { node: &key_node, cx: self.cx }).map(Some)
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let node = self.value.take().ok_or_else(|| Error("value requested before key".into()))?;
        seed.deserialize(NodeDe { node, cx: self.cx })
    }
}

/// The known keys of a struct (unknown ones were already reported).
struct StructMap<'a, I> {
    entries: std::vec::IntoIter<(&'a super::yaml::Key, &'a Node)>,
    value: Option<&'a Node>,
    cx: &'a Collector<I>,
}

impl<'de, 'a, I: StructInfo> de::MapAccess<'de> for StructMap<'a, I> {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(key.name.as_str().into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let node = self.value.take().ok_or_else(|| Error("value requested before key".into()))?;
        seed.deserialize(NodeDe { node, cx: self.cx })
    }
}

/// A scalar standing for a struct with one key set (`draft` for `{value: draft}`).
struct Shorthand<'a, I> {
    key: Option<&'static str>,
    node: &'a Node,
    cx: &'a Collector<I>,
}

impl<'de, 'a, I: StructInfo> de::MapAccess<'de> for Shorthand<'a, I> {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        match self.key {
            Some(key) => seed.deserialize(key.into_deserializer()).map(Some),
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        self.key = None;
        seed.deserialize(NodeDe { node: self.node, cx: self.cx })
    }
}

struct SpannedAccess<'a, I> {
    node: &'a Node,
    cx: &'a Collector<I>,
    step: u8,
}

impl<'de, 'a, I: StructInfo> de::MapAccess<'de> for SpannedAccess<'a, I> {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let key: &'static str = match self.step {
            0 => SPANNED_LINE,
            1 => SPANNED_COL,
            2 => SPANNED_VALUE,
            _ => return Ok(None),
        };
        seed.deserialize(de::value::BorrowedStrDeserializer::new(key)).map(Some)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        self.step += 1;
        match self.step {
            1 => seed.deserialize(self.node.pos.line.into_deserializer()),
            2 => seed.deserialize(self.node.pos.col.into_deserializer()),
            _ => seed.deserialize(NodeDe { node: self.node, cx: self.cx }),
        }
    }
}
