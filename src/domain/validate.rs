//! Field validation for the forms: identity documents, mobile numbers and
//! vehicle plates. Everything here is pure so the UI can re-validate on every
//! keystroke, and errors are catalog keys rather than text so both locales share
//! one set of rules.

use serde::{Deserialize, Serialize};

/// Kind of identity document a visitor presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdType {
    /// 居民身份证
    ResidentId,
    /// 护照
    Passport,
    /// 港澳居民来往内地通行证
    HkMacaoPermit,
    /// 台湾居民来往大陆通行证
    TaiwanPermit,
    /// 其他证件
    Other,
}

impl IdType {
    /// Display order for pickers: the resident ID covers nearly every visitor.
    pub const ALL: [IdType; 5] = [
        IdType::ResidentId,
        IdType::Passport,
        IdType::HkMacaoPermit,
        IdType::TaiwanPermit,
        IdType::Other,
    ];

    /// Stable key; equal to the serde name so DB values and catalog keys agree.
    pub fn key(self) -> &'static str {
        match self {
            IdType::ResidentId => "resident_id",
            IdType::Passport => "passport",
            IdType::HkMacaoPermit => "hk_macao_permit",
            IdType::TaiwanPermit => "taiwan_permit",
            IdType::Other => "other",
        }
    }
}

/// Why a field value was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    Required,
    IdLength,
    IdChars,
    IdBirthDate,
    /// `expected` is for tools that make valid numbers; the message leaves
    /// it out, since a typo anywhere changes it.
    IdCheckDigit {
        expected: char,
    },
    DocFormat,
    MobileFormat,
    PlateFormat,
    TooLong {
        max: usize,
    },
    NotANumber,
    OutOfRange {
        min: i64,
        max: i64,
    },
    /// A clock time that is not HH:MM.
    TimeFormat,
    /// A back-dated entry time that lies in the future.
    FutureTime,
    /// PINs are 4–8 digits.
    PinFormat,
    /// Not a date like 2026-11-22.
    DateFormat,
    /// An end date before the start date.
    DateOrder,
    /// Two entries that must match do not (PIN and its repeat).
    Mismatch,
    /// A folder path that does not exist.
    NoSuchFolder,
    /// A file path that does not exist or cannot be read.
    NoSuchFile,
    /// A checkpoint code with characters other than letters, digits, '-'.
    CodeFormat,
    /// A patrol schedule that is not times, N@from-to, W1@09:00 or M1@09:00.
    ScheduleFormat,
    /// A checkpoint that does not exist (or was retired).
    UnknownCheckpoint,
    /// The same entry twice.
    Duplicate,
}

impl FieldError {
    /// Catalog key, e.g. `"err.required"`.
    pub fn key(&self) -> &'static str {
        match self {
            FieldError::Required => "err.required",
            FieldError::IdLength => "err.id_length",
            FieldError::IdChars => "err.id_chars",
            FieldError::IdBirthDate => "err.id_birth_date",
            FieldError::IdCheckDigit { .. } => "err.id_check_digit",
            FieldError::DocFormat => "err.doc_format",
            FieldError::MobileFormat => "err.mobile_format",
            FieldError::PlateFormat => "err.plate_format",
            FieldError::TooLong { .. } => "err.too_long",
            FieldError::NotANumber => "err.not_a_number",
            FieldError::OutOfRange { .. } => "err.out_of_range",
            FieldError::TimeFormat => "err.time_format",
            FieldError::FutureTime => "err.future_time",
            FieldError::PinFormat => "err.pin_format",
            FieldError::DateFormat => "err.date_format",
            FieldError::DateOrder => "err.date_order",
            FieldError::Mismatch => "err.mismatch",
            FieldError::NoSuchFolder => "err.no_such_folder",
            FieldError::NoSuchFile => "err.no_such_file",
            FieldError::CodeFormat => "err.code_format",
            FieldError::ScheduleFormat => "err.schedule_format",
            FieldError::UnknownCheckpoint => "err.unknown_checkpoint",
            FieldError::Duplicate => "err.duplicate_entry",
        }
    }

    /// Named arguments for the message template of [`FieldError::key`].
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            FieldError::TooLong { max } => vec![("max", max.to_string())],
            FieldError::OutOfRange { min, max } => {
                vec![("min", min.to_string()), ("max", max.to_string())]
            }
            _ => Vec::new(),
        }
    }
}

/// Trim and fold full-width letters and digits to half-width.
///
/// Chinese IMEs often leave full-width mode on, so "１１０１" or "ＡＢ" must
/// validate the same as their ASCII forms. Full-width punctuation (，。：)
/// is how Chinese is written and stays as typed.
pub fn normalize_input(s: &str) -> String {
    let folded: String = s
        .chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        .collect();
    folded.trim().to_string()
}

/// Trim and fold every full-width ASCII character, punctuation included, so
/// that office spreadsheets typed in either mode compare equal: 初二（3）班
/// and 初二(3)班 are one class.
pub fn fold_full_width(s: &str) -> String {
    let folded: String = s
        .chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect();
    folded.trim().to_string()
}

/// GB 11643-1999 weights for the first 17 digits.
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character indexed by (weighted sum mod 11).
const ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

fn is_leap_year(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Parse an all-digit ASCII string; callers have already checked the digits.
fn digits_value(s: &str) -> u32 {
    s.bytes().fold(0, |acc, b| acc * 10 + u32::from(b - b'0'))
}

fn valid_birth_date(yyyymmdd: &str) -> bool {
    let y = digits_value(&yyyymmdd[0..4]);
    let m = digits_value(&yyyymmdd[4..6]);
    let d = digits_value(&yyyymmdd[6..8]);
    (1900..=2100).contains(&y) && (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)
}

/// Validate an 18-digit 居民身份证 number; returns it with an upper-case X.
pub fn check_resident_id(s: &str) -> Result<String, FieldError> {
    // Pasted numbers are often grouped with spaces (6-8-4); drop them.
    let id: String = normalize_input(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if id.is_empty() {
        return Err(FieldError::Required);
    }
    let chars: Vec<char> = id.chars().collect();
    if chars.len() != 18 {
        return Err(FieldError::IdLength);
    }
    if !chars[..17].iter().all(char::is_ascii_digit) {
        return Err(FieldError::IdChars);
    }
    let last = chars[17];
    if !(last.is_ascii_digit() || last == 'X') {
        return Err(FieldError::IdChars);
    }
    // All 18 chars are ASCII now, so byte slicing is safe.
    if !valid_birth_date(&id[6..14]) {
        return Err(FieldError::IdBirthDate);
    }
    let sum: u32 = chars[..17]
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let expected = ID_CHECK[(sum % 11) as usize];
    if last != expected {
        return Err(FieldError::IdCheckDigit { expected });
    }
    Ok(id)
}

/// Validate a document number of the given kind; returns the normalised form.
pub fn check_document(kind: IdType, s: &str) -> Result<String, FieldError> {
    let v = normalize_input(s);
    if v.is_empty() {
        return Err(FieldError::Required);
    }
    if kind == IdType::ResidentId {
        return check_resident_id(&v);
    }
    if kind == IdType::Other {
        // Free-form, but bounded so it fits the ledger column.
        return if v.chars().count() > 30 {
            Err(FieldError::TooLong { max: 30 })
        } else {
            Ok(v)
        };
    }
    let v: String = v
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let alnum = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    };
    let ok = match kind {
        IdType::Passport => (5..=17).contains(&v.len()) && alnum(&v),
        IdType::HkMacaoPermit => {
            (v.starts_with('H') || v.starts_with('M'))
                && matches!(v.len(), 9 | 11)
                && all_digits(&v[1..])
        }
        IdType::TaiwanPermit => (v.len() == 8 && all_digits(&v)) || (v.len() == 10 && alnum(&v)),
        IdType::ResidentId | IdType::Other => unreachable!("handled above"),
    };
    if ok {
        Ok(v)
    } else {
        Err(FieldError::DocFormat)
    }
}

/// Validate a mainland mobile number; returns the bare 11 digits.
pub fn check_mobile(s: &str) -> Result<String, FieldError> {
    let v: String = normalize_input(s)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if v.is_empty() {
        return Err(FieldError::Required);
    }
    let v = if let Some(rest) = v.strip_prefix("+86") {
        rest
    } else if let Some(rest) = v.strip_prefix("0086") {
        rest
    } else if v.len() == 13 && v.starts_with("86") {
        // Only strip a bare 86 when 11 digits remain: no mobile starts with 8.
        &v[2..]
    } else {
        &v
    };
    let b = v.as_bytes();
    let ok = b.len() == 11
        && b.iter().all(u8::is_ascii_digit)
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1]);
    if ok {
        Ok(v.to_string())
    } else {
        Err(FieldError::MobileFormat)
    }
}

const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";
const PLATE_SUFFIXES: &str = "挂学警港澳领试超";

/// Plate letters skip I and O because they read as 1 and 0.
fn plate_letter(c: char) -> bool {
    c.is_ascii_uppercase() && c != 'I' && c != 'O'
}

fn plate_alnum(c: char) -> bool {
    c.is_ascii_digit() || plate_letter(c)
}

/// Validate a mainland vehicle plate; returns it upper-cased without separators.
pub fn check_plate(s: &str) -> Result<String, FieldError> {
    let v: String = normalize_input(s)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '·' | '•' | '・' | '‧'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if v.is_empty() {
        return Err(FieldError::Required);
    }
    let c: Vec<char> = v.chars().collect();
    let head_ok = c.len() >= 2 && PROVINCES.contains(c[0]) && plate_letter(c[1]);
    let ok = head_ok
        && match c.len() {
            7 => {
                c[2..6].iter().all(|&ch| plate_alnum(ch))
                    && (plate_alnum(c[6]) || PLATE_SUFFIXES.contains(c[6]))
            }
            // New-energy: D/F leads for small cars, trails for large vehicles.
            8 => {
                c[2..].iter().all(|&ch| plate_alnum(ch))
                    && (matches!(c[2], 'D' | 'F') || matches!(c[7], 'D' | 'F'))
            }
            _ => false,
        };
    if ok {
        Ok(v)
    } else {
        Err(FieldError::PlateFormat)
    }
}

/// Trimmed, required free text of at most `max` characters.
pub fn check_text(s: &str, max: usize) -> Result<String, FieldError> {
    let v = normalize_input(s);
    if v.is_empty() {
        Err(FieldError::Required)
    } else if v.chars().count() > max {
        Err(FieldError::TooLong { max })
    } else {
        Ok(v)
    }
}

/// Required integer within `min..=max`.
pub fn check_int(s: &str, min: i64, max: i64) -> Result<i64, FieldError> {
    let v = normalize_input(s);
    if v.is_empty() {
        return Err(FieldError::Required);
    }
    let n: i64 = v.parse().map_err(|_| FieldError::NotANumber)?;
    if (min..=max).contains(&n) {
        Ok(n)
    } else {
        Err(FieldError::OutOfRange { min, max })
    }
}

/// PINs are 4–8 ASCII digits: typed on a numeric pad at 2 a.m., not a
/// password. Not folded: the hash is of the PIN as given, so the field
/// (digits only) folds full-width digits before it gets here.
pub fn check_pin(pin: &str) -> Result<(), FieldError> {
    let n = pin.chars().count();
    if n == 0 {
        Err(FieldError::Required)
    } else if !(4..=8).contains(&n) || !pin.chars().all(|c| c.is_ascii_digit()) {
        Err(FieldError::PinFormat)
    } else {
        Ok(())
    }
}

/// Mask a document number for screens and exports.
///
/// Resident IDs keep region (6) and tail (4) so staff can still tell people
/// apart without exposing the birth date.
pub fn mask_id(s: &str) -> String {
    let c: Vec<char> = s.trim().chars().collect();
    let n = c.len();
    if n == 18 {
        let mut out: String = c[..6].iter().collect();
        out.push_str("********");
        out.extend(&c[14..]);
        out
    } else if n <= 4 {
        "*".repeat(n)
    } else {
        let mut out: String = c[..2].iter().collect();
        out.push_str(&"*".repeat(n - 4));
        out.extend(&c[n - 2..]);
        out
    }
}

/// Last four characters (upper-cased), the part staff search by.
pub fn id_tail(s: &str) -> String {
    let c: Vec<char> = s.trim().chars().collect();
    let start = c.len().saturating_sub(4);
    c[start..].iter().map(|c| c.to_ascii_uppercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Build a valid ID from 17 digits by computing the check char independently.
    fn with_check(first17: &str) -> String {
        let sum: u32 = first17
            .chars()
            .enumerate()
            .map(|(i, c)| {
                // weight = 2^(17-i) mod 11, the ISO 7064 MOD 11-2 definition
                let w = (1u32 << (17 - i)) % 11;
                c.to_digit(10).unwrap() * w
            })
            .sum();
        let check = (12 - sum % 11) % 11;
        let check = if check == 10 {
            'X'
        } else {
            char::from_digit(check, 10).unwrap()
        };
        format!("{first17}{check}")
    }

    #[test]
    fn id_type_keys_match_serde() {
        for t in IdType::ALL {
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.key()));
        }
    }

    #[test]
    fn normalize_full_width() {
        assert_eq!(normalize_input("\u{3000}ＡＢ１２　３ "), "AB12 3");
        assert_eq!(normalize_input("  a  "), "a");
    }

    #[test]
    fn known_valid_ids() {
        assert_eq!(
            check_resident_id("11010519491231002X"),
            Ok("11010519491231002X".into())
        );
        for first17 in [
            "44030419900307123",
            "32010620000229001",
            "51010719851111234",
        ] {
            let id = with_check(first17);
            assert_eq!(check_resident_id(&id), Ok(id.clone()), "{id}");
        }
        // The independent helper agrees with the known-good example.
        assert_eq!(with_check("11010519491231002"), "11010519491231002X");
    }

    #[test]
    fn lowercase_x_and_full_width_accepted() {
        assert_eq!(
            check_resident_id(" 11010519491231002x "),
            Ok("11010519491231002X".into())
        );
        assert_eq!(
            check_resident_id("１１０１０５１９４９１２３１００２Ｘ"),
            Ok("11010519491231002X".into())
        );
        assert_eq!(
            check_resident_id("110105 19491231 002X"),
            Ok("11010519491231002X".into())
        );
    }

    #[test]
    fn wrong_check_digit_reports_expected() {
        assert_eq!(
            check_resident_id("110105194912310021"),
            Err(FieldError::IdCheckDigit { expected: 'X' })
        );
        let good = with_check("44030419900307123");
        let expected = good.chars().last().unwrap();
        let wrong = if expected == '0' { '1' } else { '0' };
        let bad = format!("{}{wrong}", &good[..17]);
        assert_eq!(
            check_resident_id(&bad),
            Err(FieldError::IdCheckDigit { expected })
        );
        let e = FieldError::IdCheckDigit { expected: 'X' };
        assert_eq!(e.key(), "err.id_check_digit");
        // The message names no digit: the typo may be anywhere in the number.
        assert!(e.args().is_empty());
    }

    #[test]
    fn id_length_and_chars() {
        assert_eq!(check_resident_id(""), Err(FieldError::Required));
        assert_eq!(
            check_resident_id("11010519491231002"),
            Err(FieldError::IdLength)
        );
        assert_eq!(
            check_resident_id("11010519491231002X1"),
            Err(FieldError::IdLength)
        );
        assert_eq!(
            check_resident_id("1101051949123100AX"),
            Err(FieldError::IdChars)
        );
        assert_eq!(
            check_resident_id("11010519491231002Y"),
            Err(FieldError::IdChars)
        );
        // 18 chars but one is a CJK char: still a char error, not a panic.
        assert_eq!(
            check_resident_id("1101051949123100中X"),
            Err(FieldError::IdChars)
        );
    }

    #[test]
    fn id_birth_dates() {
        // Feb 30
        assert_eq!(
            check_resident_id(&with_check("11010520000230002")),
            Err(FieldError::IdBirthDate)
        );
        // Feb 29 in a non-leap year, and in 1900 (divisible by 100, not 400)
        assert_eq!(
            check_resident_id(&with_check("11010520230229002")),
            Err(FieldError::IdBirthDate)
        );
        assert_eq!(
            check_resident_id(&with_check("11010519000229002")),
            Err(FieldError::IdBirthDate)
        );
        // Feb 29 in 2000 (divisible by 400) and 2024 are fine
        assert!(check_resident_id(&with_check("11010520000229002")).is_ok());
        assert!(check_resident_id(&with_check("11010520240229002")).is_ok());
        // Month 13, day 00, month 00, April 31
        for bad in [
            "11010519901301002",
            "11010519900100002",
            "11010519900001002",
            "11010519900431002",
        ] {
            assert_eq!(
                check_resident_id(&with_check(bad)),
                Err(FieldError::IdBirthDate),
                "{bad}"
            );
        }
        // Year bounds
        assert_eq!(
            check_resident_id(&with_check("11010518991231002")),
            Err(FieldError::IdBirthDate)
        );
        assert!(check_resident_id(&with_check("11010519000101002")).is_ok());
        assert!(check_resident_id(&with_check("11010521001231002")).is_ok());
        assert_eq!(
            check_resident_id(&with_check("11010521010101002")),
            Err(FieldError::IdBirthDate)
        );
    }

    #[test]
    fn leap_rule() {
        assert!(is_leap_year(2000));
        assert!(is_leap_year(2024));
        assert!(!is_leap_year(1900));
        assert!(!is_leap_year(2100));
        assert!(!is_leap_year(2023));
    }

    #[test]
    fn documents() {
        assert_eq!(
            check_document(IdType::Passport, "  "),
            Err(FieldError::Required)
        );
        assert_eq!(
            check_document(IdType::ResidentId, "11010519491231002x"),
            Ok("11010519491231002X".into())
        );
        assert_eq!(
            check_document(IdType::Passport, "e1234 5678"),
            Ok("E12345678".into())
        );
        assert_eq!(
            check_document(IdType::Passport, "E12"),
            Err(FieldError::DocFormat)
        );
        assert_eq!(
            check_document(IdType::Passport, "E1234567890123456X"),
            Err(FieldError::DocFormat)
        );
        assert_eq!(
            check_document(IdType::Passport, "E1234-5678"),
            Err(FieldError::DocFormat)
        );
        assert_eq!(
            check_document(IdType::HkMacaoPermit, "h12345678"),
            Ok("H12345678".into())
        );
        assert_eq!(
            check_document(IdType::HkMacaoPermit, "M1234567890"),
            Ok("M1234567890".into())
        );
        assert_eq!(
            check_document(IdType::HkMacaoPermit, "H123456789"),
            Err(FieldError::DocFormat)
        );
        assert_eq!(
            check_document(IdType::HkMacaoPermit, "C12345678"),
            Err(FieldError::DocFormat)
        );
        assert_eq!(
            check_document(IdType::TaiwanPermit, "12345678"),
            Ok("12345678".into())
        );
        assert_eq!(
            check_document(IdType::TaiwanPermit, "1234567801"),
            Ok("1234567801".into())
        );
        assert_eq!(
            check_document(IdType::TaiwanPermit, "1234567"),
            Err(FieldError::DocFormat)
        );
        assert_eq!(
            check_document(IdType::Other, " 军官证 123 "),
            Ok("军官证 123".into())
        );
        let long = "字".repeat(31);
        assert_eq!(
            check_document(IdType::Other, &long),
            Err(FieldError::TooLong { max: 30 })
        );
    }

    #[test]
    fn mobiles() {
        assert_eq!(check_mobile("13812345678"), Ok("13812345678".into()));
        assert_eq!(check_mobile("+86 138 1234 5678"), Ok("13812345678".into()));
        assert_eq!(check_mobile("0086-138-1234-5678"), Ok("13812345678".into()));
        assert_eq!(check_mobile("8613812345678"), Ok("13812345678".into()));
        assert_eq!(
            check_mobile("１３８１２３４５６７８"),
            Ok("13812345678".into())
        );
        assert_eq!(check_mobile(""), Err(FieldError::Required));
        assert_eq!(check_mobile("138123456789"), Err(FieldError::MobileFormat));
        assert_eq!(check_mobile("12812345678"), Err(FieldError::MobileFormat));
        assert_eq!(check_mobile("23812345678"), Err(FieldError::MobileFormat));
        assert_eq!(check_mobile("1381234567a"), Err(FieldError::MobileFormat));
        assert_eq!(
            check_mobile("+8612812345678"),
            Err(FieldError::MobileFormat)
        );
    }

    #[test]
    fn plates() {
        assert_eq!(check_plate("京A12345"), Ok("京A12345".into()));
        assert_eq!(check_plate("京a·123 45"), Ok("京A12345".into()));
        assert_eq!(check_plate("粤B1234学"), Ok("粤B1234学".into()));
        assert_eq!(check_plate("京AB1C23"), Ok("京AB1C23".into()));
        assert_eq!(check_plate("沪AD12345"), Ok("沪AD12345".into()));
        assert_eq!(check_plate("沪A12345F"), Ok("沪A12345F".into()));
        assert_eq!(check_plate(""), Err(FieldError::Required));
        assert_eq!(check_plate("沪A123456"), Err(FieldError::PlateFormat));
        assert_eq!(check_plate("京A1234I"), Err(FieldError::PlateFormat));
        assert_eq!(check_plate("京O12345"), Err(FieldError::PlateFormat));
        assert_eq!(check_plate("京12345"), Err(FieldError::PlateFormat));
        assert_eq!(check_plate("XA12345"), Err(FieldError::PlateFormat));
        assert_eq!(check_plate("京A12学45"), Err(FieldError::PlateFormat));
    }

    #[test]
    fn text_and_numbers() {
        assert_eq!(check_text(" 张三 ", 10), Ok("张三".into()));
        assert_eq!(check_text("", 10), Err(FieldError::Required));
        assert_eq!(check_text("abc", 2), Err(FieldError::TooLong { max: 2 }));
        assert_eq!(check_int("１２", 0, 99), Ok(12));
        assert_eq!(check_int("x", 0, 99), Err(FieldError::NotANumber));
        let e = check_int("100", 0, 99).unwrap_err();
        assert_eq!(e, FieldError::OutOfRange { min: 0, max: 99 });
        assert_eq!(e.key(), "err.out_of_range");
        assert_eq!(
            e.args(),
            vec![("min", "0".to_string()), ("max", "99".to_string())]
        );
        assert_eq!(
            FieldError::TooLong { max: 40 }.args(),
            vec![("max", "40".to_string())]
        );
        assert!(FieldError::Required.args().is_empty());
        assert_eq!(FieldError::TimeFormat.key(), "err.time_format");
        assert_eq!(FieldError::FutureTime.key(), "err.future_time");
    }

    #[test]
    fn pins() {
        assert_eq!(check_pin(""), Err(FieldError::Required));
        assert_eq!(check_pin("1234"), Ok(()));
        assert_eq!(check_pin("12345678"), Ok(()));
        for bad in [
            "123",
            "123456789",
            "12a4",
            "１２３４",
            "12 34",
            "١٢٣٤",
            "😀😀😀😀",
        ] {
            assert_eq!(check_pin(bad), Err(FieldError::PinFormat), "{bad}");
        }
    }

    #[test]
    fn masks() {
        assert_eq!(mask_id("11010519491231002X"), "110105********002X");
        assert_eq!(mask_id("E12345678"), "E1*****78");
        assert_eq!(mask_id("H123"), "****");
        assert_eq!(mask_id("12345"), "12*45");
        assert_eq!(mask_id(""), "");
        assert_eq!(id_tail("11010519491231002x"), "002X");
        assert_eq!(id_tail("AB"), "AB");
    }
}
