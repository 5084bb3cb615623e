// Hand-written and portable: the same schema for SQLite and PostgreSQL (see migrations/).

diesel::table! {
    vendors (id) {
        id -> Text,
        name -> Text,
        name_key -> Text,
        legal_name -> Nullable<Text>,
        website -> Nullable<Text>,
        description -> Nullable<Text>,
        status -> Text,
        owner_email -> Nullable<Text>,
        handles_pi -> Bool,
        pi_elements -> Text,
        records_estimate -> Nullable<BigInt>,
        access -> Text,
        criticality -> Text,
        risk_tier -> Integer,
        tags -> Text,
        version -> Integer,
        created_at -> Text,
        updated_at -> Text,
        archived_at -> Nullable<Text>,
    }
}

diesel::table! {
    vendor_tags (vendor_id, tag) {
        vendor_id -> Text,
        tag -> Text,
    }
}

diesel::table! {
    vendor_contacts (id) {
        id -> Text,
        vendor_id -> Text,
        name -> Text,
        email -> Text,
        email_key -> Text,
        role -> Text,
        phone -> Nullable<Text>,
        version -> Integer,
        created_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        occurred_at -> Text,
        actor_sub -> Text,
        actor_role -> Text,
        action -> Text,
        subject_type -> Text,
        subject_id -> Text,
        before -> Nullable<Text>,
        after -> Nullable<Text>,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    outbox_events (id) {
        id -> Text,
        event_type -> Text,
        subject_type -> Text,
        subject_id -> Text,
        payload -> Text,
        occurred_at -> Text,
    }
}

diesel::table! {
    idempotency_keys (principal, idem_key) {
        principal -> Text,
        idem_key -> Text,
        request_hash -> Text,
        status_code -> Nullable<Integer>,
        response_headers -> Nullable<Text>,
        response_body -> Nullable<Text>,
        created_at -> Text,
    }
}

diesel::joinable!(vendor_tags -> vendors (vendor_id));
diesel::joinable!(vendor_contacts -> vendors (vendor_id));
diesel::allow_tables_to_appear_in_same_query!(
    vendors,
    vendor_tags,
    vendor_contacts,
    audit_events,
    outbox_events,
    idempotency_keys
);
