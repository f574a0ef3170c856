//! Dollar amounts as admins type them: `50000`, `50,000`, `$50,000.00`.

/// Why a cell is not an amount; validation turns it into a message with the field's label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountError {
    NotANumber,
    /// Commas that are not thousands separators (`50.000,00`, `5,00`), which would
    /// otherwise be read as a very different amount.
    BadGrouping,
}

/// Reads an amount, forgiving a leading `$`, spaces and thousands commas. Signs are
/// kept, so the caller decides whether zero or negative is allowed.
pub fn parse_amount(text: &str) -> Result<f64, AmountError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (negative, rest) = match compact.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, compact.as_str()),
    };
    let rest = rest.strip_prefix('$').unwrap_or(rest);
    let (negative, rest) = match rest.strip_prefix('-') {
        Some(rest) if !negative => (true, rest),
        _ => (negative, rest),
    };
    if rest.is_empty() || !rest.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.') {
        return Err(AmountError::NotANumber);
    }
    let (whole, fraction) = match rest.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (rest, None),
    };
    if fraction.is_some_and(|f| f.contains(['.', ','])) {
        return Err(AmountError::BadGrouping);
    }
    if whole.contains(',') && !is_thousands_grouped(whole) {
        return Err(AmountError::BadGrouping);
    }
    let digits = format!("{}.{}", whole.replace(',', ""), fraction.unwrap_or("0"));
    let value: f64 = digits.parse().map_err(|_| AmountError::NotANumber)?;
    if !value.is_finite() {
        return Err(AmountError::NotANumber);
    }
    Ok(if negative { -value } else { value })
}

/// `1,234,567`: one to three digits, then groups of exactly three.
fn is_thousands_grouped(whole: &str) -> bool {
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or("");
    (1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_ways_admins_write_amounts() {
        assert_eq!(parse_amount("50000"), Ok(50000.0));
        assert_eq!(parse_amount("50,000"), Ok(50000.0));
        assert_eq!(parse_amount("$50000"), Ok(50000.0));
        assert_eq!(parse_amount("$ 50,000.00"), Ok(50000.0));
        assert_eq!(parse_amount("50000.00"), Ok(50000.0));
        assert_eq!(parse_amount("1,234,567.5"), Ok(1234567.5));
        assert_eq!(parse_amount(".5"), Ok(0.5));
        assert_eq!(parse_amount("-$100"), Ok(-100.0));
        assert_eq!(parse_amount("$-100"), Ok(-100.0));
    }

    #[test]
    fn refuses_text_and_ambiguous_commas() {
        assert_eq!(parse_amount(""), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("fifty"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("50k"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1e5"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("."), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("50.000,00"), Err(AmountError::BadGrouping));
        assert_eq!(parse_amount("5,00"), Err(AmountError::BadGrouping));
        assert_eq!(parse_amount("1.2.3"), Err(AmountError::BadGrouping));
    }
}
