//! A vendor's risk tier (1 = highest, 3 = lowest), from its PI profile and criticality.
//!
//! The tier sets how often a vendor is reassessed (docs/architecture.md, "The regulation as code": 12 months for tier 1), so it must
//! be explainable in one sentence per tier:
//!
//! * **Tier 1**: handles PI and either (a) is critical to the business, or (b) stores or
//!   processes it (not merely transmits) and at least one of: high criticality, the most
//!   damaging elements (SSN, financial account, payment card), or 10,000 records or more.
//! * **Tier 2**: any other vendor that handles PI, and vendors without PI that are high or
//!   critical to the business.
//! * **Tier 3**: everything else.
//!
//! An unknown record count counts as small; an unknown count is not evidence of a large one.

use super::vendor_profile::{Access, Criticality, PiElement};

/// At or above this many records, a vendor that keeps PI is tier 1.
pub const LARGE_RECORD_COUNT: i64 = 10_000;

#[derive(Debug, Clone)]
pub struct PiProfile<'a> {
    pub handles_pi: bool,
    pub pi_elements: &'a [PiElement],
    pub records_estimate: Option<i64>,
    pub access: Access,
    pub criticality: Criticality,
}

pub fn risk_tier(p: &PiProfile) -> i32 {
    let high_or_critical = matches!(p.criticality, Criticality::High | Criticality::Critical);
    if !p.handles_pi {
        return if high_or_critical { 2 } else { 3 };
    }
    if p.criticality == Criticality::Critical {
        return 1;
    }
    let keeps_pi = matches!(p.access, Access::Stores | Access::Processes);
    let damaging = p
        .pi_elements
        .iter()
        .any(|e| matches!(e, PiElement::Ssn | PiElement::FinancialAccount | PiElement::PaymentCard));
    let large = p.records_estimate.is_some_and(|n| n >= LARGE_RECORD_COUNT);
    if keeps_pi && (high_or_critical || damaging || large) {
        1
    } else {
        2
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Access::{Processes, Stores, Transmits};
    use Criticality::*;

    fn tier(handles_pi: bool, els: &[PiElement], records: Option<i64>, access: Access, crit: Criticality) -> i32 {
        risk_tier(&PiProfile { handles_pi, pi_elements: els, records_estimate: records, access, criticality: crit })
    }

    #[test]
    fn without_pi_only_business_criticality_counts() {
        assert_eq!(tier(false, &[], None, Access::None, Low), 3);
        assert_eq!(tier(false, &[], None, Access::None, Medium), 3);
        assert_eq!(tier(false, &[], None, Access::None, High), 2);
        assert_eq!(tier(false, &[], None, Access::None, Critical), 2);
        // Records or access without PI do not raise the tier.
        assert_eq!(tier(false, &[], Some(1_000_000), Stores, Low), 3);
    }

    #[test]
    fn critical_with_pi_is_always_tier_one() {
        for a in Access::ALL {
            assert_eq!(tier(true, &[], None, *a, Critical), 1, "{a:?}");
        }
    }

    #[test]
    fn keeping_pi_with_an_aggravating_factor_is_tier_one() {
        for a in [Stores, Processes] {
            assert_eq!(tier(true, &[PiElement::DriversLicense], Some(10), a, High), 1);
            assert_eq!(tier(true, &[PiElement::Ssn], None, a, Low), 1);
            assert_eq!(tier(true, &[PiElement::FinancialAccount], None, a, Low), 1);
            assert_eq!(tier(true, &[PiElement::PaymentCard], None, a, Medium), 1);
            assert_eq!(tier(true, &[PiElement::StateId], Some(LARGE_RECORD_COUNT), a, Low), 1);
        }
    }

    #[test]
    fn record_count_boundary() {
        assert_eq!(tier(true, &[PiElement::StateId], Some(LARGE_RECORD_COUNT - 1), Stores, Low), 2);
        assert_eq!(tier(true, &[PiElement::StateId], Some(LARGE_RECORD_COUNT), Stores, Low), 1);
        assert_eq!(tier(true, &[PiElement::StateId], None, Stores, Low), 2);
    }

    #[test]
    fn transmitting_only_stays_tier_two_unless_critical() {
        assert_eq!(tier(true, &[PiElement::Ssn], Some(1_000_000), Transmits, High), 2);
        assert_eq!(tier(true, &[PiElement::Ssn], Some(1_000_000), Transmits, Critical), 1);
    }

    #[test]
    fn other_pi_handlers_are_tier_two() {
        assert_eq!(tier(true, &[], None, Stores, Low), 2);
        assert_eq!(tier(true, &[PiElement::DriversLicense, PiElement::StateId], Some(50), Processes, Medium), 2);
    }

    #[test]
    fn tier_is_always_one_to_three() {
        for handles in [true, false] {
            for a in Access::ALL {
                for c in Criticality::ALL {
                    for r in [None, Some(0), Some(LARGE_RECORD_COUNT)] {
                        for els in [&[][..], &[PiElement::Ssn][..]] {
                            let t = tier(handles, els, r, *a, *c);
                            assert!((1..=3).contains(&t));
                        }
                    }
                }
            }
        }
    }
}
