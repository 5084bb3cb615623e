//! Hostile inputs to every upload and text route: each gets a clear 4xx, quickly, and the server
//! answers the next request as before. (The process-level check of a flood is in
//! `operations.rs`.)

use std::io::Write;

use actix_web::test::TestRequest;
use serde_json::json;

use crate::support::{assert_problem, TestApp};

const BASE: &str = "/api/v1/questionnaire-templates";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const MAPPING: &str = "key=hostile&title=T&framework=F&framework_version=1&code_column=Id&question_column=Question";

/// A minimal XLSX workbook whose one sheet holds `sheet_xml`'s `<sheetData>`, with an optional
/// `<dimension>` as a forger would write it.
fn workbook(dimension: Option<&str>, sheet_data: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{}<sheetData>{sheet_data}</sheetData></worksheet>"#,
                dimension.map(|d| format!(r#"<dimension ref="{d}"/>"#)).unwrap_or_default()
            ),
        ),
    ];
    for (name, body) in parts {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn cell(r: &str, text: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

fn upload(app: &TestApp, content_type: &str, body: Vec<u8>) -> TestRequest {
    TestRequest::post()
        .uri(&format!("{BASE}/import-spreadsheet?{MAPPING}"))
        .insert_header(("Authorization", format!("Bearer {}", app.token("security"))))
        .insert_header(("Content-Type", content_type.to_string()))
        .set_payload(body)
}

async fn still_serving(app: &TestApp) {
    assert_eq!(app.get("/api/v1/vendors", "auditor").await.status, 200);
}

#[actix_web::test]
async fn a_workbook_with_two_cells_at_opposite_corners_is_refused_without_building_the_range() {
    let app = TestApp::new().await;
    let corners =
        format!(r#"<row r="1">{}</row><row r="1048576">{}</row>"#, cell("A1", "Id"), cell("XFD1048576", "far away"));
    // 1.6 KB that would be 17 billion cells as a dense range.
    for dimension in [Some("A1:XFD1048576"), None] {
        let file = workbook(dimension, &corners);
        assert!(file.len() < 4096, "{}", file.len());
        let res = app.send(upload(&app, XLSX, file)).await;
        assert_problem(&res, 422);
        let message = res.body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("20000 rows") && message.contains("64 columns"), "{message}");
        still_serving(&app).await;
    }
    // A far column alone, within the rows.
    let wide = format!(r#"<row r="1">{}{}</row>"#, cell("A1", "Id"), cell("BM1", "x"));
    assert_problem(&app.send(upload(&app, XLSX, workbook(None, &wide))).await, 422);
}

/// A workbook whose shared-string table declares trillions of strings: the reader would reserve
/// room for them all on opening it and abort the process.
#[actix_web::test]
async fn a_workbook_declaring_trillions_of_shared_strings_is_refused_before_it_is_opened() {
    let app = TestApp::new().await;
    for declared in
        [r#"count="10000000000000" uniqueCount="10000000000000""#, r#"uniqueCount="99999999999999999999999999""#]
    {
        let mut file = workbook(None, &format!(r#"<row r="1">{}</row>"#, cell("A1", "Id")));
        let mut zip = zip::ZipWriter::new_append(std::io::Cursor::new(&mut file)).unwrap();
        zip.start_file("xl/sharedStrings.xml", zip::write::SimpleFileOptions::default()).unwrap();
        let sst = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" {declared}><si><t>Id</t></si></sst>"#
        );
        zip.write_all(sst.as_bytes()).unwrap();
        zip.finish().unwrap();
        let res = app.send(upload(&app, XLSX, file)).await;
        assert_problem(&res, 422);
        assert!(res.text.contains("shared strings"), "{}", res.text);
        still_serving(&app).await;
    }
}

#[actix_web::test]
async fn a_workbook_that_inflates_past_the_limit_is_refused_while_inflating() {
    let app = TestApp::new().await;
    // 80 MB of white space inside the sheet compresses to well under a megabyte.
    let padding = " ".repeat(80 * 1024 * 1024);
    let file = workbook(None, &format!(r#"<row r="1">{}</row>{padding}"#, cell("A1", "Id")));
    assert!(file.len() < 1024 * 1024, "{}", file.len());
    let res = app.send(upload(&app, XLSX, file)).await;
    assert_problem(&res, 413);
    assert!(res.body["detail"].as_str().unwrap().contains("unpacks to more than"), "{}", res.text);
    still_serving(&app).await;
    // A workbook within the limits still imports.
    let ok = workbook(
        Some("A1:B2"),
        &format!(
            r#"<row r="1">{}{}</row><row r="2">{}{}</row>"#,
            cell("A1", "Id"),
            cell("B1", "Question"),
            cell("A2", "Q-1"),
            cell("B2", "Encrypted?")
        ),
    );
    let res = app.send(upload(&app, XLSX, ok)).await;
    assert_eq!(res.status, 201, "{}", res.text);
}

#[actix_web::test]
async fn a_csv_of_separators_or_far_columns_is_refused() {
    let app = TestApp::new().await;
    // 8 MiB of commas: eight million empty cells.
    let commas = format!("Id,Question\n{}\n", ",".repeat(8 * 1024 * 1024));
    let res = app.send(upload(&app, "text/csv", commas.into_bytes())).await;
    assert_problem(&res, 422);
    assert!(res.text.contains("64 columns"), "{}", res.text);
    // Rows past the bound, each a distinct question: refused for their number alone.
    let many_rows: String = std::iter::once("Id,Question\n".to_string())
        .chain((0..30_000).map(|i| format!("Q-{i},Question {i}?\n")))
        .collect();
    let res = app.send(upload(&app, "text/csv", many_rows.into_bytes())).await;
    assert_problem(&res, 422);
    assert!(res.text.contains("20000 rows"), "{}", res.text);
    still_serving(&app).await;
}

#[actix_web::test]
async fn json_nested_past_any_template_or_over_the_body_limit_is_refused() {
    let app = TestApp::new().await;
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let req = TestRequest::post()
        .uri(&format!("{BASE}/import"))
        .insert_header(("Authorization", format!("Bearer {}", app.token("security"))))
        .insert_header(("Content-Type", "application/json"))
        .set_payload(deep);
    let res = app.send(req).await;
    assert_problem(&res, 400);
    // Over the body limit and the allowance for documents (1 MiB + 2 MiB by default).
    let big = json!({"key": "big", "title": "x".repeat(4 * 1024 * 1024), "sections": []});
    let res = app.post(&format!("{BASE}/import"), "security", big).await;
    assert_problem(&res, 413);
    still_serving(&app).await;
}
