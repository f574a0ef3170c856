//! Counting characters the way the limits are meant.
//!
//! Tradovate's limits are "characters". A person counts é or 李 as one, but a Java or
//! JavaScript server counts UTF-16 units, where an emoji or a rare CJK character is two.
//! We accept only what both readings accept: minimums use the smaller count (characters),
//! maximums the larger (UTF-16 units). For ordinary text the two are the same number.

/// Why a text is the wrong length, with the count the user should see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Length {
    TooShort(usize),
    TooLong(usize),
}

/// Characters as a person counts them.
pub(crate) fn char_count(text: &str) -> usize {
    text.chars().count()
}

/// Characters as a Java/JavaScript server counts them.
pub(crate) fn server_count(text: &str) -> usize {
    text.encode_utf16().count()
}

/// `Ok` when `text` has between `min` and `max` characters under both readings.
pub(crate) fn check_length(text: &str, min: usize, max: usize) -> Result<(), Length> {
    let chars = char_count(text);
    if chars < min {
        return Err(Length::TooShort(chars));
    }
    let units = server_count(text);
    if units > max {
        return Err(Length::TooLong(units));
    }
    Ok(())
}

/// "1 character" / "5 characters".
pub(crate) fn characters(n: usize) -> String {
    if n == 1 { "1 character".to_owned() } else { format!("{n} characters") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_count_twice_against_the_maximum_only() {
        assert_eq!(check_length("ab😀", 3, 4), Ok(()));
        assert_eq!(check_length("ab😀", 3, 3), Err(Length::TooLong(4)));
        assert_eq!(check_length("😀", 2, 4), Err(Length::TooShort(1)));
        assert_eq!(check_length("Zoë", 1, 3), Ok(()));
    }
}
