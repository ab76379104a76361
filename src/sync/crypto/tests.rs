use super::*;
use std::io::Cursor;

fn header(school: &str, events: u64) -> BundleHeader {
    BundleHeader {
        knows: None,
        format: BUNDLE_FORMAT,
        school_id: school.into(),
        station_id: "st-gate".into(),
        station_name: "门卫室 Gate".into(),
        created_ms: 1_760_000_000_000,
        events,
    }
}

fn body_line(i: u64) -> String {
    format!(
        r#"{{"origin":"st-gate","seq":{i},"kind":"visit.registered","body":{{"name":"张三"}}}}"#
    )
}

fn make(key: &SchoolKey, hdr: &BundleHeader, lines: u64) -> Vec<u8> {
    let mut out = Vec::new();
    write_bundle(&mut out, key, hdr, &mut |w| {
        for i in 0..lines {
            w.write_all(body_line(i).as_bytes())?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })
    .unwrap();
    out
}

/// Reads a whole bundle the way an importer would; `Ok(n)` only when
/// `finish` verified it.
fn read_all(bytes: &[u8], key: &SchoolKey, school: &str) -> Result<u64, SyncCryptoError> {
    let (_, mut body) = open_bundle(Box::new(Cursor::new(bytes.to_vec())), key, school)?;
    let mut n = 0;
    while body.next_line()?.is_some() {
        n += 1;
    }
    body.finish()?;
    Ok(n)
}

fn variant(r: Result<u64, SyncCryptoError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.key(),
    }
}

fn header_len(bytes: &[u8]) -> usize {
    bytes.iter().position(|&b| b == b'\n').unwrap() + 1
}

/// Length of the age header (up to and including the "--- mac" line).
fn age_header_end(bytes: &[u8]) -> usize {
    let start = header_len(bytes);
    let mac = bytes[start..]
        .windows(4)
        .position(|w| w == b"\n---")
        .unwrap();
    let nl = bytes[start + mac + 1..]
        .iter()
        .position(|&b| b == b'\n')
        .unwrap();
    start + mac + 1 + nl + 1
}

/// Re-encrypts a bundle's plaintext after `edit`, keeping a valid age
/// stream and trailer, to test checks that sit inside the encryption.
fn reseal(bytes: &[u8], key: &SchoolKey, edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let hl = header_len(bytes);
    let ct = &bytes[hl..bytes.len() - TRAILER_LEN];
    let dec = age::Decryptor::new_buffered(ct).unwrap();
    let mut r = dec
        .decrypt(std::iter::once(&key.identity as &dyn age::Identity))
        .unwrap();
    let mut packed = Vec::new();
    r.read_to_end(&mut packed).unwrap();
    let mut plain = Vec::new();
    flate2::read::DeflateDecoder::new(&packed[..])
        .read_to_end(&mut plain)
        .unwrap();
    edit(&mut plain);
    let mut d = flate2::write::DeflateEncoder::new(Vec::new(), Compression::fast());
    d.write_all(&plain).unwrap();
    let packed = d.finish().unwrap();
    let rcpt = key.identity.to_public();
    let enc =
        age::Encryptor::with_recipients(std::iter::once(&rcpt as &dyn age::Recipient)).unwrap();
    let mut ct = Vec::new();
    let mut w = enc.wrap_output(&mut ct).unwrap();
    w.write_all(&packed).unwrap();
    w.finish().unwrap();
    let mut out = bytes[..hl].to_vec();
    out.extend_from_slice(&ct);
    out.extend_from_slice(&trailer(ct.len() as u64));
    out
}

fn remove_mac_line(plain: &mut Vec<u8>) {
    let start = plain.windows(5).rposition(|w| w == b"\nMAC ").unwrap() + 1;
    plain.truncate(start);
}

#[test]
fn round_trip_many_lines_streamed() {
    let key = SchoolKey::generate();
    let hdr = header("school-a", 100_000);
    let bytes = make(&key, &hdr, 100_000);
    assert_eq!(peek_header(&mut Cursor::new(&bytes)).unwrap(), hdr);
    let (got, mut body) = open_bundle(Box::new(Cursor::new(bytes)), &key, "school-a").unwrap();
    assert_eq!(got, hdr);
    let mut i = 0;
    while let Some(line) = body.next_line().unwrap() {
        assert_eq!(line, body_line(i));
        i += 1;
    }
    assert_eq!(i, 100_000);
    assert!(body.bytes_read() > 0);
    body.finish().unwrap();
}

#[test]
fn round_trip_empty_and_missing_final_newline() {
    let key = SchoolKey::generate();
    let bytes = make(&key, &header("school-a", 0), 0);
    assert_eq!(read_all(&bytes, &key, "school-a").unwrap(), 0);

    let mut out = Vec::new();
    write_bundle(&mut out, &key, &header("school-a", 1), &mut |w| {
        w.write_all(b"{\"a\":1}")
    })
    .unwrap();
    let (_, mut body) = open_bundle(Box::new(Cursor::new(out)), &key, "school-a").unwrap();
    assert_eq!(body.next_line().unwrap().as_deref(), Some("{\"a\":1}"));
    assert_eq!(body.next_line().unwrap(), None);
    body.finish().unwrap();
}

#[test]
fn body_line_that_looks_like_mac_is_refused() {
    let key = SchoolKey::generate();
    let mut out = Vec::new();
    let err = write_bundle(&mut out, &key, &header("school-a", 1), &mut |w| {
        w.write_all(b"{}\nMA")?;
        w.write_all(b"C 00\n")
    })
    .unwrap_err();
    assert!(matches!(err, SyncCryptoError::Io(ref e) if e.kind() == io::ErrorKind::InvalidInput));
    // Near misses are fine.
    let mut out = Vec::new();
    write_bundle(&mut out, &key, &header("school-a", 3), &mut |w| {
        w.write_all(b"MAC\nMA\n\nMACX 1\n")
    })
    .unwrap();
    assert_eq!(read_all(&out, &key, "school-a").unwrap(), 4);
}

#[test]
fn finish_without_reading_still_verifies() {
    let key = SchoolKey::generate();
    let bytes = make(&key, &header("school-a", 10), 10);
    let (_, body) = open_bundle(Box::new(Cursor::new(bytes)), &key, "school-a").unwrap();
    body.finish().unwrap();
}

#[test]
fn other_school_and_wrong_key() {
    let key = SchoolKey::generate();
    let bytes = make(&key, &header("school-b", 3), 3);
    assert!(matches!(
        read_all(&bytes, &key, "school-a"),
        Err(SyncCryptoError::OtherSchool { ref school_id }) if school_id == "school-b"
    ));
    let other = SchoolKey::generate();
    assert_eq!(
        variant(read_all(&bytes, &other, "school-b")),
        "sync.err.wrong_key"
    );
}

#[test]
fn newer_format() {
    let key = SchoolKey::generate();
    let bytes = make(&key, &header("school-a", 1), 1);
    let newer = String::from_utf8_lossy(&bytes[..header_len(&bytes)]).replacen(
        "DUTYDESK-BUNDLE 1 ",
        "DUTYDESK-BUNDLE 2 ",
        1,
    );
    let mut f = newer.into_bytes();
    f.extend_from_slice(&bytes[header_len(&bytes)..]);
    assert!(matches!(
        peek_header(&mut Cursor::new(&f)),
        Err(SyncCryptoError::NewerFormat { found: 2 })
    ));
    assert!(matches!(
        read_all(&f, &key, "school-a"),
        Err(SyncCryptoError::NewerFormat { found: 2 })
    ));
    // A future layout after the format number is still reported as newer.
    let mut g = b"DUTYDESK-BUNDLE 7 something else entirely\n".to_vec();
    g.extend_from_slice(b"\x00\x01");
    assert!(matches!(
        read_all(&g, &key, "school-a"),
        Err(SyncCryptoError::NewerFormat { found: 7 })
    ));
}

#[test]
fn not_a_bundle() {
    let key = SchoolKey::generate();
    for junk in [
        &b""[..],
        b"hello\n",
        b"PK\x03\x04zipfile",
        b"DUTYDESK-BUNDLE x y {}\n",
    ] {
        assert_eq!(variant(read_all(junk, &key, "s")), "sync.err.not_a_bundle");
    }
    let big = vec![b'a'; 100_000];
    assert_eq!(variant(read_all(&big, &key, "s")), "sync.err.not_a_bundle");
    // Control characters in the unverified header are refused.
    let evil = header("school-a\u{1b}[2J", 0);
    let json = serde_json::to_string(&evil).unwrap();
    let line = format!("DUTYDESK-BUNDLE 1 0000000000000000 {json}\n");
    assert_eq!(
        variant(read_all(line.as_bytes(), &key, "school-a")),
        "sync.err.not_a_bundle"
    );
}

#[test]
fn flipped_byte_in_plain_header() {
    let key = SchoolKey::generate();
    let bytes = make(&key, &header("school-a", 5), 5);
    let flip = |at: usize| {
        let mut b = bytes.clone();
        b[at] ^= 0x01;
        variant(read_all(&b, &key, "school-a"))
    };
    // Magic broken: not recognised at all.
    assert_eq!(flip(3), "sync.err.not_a_bundle");
    // Key id changed (still hex): decrypts, but inner ≠ outer.
    let kid = "DUTYDESK-BUNDLE 1 ".len();
    let mut b = bytes.clone();
    b[kid] = if b[kid] == b'a' { b'b' } else { b'a' };
    assert_eq!(variant(read_all(&b, &key, "school-a")), "sync.err.tampered");
    // A letter in the station name ("Gate" → "Gatd"): inner ≠ outer.
    let at = bytes.windows(4).position(|w| w == b"Gate").unwrap() + 3;
    assert_eq!(flip(at), "sync.err.tampered");
    // Event count 5 → 4.
    let at = bytes
        .windows(10)
        .position(|w| w == b"\"events\":5")
        .unwrap()
        + 9;
    assert_eq!(flip(at), "sync.err.tampered");
    // Format 1 → 0: still parses, but inner ≠ outer.
    assert_eq!(flip("DUTYDESK-BUNDLE ".len()), "sync.err.tampered");
}

#[test]
fn swapped_plain_header_from_another_bundle() {
    let key = SchoolKey::generate();
    let a = make(&key, &header("school-a", 1), 1);
    let mut hb = header("school-a", 1);
    hb.station_id = "st-dorm".into();
    let b = make(&key, &hb, 1);
    let mut mixed = b[..header_len(&b)].to_vec();
    mixed.extend_from_slice(&a[header_len(&a)..]);
    assert_eq!(
        variant(read_all(&mixed, &key, "school-a")),
        "sync.err.tampered"
    );
}

#[test]
fn flipped_byte_anywhere_in_age_header() {
    let key = SchoolKey::generate();
    let bytes = make(&key, &header("school-a", 5), 5);
    let (start, end) = (header_len(&bytes), age_header_end(&bytes));
    assert!(end - start > 100);
    // Every byte of the age header (version line, X25519 stanza, MAC) and
    // the 16-byte payload nonce after it.
    for at in start..end + 16 {
        let mut b = bytes.clone();
        b[at] ^= 0x01;
        assert_eq!(
            variant(read_all(&b, &key, "school-a")),
            "sync.err.tampered",
            "byte {at}"
        );
    }
}

#[test]
fn flipped_byte_in_payload_and_last_bytes() {
    let key = SchoolKey::generate();
    // Several age chunks (64 KiB each) after compression.
    let mut bytes = Vec::new();
    let mut n = 0u64;
    write_bundle(&mut bytes, &key, &header("school-a", 1), &mut |w| {
        // Incompressible-ish lines so the stream spans several chunks.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            writeln!(w, "{{\"r\":\"{x:016x}{:016x}\"}}", x.rotate_left(29))?;
            n += 1;
        }
        Ok(())
    })
    .unwrap();
    let payload = bytes.len() - TRAILER_LEN - age_header_end(&bytes);
    assert!(payload > 3 * 65_552, "payload {payload}");
    let len = bytes.len();
    let t0 = len - TRAILER_LEN;
    let cases = [
        ("middle of payload", (age_header_end(&bytes) + t0) / 2),
        ("first chunk", age_header_end(&bytes) + 100),
        ("last ciphertext byte (tag of last chunk)", t0 - 1),
        ("trailer magic", t0 + 2),
        ("trailer length", t0 + TRAILER_MAGIC.len() + 15),
        ("trailer newline", len - 1),
    ];
    for (what, at) in cases {
        let mut b = bytes.clone();
        b[at] ^= 0x01;
        assert_eq!(
            variant(read_all(&b, &key, "school-a")),
            "sync.err.tampered",
            "{what}"
        );
    }
    assert_eq!(read_all(&bytes, &key, "school-a").unwrap(), n);
}

#[test]
fn truncation_at_many_points() {
    let key = SchoolKey::generate();
    let bytes = {
        let mut out = Vec::new();
        write_bundle(&mut out, &key, &header("school-a", 1), &mut |w| {
            let mut x = 88_172_645_463_325_252u64;
            for _ in 0..10_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                writeln!(w, "{{\"r\":\"{x:016x}\"}}")?;
            }
            Ok(())
        })
        .unwrap();
        out
    };
    let hl = header_len(&bytes);
    let ah = age_header_end(&bytes);
    let len = bytes.len();
    let chunk_boundary = ah + 16 + 65_552;
    assert!(chunk_boundary < len - TRAILER_LEN);
    let cuts = [
        10,                // inside the plain header line
        hl - 1,            // plain header without its newline
        hl,                // nothing after the plain header
        hl + 5,            // inside the age version line
        ah - 3,            // inside the age header MAC
        ah + 8,            // inside the nonce
        ah + 16 + 1000,    // inside the first chunk
        chunk_boundary,    // exactly at a chunk boundary
        (ah + len) / 2,    // middle
        len - TRAILER_LEN, // trailer removed entirely
        len - TRAILER_LEN - 1,
        len - 10, // inside the trailer
        len - 1,  // only the final newline lost
    ];
    for cut in cuts {
        let v = variant(read_all(&bytes[..cut], &key, "school-a"));
        assert_eq!(v, "sync.err.truncated", "cut at {cut} of {len}");
    }
    // A cut that also leaves the peek-able header intact still peeks.
    assert!(peek_header(&mut Cursor::new(&bytes[..hl])).is_ok());
}

#[test]
fn bytes_appended_or_removed_in_the_middle() {
    let key = SchoolKey::generate();
    let bytes = make(&key, &header("school-a", 100), 100);
    let mut more = bytes.clone();
    more.extend_from_slice(b"junk");
    // Junk after the trailer is named as such, not "cut short".
    assert_eq!(
        variant(read_all(&more, &key, "school-a")),
        "sync.err.trailing"
    );
    // Also a whole second bundle joined on, and a single stray newline.
    for tail in [bytes.clone(), b"\n".to_vec()] {
        let mut joined = bytes.clone();
        joined.extend_from_slice(&tail);
        assert_eq!(
            variant(read_all(&joined, &key, "school-a")),
            "sync.err.trailing"
        );
    }
    let mid = (age_header_end(&bytes) + bytes.len()) / 2;
    let mut less = bytes.clone();
    less.remove(mid);
    // The trailer is intact, so bytes went missing in the middle: altered.
    assert_eq!(
        variant(read_all(&less, &key, "school-a")),
        "sync.err.tampered"
    );
}

#[test]
fn mac_line_removed_or_altered() {
    let key = SchoolKey::generate();
    let bytes = make(&key, &header("school-a", 3), 3);
    // Sanity: an unedited reseal verifies.
    assert_eq!(
        read_all(&reseal(&bytes, &key, |_| {}), &key, "school-a").unwrap(),
        3
    );

    let removed = reseal(&bytes, &key, remove_mac_line);
    assert_eq!(
        variant(read_all(&removed, &key, "school-a")),
        "sync.err.tampered"
    );

    let altered = reseal(&bytes, &key, |p| {
        let n = p.len();
        p[n - 2] = if p[n - 2] == b'0' { b'1' } else { b'0' };
    });
    assert_eq!(
        variant(read_all(&altered, &key, "school-a")),
        "sync.err.tampered"
    );

    // A body line changed, MAC left alone.
    let body_edit = reseal(&bytes, &key, |p| {
        let at = p.windows(5).position(|w| w == b"\"seq\"").unwrap() + 6;
        p[at] = b'9';
    });
    assert_eq!(
        variant(read_all(&body_edit, &key, "school-a")),
        "sync.err.tampered"
    );

    // A line dropped (replay of a subset) with the old MAC.
    let dropped = reseal(&bytes, &key, |p| {
        let first = p.iter().position(|&b| b == b'\n').unwrap() + 1;
        let second = first + p[first..].iter().position(|&b| b == b'\n').unwrap() + 1;
        p.drain(first..second);
    });
    assert_eq!(
        variant(read_all(&dropped, &key, "school-a")),
        "sync.err.tampered"
    );

    // Something after the MAC line.
    let extra = reseal(&bytes, &key, |p| p.extend_from_slice(b"{\"more\":1}\n"));
    assert_eq!(
        variant(read_all(&extra, &key, "school-a")),
        "sync.err.tampered"
    );

    // Inner header differs from the outer one.
    let inner = reseal(&bytes, &key, |p| {
        let at = p.windows(4).position(|w| w == b"Gate").unwrap();
        p[at] = b'g';
    });
    let err = open_bundle(Box::new(Cursor::new(inner)), &key, "school-a").unwrap_err();
    assert!(matches!(err, SyncCryptoError::Tampered));
}

#[test]
fn made_with_public_key_only_is_refused() {
    // Someone with the recipient but not the secret cannot forge the MAC.
    let key = SchoolKey::generate();
    let bytes = make(&key, &header("school-a", 2), 2);
    let forged = reseal(&bytes, &key, |p| {
        remove_mac_line(p);
        p.extend_from_slice(b"MAC ");
        p.extend_from_slice(blake3::hash(b"guess").to_hex().as_bytes());
        p.push(b'\n');
    });
    assert_eq!(
        variant(read_all(&forged, &key, "school-a")),
        "sync.err.tampered"
    );
}

#[test]
fn fingerprints() {
    let a = SchoolKey::generate();
    let a2 = SchoolKey::from_secret(&a.secret()).unwrap();
    let a3 = SchoolKey::from_secret(&format!(" {} \n", a.secret().to_lowercase())).unwrap();
    let b = SchoolKey::generate();
    assert_eq!(a.fingerprint(), a2.fingerprint());
    assert_eq!(a.fingerprint(), a3.fingerprint());
    assert_eq!(a.secret(), a3.secret());
    assert_ne!(a.fingerprint(), b.fingerprint());
    for fp in [a.fingerprint(), b.fingerprint(), new_join_code()] {
        assert_eq!(fp.len(), 19, "{fp}");
        for (i, c) in fp.chars().enumerate() {
            if i % 5 == 4 {
                assert_eq!(c, '-');
            } else {
                assert!(ALPHABET.contains(&(c as u8)), "{fp}");
            }
        }
    }
    assert!(a.secret().starts_with("AGE-SECRET-KEY-1"));
    assert!(matches!(
        SchoolKey::from_secret("AGE-SECRET-KEY-1NOPE"),
        Err(SyncCryptoError::BadJoinFile)
    ));
}

fn join_info(key: &SchoolKey) -> JoinInfo {
    JoinInfo {
        snapshot: None,
        school_id: "school-a".into(),
        school_name: "第一中学".into(),
        secret: key.secret(),
        made_by_station: "st-office".into(),
        made_ms: 1_760_000_000_000,
    }
}

#[test]
fn join_file() {
    let key = SchoolKey::generate();
    let info = join_info(&key);
    let code = new_join_code();
    assert_ne!(code, new_join_code());
    let sealed = seal_join(&code, &info).unwrap();
    assert!(sealed.starts_with(b"DUTYDESK-JOIN 1 "));
    assert!(!String::from_utf8_lossy(&sealed).contains(&info.secret));

    // Typed sloppily: lower case, spaces, full-width from an IME.
    let typed: String = code
        .to_lowercase()
        .replace('-', " ")
        .chars()
        .map(|c| if c == 'a' { 'Ａ' } else { c })
        .collect();
    assert_eq!(open_join(&typed, &sealed).unwrap(), info);

    let mut wrong = code.clone().into_bytes();
    wrong[0] = if wrong[0] == b'A' { b'B' } else { b'A' };
    let wrong = String::from_utf8(wrong).unwrap();
    assert!(matches!(
        open_join(&wrong, &sealed),
        Err(SyncCryptoError::BadJoinCode)
    ));
    assert!(matches!(
        open_join("too-short", &sealed),
        Err(SyncCryptoError::BadJoinCode)
    ));
    assert!(matches!(
        seal_join("0000-OOOO-1111-IIII", &info),
        Err(SyncCryptoError::BadJoinCode)
    ));

    // Damage anywhere: header line, age header, payload, end; and cuts.
    for at in [3, 20, sealed.len() / 2, sealed.len() - 1] {
        let mut d = sealed.clone();
        d[at] ^= 0x01;
        assert!(
            matches!(open_join(&code, &d), Err(SyncCryptoError::BadJoinFile)),
            "at {at}"
        );
    }
    assert!(matches!(
        open_join(&code, &sealed[..sealed.len() - 5]),
        Err(SyncCryptoError::BadJoinFile)
    ));
    assert!(matches!(
        open_join(&code, b"garbage"),
        Err(SyncCryptoError::BadJoinFile)
    ));
    let newer = [b"DUTYDESK-JOIN 2 ".as_slice(), &sealed[16..]].concat();
    assert!(matches!(
        open_join(&code, &newer),
        Err(SyncCryptoError::NewerFormat { found: 2 })
    ));
}

#[test]
fn secret_never_in_errors_or_debug() {
    let key = SchoolKey::generate();
    let secret = key.secret();
    let lower = secret.to_lowercase();
    let info = join_info(&key);
    let mut errors = vec![
        SyncCryptoError::NotABundle,
        SyncCryptoError::NewerFormat { found: 2 },
        SyncCryptoError::OtherSchool {
            school_id: "x".into(),
        },
        SyncCryptoError::WrongKey,
        SyncCryptoError::Tampered,
        SyncCryptoError::Truncated,
        SyncCryptoError::BadJoinCode,
        SyncCryptoError::BadJoinFile,
        SyncCryptoError::Io(io::Error::other("x")),
    ];
    // Errors from real failures, including parsing a damaged secret.
    let mut damaged = secret.clone();
    damaged.pop();
    errors.push(SchoolKey::from_secret(&damaged).unwrap_err());
    let code = new_join_code();
    let sealed = seal_join(&code, &info).unwrap();
    let mut bad = sealed.clone();
    let n = bad.len();
    bad[n - 3] ^= 1;
    errors.push(open_join(&code, &bad).unwrap_err());
    let bytes = make(&key, &header("school-a", 1), 1);
    errors.push(read_all(&bytes[..bytes.len() / 2], &key, "school-a").unwrap_err());
    errors.push(read_all(&bytes, &SchoolKey::generate(), "school-a").unwrap_err());
    let mut flipped = bytes.clone();
    flipped[header_len(&bytes) + 60] ^= 1;
    errors.push(read_all(&flipped, &key, "school-a").unwrap_err());

    let mut texts: Vec<String> = errors
        .iter()
        .flat_map(|e| [e.to_string(), format!("{e:?}")])
        .collect();
    texts.push(format!("{key:?}"));
    texts.push(format!("{info:?}"));
    let (_, body) = open_bundle(Box::new(Cursor::new(bytes)), &key, "school-a").unwrap();
    texts.push(format!("{body:?}"));
    for t in texts {
        assert!(
            !t.contains(&secret) && !t.to_lowercase().contains(&lower),
            "{t}"
        );
        assert!(!t.contains(&secret[16..40]), "{t}");
    }
    for e in &errors {
        assert!(e.key().starts_with("sync.err."));
    }
}

#[test]
fn works_through_a_file_on_disk() {
    let key = SchoolKey::generate();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gate-20250101.ddb");
    let mut f = std::fs::File::create(&path).unwrap();
    write_bundle(&mut f, &key, &header("school-a", 1000), &mut |w| {
        for i in 0..1000 {
            writeln!(w, "{}", body_line(i))?;
        }
        Ok(())
    })
    .unwrap();
    drop(f);
    let r = BufReader::new(std::fs::File::open(&path).unwrap());
    let (_, mut body) = open_bundle(Box::new(r), &key, "school-a").unwrap();
    let mut n = 0;
    while body.next_line().unwrap().is_some() {
        n += 1;
    }
    assert_eq!(n, 1000);
    body.finish().unwrap();
}
