use diesel::{AsChangeset, Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    db::{
        schema::questionnaire_templates,
        stored::{Row, Unreadable},
    },
    error::{ApiError, FieldError},
    patch::double_option,
    rules::{
        questionnaire::{self, Section},
        vendor_profile::text_enum,
    },
};

/// The name of our JSON exchange format; exports carry it and imports check it.
pub const FORMAT: &str = "oversee.questionnaire/v1";

text_enum!(
    /// A draft can be edited; a published version never changes.
    TemplateStatus { Draft => "draft", Published => "published" }
);

#[derive(Queryable, Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = questionnaire_templates, treat_none_as_null = true)]
pub struct TemplateRow {
    pub id: String,
    pub template_key: String,
    pub template_version: i32,
    pub title: String,
    pub description: Option<String>,
    pub status: String,
    pub builtin: bool,
    pub content: String,
    pub question_count: i32,
    pub published_at: Option<String>,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

impl TemplateRow {
    pub fn sections(&self) -> Result<Vec<Section>, Unreadable> {
        // Written by us from validated sections; unreadable content is corruption.
        Row::new("questionnaire_templates", &self.id).json("content", &self.content)
    }

    pub fn status(&self) -> Result<TemplateStatus, Unreadable> {
        Row::new("questionnaire_templates", &self.id).one_of(
            "status",
            "template status",
            &self.status,
            TemplateStatus::parse,
        )
    }
}

/// A template version without its questions, for lists.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TemplateSummary {
    pub id: String,
    /// Stable across versions.
    pub key: String,
    /// 1, 2, 3... per key.
    pub template_version: i32,
    pub title: String,
    pub description: Option<String>,
    pub status: TemplateStatus,
    pub builtin: bool,
    pub question_count: i32,
    pub published_at: Option<String>,
    /// Row version, for `If-Match`.
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

/// A template version with its sections and questions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Template {
    #[serde(flatten)]
    pub summary: TemplateSummary,
    pub sections: Vec<Section>,
}

impl TryFrom<&TemplateRow> for TemplateSummary {
    type Error = Unreadable;

    fn try_from(r: &TemplateRow) -> Result<Self, Unreadable> {
        Ok(TemplateSummary {
            id: r.id.clone(),
            key: r.template_key.clone(),
            template_version: r.template_version,
            title: r.title.clone(),
            description: r.description.clone(),
            status: r.status()?,
            builtin: r.builtin,
            question_count: r.question_count,
            published_at: r.published_at.clone(),
            version: r.version,
            created_at: r.created_at.clone(),
            updated_at: r.updated_at.clone(),
        })
    }
}

impl TryFrom<TemplateRow> for Template {
    type Error = Unreadable;

    fn try_from(r: TemplateRow) -> Result<Self, Unreadable> {
        Ok(Template { summary: TemplateSummary::try_from(&r)?, sections: r.sections()? })
    }
}

/// A template in Oversee's exchange format: what export gives and import takes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TemplateDocument {
    /// `oversee.questionnaire/v1`. Optional when creating a template; checked when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Lowercase letters, digits, `.`, `_` and `-`; the same key across versions.
    #[schema(pattern = "^[a-z0-9][a-z0-9._-]{0,99}$")]
    pub key: String,
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub sections: Vec<Section>,
}

impl TemplateDocument {
    pub fn from_row(r: &TemplateRow) -> Result<Self, Unreadable> {
        Ok(TemplateDocument {
            format: Some(FORMAT.into()),
            key: r.template_key.clone(),
            title: r.title.clone(),
            description: r.description.clone(),
            sections: r.sections()?,
        })
    }

    /// Every problem at once, as 422 field errors.
    pub fn validate(&self) -> Result<(), ApiError> {
        let mut errors = Vec::new();
        if let Some(f) = &self.format {
            if f != FORMAT {
                errors.push(FieldError::new("format", format!("'{f}' is not a format this version reads ({FORMAT})")));
            }
        }
        if !valid_key(&self.key) {
            errors.push(FieldError::new(
                "key",
                "1 to 100 characters: lowercase letters, digits, '.', '_' and '-', starting with a letter or digit",
            ));
        }
        errors.extend(title_and_description_problems(&self.title, self.description.as_deref()));
        if self.sections.is_empty() {
            errors.push(FieldError::new("sections", "a template needs at least one section"));
        }
        errors.extend(section_problems(&self.sections));
        ApiError::unless_empty(errors)
    }
}

pub fn valid_key(k: &str) -> bool {
    (1..=100).contains(&k.len())
        && k.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'))
}

pub fn title_and_description_problems(title: &str, description: Option<&str>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if title.trim().is_empty() || title.chars().count() > 300 {
        errors.push(FieldError::new("title", "1 to 300 characters"));
    }
    if description.is_some_and(|d| d.chars().count() > 10_000) {
        errors.push(FieldError::new("description", "at most 10000 characters"));
    }
    errors
}

pub fn section_problems(sections: &[Section]) -> Vec<FieldError> {
    questionnaire::validate_sections(sections).into_iter().map(|p| FieldError::new(p.field, p.message)).collect()
}

/// Changes to a draft. `sections` replaces all sections.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTemplate {
    #[schema(min_length = 1, max_length = 300)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub sections: Option<Vec<Section>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TemplateQuery {
    /// Only versions of this template key.
    pub key: Option<String>,
    pub status: Option<TemplateStatus>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
