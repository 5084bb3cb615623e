//! Import of a questionnaire spreadsheet a user brings (their licensed CAIQ or SIG file, or their
//! own), as CSV or XLSX, with the columns named by their headers. Every question is keyed by
//! (framework, version, id): ids change meaning across versions of the same framework.

use std::io::Cursor;

use actix_web::{http::header, HttpRequest};
use serde::Deserialize;
use utoipa::IntoParams;

use super::models::TemplateDocument;
use crate::{
    error::{ApiError, FieldError},
    rules::questionnaire::{AnswerType, Question, Ref, Section, MAX_QUESTIONS},
};

/// Spreadsheets may be larger than JSON bodies: a full SIG workbook runs to megabytes.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Csv,
    Xlsx,
}

pub fn kind_of(req: &HttpRequest) -> Result<Kind, ApiError> {
    let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match essence.as_str() {
        "text/csv" => Ok(Kind::Csv),
        XLSX => Ok(Kind::Xlsx),
        _ => Err(ApiError::UnsupportedMediaType(format!("send the file as Content-Type: text/csv or {XLSX}"))),
    }
}

fn default_answer_type() -> AnswerType {
    AnswerType::YesNoNa
}

fn default_header_row() -> usize {
    1
}

/// How to read the file: which header names which field.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SpreadsheetImport {
    /// Template key for the new draft, e.g. `caiq-v4`.
    pub key: String,
    pub title: String,
    /// The framework the ids belong to, e.g. `CSA CAIQ`.
    pub framework: String,
    /// Its version, e.g. `4.0.3`.
    pub framework_version: String,
    /// Header of the column holding the question id.
    pub code_column: String,
    /// Header of the column holding the question text.
    pub question_column: String,
    /// Header of the column grouping questions into sections; one section when absent.
    pub section_column: Option<String>,
    /// Header of the column giving each question's answer type (yes/no, yes/no/na, text, number, date, evidence).
    pub answer_type_column: Option<String>,
    /// Header of a column with guidance for the respondent.
    pub help_column: Option<String>,
    /// Answer type when there is no answer type column or its cell is empty (default yes_no_na).
    #[serde(default = "default_answer_type")]
    pub default_answer_type: AnswerType,
    /// XLSX: the sheet to read (default: the first).
    pub sheet: Option<String>,
    /// The 1-based row that holds the headers (default 1); rows above it are ignored.
    #[serde(default = "default_header_row")]
    #[param(minimum = 1)]
    pub header_row: usize,
}

/// Turns a file into a template document, or a 422 naming the row and column at fault.
pub fn to_document(kind: Kind, bytes: &[u8], spec: &SpreadsheetImport) -> Result<TemplateDocument, ApiError> {
    let rows = match kind {
        Kind::Csv => csv_rows(bytes)?,
        Kind::Xlsx => xlsx_rows(bytes, spec.sheet.as_deref())?,
    };
    let doc = rows_to_document(&rows, spec).map_err(ApiError::Validation)?;
    doc.validate()?;
    Ok(doc)
}

fn file_error(message: impl Into<String>) -> ApiError {
    ApiError::invalid("file", &message.into())
}

/// The most of a sheet that is read: far more than any questionnaire (at most 5,000 questions,
/// a few dozen columns), and small enough that no file, however it is built, makes the server
/// allocate more than a few tens of megabytes for it (20,000 rows of 64 empty strings: 31 MB).
pub const MAX_ROWS: usize = 20_000;
pub const MAX_COLUMNS: usize = 64;
pub const MAX_CELLS: usize = 1_000_000;

/// Counts cells as they are read, and refuses a sheet past the bounds before it grows.
struct Bounds {
    cells: usize,
}

impl Bounds {
    fn cell(&mut self, row: usize, column: usize) -> Result<(), ApiError> {
        self.cells += 1;
        if row >= MAX_ROWS || column >= MAX_COLUMNS {
            return Err(file_error(format!(
                "a cell at row {}, column {} is outside what is read: at most {MAX_ROWS} rows and {MAX_COLUMNS} columns",
                row + 1,
                column_letter(column)
            )));
        }
        if self.cells > MAX_CELLS {
            return Err(file_error(format!("the sheet has more than {MAX_CELLS} cells")));
        }
        Ok(())
    }
}

fn csv_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, ApiError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    check_csv_shape(bytes)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| file_error(format!("row {}: not readable as CSV: {e}", i + 1)))?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

/// Walks the file field by field without keeping any (csv-core, the CSV reader's own state
/// machine), so a file of separators is refused before a record of millions of fields is built.
fn check_csv_shape(bytes: &[u8]) -> Result<(), ApiError> {
    use csv_core::ReadFieldResult::{End, Field, InputEmpty, OutputFull};
    let mut reader = csv_core::Reader::new();
    let mut discard = [0u8; 4096];
    let (mut input, mut row, mut column) = (bytes, 0usize, 0usize);
    let mut bounds = Bounds { cells: 0 };
    loop {
        let (result, read, _) = reader.read_field(input, &mut discard);
        input = &input[read..];
        match result {
            InputEmpty | OutputFull => {}
            Field { record_end } => {
                bounds.cell(row, column)?;
                (row, column) = if record_end { (row + 1, 0) } else { (row, column + 1) };
            }
            End => return Ok(()),
        }
    }
}

/// An XLSX file is a zip archive. Every part is inflated once, counting the bytes that actually
/// come out (a part's declared size can lie), and the workbook is refused (413) past this, before
/// the spreadsheet reader unpacks anything into memory.
const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;

fn check_unpacked_size(bytes: &[u8], max: u64) -> Result<(), ApiError> {
    let unreadable = |e: &dyn std::fmt::Display| file_error(format!("not a readable XLSX workbook: {e}"));
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).map_err(|e| unreadable(&e))?;
        let left = max - total;
        // The shared-string table's declared size is reserved up front by the reader: a tiny file
        // declaring trillions would abort the process on allocation, so its opening is read first.
        let mut head = Vec::new();
        if part.name().to_ascii_lowercase().ends_with("sharedstrings.xml") {
            std::io::Read::read_to_end(&mut std::io::Read::take(&mut part, 4096), &mut head)
                .map_err(|e| unreadable(&e))?;
            check_declared_strings(&head)?;
        }
        // One byte more than is left tells "too big" from "exactly at the limit".
        let rest = (left + 1).saturating_sub(head.len() as u64);
        let n =
            std::io::copy(&mut std::io::Read::take(part, rest), &mut std::io::sink()).map_err(|e| unreadable(&e))?;
        total += n + head.len() as u64;
        if total > max {
            return Err(ApiError::PayloadTooLarge(format!(
                "the workbook unpacks to more than {max} bytes; at most that much is read"
            )));
        }
    }
    Ok(())
}

/// The `count` and `uniqueCount` the shared-string table's opening tag declares, refused past
/// `MAX_CELLS` (a sheet read here holds no more cells than that, so no more distinct strings).
fn check_declared_strings(head: &[u8]) -> Result<(), ApiError> {
    let text = String::from_utf8_lossy(head);
    for attr in ["uniqueCount=\"", "count=\""] {
        let Some(at) = text.find(attr) else { continue };
        let digits: String = text[at + attr.len()..].chars().take_while(|c| c.is_ascii_digit()).collect();
        let declared: u128 = digits.parse().unwrap_or(u128::MAX);
        if declared > MAX_CELLS as u128 {
            return Err(file_error(format!(
                "the workbook declares {digits} shared strings; a sheet read here holds at most {MAX_CELLS} cells"
            )));
        }
    }
    Ok(())
}

fn xlsx_rows(bytes: &[u8], sheet: Option<&str>) -> Result<Vec<Vec<String>>, ApiError> {
    use calamine::Reader;
    check_unpacked_size(bytes, MAX_UNPACKED_BYTES)?;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| file_error(format!("not a readable XLSX workbook: {e}")))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names.iter().find(|n| n.as_str() == s).cloned().ok_or_else(|| {
            ApiError::invalid("sheet", &format!("no sheet '{s}'; the workbook has: {}", names.join(", ")))
        })?,
        None => names.first().cloned().ok_or_else(|| file_error("the workbook has no sheets"))?,
    };
    // Cells one at a time, never a dense range: a range from A1 to a lone cell at XFD1048576
    // would be a slot for each of 17 billion cells.
    let mut cells = book.worksheet_cells_reader(&name).map_err(|e| file_error(format!("sheet '{name}': {e}")))?;
    let declared = cells.dimensions();
    let height = u64::from(declared.end.0.saturating_sub(declared.start.0)) + 1;
    let width = u64::from(declared.end.1.saturating_sub(declared.start.1)) + 1;
    if declared.end.0 as usize >= MAX_ROWS || declared.end.1 as usize >= MAX_COLUMNS {
        return Err(file_error(format!(
            "sheet '{name}' declares {height} rows by {width} columns, up to row {} and column {}; at most {MAX_ROWS} rows and \
             {MAX_COLUMNS} columns are read",
            declared.end.0 + 1,
            column_letter(declared.end.1 as usize)
        )));
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut bounds = Bounds { cells: 0 };
    while let Some(cell) = cells.next_cell().map_err(|e| file_error(format!("sheet '{name}': {e}")))? {
        let (r, c) = (cell.get_position().0 as usize, cell.get_position().1 as usize);
        let value = calamine::Data::from(cell.get_value().clone()).to_string();
        if value.is_empty() {
            continue;
        }
        // Rows are numbered as the user sees them: row 1 is index 0, whatever the first used row.
        bounds.cell(r, c)?;
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        let row = &mut rows[r];
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = value;
    }
    Ok(rows)
}

/// A1-style column letters, for messages: 0 -> A, 25 -> Z, 26 -> AA.
pub fn column_letter(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn answer_type_of(cell: &str) -> Option<AnswerType> {
    let norm: String = cell.to_ascii_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    Some(match norm.as_str() {
        "yesno" | "yn" | "boolean" => AnswerType::YesNo,
        "yesnona" | "yesnonotapplicable" | "ynna" => AnswerType::YesNoNa,
        "text" | "freetext" | "comment" | "string" => AnswerType::Text,
        "number" | "numeric" | "integer" => AnswerType::Number,
        "date" => AnswerType::Date,
        "evidence" | "attachment" | "file" | "document" => AnswerType::Evidence,
        _ => return AnswerType::ALL.iter().copied().find(|t| t.as_str() == cell.trim()),
    })
}

fn rows_to_document(rows: &[Vec<String>], spec: &SpreadsheetImport) -> Result<TemplateDocument, Vec<FieldError>> {
    let header_index = spec.header_row.max(1) - 1;
    let headers = rows.get(header_index).ok_or_else(|| {
        vec![FieldError::new("header_row", format!("the file has {} rows; no row {}", rows.len(), spec.header_row))]
    })?;
    let find = |param: &str, name: &str| -> Result<usize, FieldError> {
        headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name.trim())).ok_or_else(|| {
            let found: Vec<&str> = headers.iter().map(|h| h.trim()).filter(|h| !h.is_empty()).collect();
            FieldError::new(
                param,
                format!("no column headed '{name}' in row {}; the headers are: {}", spec.header_row, found.join(", ")),
            )
        })
    };
    let mut errors = Vec::new();
    let mut column = |param: &str, name: Option<&String>| -> Option<usize> {
        let name = name?;
        find(param, name).map_err(|e| errors.push(e)).ok()
    };
    let code_col = column("code_column", Some(&spec.code_column));
    let text_col = column("question_column", Some(&spec.question_column));
    let section_col = column("section_column", spec.section_column.as_ref());
    let type_col = column("answer_type_column", spec.answer_type_column.as_ref());
    let help_col = column("help_column", spec.help_column.as_ref());
    let (Some(code_col), Some(text_col)) = (code_col, text_col) else { return Err(errors) };
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut sections: Vec<Section> = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (i, row) in rows.iter().enumerate().skip(header_index + 1) {
        let n = i + 1;
        let cell = |c: usize| row.get(c).map(|s| s.trim()).unwrap_or("");
        let at = |c: usize| format!("row {n}, column {} ({})", column_letter(c), headers[c].trim());
        let (code, text) = (cell(code_col), cell(text_col));
        if code.is_empty() && text.is_empty() {
            continue; // blank or decorative row
        }
        if code.is_empty() {
            errors.push(FieldError::new(at(code_col), "the question has no id"));
            continue;
        }
        if text.is_empty() {
            errors.push(FieldError::new(at(text_col), format!("question '{code}' has no text")));
            continue;
        }
        if let Some(first) = seen.insert(code.to_string(), n) {
            errors.push(FieldError::new(at(code_col), format!("id '{code}' already appears in row {first}")));
            continue;
        }
        let answer_type = match type_col.map(cell).filter(|s| !s.is_empty()) {
            None => spec.default_answer_type,
            Some(v) => match answer_type_of(v) {
                Some(t) => t,
                None => {
                    errors.push(FieldError::new(
                        at(type_col.unwrap_or_default()),
                        format!("'{v}' is not an answer type (yes/no, yes/no/na, text, number, date, evidence)"),
                    ));
                    continue;
                }
            },
        };
        if answer_type.is_choice() {
            errors.push(FieldError::new(
                at(type_col.unwrap_or_default()),
                "choice questions need options; import them as yes/no or text and edit the draft",
            ));
            continue;
        }
        let section_title = section_col.map(cell).filter(|s| !s.is_empty()).unwrap_or(spec.title.as_str());
        let question = Question {
            code: code.to_string(),
            text: text.to_string(),
            help: help_col.map(cell).filter(|s| !s.is_empty()).map(str::to_string),
            answer_type,
            options: Vec::new(),
            weight: if answer_type.is_scored() { 1.0 } else { 0.0 },
            critical: false,
            expected: answer_type.is_yes_no().then(|| "yes".to_string()),
            refs: vec![Ref {
                framework: spec.framework.trim().to_string(),
                version: spec.framework_version.trim().to_string(),
                id: code.to_string(),
            }],
        };
        match sections.iter_mut().find(|s| s.title == section_title) {
            Some(s) => s.questions.push(question),
            None => sections.push(Section {
                code: format!("S{}", sections.len() + 1),
                title: section_title.to_string(),
                questions: vec![question],
            }),
        }
        if seen.len() > MAX_QUESTIONS {
            errors.push(FieldError::new("file", format!("more than {MAX_QUESTIONS} questions")));
            break;
        }
    }
    if seen.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("file", format!("no questions below the header row {}", spec.header_row)));
    }
    if !errors.is_empty() {
        errors.truncate(100);
        return Err(errors);
    }
    Ok(TemplateDocument {
        format: None,
        key: spec.key.trim().to_string(),
        title: spec.title.trim().to_string(),
        description: Some(format!(
            "Imported from a spreadsheet; ids are {} {}.",
            spec.framework.trim(),
            spec.framework_version.trim()
        )),
        sections,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> SpreadsheetImport {
        SpreadsheetImport {
            key: "caiq-test".into(),
            title: "CAIQ (test)".into(),
            framework: "CSA CAIQ".into(),
            framework_version: "4.0.3".into(),
            code_column: "Question ID".into(),
            question_column: "Question".into(),
            section_column: Some("Domain".into()),
            answer_type_column: Some("Type".into()),
            help_column: None,
            default_answer_type: AnswerType::YesNoNa,
            sheet: None,
            header_row: 1,
        }
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn csv_becomes_sections_keyed_by_framework_version_and_id() {
        let csv = "\u{feff}Domain,Question ID,Question,Type\n\
            A&A,A&A-01.1,Are audit policies established?,Yes/No/NA\n\
            ,,,\n\
            A&A,A&A-02.1,Are independent audits conducted?,\n\
            IAM,IAM-01.1,\"Is access, including privileged access, reviewed?\",text\n";
        let doc = to_document(Kind::Csv, csv.as_bytes(), &spec()).unwrap();
        assert_eq!(doc.sections.len(), 2);
        assert_eq!(doc.sections[0].title, "A&A");
        let q = &doc.sections[0].questions[1];
        assert_eq!((q.code.as_str(), q.answer_type), ("A&A-02.1", AnswerType::YesNoNa));
        assert_eq!(q.refs, vec![Ref { framework: "CSA CAIQ".into(), version: "4.0.3".into(), id: "A&A-02.1".into() }]);
        let text = &doc.sections[1].questions[0];
        assert_eq!((text.answer_type, text.weight, text.expected.as_deref()), (AnswerType::Text, 0.0, None));
        assert_eq!(text.text, "Is access, including privileged access, reviewed?");
    }

    #[test]
    fn problems_name_row_and_column() {
        let csv = "Domain,Question ID,Question,Type\n\
            A,X-1,Fine?,yes/no\n\
            A,,No id here,yes/no\n\
            A,X-1,Duplicate?,yes/no\n\
            A,X-3,Odd type?,maybe\n\
            A,X-4,,yes/no\n";
        let Err(ApiError::Validation(errors)) = to_document(Kind::Csv, csv.as_bytes(), &spec()) else {
            panic!("expected 422")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "row 3, column B (Question ID)",
                "row 4, column B (Question ID)",
                "row 5, column D (Type)",
                "row 6, column C (Question)",
            ]
        );
        assert!(errors[1].message.contains("row 2"), "{}", errors[1].message);
    }

    #[test]
    fn missing_headers_list_what_the_file_has() {
        let mut s = spec();
        s.question_column = "Text".into();
        let Err(ApiError::Validation(errors)) = to_document(Kind::Csv, b"Question ID,Question\nA,B\n", &s) else {
            panic!("expected 422")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["question_column", "section_column", "answer_type_column"]);
        assert!(errors[0].message.contains("Question ID, Question"), "{}", errors[0].message);
    }

    #[test]
    fn header_row_below_a_title_block() {
        let mut s = spec();
        s.section_column = None;
        s.answer_type_column = None;
        s.header_row = 3;
        let csv = "Consensus Assessment,,\nVersion 4,,\nQuestion ID,Question\nX-1,First?\n";
        let doc = to_document(Kind::Csv, csv.as_bytes(), &s).unwrap();
        assert_eq!(doc.sections.len(), 1);
        assert_eq!(doc.sections[0].title, "CAIQ (test)");
        s.header_row = 9;
        assert!(to_document(Kind::Csv, csv.as_bytes(), &s).is_err());
    }

    #[test]
    fn an_empty_or_unreadable_file_is_refused() {
        assert!(to_document(Kind::Csv, b"Domain,Question ID,Question,Type\n", &spec()).is_err());
        assert!(to_document(Kind::Xlsx, b"not a zip", &spec()).is_err());
    }

    #[test]
    fn workbooks_that_unpack_too_large_are_refused_before_reading() {
        let fixture = include_bytes!("../../tests/fixtures/questionnaire.xlsx");
        assert!(check_unpacked_size(fixture, MAX_UNPACKED_BYTES).is_ok());
        let Err(ApiError::PayloadTooLarge(e)) = check_unpacked_size(fixture, 1000) else { panic!("expected 413") };
        assert!(e.contains("unpacks to more than 1000 bytes"), "{e}");
    }

    #[test]
    fn answer_type_spellings() {
        assert_eq!(answer_type_of("Yes / No"), Some(AnswerType::YesNo));
        assert_eq!(answer_type_of("YES/NO/N/A"), Some(AnswerType::YesNoNa));
        assert_eq!(answer_type_of("Free text"), Some(AnswerType::Text));
        assert_eq!(answer_type_of("single_choice"), Some(AnswerType::SingleChoice));
        assert_eq!(answer_type_of("Attachment"), Some(AnswerType::Evidence));
        assert_eq!(answer_type_of("maybe"), None);
    }
}
