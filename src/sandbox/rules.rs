//! The sandbox's own field checks (never the client's): presence, types, lengths,
//! ISO country codes, e-mail shape. Each returns the errorText to send back.

use serde_json::Value;

pub type Check<T> = Result<T, String>;

/// A string field that may be absent; present but not a string is an error.
pub fn opt_str<'a>(body: &'a Value, key: &str) -> Check<Option<&'a str>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(format!("{key} must be a string")),
    }
}

/// A required, non-blank string field.
pub fn req_str<'a>(body: &'a Value, key: &str) -> Check<&'a str> {
    match opt_str(body, key)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(format!("{key} is required")),
    }
}

/// A whole number; absent is `None`; anything else (fraction, string, bool) is an error.
pub fn opt_i64(body: &Value, key: &str) -> Check<Option<i64>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_i64().map(Some).ok_or_else(|| format!("{key} must be an integer")),
    }
}

pub fn req_i64(body: &Value, key: &str) -> Check<i64> {
    opt_i64(body, key)?.ok_or_else(|| format!("{key} is required"))
}

pub fn opt_f64(body: &Value, key: &str) -> Check<Option<f64>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_f64().map(Some).ok_or_else(|| format!("{key} must be a number")),
    }
}

pub fn opt_bool(body: &Value, key: &str) -> Check<Option<bool>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(format!("{key} must be true or false")),
    }
}

/// A list of whole numbers; absent is empty.
pub fn opt_i64_list(body: &Value, key: &str) -> Check<Vec<i64>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => {
            items.iter().map(|v| v.as_i64().ok_or_else(|| format!("{key} must be a list of integers"))).collect()
        }
        Some(_) => Err(format!("{key} must be a list of integers")),
    }
}

/// Length in characters within `min..=max`.
pub fn len_between(key: &str, value: &str, min: usize, max: usize) -> Check<()> {
    let n = value.chars().count();
    if n < min || n > max {
        if min == max {
            return Err(format!("{key} must be exactly {min} characters"));
        }
        if min == 0 {
            return Err(format!("{key} must be at most {max} characters"));
        }
        return Err(format!("{key} must be {min}-{max} characters"));
    }
    Ok(())
}

/// The documented rule: first + last name longer than 60 characters together is refused.
pub fn combined_name(first: &str, last: &str) -> Check<()> {
    if first.chars().count() + last.chars().count() > 60 {
        return Err("firstName and lastName together must not exceed 60 characters".into());
    }
    Ok(())
}

/// `local@domain.tld`, no spaces, one `@`.
pub fn is_email(s: &str) -> bool {
    let mut parts = s.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && !s.chars().any(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// ISO 3166-1 alpha-2 (officially assigned codes), the sandbox's own copy.
const ISO_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS \
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK \
FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM \
JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS \
MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM \
US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Exactly two upper-case letters and an assigned ISO 3166-1 alpha-2 code.
pub fn is_iso_country(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) && ISO_ALPHA2.split_whitespace().any(|c| c == code)
}

/// A country field: exactly 2 characters, upper case, a real ISO code.
pub fn country(key: &str, value: &str) -> Check<()> {
    len_between(key, value, 2, 2)?;
    if !is_iso_country(value) {
        return Err(format!("{key} must be an ISO 3166-1 alpha-2 country code, got {value:?}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn iso_codes() {
        assert!(is_iso_country("US"));
        assert!(is_iso_country("DE"));
        assert!(!is_iso_country("us"));
        assert!(!is_iso_country("XX"));
        assert!(!is_iso_country("USA"));
        assert_eq!(ISO_ALPHA2.split_whitespace().count(), 249);
    }

    #[test]
    fn emails() {
        assert!(is_email("a.b@example.com"));
        assert!(!is_email("a@b"));
        assert!(!is_email("a b@example.com"));
        assert!(!is_email("a@@example.com"));
        assert!(!is_email("@example.com"));
    }

    #[test]
    fn fields() {
        let body = json!({"a": "x", "n": 5, "f": 1.5, "s": "7"});
        assert_eq!(req_str(&body, "a").unwrap(), "x");
        assert!(req_str(&body, "missing").unwrap_err().contains("required"));
        assert!(req_str(&body, "n").unwrap_err().contains("string"));
        assert_eq!(opt_i64(&body, "n").unwrap(), Some(5));
        assert!(opt_i64(&body, "f").is_err());
        assert!(opt_i64(&body, "s").is_err());
        assert!(len_between("x", "ab", 3, 64).is_err());
        assert!(combined_name(&"a".repeat(30), &"b".repeat(31)).is_err());
        assert!(combined_name(&"a".repeat(30), &"b".repeat(30)).is_ok());
    }
}
