//! Writing the roster back out as CSV.
//!
//! Two exports on purpose: the roster export never contains passwords, so it can be
//! shared or kept as a record; the credentials hand-out is the only place passwords
//! leave the app in plain text, and only when the admin asks for it.

use super::roster::Roster;
use super::trader::Field;
use crate::safe_csv::SafeCsvWriter;
use std::io::Write;

/// The roster as CSV with the API's field names as headers, every column except the
/// password, cells as typed (formula-like cells quoted). Reads back with `import_csv`.
pub fn write_roster_csv<W: Write>(roster: &Roster, out: W) -> Result<(), csv::Error> {
    let fields: Vec<Field> = Field::ALL.into_iter().filter(|&f| f != Field::Password).collect();
    let mut writer = SafeCsvWriter::new(out);
    writer.write_record(fields.iter().map(|f| f.header()))?;
    for (_, trader) in roster.iter() {
        writer.write_record(fields.iter().map(|&f| trader.get(f)))?;
    }
    writer.flush()?;
    Ok(())
}

/// Columns of the credentials hand-out, in the order a trader needs them.
pub const CREDENTIAL_FIELDS: [Field; 6] =
    [Field::FirstName, Field::LastName, Field::Email, Field::Name, Field::Password, Field::AccountName];

/// The credentials hand-out: who logs in with which user name and password, in plain
/// text. Headers are the human labels (it is read by people, not imported).
pub fn write_credentials_csv<W: Write>(roster: &Roster, out: W) -> Result<(), csv::Error> {
    let mut writer = SafeCsvWriter::new(out);
    writer.write_record(CREDENTIAL_FIELDS.iter().map(|f| f.label()))?;
    for (_, trader) in roster.iter() {
        writer.write_record(CREDENTIAL_FIELDS.iter().map(|&f| trader.get(f)))?;
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboarding::import::import_csv;
    use crate::onboarding::validate::tests::good;

    fn roster() -> Roster {
        let mut roster = Roster::new();
        let mut t = good();
        t.set(Field::LastName, "Doe, Jr.".into());
        roster.add(t);
        roster
    }

    #[test]
    fn roster_export_has_api_headers_and_no_password() {
        let mut out = Vec::new();
        write_roster_csv(&roster(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let header = text.lines().next().unwrap();
        assert!(header.starts_with("name,email,firstName,lastName,streetAddress1"), "{header}");
        assert!(!header.contains("password"));
        assert!(!text.contains("Str0ng!Passw0rd"));
        assert!(text.contains("\"Doe, Jr.\""));
    }

    #[test]
    fn roster_export_reads_back_the_same() {
        let original = roster();
        let mut out = Vec::new();
        write_roster_csv(&original, &mut out).unwrap();
        let mut copy = Roster::new();
        let report = import_csv(&mut copy, &out).unwrap();
        assert!(report.unknown_columns.is_empty() && report.missing_columns.is_empty(), "{report:?}");
        let (a, b) = (original.iter().next().unwrap().1, copy.iter().next().unwrap().1);
        for f in Field::ALL.into_iter().filter(|&f| f != Field::Password) {
            assert_eq!(a.get(f), b.get(f), "{f:?}");
        }
        assert!(b.password.is_empty());
    }

    /// A trader whose name is a formula, as an attacker would type it.
    fn formula_roster() -> Roster {
        let mut roster = Roster::new();
        let mut t = good();
        t.set(Field::Name, "=HYPERLINK(\"x\")".into());
        t.set(Field::Phone, "+1 312 555 0100".into());
        roster.add(t);
        roster
    }

    #[test]
    fn roster_export_quotes_formulas_and_reads_them_back_unchanged() {
        let mut out = Vec::new();
        write_roster_csv(&formula_roster(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let row = text.lines().nth(1).unwrap();
        assert!(row.starts_with("\"'=HYPERLINK(\"\"x\"\")\","), "{row}");
        assert!(row.contains(",'+1 312 555 0100,"), "{row}");
        let mut copy = Roster::new();
        import_csv(&mut copy, text.as_bytes()).unwrap();
        let trader = copy.iter().next().unwrap().1;
        assert_eq!(trader.get(Field::Name), "=HYPERLINK(\"x\")");
        assert_eq!(trader.get(Field::Phone), "+1 312 555 0100");
    }

    #[test]
    fn credentials_handout_quotes_formulas() {
        let mut out = Vec::new();
        write_credentials_csv(&formula_roster(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let row = text.lines().nth(1).unwrap();
        assert_eq!(row, "Jane,Smith,jane.smith@example.com,\"'=HYPERLINK(\"\"x\"\")\",Str0ng!Passw0rd,TRADER0001");
    }

    #[test]
    fn credentials_handout_carries_the_password() {
        let mut out = Vec::new();
        write_credentials_csv(&roster(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "First name,Last name,Email,User name,Password,Account name\n\
             Jane,\"Doe, Jr.\",jane.smith@example.com,jsmith,Str0ng!Passw0rd,TRADER0001\n"
        );
    }
}
