//! Names: case conversions, English plurals, and the words a name must not be.
//!
//! Shared by validation (defaults such as `pluralName`, reserved-word checks) and by the
//! template filters of the generators, so a name is spelled the same everywhere.

use heck::{ToKebabCase, ToLowerCamelCase, ToSnakeCase, ToTitleCase, ToUpperCamelCase};

pub fn camel(s: &str) -> String {
    s.to_lower_camel_case()
}

pub fn pascal(s: &str) -> String {
    s.to_upper_camel_case()
}

pub fn kebab(s: &str) -> String {
    s.to_kebab_case()
}

pub fn snake(s: &str) -> String {
    s.to_snake_case()
}

/// "OrderItem" → "Order Item", "firstName" → "First Name".
pub fn words(s: &str) -> String {
    s.to_title_case()
}

/// The English plural of a camelCase or PascalCase name (only its last word changes).
pub fn plural(name: &str) -> String {
    let split = name.char_indices().rev().find(|(_, c)| c.is_ascii_uppercase()).map(|(i, _)| i).unwrap_or(0);
    let (head, last) = name.split_at(split);
    let capital = last.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    let lower = last.to_ascii_lowercase();
    let mut out = plural_word(&lower);
    if capital {
        let mut chars = out.chars();
        if let Some(first) = chars.next() {
            out = first.to_ascii_uppercase().to_string() + chars.as_str();
        }
    }
    format!("{head}{out}")
}

fn plural_word(w: &str) -> String {
    const IRREGULAR: &[(&str, &str)] = &[
        ("person", "people"),
        ("child", "children"),
        ("man", "men"),
        ("woman", "women"),
        ("mouse", "mice"),
        ("goose", "geese"),
        ("tooth", "teeth"),
        ("foot", "feet"),
        ("datum", "data"),
        ("criterion", "criteria"),
        ("medium", "media"),
        ("analysis", "analyses"),
        ("thesis", "theses"),
        ("crisis", "crises"),
        ("leaf", "leaves"),
        ("life", "lives"),
        ("wife", "wives"),
        ("knife", "knives"),
        ("half", "halves"),
        ("shelf", "shelves"),
        ("wolf", "wolves"),
        ("quiz", "quizzes"),
        ("ox", "oxen"),
    ];
    const UNCOUNTABLE: &[&str] = &[
        "sheep",
        "fish",
        "deer",
        "series",
        "species",
        "news",
        "information",
        "equipment",
        "metadata",
        "data",
        "feedback",
        "software",
        "hardware",
        "media",
        "staff",
    ];
    if let Some((_, p)) = IRREGULAR.iter().find(|(s, _)| *s == w) {
        return (*p).to_string();
    }
    if UNCOUNTABLE.contains(&w) {
        return w.to_string();
    }
    let ends = |suffix: &str| w.ends_with(suffix);
    if ends("s") || ends("x") || ends("z") || ends("ch") || ends("sh") {
        return format!("{w}es");
    }
    if let Some(stem) = w.strip_suffix('y')
        && stem.chars().last().is_some_and(|c| !"aeiou".contains(c))
    {
        return format!("{stem}ies");
    }
    format!("{w}s")
}

/// JavaScript reserved words and the object members every class inherits: never valid as
/// names in generated code (TypeScript's contextual keywords like `type` or `number` are
/// fine as property names, so they are allowed).
pub const JS_RESERVED: &[&str] = &[
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
    "arguments",
    "eval",
    "undefined",
    "constructor",
    "prototype",
    "__proto__",
    "toString",
    "valueOf",
    "hasOwnProperty",
];

/// Entity names that collide with classes the generated service or its libraries define.
pub const RESERVED_ENTITY_NAMES: &[&str] = &[
    "App",
    "Auth",
    "Health",
    "Prisma",
    "PrismaClient",
    "PrismaService",
    "PrismaModule",
    "Decimal",
    "Date",
    "String",
    "Number",
    "Boolean",
    "Object",
    "Array",
    "Promise",
    "Map",
    "Set",
    "Error",
    "JSON",
    "Symbol",
    "Function",
    "Record",
    "Partial",
    "Required",
    "Readonly",
    "Pick",
    "Omit",
    "Buffer",
    "BigInt",
    "RegExp",
    "Math",
    "Module",
    "Controller",
    "Service",
    "Injectable",
    "Query",
    "Body",
    "Param",
    "Request",
    "Response",
];

/// Field names the generated code uses for its own purposes.
pub const RESERVED_FIELD_NAMES: &[&str] = &["skip", "take", "sort", "select", "include", "where", "orderBy"];

/// Whether a name is a JS/TS reserved word (case-sensitive, as the languages are).
pub fn is_js_reserved(name: &str) -> bool {
    JS_RESERVED.contains(&name)
}

pub fn is_pascal_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

pub fn is_camel_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

pub fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.split('-')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
        && s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
}

/// A value of an option set: usable as a Prisma enum value and a TypeScript member.
pub fn is_option_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic()) && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// PostgreSQL truncates identifiers longer than this many bytes.
pub const SQL_IDENTIFIER_MAX: usize = 63;

/// Why `name` is not a valid git branch name (`git check-ref-format --branch`), if it is not.
pub fn branch_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("is empty");
    }
    if name.starts_with('-') {
        return Some("starts with `-`");
    }
    if name.starts_with('/') || name.ends_with('/') || name.contains("//") {
        return Some("has an empty path component");
    }
    if name.ends_with('.') || name.ends_with(".lock") {
        return Some("ends with `.` or `.lock`");
    }
    if name.contains("..") {
        return Some("contains `..`");
    }
    if name.contains("@{") || name == "@" {
        return Some("contains `@{`");
    }
    if name.split('/').any(|part| part.starts_with('.')) {
        return Some("has a component starting with `.`");
    }
    if name.chars().any(|c| c.is_ascii_control() || " ~^:?*[\\".contains(c)) {
        return Some("contains a space or one of `~^:?*[\\`");
    }
    None
}

/// Normalizes a repository-relative directory (`./apps/x/` → `apps/x`, `` or `.` → `.`),
/// or says why it is not one.
pub fn normalize_directory(dir: &str) -> Result<String, &'static str> {
    if dir.contains('\\') {
        return Err("uses `\\`; separate directories with `/`");
    }
    if dir.starts_with('/') || (dir.len() > 1 && dir.as_bytes()[1] == b':') {
        return Err("is absolute; it must be relative to the repository root");
    }
    let mut parts = Vec::new();
    for part in dir.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("contains `..`; it must stay inside the repository"),
            p if p.chars().any(|c| c.is_control()) => return Err("contains a control character"),
            p => parts.push(p),
        }
    }
    if parts.first().is_some_and(|p| *p == ".git" || *p == ".amplication") {
        return Err("is inside `.git` or `.amplication`, which ampsync manages");
    }
    Ok(if parts.is_empty() { ".".to_string() } else { parts.join("/") })
}

/// Whether two normalized directories overlap (equal, or one inside the other).
pub fn directories_overlap(a: &str, b: &str) -> bool {
    if a == "." || b == "." {
        return true;
    }
    a == b || a.starts_with(&format!("{b}/")) || b.starts_with(&format!("{a}/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals() {
        for (s, p) in [
            ("product", "products"),
            ("category", "categories"),
            ("address", "addresses"),
            ("orderItem", "orderItems"),
            ("status", "statuses"),
            ("person", "people"),
            ("salesPerson", "salesPeople"),
            ("day", "days"),
            ("box", "boxes"),
            ("sheep", "sheep"),
            ("OrderItem", "OrderItems"),
        ] {
            assert_eq!(plural(s), p, "{s}");
        }
    }

    #[test]
    fn cases() {
        assert_eq!(kebab("OrderItem"), "order-item");
        assert_eq!(camel("OrderItem"), "orderItem");
        assert_eq!(snake("OrderItem"), "order_item");
        assert_eq!(words("orderItem"), "Order Item");
    }

    #[test]
    fn directories() {
        assert_eq!(normalize_directory("./apps/x/"), Ok("apps/x".to_string()));
        assert_eq!(normalize_directory(""), Ok(".".to_string()));
        assert!(normalize_directory("../x").is_err());
        assert!(normalize_directory("/abs").is_err());
        assert!(directories_overlap("apps/a", "apps/a/b"));
        assert!(!directories_overlap("apps/a", "apps/ab"));
    }

    #[test]
    fn branch_names() {
        assert_eq!(branch_name_problem("amplication"), None);
        assert_eq!(branch_name_problem("feature/x"), None);
        assert!(branch_name_problem("a b").is_some());
        assert!(branch_name_problem("a..b").is_some());
        assert!(branch_name_problem("x.lock").is_some());
    }
}
