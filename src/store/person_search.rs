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
    /// (person key, search text with ASCII folded to lower case, last visit).
    rows: Vec<(String, String, i64)>,
}

impl Store {
    /// The people whose search text holds `q`, as `search LIKE '%q%'`
    /// would find them (ASCII letters in either case), with their last
    /// visit; `None` when more than `max` match.
    pub fn persons_matching(
        &self,
        q: &str,
        max: usize,
    ) -> Result<Option<Vec<(String, i64)>>, StoreError> {
        let mut out = Vec::new();
        let mut more = false;
        self.each_person_matching(q, |key, last_ms| {
            if out.len() == max {
                more = true;
                return false;
            }
            out.push((key.to_string(), last_ms));
            true
        })?;
        Ok((!more).then_some(out))
    }

    /// The `n` people last seen whose search text holds `q`, most recent
    /// first.
    pub fn recent_persons_matching(&self, q: &str, n: usize) -> Result<Vec<String>, StoreError> {
        let mut found: Vec<(i64, String)> = Vec::new();
        self.each_person_matching(q, |key, last_ms| {
            found.push((last_ms, key.to_string()));
            true
        })?;
        found.sort_unstable_by(|a, b| b.cmp(a));
        Ok(found.into_iter().take(n).map(|(_, k)| k).collect())
    }

    /// Calls `f` with each matching person's key and last visit until it
    /// returns false.
    fn each_person_matching(
        &self,
        q: &str,
        mut f: impl FnMut(&str, i64) -> bool,
    ) -> Result<(), StoreError> {
        let stamp = self.written_stamp()?;
        let mut cache = self.person_search.borrow_mut();
        if cache.stamp != Some(stamp) {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT key, search, last_ms FROM persons")?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?.to_ascii_lowercase(),
                    r.get(2)?,
                ))
            })?;
            cache.rows = rows.collect::<Result<_, _>>()?;
            cache.stamp = Some(stamp);
        }
        let q = q.to_ascii_lowercase();
        for (key, text, last_ms) in &cache.rows {
            if text.contains(&q) && !f(key, *last_ms) {
                break;
            }
        }
        Ok(())
    }
}
