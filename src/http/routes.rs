//! Which methods each path serves, read from the OpenAPI document (built from the same
//! registration as the routes, so it cannot forget one): a request for a known path under
//! another method gets 405 with `Allow`, not 404.

use std::sync::OnceLock;

/// A path template split into segments: literal text, or a parameter (`{id}`) that matches any
/// one segment.
struct Template {
    segments: Vec<Option<String>>,
    methods: Vec<String>,
}

fn templates() -> &'static [Template] {
    static ALL: OnceLock<Vec<Template>> = OnceLock::new();
    ALL.get_or_init(|| {
        let spec = serde_json::to_value(crate::openapi()).unwrap_or_default();
        let mut out: Vec<Template> = spec["paths"]
            .as_object()
            .map(|paths| {
                paths
                    .iter()
                    .map(|(path, item)| Template {
                        segments: path
                            .split('/')
                            .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_string()))
                            .collect(),
                        methods: item
                            .as_object()
                            .map(|ops| ops.keys().map(|m| m.to_ascii_uppercase()).collect())
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        // Served beside the API, outside the spec.
        out.push(Template {
            segments: vec![Some(String::new()), Some("openapi.json".into())],
            methods: vec!["GET".into()],
        });
        out
    })
}

/// The methods served at `path` (empty when no route has that path), in a stable order. Where
/// a literal path and a template both match (`/webhooks/event-types` and `/webhooks/{id}`), the
/// path is the literal one's, as the spec lists it.
pub fn methods_of(path: &str) -> Vec<String> {
    let segments: Vec<&str> = path.split('/').collect();
    let matching: Vec<&Template> = templates()
        .iter()
        .filter(|t| {
            t.segments.len() == segments.len()
                && t.segments.iter().zip(&segments).all(|(t, s)| match t {
                    None => !s.is_empty(),
                    Some(literal) => literal == s,
                })
        })
        .collect();
    let literals = |t: &Template| t.segments.iter().filter(|s| s.is_some()).count();
    let most = matching.iter().map(|t| literals(t)).max().unwrap_or(0);
    let mut methods: Vec<String> =
        matching.into_iter().filter(|t| literals(t) == most).flat_map(|t| t.methods.iter().cloned()).collect();
    methods.sort();
    methods.dedup();
    methods
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_paths_list_their_methods_and_unknown_ones_none() {
        assert_eq!(methods_of("/api/v1/vendors"), ["GET", "POST"]);
        assert_eq!(methods_of("/api/v1/vendors/0193a5b0-0000-7000-8000-000000000001"), ["DELETE", "GET", "PATCH"]);
        assert_eq!(methods_of("/healthz"), ["GET"]);
        assert_eq!(methods_of("/api/v1/webhooks/event-types"), ["GET"], "the literal path, not /webhooks/{{id}}");
        assert_eq!(methods_of("/openapi.json"), ["GET"]);
        assert!(methods_of("/api/v1/nowhere").is_empty());
        assert!(methods_of("/api/v1/vendors/x/y/z/w").is_empty());
        assert!(methods_of("/api/v1/vendors/").is_empty(), "an empty segment is no id");
    }
}
