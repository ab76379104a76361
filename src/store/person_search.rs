//! The people's search text held in memory. A history search first finds
//! the people whose text holds what was typed; reading the persons table
//! for that on every key cost more than the rest of the key together
//! (its rows carry each person's details). The copy is read again only
//! after a write here or another process's commit.

use super::{Store, StoreError};

#[derive(Default)]
pub(crate) struct PersonSearch {
    /// (rows written by this connection, the file's data_version) when read.
    stamp: Option<(u64, i64)>,
    /// (person key, search text with ASCII folded to lower case).
    rows: Vec<(String, String)>,
}

impl Store {
    /// Keys of the people whose search text holds `q`, as
    /// `search LIKE '%q%'` would find them (ASCII letters in either case);
    /// `None` when more than `max` match.
    pub fn persons_matching(&self, q: &str, max: usize) -> Result<Option<Vec<String>>, StoreError> {
        let stamp = (self.conn.total_changes(), self.data_version()?);
        let mut cache = self.person_search.borrow_mut();
        if cache.stamp != Some(stamp) {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT key, search FROM persons")?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            cache.rows = rows
                .map(|r| r.map(|(k, s)| (k, s.to_ascii_lowercase())))
                .collect::<Result<_, _>>()?;
            cache.stamp = Some(stamp);
        }
        let q = q.to_ascii_lowercase();
        let mut out = Vec::new();
        for (key, text) in &cache.rows {
            if text.contains(&q) {
                if out.len() == max {
                    return Ok(None);
                }
                out.push(key.clone());
            }
        }
        Ok(Some(out))
    }
}
