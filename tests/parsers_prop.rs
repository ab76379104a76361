//! Every parser of typed text, fed arbitrary Unicode: none may panic, and
//! where a value has a written form, writing it and reading it back gives
//! the value again. Inputs mix what a Chinese IME really produces — ASCII
//! and full-width digits, CJK, `:`/`：`, dashes — with combining marks,
//! emoji and any char at all.

use chrono::{Datelike, NaiveDate};
use dutydesk::domain::boarding::check_temperature;
use dutydesk::domain::names::{
    edit_distance, looks_like_initials, name_keys, normalize_name, search_blob,
};
use dutydesk::domain::rollcall::{BedJump, find_bed, jump_key, parse_bed_jump};
use dutydesk::domain::settings;
use dutydesk::domain::time::{
    day_start_ms, fmt_hhmm, parse_date, parse_hhmm, parse_local_datetime, parse_month_day,
};
use dutydesk::domain::validate::{
    FieldError, IdType, check_document, check_int, check_mobile, check_pin, check_plate,
    check_resident_id, check_text, fold_full_width, id_tail, mask_id, normalize_input,
};
use dutydesk::domain::visit::{VisitForm, VisitorType, resolve_time_in, validate};
use dutydesk::store::visits::HistoryFilter;
use dutydesk::sync::crypto::{new_join_code, normalise_code};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

mod common;

/// 2026-11-22 10:00 at UTC+8.
const NOW: i64 = 1_795_312_800_000;
const OFFSET: i32 = 480;

/// One character of the kind people (and their IMEs) type into fields.
fn typed_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::char::range('0', '9'),
        2 => prop::char::range('\u{FF10}', '\u{FF19}'),
        2 => prop::sample::select(vec![
            ':', '：', '-', '－', '/', '／', '.', '．', ' ', '\u{3000}', '+', 'X', 'x',
            '点', '时', '分', '半', '整', '年', '月', '日', '号', '下', '午', '晚', '上',
        ]),
        1 => prop::char::range('\u{4E00}', '\u{9FFF}'),
        1 => prop::char::range('\u{0300}', '\u{036F}'),
        1 => prop::char::range('\u{1F600}', '\u{1F64F}'),
        1 => prop::char::range('a', 'z'),
        1 => prop::char::range('\u{FF21}', '\u{FF3A}'),
        1 => any::<char>(),
    ]
}

/// Either a string of typed characters or any string at all.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(typed_char(), 0..24).prop_map(|v| v.into_iter().collect()),
        any::<String>(),
    ]
}

/// ASCII digits as an IME in full-width mode types them.
fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// A resident ID with a correct check character, computed by ISO 7064
/// MOD 11-2 (weights 2^(17-i) mod 11) rather than by the code under test.
fn with_check(first17: &str) -> String {
    let sum: u32 = first17
        .chars()
        .enumerate()
        .map(|(i, c)| c.to_digit(10).unwrap() * ((1u32 << (17 - i)) % 11))
        .sum();
    let check = (12 - sum % 11) % 11;
    let check = char::from_digit(check, 11)
        .map(|c| if c == 'a' { 'X' } else { c })
        .unwrap();
    format!("{first17}{check}")
}

fn valid_id() -> impl Strategy<Value = String> {
    (
        100_000u32..=999_999,
        NaiveDate::from_ymd_opt(1900, 1, 1)
            .unwrap()
            .num_days_from_ce()
            ..=NaiveDate::from_ymd_opt(2100, 12, 31)
                .unwrap()
                .num_days_from_ce(),
        0u32..=999,
    )
        .prop_map(|(region, day, seq)| {
            let born = NaiveDate::from_num_days_from_ce_opt(day).unwrap();
            with_check(&format!("{region}{}{seq:03}", born.format("%Y%m%d")))
        })
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (1970i32..=2100, 1u32..=12, 1u32..=31)
        .prop_filter_map("no such day", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
}

fn form(name: String, id_no: String, phone: String, plate: String, time_in: String) -> VisitForm {
    VisitForm {
        name,
        id_type: IdType::ResidentId,
        id_no,
        phone,
        visitor_type: VisitorType::Parent,
        org: String::new(),
        host: String::new(),
        relation: String::new(),
        purpose: "送东西".into(),
        party_size: time_in.clone(),
        plate,
        items: String::new(),
        expected_minutes: time_in.clone(),
        badge: String::new(),
        notes: String::new(),
        authorised_by: String::new(),
        time_in,
        time_in_reason: "补登".into(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn times_and_dates_never_panic(s in text(), year in -300_000i32..300_000) {
        if let Some(m) = parse_hhmm(&s) {
            prop_assert!(m < 24 * 60, "{s:?} → {m}");
        }
        let _ = parse_date(&s);
        let _ = parse_month_day(&s, year);
        let _ = parse_local_datetime(&s, NOW, OFFSET);
        for key in settings::all_keys() {
            if let Some(v) = settings::parse(&key, &s)
                && settings::is_time(&key)
            {
                prop_assert!((0..24 * 60).contains(&v));
            }
        }
    }

    #[test]
    fn clock_times_round_trip(m in 0u32..24 * 60) {
        let (h, mm) = (m / 60, m % 60);
        for written in [
            fmt_hhmm(m),
            full_width(&fmt_hhmm(m)),
            format!("{h}:{mm:02}"),
            format!("{h:02}{mm:02}"),
            format!("{h}点{mm}分"),
            format!("{h}时{mm:02}"),
            format!(" {h}点{mm} "),
            full_width(&format!("{h}点{mm}")),
        ] {
            prop_assert_eq!(parse_hhmm(&written), Some(m), "{}", written);
        }
        if mm == 0 {
            prop_assert_eq!(parse_hhmm(&format!("{h}点")), Some(m));
        }
        if mm == 30 {
            prop_assert_eq!(parse_hhmm(&format!("{h}点半")), Some(m));
        }
        if (1..12).contains(&h) {
            prop_assert_eq!(parse_hhmm(&format!("下午{h}点{mm}")), Some(m + 12 * 60));
        }
        let at = parse_local_datetime(&fmt_hhmm(m), NOW, OFFSET).unwrap();
        prop_assert_eq!(at, day_start_ms(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(), OFFSET)
            + i64::from(m) * 60_000);
    }

    #[test]
    fn dates_round_trip(d in any_date(), m in 0u32..24 * 60) {
        for pattern in ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y年%-m月%-d日"] {
            let written = d.format(pattern).to_string();
            prop_assert_eq!(parse_date(&written), Some(d), "{}", written);
            prop_assert_eq!(parse_date(&full_width(&written)), Some(d), "{}", written);
        }
        for pattern in ["%m-%d", "%-m/%-d", "%m月%d日", "%-m月%-d号"] {
            let written = d.format(pattern).to_string();
            prop_assert_eq!(parse_month_day(&written, d.year()), Some(d), "{}", written);
        }
        let written = format!("{} {}", d.format("%Y-%m-%d"), fmt_hhmm(m));
        prop_assert_eq!(
            parse_local_datetime(&written, NOW, OFFSET),
            Some(day_start_ms(d, OFFSET) + i64::from(m) * 60_000)
        );
    }

    #[test]
    fn history_search_never_panics_and_reads_days(s in text(), d in any_date()) {
        let _ = HistoryFilter::parse(&s, OFFSET, NOW);
        let from_ms = day_start_ms(d, OFFSET);
        let day = HistoryFilter::Day { from_ms, to_ms: from_ms + 86_400_000 };
        prop_assert_eq!(HistoryFilter::parse(&d.format("%Y-%m-%d").to_string(), OFFSET, NOW), day.clone());
        prop_assert_eq!(HistoryFilter::parse(&full_width(&d.format("%Y-%m-%d").to_string()), OFFSET, NOW), day);
        if let Some(this_year) = d.with_year(2026) {
            let from_ms = day_start_ms(this_year, OFFSET);
            prop_assert_eq!(
                HistoryFilter::parse(&d.format("%m-%d").to_string(), OFFSET, NOW),
                HistoryFilter::Day { from_ms, to_ms: from_ms + 86_400_000 }
            );
        }
    }

    #[test]
    fn history_search_keeps_id_tails_and_phones_as_text(tail in "[0-9]{3}[0-9xX]", phone in "1[3-9][0-9]{9}") {
        prop_assert_eq!(HistoryFilter::parse(&tail, OFFSET, NOW), HistoryFilter::Text(tail.to_lowercase()));
        prop_assert_eq!(HistoryFilter::parse(&phone, OFFSET, NOW), HistoryFilter::Text(phone.clone()));
        let spaced = format!("+86 {} {} {}", &phone[..3], &phone[3..7], &phone[7..]);
        prop_assert_eq!(HistoryFilter::parse(&spaced, OFFSET, NOW), HistoryFilter::Text(phone.clone()));
    }

    #[test]
    fn identity_fields_never_panic(s in text()) {
        if let Ok(id) = check_resident_id(&s) {
            prop_assert_eq!(id.len(), 18);
            prop_assert_eq!(check_resident_id(&id), Ok(id.clone()), "normal form is stable");
        }
        for kind in IdType::ALL {
            if let Ok(v) = check_document(kind, &s) {
                prop_assert_eq!(check_document(kind, &v), Ok(v.clone()));
            }
        }
        if let Ok(m) = check_mobile(&s) {
            prop_assert!(m.len() == 11 && m.bytes().all(|b| b.is_ascii_digit()));
        }
        if let Ok(p) = check_plate(&s) {
            prop_assert_eq!(check_plate(&p), Ok(p.clone()));
        }
        let _ = check_text(&s, 10);
        let _ = check_int(&s, -5, 1440);
        let _ = check_temperature(&s);
        let _ = check_pin(&s);
        let _ = mask_id(&s);
        let _ = id_tail(&s);
        let _ = normalize_input(&s);
        let _ = fold_full_width(&s);
    }

    #[test]
    fn a_visit_form_of_any_text_validates_without_panic(
        name in text(), id_no in text(), phone in text(), plate in text(), time_in in text(),
    ) {
        let f = form(name, id_no, phone, plate, time_in);
        let _ = validate(&f, 60, false);
        let _ = validate(&f, 60, true);
        if let Ok((at, _)) = resolve_time_in(&f, NOW, OFFSET) {
            prop_assert!(at <= NOW + 60_000, "a back-dated time is never in the future");
        }
    }

    #[test]
    fn valid_ids_are_accepted_and_one_changed_digit_is_refused(
        id in valid_id(),
        pos in 0usize..18,
        delta in 1u32..10,
    ) {
        prop_assert_eq!(check_resident_id(&id), Ok(id.clone()));
        prop_assert_eq!(check_resident_id(&full_width(&id)), Ok(id.clone()));
        prop_assert_eq!(check_resident_id(&id.to_lowercase()), Ok(id.clone()));
        let grouped = format!("{} {} {}", &id[..6], &id[6..14], &id[14..]);
        prop_assert_eq!(check_resident_id(&grouped), Ok(id.clone()));
        // Any single changed digit, the check character included, is refused:
        // the weights are all non-zero mod 11.
        let mut chars: Vec<char> = id.chars().collect();
        let old = chars[pos].to_digit(10).unwrap_or(10);
        let new = (old + delta) % 11;
        chars[pos] = if new == 10 { 'X' } else { char::from_digit(new, 10).unwrap() };
        if pos < 17 && chars[pos] == 'X' {
            chars[pos] = char::from_digit((old + delta + 1) % 10, 10).unwrap();
        }
        let changed: String = chars.into_iter().collect();
        prop_assume!(changed != id);
        prop_assert!(check_resident_id(&changed).is_err(), "{} accepted", changed);
    }

    #[test]
    fn mobiles_round_trip(m in "1[3-9][0-9]{9}") {
        prop_assert_eq!(check_mobile(&m), Ok(m.clone()));
        prop_assert_eq!(check_mobile(&full_width(&m)), Ok(m.clone()));
        let spaced = format!("+86 {} {} {}", &m[..3], &m[3..7], &m[7..]);
        prop_assert_eq!(check_mobile(&spaced), Ok(m.clone()));
        prop_assert_eq!(check_mobile(&format!("0086-{m}")), Ok(m.clone()));
        prop_assert!(check_mobile(&m[..10]).is_err());
        let longer = format!("{m}0");
        prop_assert!(check_mobile(&longer).is_err());
    }

    #[test]
    fn plates_round_trip(
        province in prop::sample::select("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼".chars().collect::<Vec<_>>()),
        letter in "[A-HJ-NP-Z]",
        rest in "[0-9A-HJ-NP-Z]{5}",
    ) {
        let plate = format!("{province}{letter}{rest}");
        prop_assert_eq!(check_plate(&plate), Ok(plate.clone()));
        prop_assert_eq!(check_plate(&plate.to_lowercase()), Ok(plate.clone()));
        prop_assert_eq!(check_plate(&full_width(&plate)), Ok(plate.clone()));
        prop_assert_eq!(check_plate(&format!("{province}{letter}·{rest}")), Ok(plate.clone()));
        // Eight characters can be a new-energy plate; nine never are.
        let longer = format!("{plate}12");
        prop_assert!(check_plate(&longer).is_err());
    }

    #[test]
    fn numbers_round_trip(n in -5i64..=1440) {
        prop_assert_eq!(check_int(&n.to_string(), -5, 1440), Ok(n));
        // Full-width digits are folded; a full-width minus is punctuation and is not.
        let abs = n.unsigned_abs().to_string();
        let typed = if n < 0 { format!("-{}", full_width(&abs)) } else { full_width(&abs) };
        prop_assert_eq!(check_int(&typed, -5, 1440), Ok(n));
        prop_assert_eq!(settings::parse(settings::LOCK_MINUTES, &typed), Some(n));
    }

    #[test]
    fn settings_round_trip(m in 0i64..24 * 60, n in 0i64..10_000) {
        for key in settings::all_keys() {
            let v = if settings::is_time(&key) { m } else { n };
            prop_assert_eq!(settings::parse(&key, &settings::show(&key, v)), Some(v), "{}", key);
        }
    }

    #[test]
    fn pins(pin in "[0-9]{4,8}", s in text()) {
        prop_assert_eq!(check_pin(&pin), Ok(()));
        if check_pin(&s).is_ok() {
            prop_assert!((4..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()));
        } else if !s.is_empty() {
            prop_assert_eq!(check_pin(&s), Err(FieldError::PinFormat));
        }
    }

    #[test]
    fn names_never_panic(a in text(), b in text()) {
        let n = normalize_name(&a);
        prop_assert_eq!(normalize_name(&n), n.clone(), "normalising twice changes nothing");
        let k = name_keys(&a);
        prop_assert!(k.all_full.len() <= 16 && k.all_initials.len() <= 16);
        if !k.full.is_empty() {
            prop_assert_eq!(&k.all_full[0], &k.full);
        }
        let _ = search_blob(&a);
        let _ = looks_like_initials(&a);
        let d = edit_distance(&a, &b);
        prop_assert!(d <= a.chars().count().max(b.chars().count()));
        prop_assert_eq!(edit_distance(&a, &a), 0);
    }

    #[test]
    fn bed_jumps_never_panic(s in text(), c in typed_char()) {
        let _ = parse_bed_jump(&s);
        if let Some(k) = jump_key(&s, c) {
            prop_assert!(k.is_ascii_digit() || k == '-');
        }
        let beds = [Some(("303", "5")), None, Some(("2011", "1"))];
        if let Some((i, q)) = find_bed(&s, beds.iter().copied()) {
            prop_assert!(beds[i].is_some());
            prop_assert!(parse_bed_jump(&q).is_some());
        }
    }

    #[test]
    fn bed_jumps_find_their_bed(
        rooms in prop::collection::btree_set((1u32..=40, 1u32..=12), 1..30),
        pick in any::<prop::sample::Index>(),
    ) {
        // Rooms 101-4012 style numbers (floor then room), beds 1-12.
        let beds: Vec<(String, String)> = rooms
            .iter()
            .map(|(r, b)| ((100 + r).to_string(), b.to_string()))
            .collect();
        let (room, bed) = &beds[pick.index(beds.len())];
        let iter = beds.iter().map(|(r, b)| Some((r.as_str(), b.as_str())));
        for typed in [format!("{room}-{bed}"), full_width(&format!("{room}-{bed}")), format!("{room}-0{bed}")] {
            let (i, _) = find_bed(&typed, iter.clone()).expect("found");
            prop_assert_eq!(&beds[i], &(room.clone(), bed.clone()), "{}", typed);
        }
        prop_assert_eq!(
            parse_bed_jump(&format!("{room}{bed}")),
            Some(BedJump::Prefix(format!("{room}{bed}")))
        );
        // Typed key by key, as the roll-call pane does.
        let mut q = String::new();
        for c in format!("{room}-{bed}").chars() {
            if let Some(k) = jump_key(&q, c) {
                q.push(k);
            }
        }
        prop_assert_eq!(q, format!("{room}-{bed}"));
    }

    #[test]
    fn join_codes_never_panic_and_round_trip(s in text(), lower in any::<bool>()) {
        use age::secrecy::ExposeSecret;
        if let Some(c) = normalise_code(&s) {
            prop_assert_eq!(c.expose_secret().len(), 16);
        }
        let code = new_join_code();
        let want = normalise_code(&code).expect("a fresh code is a code");
        let bare = code.replace('-', "");
        prop_assert_eq!(want.expose_secret(), bare.as_str());
        let typed = if lower { code.to_lowercase() } else { full_width(&code) };
        let got = normalise_code(&format!(" {} ", typed.replace('-', " "))).expect("typed form");
        prop_assert_eq!(got.expose_secret(), bare.as_str());
        // I, O, 0 and 1 are not in the alphabet: a code holding one is refused.
        let wrong = format!("O{}", &bare[1..]);
        prop_assert!(normalise_code(&wrong).is_none());
        prop_assert!(normalise_code(&bare[1..]).is_none());
    }
}

#[test]
fn the_cases_that_crashed_or_confused() {
    // "7点" is four bytes: the old HHMM branch sliced it mid-character.
    assert_eq!(parse_hhmm("7点"), Some(7 * 60));
    assert_eq!(parse_hhmm("7点30"), Some(7 * 60 + 30));
    assert_eq!(parse_hhmm("19时30分"), Some(19 * 60 + 30));
    assert_eq!(parse_hhmm("１９：３０"), Some(19 * 60 + 30));
    assert_eq!(parse_hhmm("中文"), None);
    assert_eq!(parse_hhmm("a点"), None);
    assert_eq!(
        settings::parse(settings::LIGHTS_OUT_MINUTES, "21点40"),
        Some(21 * 60 + 40)
    );
    assert_eq!(settings::parse(settings::LOCK_MINUTES, "十"), None);
    // A visit form's "time in" field: understood or a field error.
    let f = |t: &str| {
        form(
            "张三".into(),
            String::new(),
            String::new(),
            String::new(),
            t.into(),
        )
    };
    assert!(resolve_time_in(&f("7点"), NOW, OFFSET).is_ok());
    assert_eq!(
        resolve_time_in(&f("七点"), NOW, OFFSET),
        Err(vec![("time_in", FieldError::TimeFormat)])
    );
    assert_eq!(
        resolve_time_in(&f("23点"), NOW, OFFSET),
        Err(vec![("time_in", FieldError::FutureTime)])
    );
    assert_eq!(
        HistoryFilter::parse("11月22日", OFFSET, NOW),
        HistoryFilter::parse("2026-11-22", OFFSET, NOW)
    );
    assert_eq!(
        HistoryFilter::parse("1122", OFFSET, NOW),
        HistoryFilter::Text("1122".into())
    );
    assert_eq!(
        HistoryFilter::parse("京a·12345", OFFSET, NOW),
        HistoryFilter::Text("京a12345".into())
    );
    assert_eq!(
        HistoryFilter::parse("110105 19491231 002X", OFFSET, NOW),
        HistoryFilter::Text("11010519491231002x".into())
    );
    assert_eq!(
        HistoryFilter::parse("张三", OFFSET, NOW),
        HistoryFilter::Text("张三".into())
    );
    assert_eq!(
        check_resident_id("１１０１０５１９４９１２３１００２Ｘ").as_deref(),
        Ok("11010519491231002X")
    );
    assert_eq!(
        check_resident_id("11010519491231002中"),
        Err(FieldError::IdChars)
    );
    assert_eq!(check_mobile("138１２３４5678"), Ok("13812345678".into()));
    assert_eq!(
        check_document(IdType::HkMacaoPermit, "H１２３４５６７８"),
        Ok("H12345678".into())
    );
    assert_eq!(
        parse_bed_jump("３０３－５"),
        Some(BedJump::RoomBed {
            room: "303".into(),
            bed: "5".into()
        })
    );
}

/// Search boxes go to SQL: any text must give rows or none, never an error.
/// One demo school serves every case (building it is the slow part).
#[test]
fn searches_of_any_text_run_against_a_real_store() {
    let (store, _clock) = common::demo_store();
    let mut runner = TestRunner::new(Config::with_cases(128));
    runner
        .run(&text(), |q| {
            let filter = HistoryFilter::parse(&q, OFFSET, NOW);
            let page = store.history_page(&filter, None, dutydesk::store::visits::Page::Older, 20);
            prop_assert!(page.is_ok(), "{q:?}: {page:?}");
            let people = store.suggest_persons(&q, 8);
            prop_assert!(people.is_ok(), "{q:?}: {people:?}");
            let students = store.find_students(&q, 8);
            prop_assert!(students.is_ok(), "{q:?}: {students:?}");
            Ok(())
        })
        .unwrap();
    // And a day typed in full-width finds that day's visits.
    let today = HistoryFilter::parse("２０２６－１１－２２", OFFSET, NOW);
    let rows = store
        .history_page(&today, None, dutydesk::store::visits::Page::Older, 50)
        .unwrap();
    assert!(!rows.is_empty(), "the demo has visits today");
    assert!(rows.iter().all(|r| r.time_in >= NOW - 10 * 3_600_000));
}
