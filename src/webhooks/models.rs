use diesel::{AsChangeset, Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    db::{
        schema::{webhook_deliveries, webhook_subscriptions},
        stored::{Row, Unreadable},
    },
    error::{ApiError, FieldError},
    patch::double_option,
    rules::{vendor_profile::text_enum, webhooks::valid_pattern},
};

#[derive(Queryable, Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = webhook_subscriptions, treat_none_as_null = true)]
pub struct SubscriptionRow {
    pub id: String,
    pub url: String,
    pub event_types: String,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<String>,
    pub active: bool,
    pub description: Option<String>,
    pub failed_in_a_row: i32,
    pub disabled_reason: Option<String>,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

impl SubscriptionRow {
    pub fn patterns(&self) -> Result<Vec<String>, Unreadable> {
        Row::new("webhook_subscriptions", &self.id).json("event_types", &self.event_types)
    }

    /// The secrets that sign now: the current one, and the previous one until its overlap ends.
    pub fn signing_secrets(&self, now: &str) -> Vec<&str> {
        let mut out = vec![self.secret.as_str()];
        if let (Some(prev), Some(until)) = (&self.previous_secret, &self.previous_secret_until) {
            if until.as_str() > now {
                out.push(prev);
            }
        }
        out
    }
}

/// A webhook subscription; its secret is shown only when created or rotated.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Subscription {
    pub id: String,
    pub url: String,
    /// Exact types (`vendor.created`), families (`contract.*`) or `*`.
    pub event_types: Vec<String>,
    pub active: bool,
    pub description: Option<String>,
    /// Deliveries that failed for good in a row; at 5 the subscription is disabled.
    pub failed_in_a_row: i32,
    /// Why Oversee disabled it, when it did.
    pub disabled_reason: Option<String>,
    /// Until when the previous secret still signs (after a rotation).
    pub previous_secret_until: Option<String>,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

impl TryFrom<&SubscriptionRow> for Subscription {
    type Error = Unreadable;

    fn try_from(r: &SubscriptionRow) -> Result<Self, Unreadable> {
        Ok(Subscription {
            id: r.id.clone(),
            url: r.url.clone(),
            event_types: r.patterns()?,
            active: r.active,
            description: r.description.clone(),
            failed_in_a_row: r.failed_in_a_row,
            disabled_reason: r.disabled_reason.clone(),
            previous_secret_until: r.previous_secret_until.clone(),
            version: r.version,
            created_at: r.created_at.clone(),
            updated_at: r.updated_at.clone(),
        })
    }
}

/// A subscription with its signing secret, shown this once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubscriptionWithSecret {
    #[serde(flatten)]
    pub subscription: Subscription,
    /// `whsec_…`: verify `webhook-signature` with it. Not shown again.
    pub secret: String,
}

pub fn check_patterns(patterns: &[String]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if patterns.is_empty() || patterns.len() > 50 {
        errors.push(FieldError::new("event_types", "1 to 50 event types"));
    }
    for (i, p) in patterns.iter().enumerate() {
        if !valid_pattern(p) {
            errors.push(FieldError::new(
                format!("event_types[{i}]"),
                "an event type such as vendor.created, a family such as contract.*, or *",
            ));
        }
    }
    errors
}

pub fn check_description(d: Option<&str>) -> Vec<FieldError> {
    if d.is_some_and(|d| d.chars().count() > 500) {
        vec![FieldError::new("description", "at most 500 characters")]
    } else {
        vec![]
    }
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://hooks.example.com/oversee", "event_types": ["finding.*", "vendor.score_changed"],
    "description": "Jira automation"}))]
pub struct CreateSubscription {
    /// https (http only when OVERSEE_WEBHOOK_ALLOW_HTTP=true); never a private, loopback,
    /// link-local or metadata address unless OVERSEE_WEBHOOK_ALLOW_PRIVATE=true.
    pub url: String,
    pub event_types: Vec<String>,
    pub description: Option<String>,
    #[serde(default = "default_true")]
    pub active: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSubscription {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// Re-activating a disabled subscription clears its failure count.
    pub active: Option<bool>,
}

fn default_overlap() -> u32 {
    24
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateSecret {
    /// Hours during which the old secret still signs beside the new one (0 to 168, default 24).
    #[serde(default = "default_overlap")]
    #[schema(maximum = 168)]
    pub overlap_hours: u32,
}

impl RotateSecret {
    pub fn check(&self) -> Result<(), ApiError> {
        if self.overlap_hours > 168 {
            return Err(ApiError::invalid("overlap_hours", "0 to 168"));
        }
        Ok(())
    }
}

text_enum!(
    /// `pending` (waiting for its next attempt), `succeeded`, or `failed` for good.
    DeliveryStatus { Pending => "pending", Succeeded => "succeeded", Failed => "failed" }
);

#[derive(Queryable, Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = webhook_deliveries, treat_none_as_null = true)]
pub struct DeliveryRow {
    pub id: String,
    pub subscription_id: String,
    pub event_id: String,
    pub event_type: String,
    pub subject_key: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: String,
    pub lease_until: Option<String>,
    pub last_status_code: Option<i32>,
    pub last_latency_ms: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The claim token of the process that holds (or last held) the delivery.
    pub claimed_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Delivery {
    /// Also the `webhook-id` header: receivers de-duplicate on it.
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<String>,
    pub last_status_code: Option<i32>,
    pub last_latency_ms: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<String>,
    pub created_at: String,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = Unreadable;

    fn try_from(r: DeliveryRow) -> Result<Self, Unreadable> {
        let status = Row::new("webhook_deliveries", &r.id).one_of(
            "status",
            "delivery status",
            &r.status,
            DeliveryStatus::parse,
        )?;
        Ok(Delivery {
            next_attempt_at: (status == DeliveryStatus::Pending).then_some(r.next_attempt_at),
            id: r.id,
            event_id: r.event_id,
            event_type: r.event_type,
            status,
            attempts: r.attempts,
            last_status_code: r.last_status_code,
            last_latency_ms: r.last_latency_ms,
            last_error: r.last_error,
            delivered_at: r.delivered_at,
            created_at: r.created_at,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    pub status: Option<DeliveryStatus>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
