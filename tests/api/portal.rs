//! What the vendor portal shows a respondent: the questions and how to answer them, never how
//! they are scored, in any response the portal gives.

use actix_web::{http::Method, test::TestRequest};
use serde_json::{json, Value};

use crate::{
    questionnaires::published_small_template,
    support::{as_respondent, send_assessment, TestApp},
};

/// Fields of a template that tell how answers are scored.
const SCORING: [&str; 5] = ["expected", "weight", "critical", "score", "refs"];

/// Every object key anywhere in a JSON document.
fn keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

fn assert_no_scoring(what: &str, body: &Value) {
    let mut found = vec![];
    keys(body, &mut found);
    for field in SCORING {
        assert!(!found.iter().any(|k| k == field), "{what} shows the respondent `{field}`: {body}");
    }
}

#[actix_web::test]
async fn no_portal_response_shows_the_scoring_key() {
    let app = TestApp::new().await;
    let template = published_small_template(&app, "key-hidden").await;
    let (_, token) = send_assessment(&app, &template).await;
    let portal = |method: Method, path: &'static str, body: Option<Value>| {
        let (app, token) = (&app, token.clone());
        async move { as_respondent(app, &token, method, &format!("/api/v1/portal{path}"), body).await }
    };

    let view = portal(Method::GET, "/assessment", None).await;
    assert_eq!(view.status, 200, "{}", view.text);
    assert_no_scoring("the questionnaire", &view.body);
    // What the respondent needs is all there.
    let questions = view.body["sections"][0]["questions"].as_array().unwrap();
    let s1 = &questions[0];
    assert_eq!(
        (s1["code"].as_str(), s1["answer_type"].as_str(), s1["required"].as_bool()),
        (Some("S.1"), Some("yes_no"), Some(true))
    );
    assert_eq!(
        questions[1]["options"],
        json!([{"value": "fast", "label": "Within 7 days"}, {"value": "slow", "label": "Within 90 days"}])
    );
    assert_eq!(questions[3]["required"], false);

    let saved =
        portal(Method::PUT, "/answers", Some(json!({"answers": [{"question_code": "S.1", "answer": "no"}]}))).await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_no_scoring("saving answers", &saved.body);
    let refused =
        portal(Method::PUT, "/answers", Some(json!({"answers": [{"question_code": "S.2", "answer": "never"}]}))).await;
    assert_eq!(refused.status, 422);
    assert_no_scoring("a refused answer", &refused.body);

    let upload = TestRequest::post()
        .uri("/api/v1/portal/evidence?question_code=S.3&filename=soc2.pdf")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", "application/pdf"))
        .set_payload(b"%PDF soc2".to_vec());
    let file = app.send(upload).await;
    assert_eq!(file.status, 201, "{}", file.text);
    assert_no_scoring("an uploaded file", &file.body);

    let early = portal(Method::POST, "/submit", None).await;
    assert_eq!(early.status, 422);
    assert_no_scoring("a refused submission", &early.body);
    let rest = json!({"answers": [{"question_code": "S.2", "answer": "slow"}]});
    assert_eq!(portal(Method::PUT, "/answers", Some(rest)).await.status, 200);
    let submitted = portal(Method::POST, "/submit", None).await;
    assert_eq!(submitted.status, 200, "{}", submitted.text);
    assert_no_scoring("the submitted questionnaire", &submitted.body);
    let after = portal(Method::GET, "/assessment", None).await;
    assert_no_scoring("the questionnaire after submission", &after.body);
    // Staff still see the key.
    let staff = app.get(&format!("/api/v1/questionnaire-templates/{template}"), "security").await;
    assert_eq!(staff.body["sections"][0]["questions"][0]["expected"], "yes");
}
