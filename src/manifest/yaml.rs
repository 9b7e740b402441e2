//! A YAML loader that keeps the position of every node, with limits for hostile input.
//!
//! `yaml_serde` (our `serde_yaml`) reports the position of a syntax error but exposes no
//! positions for the nodes of a valid document, and manifest diagnostics need one for every
//! key and value. So the manifest is read here from `saphyr-parser` events into a small
//! [`Node`] tree. This module owns the hostile-input limits: the file size (checked by the
//! caller before reading), nesting depth, and alias expansion (the "billion laughs" attack:
//! each alias copies its anchor's subtree, and the copies are counted against a budget).
//! It also resolves YAML merge keys (`<<: *defaults`) and rejects duplicate keys.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::diagnostics::{Diagnostic, Pos};

/// The deepest nesting of mappings and sequences accepted.
pub const MAX_DEPTH: usize = 64;
/// How many nodes alias expansion may add to a document beyond its own size.
pub const MAX_ALIAS_NODES: usize = 100_000;

/// A YAML node with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar as written; `plain` is false for quoted and block scalars, which are always
    /// strings. Plain scalars are typed on demand (YAML 1.2 core schema).
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

/// A mapping key: always a string in a manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub pos: Pos,
}

/// What a scalar means under the YAML 1.2 core schema.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
}

impl Node {
    pub fn null(pos: Pos) -> Self {
        Node { pos, kind: NodeKind::Scalar { text: String::new(), plain: true } }
    }

    /// The typed meaning of a scalar node (None for collections).
    pub fn scalar(&self) -> Option<Scalar<'_>> {
        match &self.kind {
            NodeKind::Scalar { text, plain: false } => Some(Scalar::Str(text)),
            NodeKind::Scalar { text, plain: true } => Some(resolve_plain(text)),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.scalar(), Some(Scalar::Null))
    }

    /// A short description of what the node is, for "expected X, found Y" messages.
    pub fn describe(&self) -> String {
        match &self.kind {
            NodeKind::Seq(_) => "a list".into(),
            NodeKind::Map(_) => "a mapping".into(),
            NodeKind::Scalar { .. } => match self.scalar() {
                Some(Scalar::Null) => "nothing (null)".into(),
                Some(Scalar::Bool(b)) => format!("the boolean `{b}`"),
                Some(Scalar::Int(i)) => format!("the number `{i}`"),
                Some(Scalar::Float(x)) => format!("the number `{x}`"),
                Some(Scalar::Str(s)) => format!("the text `{}`", truncate(s, 40)),
                None => "a scalar".into(),
            },
        }
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}

/// Types a plain scalar per the YAML 1.2 core schema.
pub fn resolve_plain(text: &str) -> Scalar<'_> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "true" | "True" | "TRUE" => return Scalar::Bool(true),
        "false" | "False" | "FALSE" => return Scalar::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Scalar::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
        _ => {}
    }
    let bytes = text.as_bytes();
    let first = bytes[0];
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return Scalar::Str(text);
    }
    if let Some(hex) = text.strip_prefix("0x")
        && let Ok(i) = i64::from_str_radix(hex, 16)
    {
        return Scalar::Int(i);
    }
    if let Some(oct) = text.strip_prefix("0o")
        && let Ok(i) = i64::from_str_radix(oct, 8)
    {
        return Scalar::Int(i);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && let Ok(i) = text.parse::<i64>()
    {
        return Scalar::Int(i);
    }
    if is_core_float(digits)
        && let Ok(x) = text.parse::<f64>()
    {
        return Scalar::Float(x);
    }
    Scalar::Str(text)
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` without the sign.
fn is_core_float(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (!int.is_empty() || !frac.is_empty())
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = match exponent {
        None => true,
        Some(e) => {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
        }
    };
    mantissa_ok && exponent_ok
}

fn pos_of(span: &Span) -> Pos {
    let m = span.start;
    Pos::new(u32::try_from(m.line()).unwrap_or(u32::MAX), u32::try_from(m.col() + 1).unwrap_or(u32::MAX))
}

/// Parses one YAML document. An empty document is a null node. Fatal problems (syntax,
/// limits) end the load with one diagnostic; duplicate keys are collected and reported
/// together with the tree.
pub fn parse(text: &str) -> Result<(Node, Vec<Diagnostic>), Diagnostic> {
    let loader =
        Loader { parser: Parser::new_from_str(text), anchors: HashMap::new(), alias_nodes: 0, diagnostics: Vec::new() };
    loader.document()
}

struct Loader<'a> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    anchors: HashMap<usize, Node>,
    alias_nodes: usize,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Loader<'a> {
    fn next(&mut self) -> Result<(Event<'a>, Span), Diagnostic> {
        match self.parser.next_event() {
            Some(Ok(ev)) => Ok(ev),
            Some(Err(e)) => {
                let m = e.marker();
                let pos = Pos::new(m.line() as u32, m.col() as u32 + 1);
                if e.info().contains("recursion limit") {
                    return Err(Diagnostic::new(pos, format!("nesting deeper than {MAX_DEPTH} levels")).with_hint(
                        "a manifest never needs this much nesting; check that the file is the one you meant",
                    ));
                }
                Err(Diagnostic::new(pos, format!("invalid YAML: {}", e.info()))
                    .with_hint("fix the YAML syntax at this position (indentation, quotes, `:` after keys)"))
            }
            None => Err(Diagnostic::new(Pos::new(1, 1), "invalid YAML: unexpected end of input")),
        }
    }

    fn document(mut self) -> Result<(Node, Vec<Diagnostic>), Diagnostic> {
        let mut root = None;
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
                Event::StreamEnd => break,
                Event::DocumentStart(_) => {
                    if root.is_some() {
                        return Err(Diagnostic::new(pos_of(&span), "a manifest holds exactly one YAML document")
                            .with_hint("remove the `---` separator and everything after it, or split the file"));
                    }
                    let (event, span) = self.next()?;
                    root = Some(self.node(event, span, 0)?);
                }
                other => {
                    // Documents without an explicit start still emit DocumentStart; anything
                    // else here is a parser quirk we treat as the root.
                    root = Some(self.node(other, span, 0)?);
                }
            }
        }
        let root = root.unwrap_or_else(|| Node::null(Pos::new(1, 1)));
        Ok((root, self.diagnostics))
    }

    fn node(&mut self, event: Event<'a>, span: Span, depth: usize) -> Result<Node, Diagnostic> {
        let pos = pos_of(&span);
        if depth > MAX_DEPTH {
            return Err(Diagnostic::new(pos, format!("nesting deeper than {MAX_DEPTH} levels"))
                .with_hint("a manifest never needs this much nesting; check that the file is the one you meant"));
        }
        let (node, anchor) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let mut plain = matches!(style, ScalarStyle::Plain);
                if let Some(tag) = tag {
                    if tag.is_yaml_core_schema() && tag.suffix == "str" {
                        plain = false;
                    } else if !tag.is_yaml_core_schema() {
                        return Err(Diagnostic::new(
                            pos,
                            format!("YAML tag `{}{}` is not supported", tag.handle, tag.suffix),
                        )
                        .with_hint(
                            "remove the tag; manifest values are plain strings, numbers, booleans, lists and mappings",
                        ));
                    }
                }
                (Node { pos, kind: NodeKind::Scalar { text: text.into_owned(), plain } }, anchor)
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let (ev, sp) = self.next()?;
                    if matches!(ev, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node(ev, sp, depth + 1)?);
                }
                (Node { pos, kind: NodeKind::Seq(items) }, anchor)
            }
            Event::MappingStart(anchor, _) => {
                let mut entries: Vec<(Key, Node)> = Vec::new();
                let mut merges: Vec<Node> = Vec::new();
                loop {
                    let (ev, sp) = self.next()?;
                    if matches!(ev, Event::MappingEnd) {
                        break;
                    }
                    let key_pos = pos_of(&sp);
                    let key = match ev {
                        Event::Scalar(text, _, _, _) => text.into_owned(),
                        Event::Alias(_) | Event::SequenceStart(..) | Event::MappingStart(..) => {
                            return Err(Diagnostic::new(key_pos, "mapping keys must be plain text")
                                .with_hint("write the key as a word followed by `:`"));
                        }
                        _ => {
                            return Err(Diagnostic::new(key_pos, "invalid YAML: unexpected event in a mapping"));
                        }
                    };
                    let (ev, sp) = self.next()?;
                    let value = self.node(ev, sp, depth + 1)?;
                    if key == "<<" {
                        merges.push(value);
                        continue;
                    }
                    if let Some((first, _)) = entries.iter().find(|(k, _)| k.name == key) {
                        self.diagnostics.push(
                            Diagnostic::new(key_pos, format!("duplicate key `{key}`")).with_hint(format!(
                                "`{key}` is already set at line {}; keep one of them",
                                first.pos.line
                            )),
                        );
                        continue;
                    }
                    entries.push((Key { name: key, pos: key_pos }, value));
                }
                for merge in merges {
                    self.merge_into(&mut entries, merge)?;
                }
                (Node { pos, kind: NodeKind::Map(entries) }, anchor)
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id) else {
                    return Err(Diagnostic::new(pos, "alias to an unknown anchor"));
                };
                let size = count_nodes(target);
                self.alias_nodes = self.alias_nodes.saturating_add(size);
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(Diagnostic::new(
                        pos,
                        format!("YAML aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?)"),
                    )
                    .with_hint("use fewer nested aliases (`*name`); write the repeated parts out instead"));
                }
                let mut copy = target.clone();
                copy.pos = pos;
                (copy, 0)
            }
            _ => return Err(Diagnostic::new(pos, "invalid YAML: unexpected event")),
        };
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        Ok(node)
    }

    /// Applies a YAML merge key: keys of the merged mapping(s) not already present are added.
    fn merge_into(&mut self, entries: &mut Vec<(Key, Node)>, merge: Node) -> Result<(), Diagnostic> {
        let sources = match merge.kind {
            NodeKind::Map(_) => vec![merge],
            NodeKind::Seq(items) => items,
            _ => {
                return Err(Diagnostic::new(merge.pos, "a merge key `<<` needs a mapping or a list of mappings")
                    .with_hint("write `<<: *anchor` where `anchor` names a mapping"));
            }
        };
        for source in sources {
            let NodeKind::Map(src) = source.kind else {
                return Err(Diagnostic::new(source.pos, "a merge key `<<` needs a mapping or a list of mappings"));
            };
            for (k, v) in src {
                if !entries.iter().any(|(e, _)| e.name == k.name) {
                    entries.push((k, v));
                }
            }
        }
        Ok(())
    }
}

fn count_nodes(node: &Node) -> usize {
    match &node.kind {
        NodeKind::Scalar { .. } => 1,
        NodeKind::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        NodeKind::Map(entries) => 1 + entries.iter().map(|(_, v)| 1 + count_nodes(v)).sum::<usize>(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        assert_eq!(resolve_plain("12"), Scalar::Int(12));
        assert_eq!(resolve_plain("-3"), Scalar::Int(-3));
        assert_eq!(resolve_plain("1.5"), Scalar::Float(1.5));
        assert_eq!(resolve_plain("1e3"), Scalar::Float(1000.0));
        assert_eq!(resolve_plain("true"), Scalar::Bool(true));
        assert_eq!(resolve_plain("~"), Scalar::Null);
        assert_eq!(resolve_plain("yes"), Scalar::Str("yes"));
        assert_eq!(resolve_plain("1.2.3"), Scalar::Str("1.2.3"));
        assert_eq!(resolve_plain("-"), Scalar::Str("-"));
        assert_eq!(resolve_plain("0x1F"), Scalar::Int(31));
    }

    #[test]
    fn positions_are_one_based() {
        let (root, _) = parse("a:\n  b: [1, two]\n").expect("parses");
        let NodeKind::Map(entries) = &root.kind else { panic!("map") };
        assert_eq!(entries[0].0.pos, Pos::new(1, 1));
        let NodeKind::Map(inner) = &entries[0].1.kind else { panic!("map") };
        assert_eq!(inner[0].0.pos, Pos::new(2, 3));
        let NodeKind::Seq(items) = &inner[0].1.kind else { panic!("seq") };
        assert_eq!(items[1].pos, Pos::new(2, 10));
    }

    #[test]
    fn merge_keys_fill_missing_keys_only() {
        let (root, diags) = parse("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n").expect("parses");
        assert!(diags.is_empty());
        let NodeKind::Map(entries) = &root.kind else { panic!() };
        let NodeKind::Map(m) = &entries[1].1.kind else { panic!() };
        let keys: Vec<_> = m.iter().map(|(k, v)| (k.name.as_str(), v.scalar())).collect();
        assert_eq!(keys, vec![("y", Some(Scalar::Int(3))), ("x", Some(Scalar::Int(1)))]);
    }
}
