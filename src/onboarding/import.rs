//! Reading traders from the admin's spreadsheet: a CSV file, an Excel workbook, or cells
//! pasted from the clipboard.
//!
//! Every source becomes a table of text cells first, then one function maps columns to
//! fields and adds the rows, so all sources forgive the same things. Nothing is added
//! when the source cannot be read.

use super::import_limits::{
    MAX_CELLS, MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS, MAX_UNPACKED_BYTES, TableBudget, check_file_size, megabytes,
};
use super::risk::{RiskField, looks_like_risk};
use super::roster::{Roster, RowId};
use super::trader::{Field, Trader};
use super::workbook;
use crate::safe_csv;
use crate::subaccount::thousands;
use calamine::Data;
use std::io::{Read, Seek};
use std::path::Path;

/// What an import did, for the admin to review.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportReport {
    /// The new rows, in the source's order.
    pub added: Vec<RowId>,
    /// Whether the first row was read as column names.
    pub header_row: bool,
    /// Columns that match no roster field (ignored).
    pub unknown_columns: Vec<String>,
    /// Required fields no column provides (the rows will need them filled in).
    pub missing_columns: Vec<Field>,
    pub warnings: Vec<String>,
}

impl ImportReport {
    pub fn rows_added(&self) -> usize {
        self.added.len()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("Could not read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("The file could not be read as a CSV table: {0}")]
    Csv(String),
    #[error("The file could not be read as an Excel workbook (.xlsx): {0}")]
    Workbook(String),
    #[error("The workbook has no sheets")]
    NoSheets,
    #[error("There is no sheet named '{name}'; the workbook has: {}", .available.join(", "))]
    NoSuchSheet { name: String, available: Vec<String> },
    #[error("There is nothing to import: no rows were found")]
    Empty,
    /// Only the count of cells: a file without column names has trader data (maybe a
    /// password) in its first row, which must not end up in a message or a log.
    #[error(
        "None of the {0} cells in the first row is a known column name, so the file seems to have no row of column names. Add one above the traders, naming the columns after the fields, such as name, email, firstName, lastName, accountName, initialBalance"
    )]
    NoKnownColumns(usize),
    #[error(
        "The file is {size_mb} MB; at most {} MB can be imported at once. Split the roster into smaller files",
        megabytes(MAX_FILE_BYTES)
    )]
    FileTooLarge { size_mb: u64 },
    #[error(
        "The sheet has more than {} rows of traders; at most that many can be imported at once. Split the roster into smaller files",
        thousands(MAX_ROWS)
    )]
    TooManyRows,
    #[error(
        "The sheet has data in column {column}; at most {} columns can be read. Delete the columns the roster does not need",
        MAX_COLUMNS
    )]
    TooManyColumns { column: usize },
    #[error(
        "The sheet has more than {} cells; at most that many can be read at once. Delete unused columns or split the roster into smaller files",
        thousands(MAX_CELLS)
    )]
    TooManyCells,
    #[error(
        "The workbook unpacks to more than {} MB, far more than a roster needs, so it was not read (it may be damaged). Save it again from Excel, or save it as CSV",
        megabytes(MAX_UNPACKED_BYTES)
    )]
    WorkbookTooLarge,
}

/// Whether the first row must be column names (files) or may be data (pasted cells).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HeaderRule {
    Required,
    Detect,
}

/// The roster field a column name stands for. Forgives case, spaces and punctuation
/// (`First Name`, `first_name`, `FIRSTNAME`) and knows a few common synonyms.
pub fn match_header(header: &str) -> Option<Field> {
    let key = header_key(header);
    if key.is_empty() {
        return None;
    }
    Field::ALL
        .into_iter()
        .find(|f| header_key(f.header()) == key || header_key(f.label()) == key || synonyms(*f).contains(&key.as_str()))
}

/// A column that looks like a risk rule but is none of the 17 fields: its values are
/// NOT applied, and the admin is told so with the names that would work.
fn unknown_risk_column(header: &str) -> String {
    let names: Vec<&str> = RiskField::ALL.iter().map(|f| f.header()).collect();
    format!(
        "Column '{header}' looks like a risk rule but is not one Tradovate knows, so its values were NOT applied; \
         rename it to one of: {}",
        names.join(", ")
    )
}

fn header_key(header: &str) -> String {
    header.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Other names spreadsheets commonly give a column, already in `header_key` form.
fn synonyms(field: Field) -> &'static [&'static str] {
    match field {
        Field::Name => &["username", "user", "login", "loginname"],
        Field::Email => &["emailaddress", "mail"],
        Field::Password => &["pass", "pwd"],
        Field::FirstName => &["first", "givenname", "forename"],
        Field::LastName => &["last", "surname", "familyname"],
        Field::StreetAddress1 => &["address", "address1", "street", "streetaddress", "addressline1", "street1"],
        Field::StreetAddress2 => &["address2", "addressline2", "street2"],
        Field::City => &["town"],
        Field::State => &["province", "stateprovince", "region"],
        Field::PostCode => &["zip", "zipcode", "postalcode", "postcode", "postal"],
        Field::Country => &["countrycode"],
        Field::Phone => &["mobile", "telephone", "phonenumber", "tel", "cell", "mobilephone"],
        Field::AccountName => &["account", "accountname"],
        Field::InitialBalance => &["balance", "startingbalance", "startbalance", "accountsize"],
        Field::Risk(risk) => match risk {
            RiskField::DailyLossAutoLiq => &["dailyloss", "dailylosslimit"],
            RiskField::TrailingMaxDrawdown => &["trailingdrawdown", "maxdrawdown", "drawdown"],
            RiskField::TrailingMaxDrawdownMode => &["drawdownmode", "trailingdrawdownmode"],
            RiskField::WeeklyLossAutoLiq => &["weeklyloss", "weeklylosslimit"],
            RiskField::DailyProfitAutoLiq => &["dailyprofit", "dailyprofitlimit"],
            _ => &[],
        },
    }
}

/// A CSV file's bytes; the delimiter (`,` `;` or tab) is detected. The first row must
/// name the columns.
pub fn import_csv(roster: &mut Roster, bytes: &[u8]) -> Result<ImportReport, ImportError> {
    let (text, warning) = decode(bytes);
    let (delimiter, body) = match excel_separator_line(&text) {
        Some(found) => found,
        None => (detect_delimiter(&text, b','), text.as_str()),
    };
    check_file_size(bytes.len() as u64)?;
    let mut rows = read_delimited(body, delimiter)?;
    // Our own exports quote formula-like cells; read them back as they were typed.
    for cell in rows.iter_mut().flatten() {
        let restored = safe_csv::restore(cell);
        if restored.len() != cell.len() {
            *cell = restored.to_string();
        }
    }
    let mut report = add_table(roster, rows, HeaderRule::Required)?;
    report.warnings.extend(warning);
    Ok(report)
}

/// Like [`import_csv`], with the size checked before the file is read.
pub fn import_csv_file(roster: &mut Roster, path: &Path) -> Result<ImportReport, ImportError> {
    check_file_size(std::fs::metadata(path)?.len())?;
    import_csv(roster, &std::fs::read(path)?)
}

/// Cells copied from a spreadsheet (tab-separated lines). The first row is read as
/// column names when it looks like them; otherwise every row is a trader with the
/// columns in the roster's order.
pub fn import_pasted(roster: &mut Roster, text: &str) -> Result<ImportReport, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delimiter = detect_delimiter(text, b'\t');
    add_table(roster, read_delimited(text, delimiter)?, HeaderRule::Detect)
}

/// An Excel workbook: the named sheet (ignoring case), or the first one. The first row
/// must name the columns.
pub fn import_xlsx<RS: Read + Seek>(
    roster: &mut Roster,
    reader: RS,
    sheet: Option<&str>,
) -> Result<ImportReport, ImportError> {
    let sheet = workbook::read_sheet(reader, sheet)?;
    let numeric_postcodes = postcodes_stored_as_numbers(&sheet);
    let mut report = add_table(roster, sheet.rows, HeaderRule::Required)?;
    report.warnings.extend(numeric_postcodes);
    Ok(report)
}

/// Excel drops the leading zero of a postal code typed into a number cell (02134 becomes
/// 2134) and the file keeps only the number, so the zero cannot be recovered: say which
/// rows to check.
fn postcodes_stored_as_numbers(sheet: &workbook::Sheet) -> Option<String> {
    let header = sheet.rows.first()?;
    let column = header.iter().position(|cell| match_header(cell) == Some(Field::PostCode))?;
    let numeric: Vec<(usize, &str)> = (1..sheet.rows.len())
        .filter(|row| sheet.numbers.contains(&(*row, column)))
        .map(|row| (row + 1, sheet.rows[row][column].as_str()))
        .collect();
    let (first_row, first_value) = numeric.first()?;
    let count = match numeric.len() {
        1 => "1 postal code is stored as a number".to_string(),
        n => format!("{n} postal codes are stored as numbers"),
    };
    Some(format!(
        "{count} in the workbook, so leading zeros may have been lost (row {first_row}: {first_value}). \
         Check them, or format the column as Text in Excel and import again."
    ))
}

/// Like [`import_xlsx`], with the size checked before the file is read.
pub fn import_xlsx_file(roster: &mut Roster, path: &Path, sheet: Option<&str>) -> Result<ImportReport, ImportError> {
    check_file_size(std::fs::metadata(path)?.len())?;
    let file = std::io::BufReader::new(std::fs::File::open(path)?);
    import_xlsx(roster, file, sheet)
}

/// A workbook cell as the admin sees it: numbers without a trailing `.0`.
pub(super) fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        other => other.to_string(),
    }
}

fn number_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        (value as i64).to_string()
    } else {
        // Shortest text that reads back as the same number: 1234.5, not 1234.500000001.
        value.to_string()
    }
}

/// Spreadsheet programs save "CSV" in the computer's code page when not told otherwise;
/// such bytes are read as Latin-1 rather than refused.
fn decode(bytes: &[u8]) -> (String, Option<String>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), None),
        Err(_) => (
            bytes.iter().map(|&b| b as char).collect(),
            Some(
                "The file is not saved as UTF-8; it was read as Western European text. Check names with accents."
                    .to_string(),
            ),
        ),
    }
}

/// Excel's own hint on the first line (`sep=;`): the delimiter, and the text after it.
fn excel_separator_line(text: &str) -> Option<(u8, &str)> {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    match first.trim_end_matches('\r').strip_prefix("sep=")?.as_bytes() {
        [delimiter] => Some((*delimiter, rest)),
        _ => None,
    }
}

/// The delimiter used most in the first non-blank line (outside quotes).
fn detect_delimiter(text: &str, default: u8) -> u8 {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut counts = [(b'\t', 0usize), (b';', 0), (b',', 0)];
    let mut quoted = false;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(entry) = counts.iter_mut().find(|(d, _)| *d == b) {
            entry.1 += 1;
        }
    }
    let best = counts.iter().max_by_key(|(d, n)| (*n, *d == default)).expect("three candidates");
    if best.1 == 0 { default } else { best.0 }
}

fn read_delimited(text: &str, delimiter: u8) -> Result<Vec<Vec<String>>, ImportError> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut budget = TableBudget::default();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ImportError::Csv(e.to_string()))?;
        // Trailing empty cells (spreadsheets save many) are not columns.
        let cells: Vec<&str> = record.iter().collect();
        let width = cells.iter().rposition(|c| !c.trim().is_empty()).map_or(0, |last| last + 1);
        budget.add_row(rows.len(), width)?;
        rows.push(cells[..width].iter().map(|c| c.to_string()).collect());
    }
    Ok(rows)
}

fn is_blank(row: &[String]) -> bool {
    row.iter().all(|c| c.trim().is_empty())
}

/// Maps columns to fields and appends one trader per non-blank row.
fn add_table(roster: &mut Roster, mut rows: Vec<Vec<String>>, rule: HeaderRule) -> Result<ImportReport, ImportError> {
    for cell in rows.iter_mut().flatten() {
        *cell = cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}').to_string();
    }
    let start = rows.iter().position(|r| !is_blank(r)).ok_or(ImportError::Empty)?;
    rows.drain(..start);
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let has_data =
        |column: usize, rows: &[Vec<String>]| rows.iter().any(|r| r.get(column).is_some_and(|c| !c.is_empty()));

    let first = &rows[0];
    let matched: Vec<Option<Field>> = first.iter().map(|h| match_header(h)).collect();
    let hits = matched.iter().flatten().count();
    let named = first.iter().filter(|h| !h.is_empty()).count();
    let header_row = match rule {
        HeaderRule::Required if hits == 0 => return Err(ImportError::NoKnownColumns(named)),
        HeaderRule::Required => true,
        // Trader data almost never equals a column name, so two matches (or one in a
        // mostly recognised row) mean names, even among many columns of the firm's own.
        HeaderRule::Detect => hits >= 2 || (hits == 1 && hits * 2 >= named),
    };

    let mut report = ImportReport { header_row, ..ImportReport::default() };
    let data = if header_row { &rows[1..] } else { &rows[..] };
    let mut columns: Vec<Option<Field>> = Vec::with_capacity(width);
    if header_row {
        for column in 0..width {
            let header = first.get(column).map(String::as_str).unwrap_or("");
            let field = matched.get(column).copied().flatten();
            match field {
                Some(f) if columns.contains(&Some(f)) => {
                    report.warnings.push(format!(
                        "Column '{header}' is a second {} column; it was ignored",
                        f.label().to_lowercase()
                    ));
                    columns.push(None);
                }
                Some(f) => columns.push(Some(f)),
                None => {
                    if looks_like_risk(header) {
                        report.warnings.push(unknown_risk_column(header));
                    }
                    if !header.is_empty() {
                        report.unknown_columns.push(header.to_string());
                    } else if has_data(column, data) {
                        report.unknown_columns.push(format!("column {} (no name)", column + 1));
                    }
                    columns.push(None);
                }
            }
        }
    } else {
        columns.extend((0..width).map(|c| Field::ALL.get(c).copied()));
        for column in Field::ALL.len()..width {
            if has_data(column, data) {
                report.unknown_columns.push(format!("column {}", column + 1));
            }
        }
        report.warnings.push(format!(
            "The first row does not look like column names, so the columns were read in this order: {}",
            Field::ALL.map(Field::header).join(", ")
        ));
    }
    report.missing_columns = Field::REQUIRED.into_iter().filter(|f| !columns.contains(&Some(*f))).collect();

    let mut traders = Vec::new();
    for row in data.iter().filter(|r| !is_blank(r)) {
        let mut trader = Trader::default();
        for (cell, field) in row.iter().zip(&columns) {
            if let Some(field) = field {
                trader.set(*field, cell.clone());
            }
        }
        traders.push(trader);
    }
    let names: Vec<&str> = traders.iter().map(|t| t.name.as_str()).collect();
    let name_warning = full_names_warning(&names);
    report.added = traders.into_iter().map(|t| roster.add(t)).collect();
    if report.added.is_empty() {
        report.warnings.push("No traders were found below the column names".to_string());
    }
    report.warnings.extend(name_warning);
    Ok(report)
}

/// A "Name" column often holds full names; Tradovate's `name` is the log-in name.
fn full_names_warning(names: &[&str]) -> Option<String> {
    let spaced: Vec<&&str> = names.iter().filter(|name| name.contains(char::is_whitespace)).collect();
    let example = spaced.first()?;
    let count = match spaced.len() {
        1 => "1 user name contains".to_string(),
        n => format!("{n} user names contain"),
    };
    Some(format!(
        "{count} spaces, such as '{example}'. User names are what traders log in with; \
         if this column holds full names, put them in first and last name columns instead"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboarding::import_limits;
    use crate::onboarding::test_xlsx::{Cell, sheet_xml, workbook};
    use std::io::Cursor;

    fn cell(roster: &Roster, id: RowId, field: Field) -> String {
        roster.get(id).unwrap().get(field).to_string()
    }

    #[test]
    fn headers_match_forgivingly() {
        for (header, field) in [
            ("First Name", Field::FirstName),
            ("first_name", Field::FirstName),
            ("FIRSTNAME", Field::FirstName),
            ("first-name", Field::FirstName),
            ("First.Name", Field::FirstName),
            ("firstName", Field::FirstName),
            ("\u{feff}name", Field::Name),
            ("username", Field::Name),
            ("User", Field::Name),
            ("User name", Field::Name),
            ("E-mail", Field::Email),
            ("zip", Field::PostCode),
            ("Zip Code", Field::PostCode),
            ("postal code", Field::PostCode),
            ("Address", Field::StreetAddress1),
            ("address1", Field::StreetAddress1),
            ("Street", Field::StreetAddress1),
            ("Street Address 2", Field::StreetAddress2),
            ("account", Field::AccountName),
            ("Account Name", Field::AccountName),
            ("balance", Field::InitialBalance),
            ("Starting Balance", Field::InitialBalance),
            ("initial_balance", Field::InitialBalance),
            ("mobile", Field::Phone),
            ("Telephone", Field::Phone),
            ("trailing max drawdown mode", Field::Risk(RiskField::TrailingMaxDrawdownMode)),
            ("Daily loss limit", Field::Risk(RiskField::DailyLossAutoLiq)),
            ("Margin limit (percent)", Field::Risk(RiskField::MarginPercentageAutoLiq)),
            ("daily_loss_percentage_alert", Field::Risk(RiskField::DailyLossPercentageAlert)),
        ] {
            assert_eq!(match_header(header), Some(field), "{header}");
        }
        for unknown in ["", "Notes", "Full name", "Plan"] {
            assert_eq!(match_header(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn csv_with_commas_quotes_and_a_bom() {
        let csv = "\u{feff}User Name,Email,First Name,Last Name,Account,Balance,Notes\n\
                   jsmith , jane@example.com,Jane,Smith,TRADER0001,\"50,000\",vip\n\
                   \n\
                   bdoe,bob@example.com,Bob,\"Doe, Jr.\",TRADER0002,25000,\n";
        let mut roster = Roster::new();
        let report = import_csv(&mut roster, csv.as_bytes()).unwrap();
        assert_eq!(report.rows_added(), 2, "{report:?}");
        assert!(report.header_row);
        assert_eq!(report.unknown_columns, ["Notes"]);
        assert_eq!(report.missing_columns, Vec::<Field>::new());
        let (a, b) = (report.added[0], report.added[1]);
        assert_eq!(cell(&roster, a, Field::Name), "jsmith");
        assert_eq!(cell(&roster, a, Field::InitialBalance), "50,000");
        assert_eq!(cell(&roster, b, Field::LastName), "Doe, Jr.");
    }

    #[test]
    fn csv_delimiter_is_detected() {
        for (delimiter, label) in [(";", "semicolon"), ("\t", "tab"), (",", "comma")] {
            let csv = ["name", "email", "firstName", "lastName"].join(delimiter)
                + "\n"
                + &["jsmith", "j@example.com", "Jane", "Smith"].join(delimiter);
            let mut roster = Roster::new();
            let report = import_csv(&mut roster, csv.as_bytes()).unwrap();
            let id = report.added[0];
            assert_eq!(cell(&roster, id, Field::LastName), "Smith", "{label}");
            assert_eq!(report.missing_columns, [Field::AccountName, Field::InitialBalance], "{label}");
        }
    }

    #[test]
    fn excel_separator_hint_is_obeyed() {
        let mut roster = Roster::new();
        let report = import_csv(&mut roster, b"sep=;\r\nname;lastName\r\njsmith;Smith, Jr.\r\n").unwrap();
        assert_eq!(cell(&roster, report.added[0], Field::LastName), "Smith, Jr.");
    }

    #[test]
    fn full_names_in_the_user_name_column_are_pointed_out() {
        let mut roster = Roster::new();
        let report = import_csv(&mut roster, b"Name,Email\nJane Smith,j@example.com\njsmith2,k@example.com\n").unwrap();
        assert_eq!(cell(&roster, report.added[0], Field::Name), "Jane Smith");
        assert!(report.warnings.iter().any(|w| w.starts_with("1 user name contains spaces, such as 'Jane Smith'")));
    }

    #[test]
    fn csv_in_a_windows_code_page_is_read_as_latin1() {
        let mut bytes = b"name;firstName;lastName\njmuller;J\xfcrgen;M\xfcller\n".to_vec();
        bytes.extend_from_slice(b"");
        let mut roster = Roster::new();
        let report = import_csv(&mut roster, &bytes).unwrap();
        assert_eq!(cell(&roster, report.added[0], Field::FirstName), "Jürgen");
        assert!(report.warnings[0].contains("not saved as UTF-8"));
    }

    #[test]
    fn csv_without_any_known_column_is_refused_and_adds_nothing() {
        let mut roster = Roster::new();
        let err = import_csv(&mut roster, b"Foo,Bar\n1,2\n").unwrap_err();
        assert!(matches!(err, ImportError::NoKnownColumns(2)), "{err}");
        assert!(roster.is_empty());
        assert!(matches!(import_csv(&mut roster, b"\n \n"), Err(ImportError::Empty)));
    }

    #[test]
    fn a_file_without_column_names_is_refused_without_repeating_its_cells() {
        let mut roster = Roster::new();
        let err = import_csv(&mut roster, b"jsmith,Str0ng!Passw0rd,123-45-6789\n").unwrap_err();
        let message = err.to_string();
        assert!(message.starts_with("None of the 3 cells in the first row is a known column name"), "{message}");
        for secret in ["jsmith", "Str0ng", "123-45-6789"] {
            assert!(!message.contains(secret), "{message}");
        }
    }

    #[test]
    fn a_csv_over_20_mb_is_refused_before_it_is_parsed() {
        let mut big = b"name\n".to_vec();
        big.resize(import_limits::MAX_FILE_BYTES as usize + 1, b'x');
        let err = import_csv(&mut Roster::new(), &big).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The file is 21 MB; at most 20 MB can be imported at once. Split the roster into smaller files"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.csv");
        // Sparse: refused from the file system's size, never read.
        std::fs::File::create(&path).unwrap().set_len(1 << 32).unwrap();
        let err = import_csv_file(&mut Roster::new(), &path).unwrap_err();
        assert!(matches!(err, ImportError::FileTooLarge { size_mb: 4096 }), "{err}");
        let err = import_xlsx_file(&mut Roster::new(), &path.with_extension("xlsx"), None).unwrap_err();
        assert!(matches!(err, ImportError::Io(_)), "a missing file is an I/O error: {err}");
    }

    #[test]
    fn at_most_100000_traders_at_once() {
        let rows = |n: usize| {
            let mut text = String::from("name\n");
            for i in 0..n {
                text.push_str(&format!("u{i}\n"));
            }
            text
        };
        let mut roster = Roster::new();
        let report = import_csv(&mut roster, rows(import_limits::MAX_ROWS).as_bytes()).unwrap();
        assert_eq!(report.rows_added(), 100_000);
        let err = import_csv(&mut Roster::new(), rows(import_limits::MAX_ROWS + 1).as_bytes()).unwrap_err();
        assert!(err.to_string().starts_with("The sheet has more than 100,000 rows of traders"), "{err}");
    }

    #[test]
    fn at_most_200_columns_but_trailing_empty_cells_are_not_columns() {
        let wide = format!("name{}\njsmith\n", ",".repeat(5_000));
        let report = import_csv(&mut Roster::new(), wide.as_bytes()).unwrap();
        assert_eq!(report.rows_added(), 1);
        let too_wide = format!("name{},x\njsmith\n", ",".repeat(250));
        let err = import_csv(&mut Roster::new(), too_wide.as_bytes()).unwrap_err();
        assert!(matches!(err, ImportError::TooManyColumns { column: 252 }), "{err}");
    }

    #[test]
    fn duplicate_and_nameless_columns_are_reported() {
        let mut roster = Roster::new();
        let report = import_csv(&mut roster, b"Zip,Postal Code,,name\n12345,99999,stray,jsmith\n").unwrap();
        assert_eq!(cell(&roster, report.added[0], Field::PostCode), "12345");
        assert_eq!(report.warnings, ["Column 'Postal Code' is a second postal code column; it was ignored"]);
        assert_eq!(report.unknown_columns, ["column 3 (no name)"]);
    }

    #[test]
    fn pasted_cells_with_a_header_row() {
        let text = "Email\tUsername\tFirst name\tLast name\r\njane@example.com\tjsmith\tJane\tSmith\r\n";
        let mut roster = Roster::new();
        let report = import_pasted(&mut roster, text).unwrap();
        assert!(report.header_row);
        assert_eq!(report.rows_added(), 1);
        assert_eq!(cell(&roster, report.added[0], Field::Name), "jsmith");
        assert_eq!(cell(&roster, report.added[0], Field::Email), "jane@example.com");
    }

    #[test]
    fn pasted_header_row_among_many_unknown_columns_is_still_a_header() {
        let text = "Username\tEmail\tPlan\tCoach\tNotes\tGroup\njsmith\tj@example.com\tgold\tAl\t\tA\n";
        let mut roster = Roster::new();
        let report = import_pasted(&mut roster, text).unwrap();
        assert!(report.header_row);
        assert_eq!(report.rows_added(), 1);
        assert_eq!(report.unknown_columns, ["Plan", "Coach", "Notes", "Group"]);
    }

    #[test]
    fn a_data_row_with_one_cell_like_a_column_name_is_still_data() {
        let text = "user\tuser@example.com\t\tJane\tSmith\n";
        let mut roster = Roster::new();
        let report = import_pasted(&mut roster, text).unwrap();
        assert!(!report.header_row);
        assert_eq!(cell(&roster, report.added[0], Field::Name), "user");
    }

    #[test]
    fn pasted_cells_without_a_header_row_use_column_order() {
        let width = Field::ALL.len() + 1;
        let mut second = vec![""; width];
        for (field, value) in [
            (Field::Name, "bdoe"),
            (Field::Email, "bob@example.com"),
            (Field::FirstName, "Bob"),
            (Field::LastName, "Doe"),
            (Field::AccountName, "TRADER0002"),
            (Field::InitialBalance, "25000"),
        ] {
            second[Field::ALL.iter().position(|f| *f == field).unwrap()] = value;
        }
        second[width - 1] = "extra";
        let text = format!("jsmith\tjane@example.com\t\tJane\tSmith\n{}\n", second.join("\t"));
        let text = text.as_str();
        let mut roster = Roster::new();
        let report = import_pasted(&mut roster, text).unwrap();
        assert!(!report.header_row);
        assert_eq!(report.rows_added(), 2);
        assert_eq!(cell(&roster, report.added[0], Field::FirstName), "Jane");
        assert_eq!(cell(&roster, report.added[1], Field::AccountName), "TRADER0002");
        assert_eq!(cell(&roster, report.added[1], Field::InitialBalance), "25000");
        assert_eq!(report.unknown_columns, [format!("column {width}")]);
        assert!(report.warnings[0].starts_with("The first row does not look like column names"));
    }

    #[test]
    fn numbers_render_without_float_noise() {
        assert_eq!(cell_text(&Data::Float(50000.0)), "50000");
        assert_eq!(cell_text(&Data::Float(4155550100.0)), "4155550100");
        assert_eq!(cell_text(&Data::Float(1234.5)), "1234.5");
        assert_eq!(cell_text(&Data::Float(0.1 + 0.2)), "0.30000000000000004");
        assert_eq!(cell_text(&Data::Int(7)), "7");
        assert_eq!(cell_text(&Data::Empty), "");
    }

    fn fixture() -> Vec<u8> {
        use Cell::{Number, Text};
        let notes = sheet_xml(&[vec![Text("Read me first")]]);
        let traders = sheet_xml(&[
            vec![
                Text("Username"),
                Text("E-mail"),
                Text("First Name"),
                Text("Last Name"),
                Text("Phone"),
                Text("Account Name"),
                Text("Starting Balance"),
                Text("Daily Loss Limit"),
            ],
            vec![
                Text("jsmith"),
                Text("jane@example.com"),
                Text(" Jane "),
                Text("Smith"),
                Number(3125550100.0),
                Text("TRADER0001"),
                Number(50000.0),
                Number(1250.5),
            ],
        ]);
        workbook(&[("Notes", notes), ("Traders", traders)])
    }

    #[test]
    fn xlsx_named_sheet_with_numbers_as_plain_text() {
        let mut roster = Roster::new();
        let report = import_xlsx(&mut roster, Cursor::new(fixture()), Some("traders")).unwrap();
        assert_eq!(report.rows_added(), 1, "{report:?}");
        let id = report.added[0];
        assert_eq!(cell(&roster, id, Field::Name), "jsmith");
        assert_eq!(cell(&roster, id, Field::FirstName), "Jane");
        assert_eq!(cell(&roster, id, Field::Phone), "3125550100");
        assert_eq!(cell(&roster, id, Field::InitialBalance), "50000");
        assert_eq!(cell(&roster, id, Field::Risk(RiskField::DailyLossAutoLiq)), "1250.5");
        assert!(report.unknown_columns.is_empty());
    }

    #[test]
    fn xlsx_postal_codes_stored_as_numbers_are_flagged() {
        use Cell::{Number, Text};
        let traders = sheet_xml(&[
            vec![Text("Username"), Text("Zip Code")],
            vec![Text("boston1"), Number(2134.0)],
            vec![Text("london2"), Text("SW1A 1AA")],
            vec![Text("typed3"), Text("02134")],
        ]);
        let mut roster = Roster::new();
        let report = import_xlsx(&mut roster, Cursor::new(workbook(&[("Traders", traders)])), None).unwrap();
        assert_eq!(cell(&roster, report.added[2], Field::PostCode), "02134", "text cells keep their zeros");
        let warning = report.warnings.iter().find(|w| w.contains("postal code")).expect("a warning");
        assert!(warning.starts_with("1 postal code is") && warning.contains("row 2: 2134"), "{warning}");
        let mut roster = Roster::new();
        let report = import_xlsx(&mut roster, Cursor::new(fixture()), Some("Traders")).unwrap();
        assert!(report.warnings.iter().all(|w| !w.contains("postal")), "no postcode column, no warning");
    }

    #[test]
    fn xlsx_first_sheet_by_default_and_unknown_sheet_names_the_sheets() {
        let mut roster = Roster::new();
        let err = import_xlsx(&mut roster, Cursor::new(fixture()), None).unwrap_err();
        assert!(matches!(err, ImportError::NoKnownColumns(_)), "first sheet is Notes: {err}");
        let err = import_xlsx(&mut roster, Cursor::new(fixture()), Some("Sheet9")).unwrap_err();
        assert_eq!(err.to_string(), "There is no sheet named 'Sheet9'; the workbook has: Notes, Traders");
        let err = import_xlsx(&mut roster, Cursor::new(b"not a zip".to_vec()), None).unwrap_err();
        assert!(matches!(err, ImportError::Workbook(_)), "{err}");
        assert!(roster.is_empty());
    }

    #[test]
    fn xlsx_file_from_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roster.xlsx");
        std::fs::write(&path, fixture()).unwrap();
        let mut roster = Roster::new();
        let report = import_xlsx_file(&mut roster, &path, Some("Traders")).unwrap();
        assert_eq!(report.rows_added(), 1);
    }

    #[test]
    fn every_post_trade_risk_column_is_kept_and_an_unknown_risk_column_is_reported() {
        let risk_headers: Vec<&str> = RiskField::ALL.iter().map(|f| f.header()).collect();
        let values: Vec<String> = RiskField::ALL.iter().enumerate().map(|(i, _)| format!("{}", i + 1)).collect();
        let text = format!(
            "name,email,{},maxContracts\njsmith,jane@example.com,{},5\n",
            risk_headers.join(","),
            values.join(",")
        );
        let mut roster = Roster::new();
        let report = import_csv(&mut roster, text.as_bytes()).unwrap();
        let id = report.added[0];
        for (i, field) in RiskField::ALL.iter().enumerate() {
            assert_eq!(cell(&roster, id, Field::Risk(*field)), values[i], "{field:?}");
        }
        assert_eq!(report.unknown_columns, ["maxContracts"]);
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.starts_with("Column 'maxContracts' looks like a risk rule") && w.contains("NOT applied")),
            "{:?}",
            report.warnings
        );
    }
}
