//! PATCH semantics: an absent field leaves the value alone, `null` clears a nullable field.

use serde::{Deserialize, Deserializer};

/// For `Option<Option<T>>` fields: absent -> `None` (with `#[serde(default)]`), `null` ->
/// `Some(None)`, a value -> `Some(Some(v))`.
pub fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

pub trait Patch<T> {
    fn apply_to(self, target: &mut T);
}

impl<T> Patch<T> for Option<T> {
    fn apply_to(self, target: &mut T) {
        if let Some(v) = self {
            *target = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct P {
        #[serde(default, deserialize_with = "double_option")]
        x: Option<Option<i32>>,
    }

    #[test]
    fn absent_null_and_value_are_distinct() {
        assert_eq!(serde_json::from_str::<P>("{}").unwrap().x, None);
        assert_eq!(serde_json::from_str::<P>(r#"{"x":null}"#).unwrap().x, Some(None));
        assert_eq!(serde_json::from_str::<P>(r#"{"x":3}"#).unwrap().x, Some(Some(3)));
        let mut v = Some(1);
        Some(None).apply_to(&mut v);
        assert_eq!(v, None);
        let mut w = 5;
        None.apply_to(&mut w);
        assert_eq!(w, 5);
    }
}
