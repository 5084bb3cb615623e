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
        name_key -> Text,
        created_at -> Text,
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

diesel::table! {
    contracts (id) {
        id -> Text,
        vendor_id -> Text,
        title -> Text,
        kind -> Text,
        entered_on -> Text,
        effective_on -> Nullable<Text>,
        ends_on -> Nullable<Text>,
        auto_renews -> Bool,
        renewal_term_months -> Nullable<Integer>,
        notice_days -> Nullable<Integer>,
        status -> Text,
        terminated_on -> Nullable<Text>,
        value_cents -> Nullable<BigInt>,
        currency -> Nullable<Text>,
        owner_email -> Nullable<Text>,
        document_text -> Nullable<Text>,
        version -> Integer,
        created_at -> Text,
        updated_at -> Text,
        deleted_at -> Nullable<Text>,
    }
}

diesel::table! {
    contract_events (id) {
        id -> Text,
        contract_id -> Text,
        kind -> Text,
        executed_on -> Text,
        summary -> Nullable<Text>,
        clauses_added -> Text,
        clauses_removed -> Text,
        previous_ends_on -> Nullable<Text>,
        new_ends_on -> Nullable<Text>,
        created_at -> Text,
    }
}

diesel::table! {
    clause_types (key) {
        key -> Text,
        title -> Text,
        description -> Text,
        supports -> Text,
        builtin -> Bool,
        created_at -> Text,
    }
}

diesel::table! {
    contract_clauses (contract_id, clause_type) {
        contract_id -> Text,
        clause_type -> Text,
        status -> Text,
        effective_from -> Text,
        effective_to -> Nullable<Text>,
        section_ref -> Nullable<Text>,
        excerpt -> Nullable<Text>,
        notes -> Nullable<Text>,
        deadline_amount -> Nullable<Integer>,
        deadline_unit -> Nullable<Text>,
        verified_by -> Nullable<Text>,
        verified_at -> Nullable<Text>,
        version -> Integer,
        created_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
        updated_at -> Text,
    }
}

diesel::joinable!(contracts -> vendors (vendor_id));
diesel::joinable!(contract_events -> contracts (contract_id));
diesel::joinable!(contract_clauses -> contracts (contract_id));
diesel::allow_tables_to_appear_in_same_query!(
    contracts,
    vendors,
    contract_events,
    contract_clauses,
    clause_types,
    settings
);
