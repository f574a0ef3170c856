//! ISO 3166-1 alpha-2 country codes: the only values Tradovate's `country` accepts in
//! practice, and a typo here would only surface as a rejected contact-info call.

/// The 249 officially assigned codes, sorted (binary search).
const CODES: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", //
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW",
    "BY", "BZ", //
    "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY",
    "CZ", //
    "DE", "DJ", "DK", "DM", "DO", "DZ", //
    "EC", "EE", "EG", "EH", "ER", "ES", "ET", //
    "FI", "FJ", "FK", "FM", "FO", "FR", //
    "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW",
    "GY", //
    "HK", "HM", "HN", "HR", "HT", "HU", //
    "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", //
    "JE", "JM", "JO", "JP", //
    "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", //
    "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", //
    "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV",
    "MW", "MX", "MY", "MZ", //
    "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", //
    "OM", //
    "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", //
    "QA", //
    "RE", "RO", "RS", "RU", "RW", //
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV", "SX",
    "SY", "SZ", //
    "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ", //
    "UA", "UG", "UM", "US", "UY", "UZ", //
    "VA", "VC", "VE", "VG", "VI", "VN", "VU", //
    "WF", "WS", //
    "YE", "YT", //
    "ZA", "ZM", "ZW",
];

/// Whether `code` (two letters, any case) is an assigned ISO country code.
pub fn is_country_code(code: &str) -> bool {
    code.len() == 2 && CODES.binary_search(&code.to_ascii_uppercase().as_str()).is_ok()
}

/// The code for a few things admins commonly type instead of a code.
pub fn suggest_code(typed: &str) -> Option<&'static str> {
    let key: String = typed.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
    Some(match key.as_str() {
        "usa" | "unitedstates" | "unitedstatesofamerica" | "america" => "US",
        "uk" | "unitedkingdom" | "greatbritain" | "england" | "scotland" | "wales" | "britain" => "GB",
        "canada" | "can" => "CA",
        "australia" | "aus" => "AU",
        "germany" | "deutschland" | "deu" => "DE",
        "france" | "fra" => "FR",
        "mexico" | "mex" => "MX",
        "india" | "ind" => "IN",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_and_unique_so_binary_search_works() {
        assert!(CODES.windows(2).all(|w| w[0] < w[1]));
        assert!(CODES.iter().all(|c| c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase())));
    }

    #[test]
    fn knows_real_codes_in_any_case_and_refuses_others() {
        for code in ["US", "GB", "de", "Ca", "ZW", "AD"] {
            assert!(is_country_code(code), "{code}");
        }
        for code in ["UK", "XX", "USA", "U", "", "EU", "ÜS"] {
            assert!(!is_country_code(code), "{code}");
        }
    }

    #[test]
    fn suggests_codes_for_common_names() {
        assert_eq!(suggest_code("United States"), Some("US"));
        assert_eq!(suggest_code("U.S.A."), Some("US"));
        assert_eq!(suggest_code("UK"), Some("GB"));
        assert_eq!(suggest_code("Narnia"), None);
    }
}
