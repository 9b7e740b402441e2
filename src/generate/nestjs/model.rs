//! The service as the NestJS generator sees it: primary keys, and every relation normalised
//! to what Prisma stores (which side holds the foreign key, which relations need a
//! `@relation` name, the implicit many-to-many join tables).
//!
//! Pure analysis of the resolved model; nothing here knows about templates. Entities keep
//! the resolved order (by name) and members keep the field order, so everything derived
//! from an [`Analysis`] is deterministic.

use std::collections::{BTreeMap, BTreeSet};

use crate::manifest::model::{Entity, Field, FieldKind, IdType, Relation, RelationKind, Service};

/// Prisma's client property of a model: the name with its first letter lower-cased
/// (`OrderItem` → `orderItem`, `URLMap` → `uRLMap`).
pub fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

pub struct Analysis<'a> {
    pub service: &'a Service,
    pub entities: Vec<Ent<'a>>,
    /// Implicit many-to-many tables, in the order Prisma creates them (first seen walking
    /// the models and their fields in schema order).
    pub join_tables: Vec<JoinTable>,
}

pub struct Ent<'a> {
    pub entity: &'a Entity,
    pub id: &'a Field,
    pub id_type: IdType,
    /// The fields in schema order, relations resolved.
    pub members: Vec<Member<'a>>,
}

impl<'a> Ent<'a> {
    pub fn name(&self) -> &'a str {
        &self.entity.name
    }

    pub fn id_is_int(&self) -> bool {
        self.id_type == IdType::Autoincrement
    }

    /// TypeScript type of the primary key.
    pub fn id_ts(&self) -> &'static str {
        if self.id_is_int() { "number" } else { "string" }
    }

    pub fn relations(&self) -> impl Iterator<Item = &Rel<'a>> {
        self.members.iter().filter_map(|m| match m {
            Member::Relation(r) => Some(r),
            Member::Scalar(_) => None,
        })
    }
}

pub enum Member<'a> {
    Scalar(&'a Field),
    Relation(Rel<'a>),
}

pub struct Rel<'a> {
    pub field: &'a Field,
    pub relation: &'a Relation,
    /// Index of the target in [`Analysis::entities`].
    pub target: usize,
    pub side: Side,
    /// The `@relation("...")` name, when Prisma needs one (self relations, several relations
    /// between the same two models).
    pub prisma_name: Option<String>,
}

impl Rel<'_> {
    pub fn is_list(&self) -> bool {
        matches!(self.side, Side::InverseMany { .. } | Side::ManyToMany { .. })
    }

    pub fn foreign_key(&self) -> Option<&str> {
        match &self.side {
            Side::Owner { fk, .. } => Some(fk),
            _ => None,
        }
    }
}

pub enum Side {
    /// This side stores the foreign key column `fk` (many-to-one, or the owning side of a
    /// one-to-one, where the column is unique).
    Owner { fk: String, required: bool, unique: bool },
    /// The other side of a one-to-one: no column.
    InverseOne,
    /// The list side of a one-to-many: the target's column `fk` points here.
    InverseMany { fk: String, fk_required: bool },
    /// Many-to-many through the implicit join table `join` (index in `join_tables`).
    ManyToMany { join: usize },
}

/// An implicit many-to-many table (`_CategoryToProduct`): column `A` points at the model whose
/// name sorts first, `B` at the other.
pub struct JoinTable {
    pub name: String,
    pub a: usize,
    pub b: usize,
}

impl<'a> Analysis<'a> {
    pub fn new(service: &'a Service) -> Self {
        let index: BTreeMap<&str, usize> =
            service.entities.iter().enumerate().map(|(i, e)| (e.name.as_str(), i)).collect();

        // Relations between each unordered pair of entities, by relation name.
        let mut pairs: BTreeMap<(usize, usize), BTreeSet<&str>> = BTreeMap::new();
        for (i, entity) in service.entities.iter().enumerate() {
            for field in &entity.fields {
                if let FieldKind::Lookup(rel) = &field.kind
                    && let Some(&t) = index.get(rel.target.as_str())
                {
                    pairs.entry((i.min(t), i.max(t))).or_default().insert(rel.relation_name.as_str());
                }
            }
        }
        let needs_name = |a: usize, b: usize| a == b || pairs.get(&(a.min(b), a.max(b))).is_some_and(|s| s.len() > 1);

        let mut join_tables: Vec<JoinTable> = Vec::new();
        let mut join_by_relation: BTreeMap<&str, usize> = BTreeMap::new();
        let mut entities = Vec::with_capacity(service.entities.len());
        for (i, entity) in service.entities.iter().enumerate() {
            let id = entity.id_field();
            let id_type = match id.kind {
                FieldKind::Id { id_type } => id_type,
                _ => IdType::Cuid,
            };
            let mut members = Vec::with_capacity(entity.fields.len());
            for field in &entity.fields {
                let FieldKind::Lookup(relation) = &field.kind else {
                    members.push(Member::Scalar(field));
                    continue;
                };
                let Some(&target) = index.get(relation.target.as_str()) else {
                    continue; // validation guarantees the target exists
                };
                let prisma_name = needs_name(i, target).then(|| relation.relation_name.clone());
                let side = match relation.relation {
                    RelationKind::ManyToOne | RelationKind::OneToOne if relation.holds_foreign_key => Side::Owner {
                        fk: format!("{}Id", field.name),
                        required: field.required,
                        unique: relation.relation == RelationKind::OneToOne,
                    },
                    RelationKind::OneToOne | RelationKind::ManyToOne => Side::InverseOne,
                    RelationKind::OneToMany => {
                        let owner_field = service.entities[target].field(&relation.inverse);
                        Side::InverseMany {
                            fk: format!("{}Id", relation.inverse),
                            fk_required: owner_field.is_some_and(|f| f.required),
                        }
                    }
                    RelationKind::ManyToMany => {
                        let join = match join_by_relation.get(relation.relation_name.as_str()) {
                            Some(&j) => j,
                            None => {
                                let (a, b) =
                                    if service.entities[target].name < entity.name { (target, i) } else { (i, target) };
                                let name = match &prisma_name {
                                    Some(n) => format!("_{n}"),
                                    None => {
                                        format!("_{}To{}", service.entities[a].name, service.entities[b].name)
                                    }
                                };
                                join_tables.push(JoinTable { name, a, b });
                                join_by_relation.insert(relation.relation_name.as_str(), join_tables.len() - 1);
                                join_tables.len() - 1
                            }
                        };
                        Side::ManyToMany { join }
                    }
                };
                members.push(Member::Relation(Rel { field, relation, target, side, prisma_name }));
            }
            entities.push(Ent { entity, id, id_type, members });
        }
        Self { service, entities, join_tables }
    }

    pub fn ent(&self, index: usize) -> &Ent<'a> {
        &self.entities[index]
    }

    /// The relation field on `rel`'s target that points back.
    pub fn other_side(&self, rel: &Rel<'a>) -> Option<&Rel<'a>> {
        self.entities[rel.target].relations().find(|r| r.field.name == rel.relation.inverse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest;

    fn shop() -> manifest::Manifest {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shop/amplication.yaml");
        manifest::load(&path).expect("the example is valid").manifest
    }

    #[test]
    fn names_only_where_prisma_needs_them_and_join_tables() {
        let m = shop();
        let a = Analysis::new(&m.services[0]);
        let category = a.entities.iter().find(|e| e.name() == "Category").expect("Category");
        let names: Vec<_> = category.relations().map(|r| (r.field.name.as_str(), r.prisma_name.as_deref())).collect();
        assert_eq!(
            names,
            [("parent", Some("CategoryParent")), ("children", Some("CategoryParent")), ("products", None)]
        );
        assert_eq!(a.join_tables.len(), 1);
        assert_eq!(a.join_tables[0].name, "_CategoryToProduct");
        assert_eq!(a.entities[a.join_tables[0].a].name(), "Category");
        let user = a.entities.iter().find(|e| e.name() == "User").expect("User");
        let customer = user.relations().next().expect("User.customer");
        assert!(matches!(&customer.side, Side::Owner { fk, required: false, unique: true } if fk == "customerId"));
    }

    #[test]
    fn case_helpers() {
        assert_eq!(lower_first("OrderItem"), "orderItem");
        assert_eq!(lower_first("URLMap"), "uRLMap");
    }
}
