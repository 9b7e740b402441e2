//! Git object ids of content, computed the way git does (`blob <len>\0<bytes>`, SHA-1).

use gix::ObjectId;

/// The git blob id of `bytes`.
pub fn blob_id(bytes: &[u8]) -> ObjectId {
    gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, bytes).expect("SHA-1 hashing does not fail")
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_git() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(super::blob_id(b"hello\n").to_string(), "ce013625030ba8dba906f756967f9e9ca394464a");
        assert_eq!(super::blob_id(b"").to_string(), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }
}
