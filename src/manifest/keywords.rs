//! The closed vocabularies of the manifest (field types, relation kinds, policies...).
//!
//! Each is a Rust enum spelled exactly as in YAML, with doc comments that become the
//! descriptions editors show from the JSON Schema. Raw manifest types keep these values as
//! positioned text so a typo is reported with "did you mean"; validation parses them here.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

macro_rules! keywords {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub const NAMES: &'static [&'static str] = &[$($text),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)* _ => None }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            /// Parses the YAML spelling (for command-line flags and action inputs).
            fn from_str(text: &str) -> Result<Self, String> {
                Self::parse(text).ok_or_else(|| format!("expected one of: {}", Self::NAMES.join(", ")))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

keywords! {
    /// The type of a field (the Amplication set).
    pub enum FieldType {
        /// Short text; `maxLength` (default 256).
        SingleLineText = "SingleLineText",
        /// Long text; optional `maxLength`.
        MultiLineText = "MultiLineText",
        /// An e-mail address, validated as such.
        Email = "Email",
        /// An integer; `min`, `max`, `bigInt` (64-bit).
        WholeNumber = "WholeNumber",
        /// A decimal number; `min`, `max`, `precision` (digits after the point, default 2).
        DecimalNumber = "DecimalNumber",
        /// A point in time; `dateOnly` for a calendar date.
        DateTime = "DateTime",
        /// `true` or `false`.
        Boolean = "Boolean",
        /// Any JSON value.
        Json = "Json",
        /// One value out of `options`.
        OptionSet = "OptionSet",
        /// Any number of values out of `options`.
        MultiSelectOptionSet = "MultiSelectOptionSet",
        /// A relation to another entity: `target`, `relation`, `inverse`.
        Lookup = "Lookup",
        /// Latitude and longitude, as "lat,long".
        GeographicLocation = "GeographicLocation",
        /// The primary key; `idType` (cuid, uuid or autoincrement). Implicit as `id` unless declared.
        Id = "Id",
        /// Set when the record is created. Implicit as `createdAt` unless declared.
        CreatedAt = "CreatedAt",
        /// Set whenever the record changes. Implicit as `updatedAt` unless declared.
        UpdatedAt = "UpdatedAt",
        /// The sign-in name of the auth entity (unique).
        Username = "Username",
        /// The password of the auth entity (stored hashed, never returned).
        Password = "Password",
        /// The roles of the auth entity.
        Roles = "Roles",
        /// A file reference (URL or storage key).
        File = "File",
    }
}

keywords! {
    /// How a `Lookup` field relates its entity to the target entity.
    pub enum RelationKind {
        /// Each record relates to at most one target, and the other way round.
        OneToOne = "one-to-one",
        /// Each record relates to many targets; each target to one record.
        OneToMany = "one-to-many",
        /// Many records relate to the same target.
        ManyToOne = "many-to-one",
        /// Many to many, through a join table.
        ManyToMany = "many-to-many",
    }
}

impl RelationKind {
    /// The kind as seen from the other side.
    pub fn inverse(self) -> Self {
        match self {
            RelationKind::OneToOne => RelationKind::OneToOne,
            RelationKind::OneToMany => RelationKind::ManyToOne,
            RelationKind::ManyToOne => RelationKind::OneToMany,
            RelationKind::ManyToMany => RelationKind::ManyToMany,
        }
    }

    /// Whether this side holds many records of the target.
    pub fn is_to_many(self) -> bool {
        matches!(self, RelationKind::OneToMany | RelationKind::ManyToMany)
    }
}

keywords! {
    /// How primary keys are made.
    pub enum IdType {
        /// Collision-resistant string ids (default).
        Cuid = "cuid",
        /// Random UUIDs.
        Uuid = "uuid",
        /// A sequence of integers.
        Autoincrement = "autoincrement",
    }
}

keywords! {
    /// Where builds are committed.
    pub enum ProviderKind {
        /// GitHub.com or GitHub Enterprise Server, through the REST API.
        Github = "github",
        /// A git repository on disk; no pull request.
        Local = "local",
    }
}

keywords! {
    /// How the sync branch receives builds.
    pub enum BranchMode {
        /// One branch; each build stacks one more commit on it.
        Accumulate = "accumulate",
        /// One branch and pull request per build: `amplication-build-<id>`.
        PerBuild = "per-build",
    }
}

keywords! {
    /// What to do when a hand edit and a generator change touch the same lines.
    pub enum ConflictPolicy {
        /// Write conflict markers into the file and list it in the pull request.
        Markers = "markers",
        /// Keep the repository's version; put the generated one at `.amplication/conflicts/<path>`.
        Ours = "ours",
        /// Take the generated version.
        Theirs = "theirs",
    }
}

keywords! {
    /// Authentication of the generated service.
    pub enum AuthKind {
        /// No authentication: every permission is `public`.
        None = "none",
        /// JWT sign-in against the `authEntity`.
        Jwt = "jwt",
    }
}

keywords! {
    /// The built-in generators.
    pub enum GeneratorKind {
        /// NestJS 11 + Prisma 7 + PostgreSQL REST service.
        Nestjs = "nestjs",
    }
}

keywords! {
    /// A permission keyword (a list of role names is the other form).
    pub enum PermissionKeyword {
        /// Anyone, signed in or not.
        Public = "public",
        /// Anyone signed in.
        Authenticated = "authenticated",
        /// Nobody: the endpoint is not generated.
        Disabled = "disabled",
    }
}

keywords! {
    /// The actions a permission can be set for.
    pub enum Action {
        Create = "create",
        Read = "read",
        Update = "update",
        Delete = "delete",
        Search = "search",
    }
}
