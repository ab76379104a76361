//! Checkpoint cards: each barcode, read back bar by bar against the Code
//! 128 symbol table, is the checkpoint's code (start B, the code, the
//! check symbol, stop), in the modules and in the PNG put on the card; and
//! `dutydesk report checkpoints` writes one card per active checkpoint.

mod common;

use assert_cmd::Command;
use dutydesk::report::cards::{BAR_PX, MODULE_PX, QUIET, modules, png};

/// Bar and space widths of Code 128 symbols 0–105 (ISO/IEC 15417 table 1);
/// the stop pattern has seven elements.
const TABLE: [&str; 106] = [
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212",
    "221213", "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221",
    "223211", "221132", "221231", "213212", "223112", "312131", "311222", "321122", "321221",
    "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123", "131321",
    "112313", "132113", "132311", "211313", "231113", "231311", "112133", "112331", "132131",
    "113123", "113321", "133121", "313121", "211331", "231131", "213113", "213311", "213131",
    "311123", "311321", "331121", "312113", "312311", "332111", "314111", "221411", "431111",
    "111224", "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111", "111242",
    "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311",
    "113141", "114131", "311141", "411131", "211412", "211214", "211232",
];
const STOP: &str = "2331112";
const START_B: usize = 104;

/// Reads modules back to the text they encode (set B only), checking the
/// quiet zones, the start, the check symbol and the stop.
fn decode(m: &[u8]) -> String {
    assert!(m[..QUIET].iter().all(|b| *b == 0), "quiet zone before");
    assert!(
        m[m.len() - QUIET..].iter().all(|b| *b == 0),
        "quiet zone after"
    );
    let body = &m[QUIET..m.len() - QUIET];
    let mut runs = vec![];
    let mut i = 0;
    while i < body.len() {
        let j = body[i..]
            .iter()
            .position(|b| *b != body[i])
            .map_or(body.len(), |p| i + p);
        assert!(j - i <= 4, "no element is wider than 4 modules");
        runs.push(char::from_digit((j - i) as u32, 10).unwrap());
        i = j;
    }
    assert_eq!(body[0], 1, "starts with a bar");
    let (symbols, stop) = runs.split_at(runs.len() - 7);
    assert_eq!(stop.iter().collect::<String>(), STOP, "stop pattern");
    let values: Vec<usize> = symbols
        .chunks(6)
        .map(|c| {
            let w: String = c.iter().collect();
            TABLE
                .iter()
                .position(|t| *t == w)
                .unwrap_or_else(|| panic!("{w} is no symbol"))
        })
        .collect();
    assert_eq!(values[0], START_B, "start B");
    let (data, check) = values[1..].split_at(values.len() - 2);
    let sum = START_B
        + data
            .iter()
            .enumerate()
            .map(|(k, v)| (k + 1) * v)
            .sum::<usize>();
    assert_eq!(sum % 103, check[0], "check symbol");
    data.iter().map(|v| char::from(32 + *v as u8)).collect()
}

#[test]
fn barcodes_encode_the_code() {
    for code in [
        "B1-01",
        "D1-R",
        "G-01",
        "E-01",
        "ZZ9",
        "A",
        "0123456789ABCDEF",
    ] {
        assert_eq!(decode(&modules(code).unwrap()), code);
    }
}

#[test]
fn the_png_on_the_card_reads_back_as_the_code() {
    for code in ["D2-3", "B-01"] {
        let bytes = png(code).unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.height as usize, BAR_PX);
        let row = &buf[..info.width as usize];
        let m: Vec<u8> = row
            .iter()
            .step_by(MODULE_PX)
            .map(|p| (*p < 128) as u8)
            .collect();
        assert_eq!(decode(&m), code);
        // Every row is the same: the bars run the full height.
        let last = &buf[(info.height as usize - 1) * info.width as usize..];
        assert_eq!(row, last);
    }
}

#[test]
fn report_checkpoints_writes_one_card_each() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    common::write_demo_db(&db);
    let out = dir.path().join("巡查点卡片.xlsx");
    let ok = Command::cargo_bin("dutydesk")
        .unwrap()
        .args(["--lang", "en", "report", "checkpoints", "--db"])
        .arg(&db)
        .arg("--out")
        .arg(&out)
        .args(["--as", "刘主任"])
        .write_stdin("3333\n")
        .assert()
        .success();
    let said = String::from_utf8_lossy(&ok.get_output().stdout).to_string();
    assert!(said.contains("Wrote 20 checkpoint cards"), "{said}");
    let bytes = std::fs::read(&out).unwrap();
    // The zip's directory names each picture; the demo has twenty.
    let names = String::from_utf8_lossy(&bytes);
    for n in 1..=20 {
        assert!(
            names.contains(&format!("xl/media/image{n}.png")),
            "image {n}"
        );
    }
    // Not a workbook: refused in one line, nothing written.
    let csv = dir.path().join("cards.csv");
    let a = Command::cargo_bin("dutydesk")
        .unwrap()
        .args(["--lang", "en", "report", "checkpoints", "--db"])
        .arg(&db)
        .arg("--out")
        .arg(&csv)
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!csv.exists());
}
