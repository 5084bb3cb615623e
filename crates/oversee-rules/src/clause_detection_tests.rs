use super::*;

/// The suggestions alone (every test text is far below the cap).
fn analyze(text: &str) -> Vec<Suggestion> {
    let found = super::analyze(text);
    assert_eq!(found.total, found.suggestions.len());
    found.suggestions
}

fn found(text: &str, clause_type: &str) -> Option<Suggestion> {
    analyze(text)
        .into_iter()
        .filter(|s| s.clause_type == clause_type)
        .max_by(|a, b| a.confidence.total_cmp(&b.confidence))
}

fn types(text: &str) -> Vec<String> {
    let mut t: Vec<String> = analyze(text).into_iter().map(|s| s.clause_type).collect();
    t.sort();
    t.dedup();
    t
}

// 1
#[test]
fn model_security_measures_clause() {
    let t = "12.1 Security. Vendor shall implement and maintain appropriate administrative, technical and physical \
             safeguards to protect Personal Information against unauthorized access, use or disclosure.";
    let s = found(t, "security_measures").unwrap();
    assert!(s.confidence >= 0.85, "{s:?}");
    assert!(s.flags.is_empty());
}

// 2
#[test]
fn gdpr_style_technical_and_organisational_measures() {
    let t = "The Processor shall implement appropriate technical and organisational measures to ensure a level of security appropriate to the risk.";
    assert!(found(t, "security_measures").unwrap().confidence >= 0.85);
}

// 3
#[test]
fn written_information_security_program_is_a_medium_cue() {
    let t =
        "Supplier maintains a comprehensive written information security program that complies with applicable law.";
    let s = found(t, "security_measures").unwrap();
    assert_eq!(s.confidence, 0.65);
}

// 4
#[test]
fn negated_security_obligation_is_flagged_and_weak() {
    let t = "Notwithstanding the foregoing, Vendor shall not be required to implement and maintain any security measures beyond those described in its standard documentation.";
    let s = found(t, "security_measures").unwrap();
    assert!(s.flags.contains(&"negated".to_string()));
    assert!(s.confidence < 0.3, "{s:?}");
}

// 5
#[test]
fn endeavour_language_lowers_confidence() {
    let t = "Vendor will endeavor to implement and maintain reasonable security procedures.";
    let s = found(t, "security_measures").unwrap();
    assert!(s.flags.contains(&"weak_language".to_string()));
    assert!(s.confidence <= 0.6, "{s:?}");
}

// 6
#[test]
fn compliance_with_201_cmr_17_in_several_spellings() {
    for t in [
        "Contractor shall comply with 201 CMR 17.00 and M.G.L. c. 93H.",
        "Service Provider agrees to comply with 201 C.M.R. 17.00, the Standards for the Protection of Personal Information of Residents of the Commonwealth.",
        "Each party shall comply with the Massachusetts data security regulations.",
    ] {
        assert!(found(t, "compliance_201cmr17").is_some(), "{t}");
    }
}

// 7
#[test]
fn breach_notification_with_hours() {
    let t = "Vendor shall notify Customer in writing of any Security Incident within seventy-two (72) hours after discovery.";
    let s = found(t, "breach_notification").unwrap();
    assert!(s.confidence >= 0.85);
    assert_eq!(s.deadline, Some(Deadline { amount: 72, unit: "hours".into() }));
}

// 8
#[test]
fn breach_notification_with_business_days_in_words() {
    let t = "In the event of a breach of security, Supplier shall provide notice to Company within five business days.";
    let s = found(t, "breach_notification").unwrap();
    assert_eq!(s.deadline, Some(Deadline { amount: 5, unit: "business_days".into() }));
}

// 9
#[test]
fn breach_notification_without_a_number_has_no_deadline() {
    let t = "Processor will notify Controller without undue delay after becoming aware of a personal data breach.";
    let s = found(t, "breach_notification").unwrap();
    assert_eq!(s.deadline, None);
}

// 10
#[test]
fn subcontractor_flowdown_clause() {
    let t = "Vendor shall not subcontract any Services without Customer's prior written consent, and shall bind each subcontractor \
             to obligations no less protective than those set out in this Agreement.";
    let s = found(t, "subcontractor_flowdown").unwrap();
    assert!(s.confidence >= 0.85, "{s:?}");
}

// 11
#[test]
fn audit_rights_and_soc2() {
    let t =
        "Customer shall have the right to audit Vendor's security controls once per year upon thirty days' notice. \
             In lieu of an on-site audit, Vendor may provide its most recent SOC 2 Type II report.";
    let all = analyze(t);
    let audits: Vec<_> = all.iter().filter(|s| s.clause_type == "audit_rights").collect();
    assert_eq!(audits.len(), 2, "one per sentence: {audits:?}");
}

// 12
#[test]
fn return_or_destroy_with_certificate() {
    let t =
        "Upon termination or expiration of this Agreement, Vendor shall return or securely destroy all Customer Data \
             in accordance with NIST SP 800-88 and certify such destruction in writing.";
    let s = found(t, "return_or_destroy").unwrap();
    assert_eq!(s.confidence, 0.95, "several cues: {s:?}");
}

// 13
#[test]
fn encryption_and_access_controls_in_one_paragraph() {
    let t = "All Personal Information shall be encrypted at rest using AES-256 and in transit using TLS 1.2 or higher; \
             administrative access shall require multi-factor authentication and follow the principle of least privilege.";
    let ts = types(t);
    assert!(ts.contains(&"encryption".to_string()));
    assert!(ts.contains(&"access_controls".to_string()));
}

// 14
#[test]
fn insurance_clause() {
    let t = "Vendor shall maintain cyber liability insurance with limits of not less than $5,000,000 per claim and shall name Customer as an additional insured.";
    assert!(found(t, "insurance").unwrap().confidence >= 0.85);
}

// 15
#[test]
fn indemnification_for_breach_costs() {
    let t = "Vendor shall indemnify, defend and hold harmless Customer from all losses arising from a Security Incident, including notification costs and credit monitoring.";
    let s = found(t, "indemnification").unwrap();
    assert!(s.confidence >= 0.9);
}

// 16
#[test]
fn unrelated_boilerplate_suggests_nothing() {
    let t = "This Agreement shall be governed by the laws of the Commonwealth of Massachusetts. \
             Invoices are payable within thirty (30) days of receipt. Neither party may assign this Agreement without consent.";
    assert_eq!(types(t), Vec::<String>::new(), "{:?}", analyze(t));
}

// 17
#[test]
fn payment_terms_are_not_a_breach_deadline() {
    let t = "Customer shall pay each invoice within forty-five days.";
    assert!(found(t, "breach_notification").is_none());
}

// 18
#[test]
fn waiver_of_audit_is_negated() {
    let t = "Customer waives any right to audit or inspect Vendor's facilities.";
    let s = found(t, "audit_rights").unwrap();
    assert!(s.flags.contains(&"negated".to_string()));
}

#[test]
fn offsets_are_characters_and_point_at_the_provision() {
    let t = "Préambule — définitions.\n\nVendor shall encrypt all laptops.";
    let s = found(t, "encryption").unwrap();
    let chars: Vec<char> = t.chars().collect();
    let slice: String = chars[s.start..s.end].iter().collect();
    assert_eq!(slice, "Vendor shall encrypt all laptops.");
    assert_eq!(s.excerpt, slice);
}

#[test]
fn abbreviations_do_not_split_provisions() {
    let segs = segments("Comply with 201 C.M.R. 17.00 and U.S. law. Next sentence here.");
    assert_eq!(segs.len(), 2);
}

#[test]
fn deadlines_in_many_forms() {
    let d = |t: &str| extract_deadline(t).map(|d| (d.amount, d.unit));
    assert_eq!(d("within 24 hours"), Some((24, "hours".into())));
    assert_eq!(d("within ten (10) calendar days"), Some((10, "days".into())));
    assert_eq!(d("within twenty-four hours"), Some((24, "hours".into())));
    assert_eq!(d("within 2 business days"), Some((2, "business_days".into())));
    assert_eq!(d("promptly"), None);
}

#[test]
fn empty_text_has_no_suggestions() {
    assert!(analyze("").is_empty());
    assert!(analyze("   \n\n  ").is_empty());
}

/// Offsets are character offsets of each provision, counted once over the text: checked against
/// a recount from the start for every suggestion, across multi-byte characters.
#[test]
fn offsets_are_character_offsets_of_each_provision() {
    let text = "Präambel: Überblick. Vendor shall notify Customer of any Security Incident within 72 hours; \
        Vendor shall implement and maintain appropriate safeguards. Ω Vendor shall indemnify Customer.";
    let all = analyze(text);
    assert!(all.len() >= 3, "{all:?}");
    for s in &all {
        let slice: String = text.chars().skip(s.start).take(s.end - s.start).collect();
        assert_eq!(slice, s.excerpt, "{s:?}");
    }
}

/// "flow down;" repeated to 2 MiB: about 200,000 provisions, each a suggestion. The list stops at
/// the cap and says how many there were; the work is linear (the regex crate matches in linear
/// time, and offsets are carried forward), so this runs in well under a second in a release
/// build (measured in bench/README.md, not here).
#[test]
fn a_hostile_text_is_capped_and_counted() {
    let text = "Subcontractors are bound by flow down;".repeat(2 * 1024 * 1024 / 38);
    let found = super::analyze(&text);
    assert_eq!(found.suggestions.len(), MAX_SUGGESTIONS);
    assert!(found.total > 50_000, "{}", found.total);
    let last = found.suggestions.last().unwrap();
    let expected_start: usize = text.split_inclusive(';').take(MAX_SUGGESTIONS - 1).map(|p| p.chars().count()).sum();
    assert_eq!(last.start, expected_start);
}

#[test]
fn deadlines_in_the_forms_contracts_use() {
    let d = |t: &str| extract_deadline(t).map(|d| (d.amount, d.unit));
    assert_eq!(d("no later than forty-eight (48) hours after discovery"), Some((48, "hours".into())));
    assert_eq!(d("not later than ten calendar days"), Some((10, "days".into())));
    assert_eq!(d("in no event more than seventy two hours"), Some((72, "hours".into())));
    assert_eq!(d("in no case later than three (3) days"), Some((3, "days".into())));
    assert_eq!(d("not to exceed one hundred twenty hours"), Some((120, "hours".into())));
    assert_eq!(d("within 2 working days"), Some((2, "business_days".into())));
    assert_eq!(d("within five business days"), Some((5, "business_days".into())));
    assert_eq!(d("within a reasonable time"), None);
    assert_eq!(d("within banana hours"), None);
}

#[test]
fn numbered_sub_clauses_are_read_with_their_lead_in() {
    let t =
        "Upon termination, Supplier shall: (a) cease all use of Company Data; (b) destroy all copies of Company Data; \
             and (c) certify the destruction in writing.";
    let hits: Vec<Suggestion> = analyze(t).into_iter().filter(|s| s.clause_type == "return_or_destroy").collect();
    assert!(hits.len() >= 2, "{hits:?}");
    // Offsets stay the sub-clause's own.
    let b = hits.iter().find(|s| s.excerpt.starts_with("(b)")).expect("the (b) sub-clause");
    assert_eq!(t.chars().skip(b.start).take(3).collect::<String>(), "(b)");
}

/// A huge lead-in and many sub-clauses: only the lead-in's end is carried, so this stays linear.
#[test]
fn a_hostile_lead_in_does_not_make_the_work_quadratic() {
    let text =
        format!("{}: {}", "Supplier shall ".repeat(60_000), "(a) destroy data upon termination; ".repeat(20_000));
    let found = super::analyze(&text);
    assert!(found.total >= 20_000, "{}", found.total);
}
