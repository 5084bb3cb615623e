//! Rule-based clause detection: suggests which protective clauses a contract text holds.
//!
//! The text is cut into segments (sentences, `;`-separated provisions, paragraphs). Each segment
//! is matched against the cue lists below (DOMAIN.md section 6). A suggestion's confidence comes
//! from its strongest cue (strong 0.85, medium 0.65, weak 0.40), plus 0.05 for each further
//! distinct cue of the same type in the segment (at most 0.95). Supporting cues (a deadline,
//! "promptly") add to a suggestion but never make one alone. Then:
//!
//! * **negation** ("shall not be required to", "no obligation", "need not") multiplies the
//!   confidence by 0.25 and flags `negated`;
//! * **weak language** ("endeavor", "commercially reasonable", "where practicable") subtracts
//!   0.25 (floor 0.10) and flags `weak_language`.
//!
//! For `breach_notification` the deadline ("within 72 hours", "within five (5) business days") is
//! extracted as a number and unit. Suggestions are never facts: legal accepts them one by one.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Strength {
    Strong,
    Medium,
    Weak,
    /// Adds confidence beside another cue but never suggests a clause alone ("within 30 days"
    /// also ends payment terms).
    Support,
}

impl Strength {
    fn base(self) -> f64 {
        match self {
            Strength::Strong => 0.85,
            Strength::Medium => 0.65,
            Strength::Weak => 0.40,
            Strength::Support => 0.0,
        }
    }
}

struct Cue {
    name: &'static str,
    strength: Strength,
    pattern: Regex,
}

struct ClauseCues {
    clause_type: &'static str,
    cues: Vec<Cue>,
}

fn cue(name: &'static str, strength: Strength, pattern: &str) -> Cue {
    Cue { name, strength, pattern: Regex::new(&format!("(?i){pattern}")).expect("cue patterns are valid") }
}

use Strength::*;

/// The cue lists, per clause type. Patterns are case-insensitive; `[^.;]{0,N}` keeps a cue's
/// parts inside one provision.
static CUES: LazyLock<Vec<ClauseCues>> = LazyLock::new(|| {
    vec![
        ClauseCues {
            clause_type: "security_measures",
            cues: vec![
                cue(
                    "implement and maintain ... safeguards",
                    Strong,
                    r"(implement\w*|put\s+in\s+place|establish\w*|adopt\w*)\s+(and|or)\s+(maintain\w*|keep\s+(up|in\s+place))[^.;]{0,160}?(safeguards|security\s+(measures|procedures|controls|program))",
                ),
                cue(
                    "appropriate administrative, technical and physical safeguards",
                    Strong,
                    r"((administrative|technical|physical|electronic|procedural|organi[sz]ational),?\s+(and\s+|or\s+)?){2,}(safeguards|security\s+measures|measures)",
                ),
                cue("information security program", Medium, r"(written\s+)?information\s+security\s+program|\bWISP\b"),
                cue(
                    "security measures no less rigorous than",
                    Medium,
                    r"(security\s+(measures|controls|procedures|safeguards)|safeguards)\s+(that\s+are\s+)?(no\s+less|at\s+least\s+as)\s+(rigorous|protective|stringent|secure)",
                ),
                cue(
                    "personal information shall be safeguarded",
                    Medium,
                    &format!(
                        r"{PI}\s+(shall|must|will)\s+be\s+(safeguarded|protected|secured|kept\s+secure)\s+(by|using|with|through)\s+([\w-]+\s+){{0,4}}(security\s+(measures|controls|procedures|safeguards)|safeguards)"
                    ),
                ),
                cue(
                    "protect against unauthorized access or use",
                    Weak,
                    r"(protect|safeguard)\w*[^.;]{0,80}(unauthori[sz]ed\s+(access|use|disclosure)|accidental\s+(loss|destruction))",
                ),
            ],
        },
        ClauseCues {
            clause_type: "compliance_201cmr17",
            cues: vec![
                cue("201 CMR 17", Strong, r"201\s*C\.?\s*M\.?\s*R\.?\s*(§\s*)?17"),
                cue(
                    "Standards for the Protection of Personal Information",
                    Strong,
                    r"standards\s+for\s+the\s+protection\s+of\s+personal\s+information",
                ),
                cue("M.G.L. c. 93H", Medium, r"(chapter|\bch\.?|\bc\.)\s*93H"),
                cue(
                    "Massachusetts data security regulations",
                    Medium,
                    r"massachusetts\s+(data\s+security|privacy|data\s+protection)\s+(regulations?|laws?)",
                ),
            ],
        },
        ClauseCues {
            clause_type: "breach_notification",
            cues: vec![
                cue("notify ... security incident", Strong, &format!(r"{NOTIFY}[^.;]{{0,120}}{INCIDENT}")),
                cue(
                    "security incident ... notify",
                    Strong,
                    &format!(r"{INCIDENT}[^.;]{{0,160}}({NOTIFY}|\breported\s+to)"),
                ),
                cue("within N hours/days", Support, DEADLINE_PHRASE),
                cue(
                    "promptly / without undue delay",
                    Support,
                    r"\b(immediately|promptly|without\s+(undue|unreasonable)\s+delay)\b",
                ),
            ],
        },
        ClauseCues {
            clause_type: "subcontractor_flowdown",
            cues: vec![
                cue(
                    "subcontractors bound by the same obligations",
                    Strong,
                    r"(subcontractor|sub-?processor|agent|third\s+part(y|ies))s?[^.;]{0,200}(no\s+less\s+(protective|stringent|restrictive)|at\s+least\s+as\s+(protective|stringent|restrictive)|same\s+(obligations|restrictions|conditions|terms))",
                ),
                cue("flow down", Strong, r"flow[\s-]*down"),
                cue(
                    "prior written consent to subcontract",
                    Medium,
                    r"(subcontract|sub-?process|engage\s+any\s+(subcontractor|sub-?processor))[^.;]{0,120}prior\s+written\s+consent|prior\s+written\s+consent[^.;]{0,120}(subcontract|sub-?processor)",
                ),
            ],
        },
        ClauseCues {
            clause_type: "audit_rights",
            cues: vec![
                cue(
                    "right to audit or inspect",
                    Strong,
                    r"(right|entitled|permit\w*|allow\w*)\s+(\w+\s+){0,3}to\s+(audit|inspect)",
                ),
                cue("on-site audit", Strong, r"on-?site\s+(audit|inspection|assessment)"),
                cue(
                    "allow for and contribute to audits",
                    Strong,
                    r"(allow|permit|submit|contribute)\w*\s+(for\s+|to\s+)?(and\s+contribute\s+to\s+)?(audits|inspections)",
                ),
                cue(
                    "audit of books, records or systems",
                    Medium,
                    r"\baudit\w*[^.;]{0,80}(books\s+and\s+records|facilities|systems|security\s+controls)",
                ),
                cue("SOC 2 / ISO 27001 report", Medium, r"SOC\s*2|ISO\s*(/\s*IEC\s*)?27001"),
                cue("questionnaire or penetration test", Weak, r"security\s+questionnaire|penetration\s+test"),
            ],
        },
        ClauseCues {
            clause_type: "return_or_destroy",
            cues: vec![
                cue(
                    "return or destroy",
                    Strong,
                    r"\breturn(ed)?\b[^.;]{0,40}\bor\s+((securely|permanently|irretrievably)\s+)?(destroy|delete|erase)(ed|d)?\b|\b(destroy|delete|erase)(ed|d)?\b[^.;]{0,40}\bor\s+return(ed)?\b",
                ),
                cue(
                    "upon termination ... delete",
                    Strong,
                    r"(upon|on|following|after)\s+(the\s+)?(expiration|termination|expiry|end)\b[^.;]{0,160}\b(destroy|delete|erase|purge|sanitize|dispose\s+of)\w*[^.;]{0,60}(data|information|records|copies)",
                ),
                cue(
                    "destroy upon termination",
                    Strong,
                    r"(destroy|delete|erase|dispose\s+of|purge|sanitize)\w*[^.;]{0,120}(upon|on|following|after)\s+(the\s+)?(termination|expiration|expiry)",
                ),
                cue("NIST SP 800-88", Medium, r"NIST\s+(SP\s+)?800-88"),
                cue(
                    "certificate of destruction",
                    Medium,
                    r"certif\w*\s+(of\s+)?(the\s+)?destruction|certify[^.;]{0,60}destr",
                ),
            ],
        },
        ClauseCues {
            clause_type: "encryption",
            cues: vec![
                cue("encrypt", Strong, r"\bencrypt\w*"),
                cue("TLS / AES / FIPS 140", Medium, r"\bTLS\b|\bAES(-?256)?\b|FIPS\s*140"),
                cue("at rest / in transit", Weak, r"\b(at\s+rest|in\s+transit)\b"),
            ],
        },
        ClauseCues {
            clause_type: "access_controls",
            cues: vec![
                cue(
                    "multi-factor authentication",
                    Strong,
                    r"multi-?factor|\bMFA\b|\b2FA\b|two-?factor|second\s+(authentication\s+)?factor",
                ),
                cue("least privilege", Strong, r"least\s+privilege|need-to-know"),
                cue("unique user IDs", Medium, r"unique\s+user\s+(id|identifier|account)s?"),
                cue("role-based access", Weak, r"role-based\s+access"),
            ],
        },
        ClauseCues {
            clause_type: "insurance",
            cues: vec![
                cue(
                    "cyber liability insurance",
                    Strong,
                    r"cyber\s+(liability\s+)?insurance|network\s+security\s+and\s+privacy\s+liability",
                ),
                cue("errors and omissions", Medium, r"errors\s+(and|&)\s+omissions|\bE&O\b"),
                cue(
                    "certificate of insurance / additional insured",
                    Medium,
                    r"certificate\s+of\s+insurance|additional\s+insured",
                ),
                cue(
                    "amount per claim",
                    Weak,
                    r"\$\s?[\d,.]+\s*(million|m)?\s+(per\s+(claim|occurrence)|in\s+the\s+aggregate)",
                ),
            ],
        },
        ClauseCues {
            clause_type: "indemnification",
            cues: vec![
                cue("indemnify and hold harmless", Strong, r"\bindemnif\w*|hold\s+harmless"),
                cue("breach costs", Medium, r"notification\s+costs|credit\s+monitoring|regulatory\s+fines"),
                cue("defend", Weak, r"\bdefend\b"),
            ],
        },
    ]
});

/// The clause types detection knows, in the order of the cue lists.
pub fn clause_types() -> Vec<&'static str> {
    CUES.iter().map(|c| c.clause_type).collect()
}

/// A provision that is a numbered sub-clause: "(a) …", "and (b) …", "(iv) …", "(2) …".
static ENUMERATED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*((and|or)\s+)?\(([a-z]|[ivx]+|\d{1,2})\)\s").expect("valid"));

/// How much of a lead-in is read with each numbered sub-clause, in bytes.
const LEAD_IN_KEPT: usize = 400;

/// Where a lead-in ends and its first numbered sub-clause begins: "…, Supplier shall: (a)".
static LEAD_IN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i):\s*\(([a-z]|[ivx]+|\d{1,2})\)\s").expect("valid"));

static NEGATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(shall|will|is|are)\s+not\s+(be\s+)?(required|obligated|obliged|responsible|liable)\b|\bno\s+(obligation|duty|responsibility)\b|\bneed\s+not\b|\bnot\s+be\s+required\b|\bnothing\s+in\s+this\b[^.;]{0,80}\b(require|obligate)|\bhas\s+no\s+duty\b|\bwaive[sd]?\b|\bneither\s+party\s+(shall|will)\s+(have|be\s+under)\s+any\s+(obligation|duty)|\bunder\s+no\s+(obligation|duty)\b|\bwithout\s+any\s+(obligation|duty)\b|\bno\s+(notice|notification)\b[^.;]{0,60}\b(shall|will|need|is|be)\b|\bin\s+no\s+event\s+shall\s+\w+(\s+\w+)?\s+be\s+(responsible|liable|obligated|required)\b",
    )
    .expect("valid")
});

static WEAK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(endeavou?r|commercially\s+reasonable|reasonable\s+efforts|best\s+efforts|where\s+(practicable|feasible)|to\s+the\s+extent\s+(practicable|feasible)|as\s+it\s+deems\s+appropriate|may\s+(elect|choose))",
    )
    .expect("valid")
});

/// Personal information, as contracts define it.
const PI: &str = r"(personal\s+(information|data)|customer\s+data|company\s+data|client\s+data|protected\s+information|personally\s+identifiable\s+information|\bPII\b)";

/// A security incident, as contracts name it: a bare "breach" is a breach of contract, so a
/// breach counts when it is of security or of data.
const INCIDENT: &str = r"((security|data|privacy|information\s+security|personal\s+data)\s+(incident|breach)|breach\s+of\s+(the\s+)?security|unauthori[sz]ed\s+(access|acquisition|use|disclosure)|breach\s+(involving|affecting|of)\s+(customer|company|client|personal|protected)\s+(data|information))";

/// Telling the customer: notify, inform, advise, alert, report, give notice.
const NOTIFY: &str =
    r"(notif(y|ies|ied|ication)|\bnotice\b|\binform(s|ed)?\b|\badvise[sd]?\b|\balert(s|ed)?\b|\breport(s|ed|ing)?\b)";

/// "within 72 hours" and its relatives: "no later than forty-eight (48) hours", "not later than
/// ten calendar days", "in no event more than 24 hours", "not to exceed five business days".
const DEADLINE_PHRASE: &str = r"(within|no\s+later\s+than|not\s+later\s+than|in\s+no\s+(event|case)\s+(more|later)\s+than|not\s+to\s+exceed|not\s+more\s+than)\s+(\d+|[a-z]+(?:[\s-][a-z]+)?)\s*(\(\d+\)\s*)?(business\s+days?|working\s+days?|calendar\s+days?|days?|hours?)\b";

static DEADLINE: LazyLock<Regex> = LazyLock::new(|| {
    // A number in words is one word, or a compound such as "seventy-two", "twenty four" or "one
    // hundred twenty" (the later words numbers, so "five business days" reads five).
    Regex::new(
        r"(?i)(?:within|no\s+later\s+than|not\s+later\s+than|in\s+no\s+(?:event|case)\s+(?:more|later)\s+than|not\s+to\s+exceed|not\s+more\s+than)\s+(?:(\d+)|([a-z]+(?:[\s-](?:hundred(?:\s+(?:and\s+)?[a-z]+(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?)?|one|two|three|four|five|six|seven|eight|nine))?))\s*(?:\((\d+)\)\s*)?(business\s+days?|working\s+days?|calendar\s+days?|days?|hours?)\b",
    )
    .expect("valid")
});

/// A notice deadline found in a breach-notification clause.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub amount: u32,
    /// `hours`, `days` or `business_days`.
    pub unit: String,
}

impl Deadline {
    pub fn is_valid(&self) -> bool {
        (1..=10_000).contains(&self.amount) && matches!(self.unit.as_str(), "hours" | "days" | "business_days")
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suggestion {
    pub clause_type: String,
    /// Character (not byte) offsets of the provision in the text: `text[start..end]`.
    pub start: usize,
    pub end: usize,
    pub excerpt: String,
    /// 0 to 1.
    pub confidence: f64,
    /// The strongest cue that matched, and the text it matched.
    pub cue: String,
    pub matched: String,
    /// `negated` and/or `weak_language`.
    pub flags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Deadline>,
}

/// A number in words, one to nine hundred ninety-nine: "five", "seventy-two", "thirty six",
/// "one hundred twenty".
fn word_number(w: &str) -> Option<u32> {
    const UNITS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
    let lower = w.to_lowercase().replace('-', " ");
    let (mut total, mut any) = (0u32, false);
    for word in lower.split_whitespace().filter(|w| *w != "and") {
        if let Some(n) = UNITS.iter().position(|u| *u == word) {
            total += n as u32;
        } else if let Some(n) = TENS.iter().position(|t| !t.is_empty() && *t == word) {
            total += 10 * n as u32;
        } else if word == "hundred" && total > 0 && total < 10 {
            total *= 100;
        } else {
            return None;
        }
        any = true;
    }
    (any && total > 0).then_some(total)
}

pub fn extract_deadline(text: &str) -> Option<Deadline> {
    let c = DEADLINE.captures(text)?;
    let amount = c
        .get(3)
        .or(c.get(1))
        .and_then(|m| m.as_str().parse().ok())
        .or_else(|| c.get(2).and_then(|m| word_number(m.as_str())))?;
    let unit_text = c.get(4)?.as_str().to_lowercase();
    let unit = if unit_text.starts_with("hour") {
        "hours"
    } else if unit_text.starts_with("business") || unit_text.starts_with("working") {
        "business_days"
    } else {
        "days"
    };
    Some(Deadline { amount, unit: unit.into() })
}

/// Byte ranges of the provisions in `text`: split at `;`, at blank lines, and at a sentence end
/// (`.`, `!`, `?` after a lowercase letter, digit or `)`, followed by white space). Abbreviations
/// such as "C.M.R. 17" or "U.S." do not end a sentence.
fn segments(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let cut = match b {
            b';' => Some(i + 1),
            b'\n' if text[i + 1..].trim_start_matches([' ', '\t', '\r']).starts_with('\n') => Some(i + 1),
            b'.' | b'!' | b'?' => {
                let prev_ok = i > 0
                    && {
                        let p = bytes[i - 1];
                        p.is_ascii_lowercase() || p.is_ascii_digit() || p == b')' || p == b'"'
                    }
                    && !(b == b'.' && abbreviation_before(&text[..i]));
                let next_space = bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace());
                (prev_ok && next_space).then_some(i + 1)
            }
            _ => None,
        };
        if let Some(end) = cut {
            out.push((start, end));
            start = end;
        }
        i += 1;
    }
    if start < bytes.len() {
        out.push((start, bytes.len()));
    }
    // Trim white space at both ends; drop empty pieces.
    out.into_iter()
        .filter_map(|(s, e)| {
            let piece = &text[s..e];
            let lead = piece.len() - piece.trim_start().len();
            let trail = piece.len() - piece.trim_end().len();
            (e - trail > s + lead).then_some((s + lead, e - trail))
        })
        .collect()
}

/// Whether the word just before a full stop is an abbreviation rather than a sentence's last
/// word: a single letter ("M.G.L. c. 93H", "p. 4") or one of the abbreviations contracts use.
fn abbreviation_before(text: &str) -> bool {
    const ABBREVIATIONS: [&str; 17] = [
        "ch", "subch", "sec", "para", "art", "no", "nos", "inc", "ltd", "co", "corp", "etc", "cf", "vs", "seq", "pp",
        "approx",
    ];
    let word: String =
        text.chars().rev().take_while(|c| c.is_ascii_alphabetic()).collect::<Vec<_>>().into_iter().rev().collect();
    word.len() == 1 || ABBREVIATIONS.contains(&word.to_ascii_lowercase().as_str())
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

const EXCERPT_MAX_CHARS: usize = 600;

/// At most this many suggestions are returned; a text with more says so (`Analysis::truncated`).
/// A real contract has a few dozen; thousands mean the text is not a contract.
pub const MAX_SUGGESTIONS: usize = 500;

/// What an analysis found: the suggestions in text order, at most `MAX_SUGGESTIONS`, and how many
/// there were in all.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    pub suggestions: Vec<Suggestion>,
    pub total: usize,
}

/// Every (clause type, provision) pair with at least one cue, in text order. Linear in the text:
/// character offsets are counted once, as the segments go by, and the cue patterns are regular
/// expressions (the regex crate matches in linear time). Past `MAX_SUGGESTIONS` the rest are
/// counted, not built.
pub fn analyze(text: &str) -> Found {
    let mut out = Vec::new();
    let mut total = 0;
    // The character offset of byte `counted_to`, carried forward from one segment to the next.
    let (mut counted_to, mut chars_before) = (0usize, 0usize);
    // "Upon termination, Vendor shall: (a) …; (b) destroy …": each numbered sub-clause is read
    // with the lead-in it completes, so the cue's two halves meet.
    let mut lead_in: Option<&str> = None;
    for (s, e) in segments(text) {
        let seg = &text[s..e];
        let continues = ENUMERATED.is_match(seg);
        let context: std::borrow::Cow<str> = match lead_in.filter(|_| continues) {
            Some(l) => format!("{l} {seg}").into(),
            None => seg.into(),
        };
        if !continues {
            lead_in = None;
        }
        if let Some(m) = LEAD_IN.find(seg) {
            // Only the lead-in's end is kept (cue windows are shorter): a hostile text with a huge
            // lead-in and thousands of sub-clauses stays linear.
            let head = &seg[..m.start()];
            let mut from = head.len().saturating_sub(LEAD_IN_KEPT);
            while !head.is_char_boundary(from) {
                from += 1;
            }
            lead_in = Some(&head[from..]);
        }
        let negated = NEGATION.is_match(&context);
        let weak = WEAK.is_match(&context);
        for ct in CUES.iter() {
            let hits: Vec<(&Cue, regex::Match)> =
                ct.cues.iter().filter_map(|c| c.pattern.find(&context).map(|m| (c, m))).collect();
            let Some((best, m)) = hits
                .iter()
                .filter(|(c, _)| c.strength != Strength::Support)
                .max_by(|a, b| a.0.strength.base().total_cmp(&b.0.strength.base()))
            else {
                continue;
            };
            total += 1;
            if out.len() >= MAX_SUGGESTIONS {
                continue;
            }
            let mut confidence = (best.strength.base() + 0.05 * (hits.len() as f64 - 1.0)).min(0.95);
            let mut flags = Vec::new();
            if negated {
                confidence *= 0.25;
                flags.push("negated".to_string());
            }
            if weak {
                confidence = (confidence - 0.25).max(0.10);
                flags.push("weak_language".to_string());
            }
            chars_before += text[counted_to..s].chars().count();
            counted_to = s;
            let len = seg.chars().count();
            out.push(Suggestion {
                clause_type: ct.clause_type.to_string(),
                start: chars_before,
                end: chars_before + len,
                excerpt: seg.chars().take(EXCERPT_MAX_CHARS).collect(),
                confidence: round2(confidence),
                cue: best.name.to_string(),
                matched: m.as_str().chars().take(EXCERPT_MAX_CHARS).collect(),
                flags,
                deadline: if ct.clause_type == "breach_notification" { extract_deadline(&context) } else { None },
            });
        }
    }
    Found { suggestions: out, total }
}

#[cfg(test)]
#[path = "clause_detection_tests.rs"]
mod tests;
