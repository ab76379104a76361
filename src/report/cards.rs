//! Checkpoint cards (巡查点卡片): one label per active checkpoint, two to a
//! row on A4 — its name, place and code in large type, and a Code 128
//! barcode that a USB scanner reads back as the code (set B: letters,
//! digits and '-' as typed, so the scan and the typed code agree).

use crate::domain::role::Actor;
use crate::i18n::tr;
use crate::report::ledger::write_bytes_atomically;
use crate::store::patrol::CheckpointRow;
use crate::store::{Store, StoreError};
use barcoders::sym::code128::Code128;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Image, Workbook, XlsxError};
use std::path::Path;

/// Blank modules each side: scanners need a quiet zone of at least ten.
pub const QUIET: usize = 10;
/// Pixels per module and bar height in the PNG (printed at 96 dpi by Excel
/// that is 0.53 mm a module: well inside what a cheap scanner reads).
pub const MODULE_PX: usize = 2;
pub const BAR_PX: usize = 60;

/// The barcode of `code` as modules (1 = bar, 0 = space), quiet zones
/// included: start B, the code's symbols, the check symbol, stop.
pub fn modules(code: &str) -> Result<Vec<u8>, String> {
    let bars = Code128::new(format!("\u{0181}{code}"))
        .map_err(|e| e.to_string())?
        .encode();
    let mut out = vec![0; QUIET];
    out.extend(bars);
    out.extend(std::iter::repeat_n(0, QUIET));
    Ok(out)
}

/// The barcode as a greyscale PNG, `MODULE_PX` wide a module.
pub fn png(code: &str) -> Result<Vec<u8>, String> {
    let m = modules(code)?;
    let width = m.len() * MODULE_PX;
    let row: Vec<u8> = m
        .iter()
        .flat_map(|b| std::iter::repeat_n(if *b == 1 { 0u8 } else { 255u8 }, MODULE_PX))
        .collect();
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width as u32, BAR_PX as u32);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().map_err(|e| e.to_string())?;
        let data: Vec<u8> = (0..BAR_PX).flat_map(|_| row.iter().copied()).collect();
        w.write_image_data(&data).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

fn xlsx(cards: &[CheckpointRow], title: &str) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name(tr("report.cards.sheet"))?;
    sheet.set_paper_size(9); // A4
    sheet.set_margins(0.4, 0.4, 0.5, 0.5, 0.3, 0.3);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_header(format!("&C{title}"));
    let base = || {
        Format::new()
            .set_font_name("宋体")
            .set_font_charset(134)
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
    };
    let name = base()
        .set_bold()
        .set_font_size(16)
        .set_border_top(FormatBorder::Medium);
    let place = base().set_font_size(11);
    let code = base().set_bold().set_font_size(30);
    let bars = base().set_border_bottom(FormatBorder::Medium);
    // Two labels to a row: columns A and C, B between them to cut along.
    for col in [0u16, 2] {
        sheet.set_column_width(col, 40)?;
    }
    sheet.set_column_width(1, 4)?;
    for (i, cp) in cards.iter().enumerate() {
        let row = (i / 2) as u32 * 5;
        let col = (i % 2) as u16 * 2;
        sheet.set_row_height(row, 26)?;
        sheet.set_row_height(row + 1, 18)?;
        sheet.set_row_height(row + 2, 40)?;
        sheet.set_row_height(row + 3, 52)?;
        sheet.set_row_height(row + 4, 14)?;
        sheet.write_string_with_format(row, col, &cp.data.name, &name)?;
        sheet.write_string_with_format(row + 1, col, &cp.data.place, &place)?;
        sheet.write_string_with_format(row + 2, col, &cp.data.code, &code)?;
        sheet.write_blank(row + 3, col, &bars)?;
        let bytes = png(&cp.data.code).map_err(XlsxError::ParameterError)?;
        let img = Image::new_from_buffer(&bytes)?.set_alt_text(&cp.data.code);
        // Centred in the 40-character column (about 285 px).
        let w = (modules(&cp.data.code).map(|m| m.len()).unwrap_or(0) * MODULE_PX) as u32;
        sheet.insert_image_with_offset(row + 3, col, &img, 285u32.saturating_sub(w) / 2, 4)?;
    }
    wb.save_to_buffer()
}

/// Writes the cards of every active checkpoint to `path` (.xlsx); returns
/// how many. Cards hold no personal data: anyone may print them.
pub fn export_cards(store: &Store, _actor: &Actor, path: &Path) -> Result<usize, StoreError> {
    let cards = store.checkpoints(false)?;
    let title = store
        .station()
        .map(|s| format!("{} {}", s.school, tr("report.cards.title")))
        .unwrap_or_else(|| tr("report.cards.title"));
    let io = |e: String| StoreError::Io(std::io::Error::other(format!("{}: {e}", path.display())));
    let bytes = xlsx(&cards, &title).map_err(|e| io(e.to_string()))?;
    write_bytes_atomically(path, &bytes).map_err(|e| {
        StoreError::Io(std::io::Error::new(
            e.kind(),
            format!("{}: {e}", path.display()),
        ))
    })?;
    Ok(cards.len())
}
