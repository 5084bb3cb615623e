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
use utoipa::ToSchema;

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
                    r"implement\w*\s+and\s+maintain\w*[^.;]{0,160}?(safeguards|security\s+(measures|procedures|controls|program))",
                ),
                cue(
                    "appropriate administrative, technical and physical safeguards",
                    Strong,
                    r"(administrative,?\s+technical,?\s+and\s+physical|technical\s+and\s+organi[sz]ational)\s+(safeguards|security\s+measures|measures)",
                ),
                cue("information security program", Medium, r"(written\s+)?information\s+security\s+program|\bWISP\b"),
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
                cue(
                    "notify ... security incident",
                    Strong,
                    r"(notif(y|ies|ication)|\bnotice\b)[^.;]{0,120}(security\s+incident|breach|unauthori[sz]ed\s+(access|acquisition|use))",
                ),
                cue(
                    "security incident ... notify",
                    Strong,
                    r"(security\s+incident|breach\s+of\s+security|data\s+breach|security\s+breach)[^.;]{0,160}(notif(y|ies|ication)|\bnotice\b)",
                ),
                cue(
                    "within N hours/days",
                    Support,
                    r"within\s+[a-z0-9()\s-]{1,30}?(hours?|business\s+days?|calendar\s+days?|days?)\b",
                ),
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
                    r"(subcontractor|sub-?processor|agent)s?[^.;]{0,200}(no\s+less\s+(protective|stringent|restrictive)|same\s+(obligations|restrictions|conditions|terms))",
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
                cue("return or destroy", Strong, r"return\s+or\s+(securely\s+)?(destroy|delete)"),
                cue(
                    "destroy upon termination",
                    Strong,
                    r"(destroy|delete|dispose\s+of|purge|sanitize)\w*[^.;]{0,120}(upon|on|following|after)\s+(the\s+)?(termination|expiration|expiry)",
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
                cue("multi-factor authentication", Strong, r"multi-?factor|\bMFA\b|two-?factor"),
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

static NEGATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(shall|will|is|are)\s+not\s+(be\s+)?(required|obligated|obliged|responsible|liable)\b|\bno\s+(obligation|duty|responsibility)\b|\bneed\s+not\b|\bnot\s+be\s+required\b|\bnothing\s+in\s+this\b[^.;]{0,80}\b(require|obligate)|\bhas\s+no\s+duty\b|\bwaive[sd]?\b",
    )
    .expect("valid")
});

static WEAK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(endeavou?r|commercially\s+reasonable|reasonable\s+efforts|best\s+efforts|where\s+(practicable|feasible)|to\s+the\s+extent\s+(practicable|feasible)|as\s+it\s+deems\s+appropriate|may\s+(elect|choose))",
    )
    .expect("valid")
});

static DEADLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)within\s+(?:(\d+)|([a-z]+(?:-[a-z]+)?))\s*(?:\((\d+)\)\s*)?(business\s+days?|calendar\s+days?|days?|hours?)\b",
    )
    .expect("valid")
});

/// A notice deadline found in a breach-notification clause.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    #[schema(minimum = 1)]
    pub amount: u32,
    /// `hours`, `days` or `business_days`.
    pub unit: String,
}

impl Deadline {
    pub fn is_valid(&self) -> bool {
        (1..=10_000).contains(&self.amount) && matches!(self.unit.as_str(), "hours" | "days" | "business_days")
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
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

fn word_number(w: &str) -> Option<u32> {
    let n = match w.to_lowercase().replace('-', " ").as_str() {
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "twelve" => 12,
        "fourteen" => 14,
        "fifteen" => 15,
        "twenty" => 20,
        "twenty four" => 24,
        "thirty" => 30,
        "thirty six" => 36,
        "forty eight" => 48,
        "sixty" => 60,
        "seventy two" => 72,
        "ninety" => 90,
        _ => return None,
    };
    Some(n)
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
    } else if unit_text.starts_with("business") {
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
                let prev_ok = i > 0 && {
                    let p = bytes[i - 1];
                    p.is_ascii_lowercase() || p.is_ascii_digit() || p == b')' || p == b'"'
                };
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
    for (s, e) in segments(text) {
        let seg = &text[s..e];
        let negated = NEGATION.is_match(seg);
        let weak = WEAK.is_match(seg);
        for ct in CUES.iter() {
            let hits: Vec<(&Cue, regex::Match)> =
                ct.cues.iter().filter_map(|c| c.pattern.find(seg).map(|m| (c, m))).collect();
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
                deadline: if ct.clause_type == "breach_notification" { extract_deadline(seg) } else { None },
            });
        }
    }
    Found { suggestions: out, total }
}

#[cfg(test)]
#[path = "clause_detection_tests.rs"]
mod tests;
