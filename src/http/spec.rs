//! Makes the OpenAPI document say what the server enforces on the wire, in one pass over the
//! document the routes produce, so no route can forget it:
//!
//! - every POST a bearer token may call declares `Idempotency-Key` with the pattern the
//!   idempotency middleware checks (`formats::IDEMPOTENCY_KEY`);
//! - `If-Match` carries the RFC 9110 grammar `etag::if_match` checks, and `cursor` the form
//!   `pagination::decode` accepts, with what a foreign cursor gets;
//! - every free-text string says it takes no NUL character (`formats::TEXT`), as the JSON and
//!   query extractors refuse one;
//! - the rules JSON Schema cannot state (`cross_field_rules`) are listed in each operation's
//!   description and, machine-readable, in its `x-rules`.

use serde_json::{json, Map, Value};

use super::{cross_field_rules, field_formats, formats};

const METHODS: [&str; 5] = ["get", "put", "post", "patch", "delete"];

/// Applies every rule above to `spec`.
pub fn conform(spec: &mut utoipa::openapi::OpenApi) {
    let mut doc = serde_json::to_value(&*spec).expect("the spec serialises");
    conform_value(&mut doc);
    *spec = serde_json::from_value(doc).expect("the conformed spec is still an OpenAPI document");
}

fn conform_value(doc: &mut Value) {
    if let Some(paths) = doc["paths"].as_object_mut() {
        for item in paths.values_mut() {
            for method in METHODS {
                if let Some(op) = item.get_mut(method) {
                    conform_operation(method, op);
                }
            }
        }
    }
    field_formats::apply(doc);
    forbid_nul_in_text(doc);
}

/// Declared on each POST a bearer token may call (utoipa's operations hold parameters inline,
/// so the spec cannot share one by `$ref`).
fn idempotency_key() -> Value {
    json!({
        "name": "Idempotency-Key",
        "in": "header",
        "required": false,
        "description": "Retry-safe key, 1 to 255 visible ASCII characters, per caller: the same key with the same \
            request replays the first response (with `Idempotent-Replayed: true`); with another request it is 409. \
            Kept for `OVERSEE_IDEMPOTENCY_HOURS`.",
        "schema": {"type": "string", "pattern": formats::IDEMPOTENCY_KEY},
    })
}

fn conform_operation(method: &str, op: &mut Value) {
    let bearer = op["security"].as_array().is_some_and(|reqs| reqs.iter().any(|r| r.get("bearer").is_some()));
    let mut params: Vec<Value> = op["parameters"].as_array().cloned().unwrap_or_default();
    params.retain(|p| !p["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case("Idempotency-Key")));
    for p in &mut params {
        match (p["in"].as_str(), p["name"].as_str()) {
            (Some("header"), Some(name)) if name.eq_ignore_ascii_case("If-Match") => {
                p["schema"] = json!({"type": "string", "pattern": formats::if_match()});
                p["description"] = json!(
                    "The ETag last read, `*`, or a list of ETags (RFC 9110 §13.1.1): 412 unless one matches the \
                     current version under strong comparison (weak tags never do); 400 only when the header is not \
                     this grammar."
                );
            }
            (Some("query"), Some("cursor")) => {
                p["schema"] = json!({"type": "string", "pattern": formats::CURSOR});
                p["description"] = json!(
                    "The `next_cursor` of the previous page of this list, exactly as issued. A cursor is opaque: any \
                     other value (empty, edited, made up) is 400 with problem type `invalid-cursor`."
                );
            }
            _ => {}
        }
    }
    if method == "post" && bearer {
        params.push(idempotency_key());
    }
    if params.is_empty() {
        if let Some(o) = op.as_object_mut() {
            o.remove("parameters");
        }
    } else {
        op["parameters"] = Value::Array(params);
    }
    let id = op["operationId"].as_str().unwrap_or_default().to_string();
    let rules: Vec<&cross_field_rules::Rule> =
        cross_field_rules::RULES.iter().filter(|r| r.operations.contains(&id.as_str())).collect();
    if !rules.is_empty() {
        let mut text = op["description"].as_str().unwrap_or_default().to_string();
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str("Rules the schema cannot state (each answered 422, naming the field in `errors`):\n");
        for r in &rules {
            let fields: Vec<String> = r.fields.iter().map(|f| format!("`{f}`")).collect();
            text.push_str(&format!("\n- {}: {}", fields.join(", "), r.rule));
        }
        op["description"] = json!(text);
        op["x-rules"] =
            Value::Array(rules.iter().map(|r| json!({"fields": r.fields, "rule": r.rule, "status": 422})).collect());
    }
}

/// Adds `formats::TEXT` to every string schema that has no pattern, format or fixed values of
/// its own. Examples are values, not schemas, and are left alone.
fn forbid_nul_in_text(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if is_free_text(map) {
                map.insert("pattern".into(), json!(formats::TEXT));
            }
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "examples" {
                    forbid_nul_in_text(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(forbid_nul_in_text),
        _ => {}
    }
}

fn is_free_text(schema: &Map<String, Value>) -> bool {
    let string = match schema.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
        _ => false,
    };
    string
        && !["pattern", "format", "enum", "const", "contentEncoding", "contentMediaType"]
            .iter()
            .any(|k| schema.contains_key(*k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_format_names_a_property_the_spec_has() {
        let mut raw = serde_json::to_value(crate::openapi_without_conformance()).unwrap();
        assert_eq!(field_formats::apply(&mut raw), Vec::<String>::new());
    }

    fn spec() -> Value {
        serde_json::to_value(crate::openapi()).unwrap()
    }

    fn operations(doc: &Value) -> Vec<(String, String, Value)> {
        let mut out = vec![];
        for (path, item) in doc["paths"].as_object().unwrap() {
            for m in METHODS {
                if let Some(op) = item.get(m) {
                    out.push((m.to_string(), path.clone(), op.clone()));
                }
            }
        }
        out
    }

    #[test]
    fn every_bearer_post_declares_the_idempotency_key_once_with_its_pattern() {
        let doc = spec();
        for (method, path, op) in operations(&doc) {
            let keys: Vec<&Value> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case("idempotency-key")))
                .collect();
            let bearer = op["security"].as_array().is_some_and(|r| r.iter().any(|r| r.get("bearer").is_some()));
            assert_eq!(keys.len(), usize::from(method == "post" && bearer), "{method} {path}");
            for k in keys {
                assert_eq!(k["schema"]["pattern"], formats::IDEMPOTENCY_KEY, "{method} {path}");
                assert_eq!(k["in"], "header");
            }
        }
    }

    #[test]
    fn if_match_and_cursor_carry_the_grammar_the_server_checks() {
        let doc = spec();
        let mut seen = (0, 0);
        for (method, path, op) in operations(&doc) {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["name"] == "If-Match" {
                    assert_eq!(p["schema"]["pattern"], formats::if_match(), "{method} {path}");
                    seen.0 += 1;
                }
                if p["name"] == "cursor" {
                    assert_eq!(p["schema"]["pattern"], formats::CURSOR, "{method} {path}");
                    seen.1 += 1;
                }
            }
        }
        assert!(seen.0 >= 10 && seen.1 >= 15, "{seen:?}");
    }

    /// What the server takes. The top-level `webhooks` describe what it sends, and are left out.
    #[test]
    fn no_free_text_string_is_left_without_the_no_nul_pattern() {
        fn walk(v: &Value, at: &str) {
            match v {
                Value::Object(m) => {
                    assert!(!is_free_text(m), "{at} takes any string");
                    for (k, c) in m {
                        if k != "example" && k != "examples" {
                            walk(c, &format!("{at}/{k}"));
                        }
                    }
                }
                Value::Array(items) => items.iter().enumerate().for_each(|(i, c)| walk(c, &format!("{at}/{i}"))),
                _ => {}
            }
        }
        let mut doc = spec();
        doc.as_object_mut().unwrap().remove("webhooks");
        walk(&doc, "");
    }

    #[test]
    fn every_rule_names_an_operation_of_the_spec_and_is_published_there() {
        let doc = spec();
        let ops = operations(&doc);
        for rule in cross_field_rules::RULES {
            for id in rule.operations {
                let (_, _, op) = ops
                    .iter()
                    .find(|(_, _, op)| op["operationId"] == *id)
                    .unwrap_or_else(|| panic!("no operation {id}"));
                let published = op["x-rules"].as_array().expect("x-rules");
                assert!(published.iter().any(|r| r["rule"] == rule.rule), "{id}: {}", rule.rule);
                assert!(op["description"].as_str().unwrap().contains(rule.rule), "{id}");
            }
        }
    }
}
