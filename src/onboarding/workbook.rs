//! Reading one sheet of an Excel workbook (.xlsx) into a table of text cells, within the
//! caps of `import_limits`.
//!
//! A workbook is a zip archive of XML parts. Before calamine opens it, every part is
//! unpacked once into nothing while counting, so a part that inflates beyond the cap
//! (whatever size its header claims) is refused; and the table of texts, which calamine
//! holds in memory and sizes from the count the file declares, is checked first. The
//! sheet is then read cell by cell: a cell far away (XFD1048576) is refused when it is
//! met, instead of allocating the rectangle up to it.

use super::import::{ImportError, cell_text};
use super::import_limits::{MAX_CELLS, MAX_TEXT_TABLE_BYTES, MAX_UNPACKED_BYTES, TableBudget, check_file_size};
use calamine::{Data, Reader, Xlsx};
use std::io::{BufReader, Read, Seek, SeekFrom};

/// One sheet as rows of text, with where the cells held numbers (not text).
#[derive(Debug)]
pub struct Sheet {
    pub rows: Vec<Vec<String>>,
    /// (row, column) of every numeric cell: Excel drops a leading zero from those.
    pub numbers: std::collections::HashSet<(usize, usize)>,
}

/// The named sheet (ignoring case) or the first one, as rows of text cells.
pub fn read_sheet<RS: Read + Seek>(mut reader: RS, sheet: Option<&str>) -> Result<Sheet, ImportError> {
    check_file_size(reader.seek(SeekFrom::End(0))?)?;
    reader.seek(SeekFrom::Start(0))?;
    check_unpacked_size(&mut reader)?;
    reader.seek(SeekFrom::Start(0))?;
    let mut workbook: Xlsx<RS> = Xlsx::new(reader).map_err(workbook_error)?;
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.trim().eq_ignore_ascii_case(wanted.trim()))
            .ok_or_else(|| ImportError::NoSuchSheet { name: wanted.to_string(), available: names.clone() })?,
        None => names.first().ok_or(ImportError::NoSheets)?,
    }
    .clone();
    let mut cells = workbook.worksheet_cells_reader(&name).map_err(workbook_error)?;
    let mut filled: Vec<(usize, usize, String)> = Vec::new();
    let mut numbers = std::collections::HashSet::new();
    while let Some(cell) = cells.next_cell().map_err(workbook_error)? {
        let value = Data::from(cell.get_value().clone());
        let text = cell_text(&value);
        if text.is_empty() {
            // Formatted but empty cells are common far down a sheet; they are not data.
            continue;
        }
        let (row, column) = cell.get_position();
        TableBudget::check_position(row as usize, column as usize)?;
        if matches!(value, Data::Int(_) | Data::Float(_)) {
            numbers.insert((row as usize, column as usize));
        }
        filled.push((row as usize, column as usize, text));
        if filled.len() > MAX_CELLS {
            return Err(ImportError::TooManyCells);
        }
    }
    Ok(Sheet { rows: to_rows(filled)?, numbers })
}

/// Sparse cells into rows, each as wide as its last filled cell.
fn to_rows(mut filled: Vec<(usize, usize, String)>) -> Result<Vec<Vec<String>>, ImportError> {
    filled.sort_by_key(|(row, column, _)| (*row, *column));
    let widths = filled.iter().fold(Vec::<usize>::new(), |mut widths, (row, column, _)| {
        if widths.len() <= *row {
            widths.resize(row + 1, 0);
        }
        widths[*row] = widths[*row].max(column + 1);
        widths
    });
    let mut budget = TableBudget::default();
    for (row, width) in widths.iter().enumerate() {
        budget.add_row(row, *width)?;
    }
    let mut rows: Vec<Vec<String>> = widths.iter().map(|w| vec![String::new(); *w]).collect();
    for (row, column, text) in filled {
        rows[row][column] = text;
    }
    Ok(rows)
}

/// Unpacks every part into nothing, counting, and checks the table of texts.
fn check_unpacked_size<R: Read + Seek>(reader: R) -> Result<(), ImportError> {
    let mut archive = zip::ZipArchive::new(reader).map_err(workbook_error)?;
    let mut total = 0u64;
    for index in 0..archive.len() {
        let part = archive.by_index(index).map_err(workbook_error)?;
        // calamine finds the table of texts by name, ignoring case.
        let is_text_table = part.name().map_err(workbook_error)?.to_ascii_lowercase().ends_with("sharedstrings.xml");
        let left = MAX_UNPACKED_BYTES.saturating_sub(total);
        let limit = if is_text_table { left.min(MAX_TEXT_TABLE_BYTES) } else { left };
        // The size a part's header declares may lie; it only refuses early.
        if part.size() > limit {
            return Err(ImportError::WorkbookTooLarge);
        }
        let mut counted = Counted { inner: part.take(limit + 1), bytes: 0 };
        if is_text_table {
            check_text_table(&mut counted)?;
        } else {
            std::io::copy(&mut counted, &mut std::io::sink()).map_err(workbook_error)?;
        }
        if counted.bytes > limit {
            return Err(ImportError::WorkbookTooLarge);
        }
        total += counted.bytes;
    }
    Ok(())
}

/// Reads the table of texts to its end (stopping past the cap): calamine reserves room
/// for as many texts as its `uniqueCount` says before reading one, so a count no real
/// workbook could hold is refused here.
fn check_text_table<R: Read>(part: &mut R) -> Result<(), ImportError> {
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(part));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(workbook_error)? {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if e.local_name().as_ref() == "sst" =>
            {
                let declared = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == "uniqueCount")
                    .map(|a| a.value.trim().parse::<u64>().ok());
                // Unreadable counts are refused too: calamine may read them differently.
                if let Some(count) = declared
                    && count.is_none_or(|n| n > MAX_CELLS as u64)
                {
                    return Err(ImportError::WorkbookTooLarge);
                }
                break;
            }
            quick_xml::events::Event::Eof => return Ok(()),
            _ => {}
        }
    }
    let mut rest = xml.into_inner();
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(workbook_error)?;
    Ok(())
}

/// A reader that counts what passes through it.
struct Counted<R> {
    inner: R,
    bytes: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

fn workbook_error(error: impl std::fmt::Display) -> ImportError {
    ImportError::Workbook(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboarding::import::import_xlsx_file;
    use crate::onboarding::import_limits::MAX_FILE_BYTES;
    use crate::onboarding::roster::Roster;
    use crate::onboarding::test_xlsx::{Cell, padded_workbook, sheet_xml, understate_sizes, workbook, workbook_parts};
    use std::io::Cursor;
    use std::time::{Duration, Instant};

    const NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    fn header_sheet() -> String {
        sheet_xml(&[vec![Cell::Text("name"), Cell::Text("email")], vec![Cell::Text("jsmith"), Cell::Text("j@x.com")]])
    }

    #[test]
    fn a_cell_at_the_far_corner_is_refused_without_allocating_up_to_it() {
        let sheet = format!(
            r#"<worksheet xmlns="{NS}"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#
        );
        let started = Instant::now();
        let error = read_sheet(Cursor::new(workbook(&[("Traders", sheet)])), None).unwrap_err();
        assert!(matches!(error, ImportError::TooManyRows), "{error}");
        assert!(error.to_string().starts_with("The sheet has more than 100,000 rows of traders"), "{error}");
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn a_cell_far_to_the_right_is_refused_with_its_column() {
        let sheet = format!(
            r#"<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="XFD1"><v>1</v></c></row></sheetData></worksheet>"#
        );
        let error = read_sheet(Cursor::new(workbook(&[("Traders", sheet)])), None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "The sheet has data in column 16384; at most 200 columns can be read. Delete the columns the roster does not need"
        );
    }

    #[test]
    fn empty_formatted_cells_far_away_are_not_data() {
        let sheet =
            header_sheet().replace("</sheetData>", r#"<row r="1048576"><c r="XFD1048576" s="1"/></row></sheetData>"#);
        let rows = read_sheet(Cursor::new(workbook(&[("Traders", sheet)])), None).unwrap().rows;
        assert_eq!(rows, [vec!["name", "email"], vec!["jsmith", "j@x.com"]]);
    }

    #[test]
    fn a_text_table_declaring_a_huge_count_is_refused_before_calamine_reserves_it() {
        let mut parts = workbook_parts(&[("Traders", header_sheet())]);
        parts.push((
            "xl/sharedStrings.xml".into(),
            format!(r#"<sst xmlns="{NS}" count="1" uniqueCount="100000000000"><si><t>x</t></si></sst>"#),
        ));
        let bytes = padded_workbook(&parts, "", 0);
        let error = read_sheet(Cursor::new(bytes), None).unwrap_err();
        assert!(matches!(error, ImportError::WorkbookTooLarge), "{error}");
    }

    #[test]
    fn a_text_table_beyond_its_cap_is_refused() {
        let mut parts = workbook_parts(&[("Traders", header_sheet())]);
        parts.push(("xl/sharedStrings.xml".into(), format!(r#"<sst xmlns="{NS}"><si><t>x</t></si></sst>"#)));
        let bytes = padded_workbook(&parts, "xl/sharedStrings.xml", MAX_TEXT_TABLE_BYTES + 1);
        let error = read_sheet(Cursor::new(bytes), None).unwrap_err();
        assert!(matches!(error, ImportError::WorkbookTooLarge), "{error}");
    }

    #[test]
    fn a_deflated_workbook_within_the_caps_still_reads() {
        let parts = workbook_parts(&[("Traders", header_sheet())]);
        let rows =
            read_sheet(Cursor::new(padded_workbook(&parts, "xl/worksheets/sheet1.xml", 1 << 20)), None).unwrap().rows;
        assert_eq!(rows.len(), 2);
    }

    /// Headers claiming 1 KB per part: unpacking stops at the claim (the zip crate checks
    /// it), so the lie ends in a message too, not in 300 MB.
    #[test]
    fn a_bomb_whose_headers_understate_its_size_is_refused_too() {
        let parts = workbook_parts(&[("Traders", header_sheet())]);
        let bomb = understate_sizes(padded_workbook(&parts, "xl/worksheets/sheet1.xml", 300 << 20));
        let started = Instant::now();
        let error = read_sheet(Cursor::new(bomb), None).unwrap_err();
        assert!(matches!(error, ImportError::Workbook(_)), "{error}");
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    }

    /// Where the child process finds the bomb, and how it reports back.
    const BOMB_PATH: &str = "PROPDESK_TEST_BOMB";

    #[cfg(target_os = "linux")]
    /// The "zip bomb": a 300 MB sheet in a file of a few hundred KB. Run in a child
    /// process so its peak memory is its own, not the other tests'.
    #[test]
    fn a_workbook_that_unpacks_past_the_cap_ends_in_a_message_within_5_s_and_200_mb() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bomb.xlsx");
        let parts = workbook_parts(&[("Traders", header_sheet())]);
        std::fs::write(&path, padded_workbook(&parts, "xl/worksheets/sheet1.xml", 300 << 20)).unwrap();
        let file_size = std::fs::metadata(&path).unwrap().len();
        assert!(file_size < MAX_FILE_BYTES, "{file_size}");
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "onboarding::workbook::tests::bomb_in_this_process", "--ignored", "--nocapture"])
            .env(BOMB_PATH, &path)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
        let value = |key: &str| -> u64 {
            let line = stdout.lines().find_map(|l| l.strip_prefix(key)).unwrap_or_else(|| panic!("{key}: {stdout}"));
            line.trim().parse().unwrap()
        };
        let (millis, peak_kb) = (value("bomb millis:"), value("bomb peak kB:"));
        println!("bomb of {file_size} bytes: refused in {millis} ms, peak RSS {peak_kb} kB");
        assert!(millis < 5_000, "{millis} ms");
        assert!(peak_kb < 200 * 1024, "{peak_kb} kB");
    }

    #[test]
    #[cfg(target_os = "linux")]
    #[ignore = "run by the bomb test in a child process"]
    fn bomb_in_this_process() {
        let path = std::env::var_os(BOMB_PATH).expect("path of the bomb");
        let started = Instant::now();
        let error = import_xlsx_file(&mut Roster::new(), std::path::Path::new(&path), None).unwrap_err();
        let millis = started.elapsed().as_millis();
        assert!(matches!(error, ImportError::WorkbookTooLarge), "{error}");
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let peak = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).unwrap().trim().trim_end_matches(" kB");
        println!("bomb millis: {millis}");
        println!("bomb peak kB: {peak}");
    }
}
