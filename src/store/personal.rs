//! Visitors' personal data inside the log, sealed so it can be erased.
//!
//! A visit event from `PERSONAL_SCHEMA_VERSION` on carries a random salt
//! (`personal_salt`). Its hash is not taken over the body as stored but over
//! a canonical form in which the personal fields (`visit::PERSONAL_FIELDS`
//! of `details`) are replaced by one digest of salt and fields. Erasing
//! blanks the fields, drops the salt and stores the digest in their place
//! (`personal_digest`): the canonical form, and so the event's hash and the
//! whole chain after it, is unchanged, while nothing left can be guessed
//! back (the salt is gone with the fields). An erased body with any field
//! filled in again no longer hashes right.

use crate::domain::event::PERSONAL_SCHEMA_VERSION;
use crate::domain::visit::PERSONAL_FIELDS;
use serde_json::{Map, Value};

const SALT: &str = "personal_salt";
const DIGEST: &str = "personal_digest";

/// Kinds whose bodies hold `details` with personal fields.
pub fn holds_personal(kind: &str, schema: i64) -> bool {
    schema >= PERSONAL_SCHEMA_VERSION
        && matches!(
            kind,
            "visit.registered" | "visit.denied" | "visit.corrected"
        )
}

/// The body as written: the event's JSON with a salt for its digest.
pub fn seal(body: &str, salt: &[u8; 16]) -> String {
    let Ok(Value::Object(mut v)) = serde_json::from_str::<Value>(body) else {
        return body.to_string();
    };
    v.insert(SALT.into(), Value::String(hex(salt)));
    Value::Object(v).to_string()
}

/// The form the hash is taken over; `None` for a body that is not a valid
/// sealed or erased body (its hash then fails as it should).
pub fn hash_form(body: &str) -> Option<String> {
    let Value::Object(mut v) = serde_json::from_str::<Value>(body).ok()? else {
        return None;
    };
    let digest = split(&mut v)?;
    v.insert(DIGEST.into(), Value::String(digest));
    let mut out = Vec::with_capacity(body.len());
    canonical(&Value::Object(v), &mut out);
    String::from_utf8(out).ok()
}

/// The body with its personal fields erased; `None` when it holds none to
/// erase (erased already, or not a sealed body).
pub fn erase(body: &str) -> Option<String> {
    let Value::Object(mut v) = serde_json::from_str::<Value>(body).ok()? else {
        return None;
    };
    if v.contains_key(DIGEST) {
        return None;
    }
    let digest = split(&mut v)?;
    let details = v.get_mut("details")?.as_object_mut()?;
    for f in PERSONAL_FIELDS {
        details.insert(f.into(), erased_value(f));
    }
    v.insert(DIGEST.into(), Value::String(digest));
    Some(Value::Object(v).to_string())
}

/// True when the body's personal fields have been erased.
pub fn is_erased(body: &str) -> bool {
    // Cheap first: only an erased body names the digest.
    body.contains(DIGEST)
        && serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|v| v.get(DIGEST).map(|_| ()))
            .is_some()
}

fn erased_value(field: &str) -> Value {
    match field {
        "name" | "notes" => Value::String(String::new()),
        _ => Value::Null,
    }
}

/// Takes the salt and personal fields out of `v` and returns their digest
/// (for an erased body, the digest it keeps — its fields must be blank).
fn split(v: &mut Map<String, Value>) -> Option<String> {
    let salt = v.remove(SALT);
    let kept = v.remove(DIGEST);
    let details = v.get_mut("details")?.as_object_mut()?;
    let mut fields = Map::new();
    for f in PERSONAL_FIELDS {
        fields.insert(f.into(), details.remove(f).unwrap_or(Value::Null));
    }
    match kept {
        Some(Value::String(d)) => {
            let blank = PERSONAL_FIELDS
                .iter()
                .all(|f| fields[*f] == erased_value(f));
            (blank && salt.is_none()).then_some(d)
        }
        Some(_) => None,
        None => {
            let salt = match salt {
                Some(Value::String(s)) => s,
                _ => return None,
            };
            let mut text = Vec::new();
            canonical(&Value::Object(fields), &mut text);
            let mut h = blake3::Hasher::new();
            h.update(b"dutydesk-personal-v1");
            h.update(&(salt.len() as u64).to_le_bytes());
            h.update(salt.as_bytes());
            h.update(&text);
            Some(h.finalize().to_hex().to_string())
        }
    }
}

/// JSON with object keys sorted, whatever order a map keeps them in, so
/// the hash does not depend on a serializer's feature flags. Keys and
/// values are written as serde_json writes them (`Value`'s `Display`), in
/// place: every visit of a bundle is hashed through here.
fn canonical(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by_key(|(k, _)| *k);
            out.push(b'{');
            for (i, (k, x)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json(k, out);
                out.push(b':');
                canonical(x, out);
            }
            out.push(b'}');
        }
        Value::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical(x, out);
            }
            out.push(b']');
        }
        other => write_json(other, out),
    }
}

fn write_json<T: serde::Serialize + ?Sized>(v: &T, out: &mut Vec<u8>) {
    // Writing a string, number, bool or null into memory cannot fail.
    let _ = serde_json::to_writer(out, v);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `canonical` as first written, one string per key and value: the
    /// hash of every event sealed since depends on the same bytes.
    fn canonical_as_first_written(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    canonical_as_first_written(&m[k], out);
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    canonical_as_first_written(x, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }

    #[test]
    fn the_canonical_form_has_not_changed() {
        let bodies = [
            body(),
            r#"{"z":1,"a":[1.5,-2,1e300,null,true,"x\"y\\z\n\u0001"],"中":{"b":"张三 🚗","a":{}},"":[]}"#
                .to_string(),
            r#"{"n":18446744073709551615,"m":-9223372036854775808,"f":0.1,"s":"\u2028\t/"}"#
                .to_string(),
        ];
        for b in bodies {
            let v: Value = serde_json::from_str(&b).unwrap();
            let (mut new, mut old) = (Vec::new(), String::new());
            canonical(&v, &mut new);
            canonical_as_first_written(&v, &mut old);
            assert_eq!(String::from_utf8(new).unwrap(), old, "{b}");
        }
    }

    fn body() -> String {
        seal(
            r#"{"visit_id":"v1","details":{"name":"张三","id_no":"110101199003070012","phone":"13800138000","plate":null,"notes":"带了一箱水果","host":"李四","purpose":"探望"},"time_in_ms":5}"#,
            &[7; 16],
        )
    }

    #[test]
    fn erasing_keeps_the_hash_form_and_drops_every_personal_field() {
        let b = body();
        let e = erase(&b).unwrap();
        assert_eq!(hash_form(&b), hash_form(&e));
        for gone in ["张三", "110101199003070012", "13800138000", "水果", SALT] {
            assert!(!e.contains(gone), "{gone} in {e}");
        }
        assert!(e.contains("李四") && e.contains("探望"));
        assert!(is_erased(&e) && !is_erased(&b));
        assert_eq!(erase(&e), None, "erased once");
    }

    #[test]
    fn a_field_written_back_into_an_erased_body_breaks_its_hash_form() {
        let e = erase(&body()).unwrap();
        let forged = e.replace(r#""name":"""#, r#""name":"王五""#);
        assert_ne!(forged, e);
        assert_eq!(hash_form(&forged), None);
    }

    #[test]
    fn a_changed_personal_field_changes_the_hash_form() {
        let b = body();
        let changed = b.replace("13800138000", "13900139000");
        assert_ne!(hash_form(&b), hash_form(&changed));
        let other_salt = b.replace(&hex(&[7; 16]), &hex(&[8; 16]));
        assert_ne!(hash_form(&b), hash_form(&other_salt));
    }

    #[test]
    fn key_order_does_not_matter() {
        let a = r#"{"personal_salt":"00","details":{"name":"a","host":"h"},"x":1}"#;
        let b = r#"{"x":1,"details":{"host":"h","name":"a"},"personal_salt":"00"}"#;
        assert_eq!(hash_form(a), hash_form(b));
    }
}
