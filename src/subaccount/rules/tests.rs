//! One test per client-detectable rule of seeds/004; each fails if its rule breaks.

use super::*;
use crate::subaccount::draft::{BirthDateInput, MarginType};
use crate::subaccount::examples::emily;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// The messages against `field`, checked on its own step.
fn problems(draft: &SubaccountDraft, field: DraftField) -> Vec<String> {
    check_step_on(draft, field.step(), today()).into_iter().filter(|p| p.field == field).map(|p| p.message).collect()
}

fn only_problem(draft: &SubaccountDraft, field: DraftField) -> String {
    let all = check_all_on(draft, today());
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0].field, field, "{all:#?}");
    assert!(to_request_on(draft, today()).is_err(), "to_request must refuse what the checks refuse");
    all[0].message.clone()
}

fn request(draft: &SubaccountDraft) -> CreatePartnerSubaccountRequest {
    to_request_on(draft, today()).unwrap_or_else(|p| panic!("{p:#?}"))
}

fn with(change: impl FnOnce(&mut SubaccountDraft)) -> SubaccountDraft {
    let mut draft = emily();
    change(&mut draft);
    draft
}

#[test]
fn the_seed_example_becomes_the_documented_body() {
    let body = serde_json::to_value(request(&emily())).unwrap();
    let expected = serde_json::json!({
        "ctaUserId": 12345, "riskCategoryId": 3, "marginType": "Hedger", "transferAmount": 5000.0,
        "authorizedIndividual": true, "firstName": "Emily", "lastName": "Johnson", "country": "US",
        "state": "NY", "streetAddress1": "123 Maple Avenue", "city": "Albany", "zipCode": "12207",
        "phone": "+1-518-555-0199", "citizenship": "US", "birthDate": {"year": 1985, "month": 7, "day": 14},
        "taxIdentifier": "123456789"
    });
    assert_eq!(body, expected);
    assert!(check_all_on(&emily(), today()).is_empty());
}

type Change = fn(&mut SubaccountDraft);

#[test]
fn missing_required_fields_are_named() {
    let cases: [(DraftField, Change); 15] = [
        (DraftField::CtaUserId, |d| d.trader.cta_user_id = " ".into()),
        (DraftField::RiskCategoryId, |d| d.account.risk_category_id.clear()),
        (DraftField::MarginType, |d| d.account.margin_type = None),
        (DraftField::TransferAmount, |d| d.account.transfer_amount.clear()),
        (DraftField::AuthorizedIndividual, |d| d.account.authorized_individual = None),
        (DraftField::FirstName, |d| d.identity.first_name.clear()),
        (DraftField::LastName, |d| d.identity.last_name = "  ".into()),
        (DraftField::Country, |d| d.address.country.clear()),
        (DraftField::State, |d| d.address.state.clear()),
        (DraftField::StreetAddress1, |d| d.address.street_address1.clear()),
        (DraftField::City, |d| d.address.city.clear()),
        (DraftField::ZipCode, |d| d.address.zip_code.clear()),
        (DraftField::Phone, |d| d.address.phone.clear()),
        (DraftField::Citizenship, |d| d.identity.citizenship.clear()),
        (DraftField::BirthDate, |d| d.identity.birth_date = BirthDateInput::default()),
    ];
    for (field, clear) in cases {
        let draft = with(clear);
        let message = only_problem(&draft, field);
        assert!(!message.is_empty());
        assert!(crate::subaccount::field_is_blank(&draft, field), "{field:?}");
    }
    assert_eq!(only_problem(&with(|d| d.address.city.clear()), DraftField::City), "Enter the city");
    assert_eq!(
        only_problem(&with(|d| d.identity.last_name.clear()), DraftField::LastName),
        "Enter the trader's last name as on their ID"
    );
}

/// (field, setter, shortest allowed, longest allowed) for every length rule of seeds/004.
#[test]
fn every_length_limit_is_enforced_at_its_boundary() {
    type Set = fn(&mut SubaccountDraft, String);
    let cases: [(DraftField, Set, usize, usize); 8] = [
        (DraftField::State, |d, v| d.address.state = v, 2, 64),
        (DraftField::StreetAddress1, |d, v| d.address.street_address1 = v, 3, 61),
        (DraftField::StreetAddress2, |d, v| d.address.street_address2 = v, 0, 61),
        (DraftField::City, |d, v| d.address.city = v, 2, 35),
        (DraftField::ZipCode, |d, v| d.address.zip_code = v, 4, 11),
        (DraftField::Phone, |d, v| d.address.phone = v, 1, 21),
        (DraftField::TraderReason, |d, v| d.account.trader_reason = v, 0, 8192),
        (DraftField::FirstName, |d, v| d.identity.first_name = v, 1, 64),
    ];
    for (field, set, min, max) in cases {
        let text = |n: usize| "a".repeat(n);
        // The first name also counts towards the combined limit; give it a one-letter last name.
        let draft_with = |n| {
            with(|d| {
                set(d, text(n));
                d.identity.last_name = "J".into();
            })
        };
        assert!(problems(&draft_with(max), field).is_empty(), "{field:?} at {max}");
        assert!(!problems(&draft_with(max + 1), field).is_empty(), "{field:?} at {}", max + 1);
        if min > 1 {
            assert!(problems(&draft_with(min), field).is_empty(), "{field:?} at {min}");
            assert!(!problems(&draft_with(min - 1), field).is_empty(), "{field:?} at {}", min - 1);
        }
    }
    let city = with(|d| d.address.city = "a".repeat(40));
    assert_eq!(problems(&city, DraftField::City), ["City is 40 characters; Tradovate allows 35"]);
    let zip = with(|d| d.address.zip_code = "123".into());
    assert_eq!(problems(&zip, DraftField::ZipCode), ["ZIP / postal code must be at least 4 characters"]);
    // Optional fields left blank are left out of the request.
    let sent = request(&emily());
    assert_eq!((sent.street_address2, sent.trader_reason, sent.auto_liq_profile_id), (None, None, None));
    let sent = request(&with(|d| d.address.street_address2 = " Apt 4 ".into()));
    assert_eq!(sent.street_address2.as_deref(), Some("Apt 4"));
}

#[test]
fn last_name_is_1_to_64_characters() {
    let draft = with(|d| {
        d.identity.first_name = "E".into();
        d.identity.last_name = "J".repeat(65);
    });
    assert_eq!(problems(&draft, DraftField::LastName), ["Last name is 65 characters; Tradovate allows 64"]);
    assert!(problems(&with(|d| d.identity.last_name = "J".into()), DraftField::LastName).is_empty());
}

#[test]
fn names_allow_letters_spaces_hyphens_apostrophes_and_periods_only() {
    for good in ["O'Brien-Smith Jr.", "José María", "Zoë", "李", "Ñúñez", "Anne-Marie"] {
        assert!(problems(&with(|d| d.identity.last_name = good.into()), DraftField::LastName).is_empty(), "{good}");
    }
    let draft = with(|d| d.identity.first_name = "Emily3_".into());
    assert_eq!(
        only_problem(&draft, DraftField::FirstName),
        "First name may contain only letters, spaces, hyphens (-), apostrophes (') and periods (.); remove “3” and “_”"
    );
    assert!(!problems(&with(|d| d.identity.last_name = "Smith@".into()), DraftField::LastName).is_empty());
    // A curly apostrophe is sent straight.
    assert_eq!(request(&with(|d| d.identity.last_name = "O’Brien".into())).last_name, "O'Brien");
}

#[test]
fn first_and_last_name_together_are_at_most_60() {
    let draft = with(|d| {
        d.identity.first_name = "A".repeat(30);
        d.identity.last_name = "B".repeat(33);
    });
    assert_eq!(
        only_problem(&draft, DraftField::LastName),
        "First and last name together are 63 characters; Tradovate allows 60"
    );
    let draft = with(|d| {
        d.identity.first_name = "A".repeat(30);
        d.identity.last_name = "B".repeat(30);
    });
    assert!(check_all_on(&draft, today()).is_empty());
}

#[test]
fn country_and_citizenship_must_be_real_iso_codes() {
    for (typed, message) in [
        ("XX", "XX is not a country code; choose the country from the list"),
        ("USA", "Use the two-letter code US for United States"),
        ("germany", "Use the two-letter code DE for Germany"),
        ("uk", "Use the two-letter code GB for United Kingdom"),
        ("U", "Country must be a two-letter country code, like US or DE"),
    ] {
        assert_eq!(only_problem(&with(|d| d.address.country = typed.into()), DraftField::Country), message);
    }
    assert_eq!(
        only_problem(&with(|d| d.identity.citizenship = "ZZ".into()), DraftField::Citizenship),
        "ZZ is not a country code; choose the country from the list"
    );
    // Letter case and spaces are normalised.
    let sent = request(&with(|d| {
        d.address.country = " us".into();
        d.identity.citizenship = "us ".into();
    }));
    assert_eq!((sent.country.as_str(), sent.citizenship.as_str()), ("US", "US"));
}

#[test]
fn us_citizens_need_a_9_digit_ssn() {
    let missing = with(|d| d.identity.tax_identifier = Secret::default());
    assert_eq!(only_problem(&missing, DraftField::TaxIdentifier), "A US citizen needs a Social Security number (SSN)");
    for typed in ["87654321", "8765432109", "876-54-321", "87a-65-4321", "876.54.3210"] {
        let draft = with(|d| d.identity.tax_identifier = Secret::new(typed));
        let message = only_problem(&draft, DraftField::TaxIdentifier);
        assert!(
            message.starts_with("SSN must be exactly 9 digits (dashes are fine: 123-45-6789)"),
            "{typed}: {message}"
        );
        assert!(!message.contains(typed));
    }
    for typed in ["123-45-6789", "123 45 6789", "123456789"] {
        let sent = request(&with(|d| d.identity.tax_identifier = Secret::new(typed)));
        assert_eq!(sent.tax_identifier.as_ref().map(Secret::expose), Some("123456789"));
        assert_eq!(sent.national_id, None);
    }
}

#[test]
fn ssns_the_ssa_never_issues_are_refused() {
    for typed in ["000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456", "123-00-4567", "123-45-0000"] {
        let draft = with(|d| d.identity.tax_identifier = Secret::new(typed));
        let message = only_problem(&draft, DraftField::TaxIdentifier);
        assert!(message.starts_with("This is not a valid SSN"), "{typed}: {message}");
    }
    assert!(to_request_on(&with(|d| d.identity.tax_identifier = Secret::new("899-99-9999")), today()).is_ok());
}

#[test]
fn non_us_citizens_need_a_national_id() {
    let german = |id: &str| {
        let id = Secret::new(id);
        with(move |d| {
            d.identity.citizenship = "de".into();
            d.identity.national_id = id;
        })
    };
    assert_eq!(
        only_problem(&german(""), DraftField::NationalId),
        "A citizen of Germany needs a national ID number (from the passport or ID card)"
    );
    assert_eq!(
        only_problem(&german("A"), DraftField::NationalId),
        "National ID must be 2 to 64 letters and digits; this one has 1"
    );
    assert!(!problems(&german(&"A".repeat(65)), DraftField::NationalId).is_empty());
    assert!(problems(&german(&"A".repeat(64)), DraftField::NationalId).is_empty());
    assert_eq!(
        only_problem(&german("L01X00T47#"), DraftField::NationalId),
        "National ID may contain only letters A-Z and digits 0-9 (spaces and dashes are removed)"
    );
    assert!(!problems(&german("ÄB12"), DraftField::NationalId).is_empty());
    // Spaces and dashes are removed; the SSN typed earlier for a US citizenship is not sent.
    let sent = request(&german("L01X-00T 47"));
    assert_eq!(sent.national_id.as_ref().map(Secret::expose), Some("L01X00T47"));
    assert_eq!(sent.tax_identifier, None);
    // No SSN is required for them.
    let mut no_ssn = german("L01X00T47");
    no_ssn.identity.tax_identifier = Secret::default();
    assert!(check_all_on(&no_ssn, today()).is_empty());
}

#[test]
fn birth_date_must_be_a_real_past_date() {
    let born = |y: &str, m: &str, day: &str| {
        let date = BirthDateInput { year: y.into(), month: m.into(), day: day.into() };
        with(move |d| d.identity.birth_date = date)
    };
    let field = DraftField::BirthDate;
    assert_eq!(only_problem(&born("1985", "", "14"), field), "Enter the year, month and day of birth");
    assert_eq!(only_problem(&born("1985", "2", "30"), field), "February 1985 has no day 30");
    assert_eq!(only_problem(&born("1985", "13", "1"), field), "The month must be 1 to 12");
    assert_eq!(only_problem(&born("85", "7", "14"), field), "The year must have four digits, like 1985");
    assert_eq!(
        only_problem(&born("1985", "July", "14"), field),
        "Year, month and day must be numbers, like 1985, 7, 14"
    );
    assert_eq!(only_problem(&born("2030", "1", "1"), field), "The date of birth must be in the past");
    assert_eq!(only_problem(&born("1890", "1", "1"), field), "That makes the trader 136 years old; check the year");
    assert!(check_all_on(&born("2000", "2", "29"), today()).is_empty(), "leap day");
    assert_eq!(request(&born("1985", "07", "14")).birth_date, TradeDate { year: 1985, month: 7, day: 14 });
    assert_eq!(
        BirthDateInput::from_date(NaiveDate::from_ymd_opt(1985, 7, 14).unwrap()),
        born("1985", "7", "14").identity.birth_date
    );
}

#[test]
fn under_18s_are_flagged_before_tradovate_denies_them() {
    let born = |y: &str, m: &str, day: &str| {
        let date = BirthDateInput { year: y.into(), month: m.into(), day: day.into() };
        with(move |d| d.identity.birth_date = date)
    };
    // Today is 2026-11-23: born 2008-11-24 is one day short of 18.
    assert_eq!(
        only_problem(&born("2008", "11", "24"), DraftField::BirthDate),
        "The trader is 17: Tradovate will deny applicants under 18"
    );
    assert!(check_all_on(&born("2008", "11", "23"), today()).is_empty(), "18 today");
}

#[test]
fn transfer_amount_is_a_positive_number() {
    let amount = |typed: &str| {
        let typed = typed.to_owned();
        with(move |d| d.account.transfer_amount = typed)
    };
    for (typed, expected) in [
        ("5000", 5000.0),
        ("5,000", 5000.0),
        ("$5000", 5000.0),
        ("$ 5,000.50", 5000.5),
        ("5000 USD", 5000.0),
        ("1,234,567.8", 1_234_567.8),
    ] {
        assert_eq!(request(&amount(typed)).transfer_amount, expected, "{typed}");
    }
    for (typed, message) in [
        ("0", "Transfer amount must be more than 0"),
        ("-5", "Transfer amount must be more than 0"),
        ("five", "Transfer amount must be a number, like 5000 or 5,000.00"),
        ("5,00", "Use commas only between thousands (5,000) and a period for cents (5000.50)"),
        ("50,00,000", "Use commas only between thousands (5,000) and a period for cents (5000.50)"),
        ("5000.555", "Transfer amount can have at most 2 decimal places (cents)"),
        ("5e3", "Transfer amount must be a number, like 5000 or 5,000.00"),
    ] {
        assert_eq!(only_problem(&amount(typed), DraftField::TransferAmount), message, "{typed}");
    }
}

#[test]
fn ids_are_positive_whole_numbers() {
    for bad in ["abc", "0", "-3", "1.5", "12 345"] {
        let draft = with(|d| d.trader.cta_user_id = bad.into());
        assert_eq!(
            only_problem(&draft, DraftField::CtaUserId),
            "Trader's user ID must be a whole number above 0, like 12345"
        );
        assert!(!problems(&with(|d| d.account.risk_category_id = bad.into()), DraftField::RiskCategoryId).is_empty());
        assert!(
            !problems(&with(|d| d.account.auto_liq_profile_id = bad.into()), DraftField::AutoLiqProfileId).is_empty()
        );
    }
    let sent = request(&with(|d| {
        d.trader.cta_user_id = " 42 ".into();
        d.account.auto_liq_profile_id = "7".into();
    }));
    assert_eq!((sent.cta_user_id, sent.auto_liq_profile_id), (42, Some(7)));
}

#[test]
fn margin_type_is_hedger_or_speculator() {
    assert_eq!(
        only_problem(&with(|d| d.account.margin_type = None), DraftField::MarginType),
        "Choose Hedger or Speculator"
    );
    assert_eq!(request(&with(|d| d.account.margin_type = Some(MarginType::Speculator))).margin_type, "Speculator");
    assert_eq!(MarginType::parse(" speculator "), Some(MarginType::Speculator));
    assert_eq!(MarginType::parse("Scalper"), None);
}

#[test]
fn authorized_individual_must_be_answered() {
    let draft = with(|d| d.account.authorized_individual = None);
    assert_eq!(
        only_problem(&draft, DraftField::AuthorizedIndividual),
        "Answer yes or no: is the trader an authorized individual?"
    );
    assert!(!request(&with(|d| d.account.authorized_individual = Some(false))).authorized_individual);
}

fn linked(poa: &str, id: &str, address: &str) -> SubaccountDraft {
    let ids =
        [poa, id, address].map(|t| if t.is_empty() { DocumentSlot::Empty } else { DocumentSlot::DocumentId(t.into()) });
    with(move |d| {
        let [poa, id, address] = ids;
        d.documents.poa_form = poa;
        d.documents.government_id = id;
        d.documents.address_proof = address;
    })
}

#[test]
fn pre_uploaded_documents_link_all_three_or_none() {
    let partial = linked("11", "", "");
    let found = check_all_on(&partial, today());
    let fields: Vec<DraftField> = found.iter().map(|p| p.field).collect();
    assert_eq!(
        fields,
        [DraftField::Document(DocumentType::Id), DraftField::Document(DocumentType::AddressVerificationFAFTA)]
    );
    assert_eq!(
        found[0].message,
        "Tradovate links pre-uploaded documents only as a full set: enter the document ID for Government ID and Proof of address too, or choose files for all three"
    );
    assert!(to_request_on(&partial, today()).is_err());
    // A file in one slot and IDs in the others is still a partial set.
    let mixed = with(|d| {
        d.documents.poa_form = DocumentSlot::DocumentId("11".into());
        d.documents.government_id = DocumentSlot::DocumentId("12".into());
    });
    assert_eq!(check_all_on(&mixed, today()).len(), 1);

    let sent = request(&linked("11", "12", "13"));
    assert_eq!((sent.poa_form_doc_id, sent.government_doc_id, sent.address_doc_id), (Some(11), Some(12), Some(13)));
    let body = serde_json::to_value(&sent).unwrap();
    assert_eq!(
        (body["pOAFormDocId"].as_i64(), body["governmentDocId"].as_i64(), body["addressDocId"].as_i64()),
        (Some(11), Some(12), Some(13))
    );
    assert_eq!(
        only_problem(&linked("11", "x", "13"), DraftField::Document(DocumentType::Id)),
        "Document ID must be a whole number above 0, like 12345"
    );
}

#[test]
fn without_ids_all_three_files_are_needed() {
    let draft = with(|d| d.documents.address_proof = DocumentSlot::Empty);
    assert_eq!(
        only_problem(&draft, DraftField::Document(DocumentType::AddressVerificationFAFTA)),
        "Choose the proof of address file (PDF, PNG, JPEG or plain text)"
    );
    let draft = with(|d| d.documents.poa_form = DocumentSlot::ChooseAgain { file_name: "poa.pdf".into() });
    assert_eq!(
        only_problem(&draft, DraftField::Document(DocumentType::PoaForm)),
        "Choose poa.pdf again: Propdesk does not keep document files after it closes"
    );
    // Files are uploaded after the request exists, so no IDs are sent.
    let sent = request(&emily());
    assert_eq!((sent.poa_form_doc_id, sent.government_doc_id, sent.address_doc_id), (None, None, None));
    assert_eq!(emily().documents.files().count(), 3);
}

#[test]
fn review_checks_everything() {
    let draft = with(|d| {
        d.trader.cta_user_id.clear();
        d.address.city.clear();
    });
    assert_eq!(check_step_on(&draft, Step::Review, today()), check_all_on(&draft, today()));
    assert_eq!(check_all_on(&draft, today()).len(), 2);
}

#[test]
fn messages_never_contain_the_ssn_or_national_id() {
    let draft = with(|d| {
        d.identity.tax_identifier = Secret::new("666-55-4444");
        d.identity.national_id = Secret::new("L01X00T47");
    });
    let shown = format!("{:?}", check_all_on(&draft, today()));
    assert!(!shown.contains("666-55-4444") && !shown.contains("666554444"), "{shown}");
}

#[test]
fn switching_every_slot_to_ids_asks_for_all_three() {
    let draft = linked(" ", " ", " ");
    let found = check_all_on(&draft, today());
    assert_eq!(found.len(), 3);
    assert!(found.iter().all(|p| p.message == "Enter the ID of each pre-uploaded document, or choose files instead"));
}

#[test]
fn id_messages_give_a_fitting_example() {
    assert_eq!(
        only_problem(&with(|d| d.account.risk_category_id = "three".into()), DraftField::RiskCategoryId),
        "Risk category ID must be a whole number above 0, like 3"
    );
    assert_eq!(
        only_problem(&with(|d| d.account.risk_category_id.clear()), DraftField::RiskCategoryId),
        "Enter the risk category ID, like 3"
    );
    assert_eq!(
        only_problem(&with(|d| d.account.transfer_amount = "9".repeat(400)), DraftField::TransferAmount),
        "Transfer amount is too large"
    );
}
