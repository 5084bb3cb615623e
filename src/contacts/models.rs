use diesel::{AsChangeset, Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::{
    db::{
        schema::vendor_contacts,
        stored::{Row, Unreadable},
    },
    patch::double_option,
    rules::vendor_profile::text_enum,
    vendors::models::non_blank,
};

text_enum!(
    /// What the contact does for us.
    ContactRole {
        Primary => "primary",
        Security => "security",
        Privacy => "privacy",
        Legal => "legal",
        Billing => "billing",
        Technical => "technical",
        Other => "other",
    }
);

#[derive(Queryable, Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = vendor_contacts, treat_none_as_null = true)]
pub struct ContactRow {
    pub id: String,
    pub vendor_id: String,
    pub name: String,
    pub email: String,
    pub email_key: String,
    pub role: String,
    pub phone: Option<String>,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

/// A person at a vendor.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Contact {
    pub id: String,
    pub vendor_id: String,
    pub name: String,
    pub email: String,
    pub role: ContactRole,
    pub phone: Option<String>,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

impl TryFrom<ContactRow> for Contact {
    type Error = Unreadable;

    fn try_from(r: ContactRow) -> Result<Self, Unreadable> {
        Ok(Contact {
            role: Row::new("vendor_contacts", &r.id).one_of("role", "contact role", &r.role, ContactRole::parse)?,
            id: r.id,
            vendor_id: r.vendor_id,
            name: r.name,
            email: r.email,
            phone: r.phone,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// The editable fields, validated the same way on create and update.
#[derive(Debug, Clone, Validate)]
pub struct ContactFields {
    #[validate(custom(function = "non_blank"), length(max = 200, message = "at most 200 characters"))]
    pub name: String,
    #[validate(email(message = "not an email address"), length(max = 254, message = "at most 254 characters"))]
    pub email: String,
    pub role: ContactRole,
    #[validate(length(min = 1, max = 50, message = "1 to 50 characters"))]
    pub phone: Option<String>,
}

impl ContactFields {
    pub fn normalized(mut self) -> Self {
        self.name = self.name.trim().to_string();
        self.email = self.email.trim().to_string();
        self.phone = self.phone.map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
        self
    }

    pub fn into_row(
        self,
        id: String,
        vendor_id: String,
        version: i32,
        created_at: String,
        updated_at: String,
    ) -> ContactRow {
        ContactRow {
            id,
            vendor_id,
            email_key: self.email.to_lowercase(),
            name: self.name,
            email: self.email,
            role: self.role.as_str().to_string(),
            phone: self.phone,
            version,
            created_at,
            updated_at,
        }
    }
}

fn default_role() -> ContactRole {
    ContactRole::Primary
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Dana Lee", "email": "dana@acme.example", "role": "security"}))]
pub struct CreateContact {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// Default `primary`.
    #[serde(default = "default_role")]
    pub role: ContactRole,
    pub phone: Option<String>,
}

impl From<CreateContact> for ContactFields {
    fn from(c: CreateContact) -> Self {
        ContactFields { name: c.name, email: c.email, role: c.role, phone: c.phone }
    }
}

/// Fields to change; `null` clears `phone`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateContact {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    pub role: Option<ContactRole>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
}

impl UpdateContact {
    pub fn apply(self, mut f: ContactFields) -> ContactFields {
        use crate::patch::Patch;
        self.name.apply_to(&mut f.name);
        self.email.apply_to(&mut f.email);
        self.role.apply_to(&mut f.role);
        self.phone.apply_to(&mut f.phone);
        f
    }
}
