//! Every ledger prints as inspectors expect: the .xlsx parts are read back
//! (page setup, repeated rows, the page footer with the signature blanks,
//! the autofilter over records only, fonts and widths that fit one A4 page
//! wide at 9 pt or more), and the .csv is a plain table with as many data
//! rows as the .xlsx has records.
//!
//! The ledgers come from the demo school, in the default language (zh-CN).

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use chrono::NaiveDate;
use common::{ctrl, draw, key, login};
use dutydesk::app::App;
use dutydesk::demo::{self, Scale};
use dutydesk::domain::role::Role;
use dutydesk::domain::time::FixedClock;
use dutydesk::keymap::Ctx;
use dutydesk::report::absences::{self, AbsencesRequest};
use dutydesk::report::ledger::{Ledger, Orientation, write_ledger};
use dutydesk::report::rollcall::{self, RollcallRequest};
use dutydesk::report::sick::RangeRequest;
use dutydesk::report::visitors::{self, ExportRequest};
use dutydesk::report::{followups, gate, leave, roster, sick};
use dutydesk::store::Store;
use ratatui::crossterm::event::KeyCode;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// The demo school's four ledgers, built once.
fn ledgers() -> &'static [(&'static str, Ledger)] {
    static LEDGERS: OnceLock<Vec<(&'static str, Ledger)>> = OnceLock::new();
    LEDGERS.get_or_init(|| {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-22T21:50:00+08:00")
            .unwrap()
            .timestamp_millis();
        let clock = FixedClock::new(now);
        let mut store = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
        demo::generate(&mut store, &clock, Scale::Small, 42, now).unwrap();
        let admin = store
            .operators()
            .unwrap()
            .into_iter()
            .find(|o| o.role == Role::Admin)
            .unwrap()
            .actor();
        let unused = PathBuf::from("unused.xlsx");
        vec![
            (
                "visitors",
                visitors::build(
                    &store,
                    &admin,
                    &ExportRequest {
                        from: date(11, 1),
                        to: date(11, 22),
                        path: unused.clone(),
                        full_ids: false,
                    },
                )
                .unwrap(),
            ),
            ("roster", roster::build(&store, &admin).unwrap()),
            (
                "rollcall",
                rollcall::build(
                    &store,
                    &admin,
                    &RollcallRequest {
                        month: date(11, 1),
                        building: None,
                        path: unused.clone(),
                    },
                )
                .unwrap(),
            ),
            (
                "absences",
                absences::build(
                    &store,
                    &admin,
                    &AbsencesRequest {
                        from: date(11, 1),
                        to: date(11, 30),
                        path: unused.clone(),
                    },
                )
                .unwrap(),
            ),
            (
                "sick",
                sick::build(&store, &admin, &month(&unused)).unwrap(),
            ),
            (
                "leave",
                leave::build(&store, &admin, &month(&unused)).unwrap(),
            ),
            (
                "gate",
                gate::build(&store, &admin, &month(&unused)).unwrap(),
            ),
            (
                "followups",
                followups::build(&store, &admin, &month(&unused)).unwrap(),
            ),
        ]
    })
}

/// November, for the ledgers over a range of days.
fn month(path: &Path) -> RangeRequest {
    RangeRequest {
        from: date(11, 1),
        to: date(11, 30),
        path: path.to_path_buf(),
    }
}

/// One part of the zip container, as text.
fn part(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut s = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// The value of `attr` in the first `<tag …>` of `xml`.
fn attr(xml: &str, tag: &str, attr: &str) -> Option<String> {
    let start = xml
        .find(&format!("<{tag} "))
        .or_else(|| xml.find(&format!("<{tag}>")))?;
    let end = start + xml[start..].find('>')?;
    let element = &xml[start..end];
    let key = format!(" {attr}=\"");
    let at = element.find(&key)? + key.len();
    Some(element[at..at + element[at..].find('"')?].to_string())
}

/// Every `<tag …>` element of `xml`.
fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag} ");
    let mut out = vec![];
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        let end = i + rest[i..].find('>').unwrap();
        out.push(&rest[i..=end]);
        rest = &rest[end..];
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// Text between `<tag>` and `</tag>`.
fn inner(xml: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let start = xml.find(&open).unwrap_or_else(|| panic!("no <{tag}>")) + open.len();
    let end = start + xml[start..].find(&format!("</{tag}>")).unwrap();
    unescape(&xml[start..end])
}

/// Printable width of A4 between 0.4 in side margins, in points.
fn printable_pt(o: Orientation) -> f64 {
    let paper_mm = match o {
        Orientation::Landscape => 297.0,
        Orientation::Portrait => 210.0,
    };
    (paper_mm / 25.4 - 0.8) * 72.0
}

#[test]
fn every_ledger_is_set_up_for_a4_signed_on_every_page() {
    let dir = tempfile::tempdir().unwrap();
    for (name, ledger) in ledgers() {
        let path = dir.path().join(format!("{name}.xlsx"));
        write_ledger(ledger, &path).unwrap();
        let sheet = part(&path, "xl/worksheets/sheet1.xml");
        let book = part(&path, "xl/workbook.xml");

        // A4, the ledger's orientation, one page wide and any number tall.
        assert_eq!(attr(&sheet, "pageSetup", "paperSize").as_deref(), Some("9"));
        let orientation = match ledger.orientation {
            Orientation::Landscape => "landscape",
            Orientation::Portrait => "portrait",
        };
        assert_eq!(
            attr(&sheet, "pageSetup", "orientation").as_deref(),
            Some(orientation),
            "{name}"
        );
        assert_eq!(
            attr(&sheet, "pageSetUpPr", "fitToPage").as_deref(),
            Some("1")
        );
        // fitToWidth is 1 when absent (the schema's default).
        assert_eq!(
            attr(&sheet, "pageSetup", "fitToWidth").unwrap_or("1".into()),
            "1"
        );
        assert_eq!(
            attr(&sheet, "pageSetup", "fitToHeight").as_deref(),
            Some("0")
        );
        assert_eq!(attr(&sheet, "pageSetup", "scale"), None, "{name}");

        // Title, subtitle (the date range) and header repeat on every page.
        let titles = book
            .split("<definedName ")
            .find(|d| d.contains("_xlnm.Print_Titles"))
            .unwrap_or_else(|| panic!("{name}: no print titles in {book}"));
        assert!(titles.contains("!$1:$4<"), "{name}: {titles}");

        // The signature and date blanks in the footer of every page, page
        // numbers in the header.
        let footer = inner(&sheet, "oddFooter");
        for blank in ["值班人签字：", "审核人：", "日期："] {
            assert!(footer.contains(blank), "{name}: {footer}");
        }
        assert!(footer.contains("____"), "{footer}");
        let header = inner(&sheet, "oddHeader");
        assert!(header.contains("&P") && header.contains("&N"), "{header}");

        // The autofilter covers the header and the records, not the totals.
        let records = ledger.records().len();
        let filter = attr(&sheet, "autoFilter", "ref").unwrap();
        let last_row: usize = filter
            .rsplit(':')
            .next()
            .unwrap()
            .trim_start_matches(|c: char| c.is_ascii_alphabetic())
            .parse()
            .unwrap();
        assert!(filter.starts_with("A4:"), "{name}: {filter}");
        assert_eq!(last_row, 4 + records, "{name}: {filter}");
        assert!(ledger.summary_rows == 0 || last_row < 4 + ledger.rows.len());

        // Columns fit the printable width at 100 %: a stored width w is
        // 8w px (the default font's digit is 8 px, padding included),
        // 0.75 pt per pixel.
        let widths: f64 = elements(&sheet, "col")
            .iter()
            .map(|c| {
                let w: f64 = attr(c, "col", "width").unwrap().parse().unwrap();
                let min: f64 = attr(c, "col", "min").unwrap().parse().unwrap();
                let max: f64 = attr(c, "col", "max").unwrap().parse().unwrap();
                (w * 8.0).trunc() * 0.75 * (max - min + 1.0)
            })
            .sum();
        let avail = printable_pt(ledger.orientation);
        assert!(widths <= avail, "{name}: {widths} pt > {avail} pt");

        // No text smaller than 9 pt.
        let styles = part(&path, "xl/styles.xml");
        for sz in elements(&styles, "sz") {
            let pt: f64 = attr(sz, "sz", "val").unwrap().parse().unwrap();
            assert!(pt >= 9.0, "{name}: {sz}");
        }

        // Every data row has a height: padded, taller when the text wraps.
        let rows = elements(&sheet, "row");
        let heights: Vec<f64> = rows
            .iter()
            .filter_map(|r| attr(r, "row", "ht"))
            .map(|h| h.parse().unwrap())
            .collect();
        assert!(heights.len() > ledger.rows.len(), "{name}");
        assert!(heights.iter().all(|h| *h >= 15.0), "{name}: {heights:?}");
    }
}

#[test]
fn notes_that_wrap_make_their_row_taller_and_marks_are_centred() {
    let dir = tempfile::tempdir().unwrap();
    let (_, ledger) = ledgers().iter().find(|(n, _)| *n == "visitors").unwrap();
    let mut ledger = ledger.clone();
    let long = "家长来校送药，值班人陪同至宿舍，".repeat(12);
    let last = ledger.rows[0].len() - 1;
    ledger.rows[0][last] = long;
    let path = dir.path().join("v.xlsx");
    write_ledger(&ledger, &path).unwrap();
    let sheet = part(&path, "xl/worksheets/sheet1.xml");
    let height = |r: usize| -> f64 {
        elements(&sheet, "row")
            .into_iter()
            .find(|e| attr(e, "row", "r").as_deref() == Some(&r.to_string()))
            .and_then(|e| attr(e, "row", "ht"))
            .unwrap()
            .parse()
            .unwrap()
    };
    // Row 5 is the first record; row 6 holds an ordinary one.
    assert!(
        height(5) >= 2.0 * height(6),
        "{} vs {}",
        height(5),
        height(6)
    );

    // The serial number column (A) is centred, the name column (C) is not.
    let styles = part(&path, "xl/styles.xml");
    let start = styles.find("<cellXfs").unwrap();
    let end = styles.find("</cellXfs>").unwrap();
    // The cell formats in order; a style index picks one.
    let xfs: Vec<&str> = styles[start..end].split("<xf ").skip(1).collect();
    let centred = |cell: &str| {
        let c = elements(&sheet, "c")
            .into_iter()
            .find(|e| attr(e, "c", "r").as_deref() == Some(cell))
            .unwrap();
        let i: usize = attr(c, "c", "s").unwrap().parse().unwrap();
        xfs[i].contains("horizontal=\"center\"")
    };
    assert!(centred("A6"), "serial number not centred");
    assert!(!centred("C6"), "name centred");
}

/// The subtitle (row 2) of an .xlsx ledger.
fn subtitle(path: &Path) -> String {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let name = wb.sheet_names()[0].clone();
    match wb.worksheet_range(&name).unwrap().get_value((1, 0)) {
        Some(Data::String(s)) => s.clone(),
        other => panic!("no subtitle: {other:?}"),
    }
}

#[test]
fn the_tui_names_the_operator_logged_in_not_an_admin() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _clock) = common::demo_store();
    let mut app = App::new(store, vec![]);
    // A duty leader, not the station's first admin, logs in and exports.
    login(&mut app, "刘主任", "3333");
    draw(&mut app, 100, 30);
    app.handle_key(key(KeyCode::Char('x')));
    let out = dir.path().join("登记表.xlsx");
    match &mut app.visitors_mut().mode {
        dutydesk::panes::visitors::Mode::Export(f) => f.set("path", &out.to_string_lossy()),
        _ => panic!("export form not open"),
    }
    app.handle_key(ctrl('s'));
    for _ in 0..3000 {
        if app.contexts()[0] != Ctx::Job {
            break;
        }
        app.tick();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let toast = app.toast.clone().expect("a message");
    assert!(!toast.error, "{}", toast.text);
    let s = subtitle(&out);
    assert!(s.ends_with("由 刘主任 导出"), "{s}");
    for (name, role, _) in dutydesk::demo::OPERATORS {
        if *role == Role::Admin {
            assert!(!s.contains(name), "{s}");
        }
    }
}
/// The CSV rows of a file, BOM checked and stripped.
fn csv_records(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .expect("CSV starts with the UTF-8 BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn every_csv_is_a_table_with_the_xlsx_records() {
    let dir = tempfile::tempdir().unwrap();
    for (name, ledger) in ledgers() {
        let path = dir.path().join(format!("{name}.csv"));
        write_ledger(ledger, &path).unwrap();
        let recs = csv_records(&path);
        let headers: Vec<String> = ledger.columns.iter().map(|c| c.header.clone()).collect();
        assert_eq!(recs[0], headers, "{name}: header not on row 1");
        // The data rows of the .xlsx are the header row's autofilter range.
        let xlsx = dir.path().join(format!("{name}.xlsx"));
        write_ledger(ledger, &xlsx).unwrap();
        let sheet = part(&xlsx, "xl/worksheets/sheet1.xml");
        let filter = attr(&sheet, "autoFilter", "ref").unwrap();
        let last: usize = filter
            .rsplit(':')
            .next()
            .unwrap()
            .trim_start_matches(|c: char| c.is_ascii_alphabetic())
            .parse()
            .unwrap();
        assert_eq!(recs.len() - 1, last - 4, "{name}");
        assert!(recs.len() > 1, "{name}: no data");
        // No title, subtitle or signature lines anywhere.
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(&ledger.title), "{name}");
        for line in &ledger.footer {
            assert!(!text.contains(line.as_str()), "{name}: {line}");
        }
        for r in &recs {
            assert_eq!(r.len(), headers.len(), "{name}: {r:?}");
        }
    }
}
