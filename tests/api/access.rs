//! Every route under /api/v1, read from the OpenAPI spec that is built from the same registration
//! as the routes: bad tokens get 401, roles outside the route's declared list get 403, and roles
//! inside it get past authorization. A new route without a declared role list fails here.

use actix_web::{http::Method, test::TestRequest};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::support::{assert_problem, claims, sign, TestApp, SECRET};

const ALL_ROLES: [&str; 7] = ["admin", "procurement", "legal", "security", "auditor", "integration", "respondent"];

struct Operation {
    method: Method,
    path: String,
    /// The roles its bearer requirement lists; `None` for vendor-portal routes, which take only a
    /// respondent token.
    roles: Option<Vec<String>>,
    /// The statuses its responses document.
    documented: Vec<u16>,
    /// Whether a request needs nothing it does not have here: no path parameter (those get ids
    /// that name nothing) and no required query parameter.
    self_contained: bool,
}

impl Operation {
    /// A caller let through gets one of the documented answers, never a server error.
    fn assert_documented(&self, who: &str, res: &crate::support::Res) {
        assert!(
            !res.status.is_server_error() && self.documented.contains(&res.status.as_u16()),
            "{} {} let {who} through with {}, not among {:?}: {}",
            self.method,
            self.path,
            res.status,
            self.documented,
            res.text
        );
    }
}

fn operations() -> Vec<Operation> {
    let spec = serde_json::to_value(oversee::openapi()).unwrap();
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        if !path.starts_with(oversee::API_PREFIX) {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let requirement = &op["security"][0];
            let roles = if requirement.get("respondent_token").is_some() {
                assert!(
                    path.starts_with("/api/v1/portal/"),
                    "{method} {path}: respondent tokens are for the portal only"
                );
                None
            } else {
                let roles: Vec<String> = requirement["bearer"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{method} {path} declares no bearer security requirement"))
                    .iter()
                    .map(|r| r.as_str().unwrap().to_string())
                    .collect();
                assert!(!roles.is_empty(), "{method} {path} lists no roles");
                for r in &roles {
                    assert!(ALL_ROLES.contains(&r.as_str()), "{method} {path}: unknown role {r} in spec");
                }
                Some(roles)
            };
            // Path parameters get a well-formed id that names nothing.
            let concrete = path
                .split('/')
                .map(|seg| if seg.starts_with('{') { uuid::Uuid::now_v7().to_string() } else { seg.to_string() })
                .collect::<Vec<_>>()
                .join("/");
            let documented = op["responses"].as_object().unwrap().keys().filter_map(|k| k.parse().ok()).collect();
            let needs_query = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query" && p["required"] == true));
            let self_contained = !path.contains('{') && !needs_query;
            ops.push(Operation {
                method: method.to_uppercase().parse().unwrap(),
                path: concrete,
                roles,
                documented,
                self_contained,
            });
        }
    }
    assert!(ops.len() >= 10, "expected every API route, found {}", ops.len());
    assert!(ops.iter().any(|o| o.roles.is_none()), "the vendor portal routes are missing");
    ops
}

fn request(op: &Operation, authorization: Option<String>) -> TestRequest {
    let mut req = TestRequest::default().method(op.method.clone()).uri(&op.path);
    if let Some(a) = authorization {
        req = req.insert_header(("Authorization", a));
    }
    if op.method == Method::POST || op.method == Method::PATCH || op.method == Method::PUT {
        // Deliberately invalid: authorization must be decided before the body is read.
        req = req.set_json(json!({"unexpected": true}));
    }
    req
}

fn with(f: impl Fn(&mut Value)) -> String {
    let mut c = claims("mallory@example.com", "admin");
    f(&mut c);
    format!("Bearer {}", sign(&c, SECRET))
}

fn bad_tokens() -> Vec<(&'static str, Option<String>)> {
    let now = chrono::Utc::now().timestamp();
    let alg_none = {
        use base64::Engine;
        let e = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!("Bearer {}.{}.", e(json!({"alg": "none", "typ": "JWT"})), e(claims("mallory@example.com", "admin")))
    };
    let hs384 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS384),
        &claims("mallory@example.com", "admin"),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    let rs256 = jsonwebtoken::encode(
        &Header::new(Algorithm::RS256),
        &claims("mallory@example.com", "admin"),
        &EncodingKey::from_rsa_pem(include_bytes!("../fixtures/rsa-private.pem")).unwrap(),
    )
    .unwrap();
    vec![
        ("missing", None),
        ("not bearer", Some(format!("Basic {}", "YWRtaW46YWRtaW4="))),
        ("garbage", Some("Bearer not.a.jwt".into())),
        ("expired", Some(with(|c| c["exp"] = json!(now - 3600)))),
        ("not yet valid", Some(with(|c| c["nbf"] = json!(now + 3600)))),
        (
            "wrong signature",
            Some(format!("Bearer {}", sign(&claims("m@example.com", "admin"), "another-secret-of-enough-length-000"))),
        ),
        ("alg none", Some(alg_none)),
        ("other algorithm HS384", Some(format!("Bearer {hs384}"))),
        ("other algorithm RS256", Some(format!("Bearer {rs256}"))),
        ("wrong issuer", Some(with(|c| c["iss"] = json!("someone-else")))),
        ("wrong audience", Some(with(|c| c["aud"] = json!("another-api")))),
        ("unknown role", Some(with(|c| c["role"] = json!("superuser")))),
        (
            "no exp",
            Some(with(|c| {
                c.as_object_mut().unwrap().remove("exp");
            })),
        ),
    ]
}

#[actix_web::test]
async fn every_route_rejects_bad_tokens_with_401() {
    let app = TestApp::new().await;
    for op in operations() {
        for (case, auth) in bad_tokens() {
            let res = app.send(request(&op, auth)).await;
            assert_problem(&res, 401);
            assert!(
                res.header("www-authenticate").unwrap_or_default().starts_with("Bearer"),
                "{case}: {} {}",
                op.method,
                op.path
            );
        }
    }
}

#[actix_web::test]
async fn every_route_enforces_its_declared_roles() {
    let app = TestApp::new().await;
    for op in operations() {
        for role in ALL_ROLES {
            let res = app.send(request(&op, Some(format!("Bearer {}", app.token(role))))).await;
            match &op.roles {
                // Staff tokens of any role are not respondent tokens.
                None => {
                    assert_problem(&res, 401);
                }
                Some(roles) if roles.iter().any(|r| r == role) => {
                    assert!(res.status != 401 && res.status != 403, "{} {} refused {role}", op.method, op.path);
                    op.assert_documented(role, &res);
                }
                Some(_) => {
                    assert_eq!(res.status, 403, "{} {} should refuse {role}: {}", op.method, op.path, res.text);
                    assert_problem(&res, 403);
                }
            }
        }
    }
}

/// Let through is not enough: every read that needs no parameter answers 200 to each role it lists,
/// so a role declared but refused further in (a 404 for what it may see, a 422) shows up here.
#[actix_web::test]
async fn every_role_a_read_lists_gets_its_answer() {
    let app = TestApp::new().await;
    let reads: Vec<Operation> =
        operations().into_iter().filter(|o| o.method == Method::GET && o.self_contained && o.roles.is_some()).collect();
    assert!(reads.len() >= 10, "expected the collection reads, found {}", reads.len());
    for op in reads {
        for role in op.roles.as_ref().unwrap() {
            let res = app.send(request(&op, Some(format!("Bearer {}", app.token(role))))).await;
            assert_eq!(res.status, 200, "GET {} as {role}: {}", op.path, res.text);
        }
    }
}

/// A live respondent token reaches the portal routes and nothing else; once revoked, nothing.
#[actix_web::test]
async fn a_respondent_token_reaches_only_the_portal() {
    let app = TestApp::new().await;
    let (assessment_id, token) = crate::support::sent_assessment(&app).await;
    let bearer = format!("Bearer {token}");
    for op in operations() {
        let res = app.send(request(&op, Some(bearer.clone()))).await;
        if op.roles.is_some() {
            assert_problem(&res, 401);
        } else {
            assert!(res.status != 401 && res.status != 403, "{} {}: {} {}", op.method, op.path, res.status, res.text);
            op.assert_documented("a respondent", &res);
        }
    }
    let res = app.post(&format!("/api/v1/assessments/{assessment_id}/revoke-link"), "procurement", json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    for op in operations().into_iter().filter(|o| o.roles.is_none()) {
        assert_problem(&app.send(request(&op, Some(bearer.clone()))).await, 401);
    }
}

#[actix_web::test]
async fn rs256_and_es256_keys_from_an_identity_provider() {
    for (public, private, alg) in [
        (
            include_str!("../fixtures/rsa-public.pem"),
            &include_bytes!("../fixtures/rsa-private.pem")[..],
            Algorithm::RS256,
        ),
        (
            include_str!("../fixtures/ec-public.pem"),
            &include_bytes!("../fixtures/ec-private.pem")[..],
            Algorithm::ES256,
        ),
    ] {
        let app = TestApp::with_env(&[("OVERSEE_JWT_PUBLIC_KEY", public)]).await;
        let key = match alg {
            Algorithm::RS256 => EncodingKey::from_rsa_pem(private).unwrap(),
            _ => EncodingKey::from_ec_pem(private).unwrap(),
        };
        let good = jsonwebtoken::encode(&Header::new(alg), &claims("idp-user", "auditor"), &key).unwrap();
        let res = app
            .send(TestRequest::get().uri("/api/v1/vendors").insert_header(("Authorization", format!("Bearer {good}"))))
            .await;
        assert_eq!(res.status, 200, "{alg:?}: {}", res.text);
        // HS256 signed with the public key as the secret: the classic algorithm-confusion attack.
        let confused = sign(&claims("idp-user", "admin"), public);
        let res = app
            .send(
                TestRequest::get()
                    .uri("/api/v1/vendors")
                    .insert_header(("Authorization", format!("Bearer {confused}"))),
            )
            .await;
        assert_problem(&res, 401);
    }
}

#[actix_web::test]
async fn operations_endpoints_need_no_token_but_metrics_do() {
    let app = TestApp::new().await;
    for path in ["/healthz", "/readyz", "/openapi.json"] {
        let res = app.send(TestRequest::get().uri(path)).await;
        assert_eq!(res.status, 200, "{path}");
    }
    assert_problem(&app.send(TestRequest::get().uri("/metrics")).await, 401);
    let as_role = |role: &str| {
        TestRequest::get().uri("/metrics").insert_header(("Authorization", format!("Bearer {}", app.token(role))))
    };
    assert_problem(&app.send(as_role("procurement")).await, 403);
    assert_eq!(app.send(as_role("auditor")).await.status, 200);
    assert_eq!(app.send(as_role("admin")).await.status, 200);
}

#[actix_web::test]
async fn a_scraper_token_reads_metrics_and_a_listener_of_their_own_takes_them_off_the_public_port() {
    let token = "scraper-token-that-is-long-enough-0000";
    let app = TestApp::with_env(&[("OVERSEE_METRICS_TOKEN", token)]).await;
    let with = |t: &str| TestRequest::get().uri("/metrics").insert_header(("Authorization", format!("Bearer {t}")));
    assert_eq!(app.send(with(token)).await.status, 200);
    assert_problem(&app.send(with("scraper-token-that-is-long-enough-0001")).await, 401);
    let separate = TestApp::with_env(&[("OVERSEE_METRICS_BIND", "127.0.0.1:9464")]).await;
    let res = separate
        .send(
            TestRequest::get()
                .uri("/metrics")
                .insert_header(("Authorization", format!("Bearer {}", separate.token("admin")))),
        )
        .await;
    assert_problem(&res, 404);
}
