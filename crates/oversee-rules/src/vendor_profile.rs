//! The vocabulary of a vendor's PI profile, shared by the API and the rules.

/// A closed set of names stored and sent as text: the enum, `ALL`, `as_str` and `parse`. Used by
/// the server for its own vocabularies too, so it names every path it needs.
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $crate::with_schema! {
            $(#[$meta])*
            #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
            #[serde(rename_all = "snake_case")]
            pub enum $name { $($variant),+ }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}
pub use crate::text_enum;

/// Adds the OpenAPI schema derive to an item when this crate's `openapi` feature is on: decided
/// here, where the feature is known, also for items the server declares with `text_enum!`.
#[cfg(feature = "openapi")]
#[doc(hidden)]
#[macro_export]
macro_rules! with_schema {
    ($item:item) => {
        #[derive(utoipa::ToSchema)]
        $item
    };
}

#[cfg(not(feature = "openapi"))]
#[doc(hidden)]
#[macro_export]
macro_rules! with_schema {
    ($item:item) => {
        $item
    };
}

text_enum!(
    /// The personal-information elements of 201 CMR 17.02 that a vendor may receive.
    PiElement {
        Ssn => "ssn",
        DriversLicense => "drivers_license",
        StateId => "state_id",
        FinancialAccount => "financial_account",
        PaymentCard => "payment_card",
    }
);

text_enum!(
    /// How the vendor touches the PI.
    Access { Stores => "stores", Processes => "processes", Transmits => "transmits", None => "none" }
);

text_enum!(
    /// The business's own view of how much it depends on the vendor.
    Criticality { Low => "low", Medium => "medium", High => "high", Critical => "critical" }
);

text_enum!(
    VendorStatus { Prospect => "prospect", Active => "active", Offboarding => "offboarding", Terminated => "terminated" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip_and_match_serde() {
        for e in PiElement::ALL {
            assert_eq!(PiElement::parse(e.as_str()), Some(*e));
            assert_eq!(serde_json::to_value(e).unwrap(), e.as_str());
        }
        for a in Access::ALL {
            assert_eq!(Access::parse(a.as_str()), Some(*a));
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
        for c in Criticality::ALL {
            assert_eq!(Criticality::parse(c.as_str()), Some(*c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        for s in VendorStatus::ALL {
            assert_eq!(VendorStatus::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(PiElement::parse("SSN"), None);
    }
}
