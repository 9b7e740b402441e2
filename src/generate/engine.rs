//! The template engine: renders a template set with minijinja into a [`GeneratedTree`].
//!
//! Conventions, the same for the built-in generators and for a team's `templates:` dir:
//! - a file ending in `.jinja` is a template: rendered, and the suffix dropped; any other
//!   file is copied byte for byte;
//! - a file or directory whose name starts with `_` is a partial: never written, but
//!   available to `{% include %}`, `{% import %}` and `{% extends %}` by its path;
//! - the path is a template too: a path that uses `entity` is rendered once per entity
//!   (`src/{{ entity.kebab }}/{{ entity.kebab }}.service.ts.jinja`), and a path that
//!   renders to an empty segment is skipped (how a file is made conditional);
//! - undefined variables are errors; blocks trim their newline; output uses `\n`.
//!
//! Filters: `camel`, `pascal`, `kebab`, `snake`, `words`, `plural`, `tojson`, plus
//! minijinja's built-ins.

use std::path::Path;

use minijinja::{Environment, UndefinedBehavior, Value};

use super::{Error, GeneratedTree};
use crate::manifest::model::Service;
use crate::manifest::names;

/// Whose templates these are: decides how failures are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Built into ampsync: a failure is an ampsync bug.
    Builtin,
    /// A team's `templates:` directory: a failure is the team's `file:line: message`.
    Team,
}

#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// `/`-separated path inside the template set.
    pub path: String,
    pub source: Vec<u8>,
    pub executable: bool,
}

#[derive(Debug, Clone, Default)]
pub struct TemplateSet {
    pub files: Vec<TemplateFile>,
    /// How the set's directory is named in errors (`tools/templates`).
    pub display_root: String,
}

impl TemplateSet {
    /// A set embedded in the binary with `include_dir!`.
    pub fn embedded(dir: &include_dir::Dir<'_>, display_root: &str) -> Self {
        let mut files = Vec::new();
        collect_embedded(dir, &mut files);
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Self { files, display_root: display_root.to_string() }
    }

    /// A team's template directory on disk (`display_root` is how the manifest names it).
    pub fn from_dir(dir: &Path, display_root: &str) -> Result<Self, Error> {
        let fail = |message: String| Error::TemplateDir { path: display_root.to_string(), message };
        if !dir.is_dir() {
            return Err(fail("it does not exist or is not a directory".into()));
        }
        let mut files = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(current) = stack.pop() {
            let entries = std::fs::read_dir(&current).map_err(|e| fail(e.to_string()))?;
            for entry in entries {
                let entry = entry.map_err(|e| fail(e.to_string()))?;
                let path = entry.path();
                let meta = std::fs::symlink_metadata(&path).map_err(|e| fail(e.to_string()))?;
                if meta.is_dir() {
                    stack.push(path);
                } else if meta.is_file() {
                    let rel = path.strip_prefix(dir).map_err(|e| fail(e.to_string()))?;
                    let rel = rel
                        .to_str()
                        .ok_or_else(|| fail(format!("`{}` is not a UTF-8 path", rel.display())))?
                        .replace('\\', "/");
                    let source = std::fs::read(&path).map_err(|e| fail(format!("`{rel}`: {e}")))?;
                    #[cfg(unix)]
                    let executable = std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o111 != 0;
                    #[cfg(not(unix))]
                    let executable = false;
                    files.push(TemplateFile { path: rel, source, executable });
                }
            }
        }
        if files.is_empty() {
            return Err(fail("it holds no templates".into()));
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Self { files, display_root: display_root.to_string() })
    }
}

fn collect_embedded(dir: &include_dir::Dir<'_>, out: &mut Vec<TemplateFile>) {
    for file in dir.files() {
        let path = file.path().to_string_lossy().replace('\\', "/");
        let executable = path.ends_with(".sh") || path.ends_with(".sh.jinja");
        out.push(TemplateFile { path, source: file.contents().to_vec(), executable });
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
}

fn is_partial(path: &str) -> bool {
    path.split('/').any(|segment| segment.starts_with('_'))
}

/// The minijinja environment every template renders in.
pub fn environment(set: &TemplateSet, origin: Origin) -> Result<Environment<'static>, Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .expect("the default delimiters are valid");
    env.set_syntax(syntax);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.add_filter("camel", |s: String| names::camel(&s));
    env.add_filter("pascal", |s: String| names::pascal(&s));
    env.add_filter("kebab", |s: String| names::kebab(&s));
    env.add_filter("snake", |s: String| names::snake(&s));
    env.add_filter("words", |s: String| names::words(&s));
    env.add_filter("plural", |s: String| names::plural(&s));
    for file in &set.files {
        if file.path.ends_with(".jinja") {
            let source = String::from_utf8(file.source.clone())
                .map_err(|_| wrap(origin, set, &file.path, 0, "the template is not valid UTF-8".to_string()))?;
            env.add_template_owned(file.path.clone(), source)
                .map_err(|e| from_minijinja(origin, set, &file.path, &e))?;
        }
    }
    Ok(env)
}

fn wrap(origin: Origin, set: &TemplateSet, file: &str, line: usize, message: String) -> Error {
    let file = if set.display_root.is_empty() { file.to_string() } else { format!("{}/{file}", set.display_root) };
    match origin {
        Origin::Builtin => Error::Builtin { file, line, message },
        Origin::Team => Error::Template { file, line, message },
    }
}

fn from_minijinja(origin: Origin, set: &TemplateSet, fallback: &str, e: &minijinja::Error) -> Error {
    let file = e.name().unwrap_or(fallback).to_string();
    let mut message = e.kind().to_string();
    if let Some(detail) = e.detail() {
        message = format!("{message}: {detail}");
    }
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        message = format!("{message}: {inner}");
        source = inner.source();
    }
    wrap(origin, set, &file, e.line().unwrap_or(0), message)
}

/// Renders every non-partial file of `set` for `service`. `context` is the template
/// context; `entities` are the values bound to `entity` in per-entity templates.
pub fn render(
    set: &TemplateSet,
    context: &impl serde::Serialize,
    service: &Service,
    origin: Origin,
) -> Result<GeneratedTree, Error> {
    let env = environment(set, origin)?;
    let base = Value::from(minijinja::value::Serde(context));
    let entities: Vec<Value> = match base.get_attr("entities") {
        Ok(list) if !list.is_undefined() => list.try_iter().map(|it| it.collect()).unwrap_or_default(),
        _ => Vec::new(),
    };
    // First every output path (cheap, in order), then the bodies on every core, then the
    // tree in that same order: the result and the first error reported do not depend on
    // the number of threads.
    let mut jobs: Vec<(&TemplateFile, String, Value)> = Vec::new();
    for file in set.files.iter().filter(|f| !is_partial(&f.path)) {
        let path_template = file.path.strip_suffix(".jinja").unwrap_or(&file.path);
        let path_tmpl = env
            .template_from_named_str(&file.path, path_template)
            .map_err(|e| from_minijinja(origin, set, &file.path, &e))?;
        let per_entity = path_tmpl.undeclared_variables(false).contains("entity");
        let contexts: Vec<Value> = if per_entity {
            entities.iter().map(|e| minijinja::context! { entity => e.clone(), ..base.clone() }).collect()
        } else {
            vec![base.clone()]
        };
        for ctx in contexts {
            let rel = path_tmpl.render(&ctx).map_err(|e| from_minijinja(origin, set, &file.path, &e))?;
            if rel.split('/').any(str::is_empty) {
                continue; // a conditional file that is off
            }
            check_output_path(&rel).map_err(|problem| Error::BadPath {
                template: file.path.clone(),
                path: rel.clone(),
                problem: problem.to_string(),
            })?;
            jobs.push((file, rel, ctx));
        }
    }
    let body = |(file, _, ctx): &(&TemplateFile, String, Value)| -> Result<Vec<u8>, Error> {
        if !file.path.ends_with(".jinja") {
            return Ok(file.source.clone());
        }
        let tmpl = env.get_template(&file.path).map_err(|e| from_minijinja(origin, set, &file.path, &e))?;
        let text = tmpl.render(ctx).map_err(|e| from_minijinja(origin, set, &file.path, &e))?;
        Ok(if text.contains('\r') { text.replace("\r\n", "\n").into_bytes() } else { text.into_bytes() })
    };
    let threads = std::thread::available_parallelism().map_or(1, usize::from).min(8);
    let bodies: Vec<Result<Vec<u8>, Error>> = if threads < 2 || jobs.len() < 64 {
        jobs.iter().map(body).collect()
    } else {
        let chunk = jobs.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> =
                jobs.chunks(chunk).map(|part| scope.spawn(move || part.iter().map(body).collect::<Vec<_>>())).collect();
            handles.into_iter().flat_map(|h| h.join().expect("a render thread panicked")).collect()
        })
    };
    let mut tree = GeneratedTree::default();
    for ((file, rel, _), bytes) in jobs.iter().zip(bodies) {
        tree.insert(service.path_of(rel), bytes?, file.executable)?;
    }
    Ok(tree)
}

fn check_output_path(path: &str) -> Result<(), &'static str> {
    if path.starts_with('/') || path.contains('\\') {
        return Err("is not a relative `/`-separated path");
    }
    if path.split('/').any(|s| s == ".." || s == ".") {
        return Err("leaves its directory (`.` or `..`)");
    }
    if path.split('/').any(|s| s == ".git") {
        return Err("is inside `.git`");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest;

    fn service() -> manifest::Manifest {
        manifest::parse_str(
            Path::new("a.yaml"),
            "version: 1\nproject: p\nservices:\n  - name: api\n    entities:\n      - name: OrderItem\n        fields:\n          - { name: qty, type: WholeNumber }\n      - name: Customer\n        fields:\n          - { name: name, type: SingleLineText }\n",
        )
        .expect("valid")
    }

    fn set(files: &[(&str, &str)]) -> TemplateSet {
        TemplateSet {
            files: files
                .iter()
                .map(|(p, s)| TemplateFile { path: p.to_string(), source: s.as_bytes().to_vec(), executable: false })
                .collect(),
            display_root: "tpl".into(),
        }
    }

    fn render_set(files: &[(&str, &str)]) -> Result<GeneratedTree, Error> {
        let m = service();
        let view = crate::generate::view::ServiceView::new(&m, &m.services[0]);
        render(&set(files), &view, &m.services[0], Origin::Team)
    }

    #[test]
    fn per_entity_paths_partials_and_conditional_files() {
        let tree = render_set(&[
            ("_macros.jinja", "{% macro hello(n) %}hello {{ n }}{% endmacro %}"),
            ("README.md.jinja", "{% from '_macros.jinja' import hello %}{{ hello(service.name) }}\n"),
            ("src/{{ entity.kebab }}/{{ entity.kebab }}.ts.jinja", "export class {{ entity.name }} {}\n"),
            ("{% if false %}off.txt{% endif %}", "never"),
            ("static.txt", "{{ not rendered }}"),
        ])
        .expect("renders");
        let paths: Vec<&str> = tree.files.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            [
                "apps/api/README.md",
                "apps/api/src/customer/customer.ts",
                "apps/api/src/order-item/order-item.ts",
                "apps/api/static.txt"
            ]
        );
        assert_eq!(tree.files["apps/api/README.md"].bytes, b"hello api\n");
        assert_eq!(tree.files["apps/api/src/order-item/order-item.ts"].bytes, b"export class OrderItem {}\n");
        assert_eq!(tree.files["apps/api/static.txt"].bytes, b"{{ not rendered }}");
    }

    #[test]
    fn filters() {
        let tree =
            render_set(&[("x.jinja", "{{ 'OrderItem' | kebab }} {{ 'orderItem' | plural }} {{ 'a b' | pascal }}")])
                .expect("renders");
        assert_eq!(tree.files["apps/api/x"].bytes, b"order-item orderItems AB");
    }

    #[test]
    fn team_template_errors_name_file_and_line() {
        let err = render_set(&[("ok.jinja", "fine\n"), ("bad.ts.jinja", "line one\n{{ entity.nope }}\n")]).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("tpl/bad.ts.jinja:2: undefined value"), "{text}");
        let err = render_set(&[("broken.jinja", "a\nb\n{% if %}\n")]).unwrap_err();
        assert!(err.to_string().starts_with("tpl/broken.jinja:3: syntax error"), "{err}");
    }

    #[test]
    fn paths_cannot_escape() {
        let err = render_set(&[("{{ '..' }}/x", "")]).unwrap_err();
        assert!(matches!(err, Error::BadPath { .. }), "{err}");
    }
}
