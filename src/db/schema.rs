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
        seq -> Nullable<BigInt>,
        prev_hash -> Nullable<Text>,
        hash -> Nullable<Text>,
        key_id -> Nullable<Text>,
    }
}

diesel::table! {
    audit_chain (id) {
        id -> Integer,
        seq -> BigInt,
        head -> Text,
        key_id -> Nullable<Text>,
    }
}

diesel::table! {
    token_revocations (sub) {
        sub -> Text,
        not_before -> Text,
        revoked_by -> Text,
        revoked_at -> Text,
    }
}

diesel::table! {
    inbound_event_ids (id) {
        id -> Text,
        received_at -> Text,
    }
}

diesel::table! {
    audit_anchors (id) {
        id -> Text,
        seq -> BigInt,
        head -> Text,
        key_id -> Nullable<Text>,
        reason -> Text,
        requested_by -> Text,
        published_at -> Text,
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
        fanned_out_at -> Nullable<Text>,
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
        redacted -> Bool,
    }
}

diesel::table! {
    questionnaire_templates (id) {
        id -> Text,
        template_key -> Text,
        template_version -> Integer,
        title -> Text,
        description -> Nullable<Text>,
        status -> Text,
        builtin -> Bool,
        content -> Text,
        question_count -> Integer,
        published_at -> Nullable<Text>,
        version -> Integer,
        created_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    assessments (id) {
        id -> Text,
        vendor_id -> Text,
        template_id -> Text,
        status -> Text,
        due_on -> Text,
        respondent_name -> Text,
        respondent_email -> Text,
        token_hash -> Nullable<Text>,
        token_expires_at -> Nullable<Text>,
        token_revoked_at -> Nullable<Text>,
        sent_at -> Nullable<Text>,
        submitted_at -> Nullable<Text>,
        decided_at -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decision_comment -> Nullable<Text>,
        score -> Nullable<Double>,
        critical_failures -> Nullable<Integer>,
        version -> Integer,
        created_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    assessment_answers (assessment_id, question_code) {
        assessment_id -> Text,
        question_code -> Text,
        answer -> Nullable<Text>,
        comment -> Nullable<Text>,
        answered_at -> Text,
        review_status -> Text,
        review_comment -> Nullable<Text>,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Text>,
    }
}

diesel::table! {
    assessment_evidence (id) {
        id -> Text,
        assessment_id -> Text,
        question_code -> Text,
        filename -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        created_at -> Text,
    }
}

diesel::table! {
    findings (id) {
        id -> Text,
        vendor_id -> Text,
        assessment_id -> Nullable<Text>,
        question_code -> Nullable<Text>,
        title -> Text,
        description -> Nullable<Text>,
        severity -> Text,
        status -> Text,
        due_on -> Nullable<Text>,
        owner_email -> Nullable<Text>,
        risk_justification -> Nullable<Text>,
        risk_approved_by -> Nullable<Text>,
        risk_accepted_at -> Nullable<Text>,
        resolved_at -> Nullable<Text>,
        version -> Integer,
        created_at -> Text,
        updated_at -> Text,
        ticket_system -> Nullable<Text>,
        ticket_key -> Nullable<Text>,
        ticket_url -> Nullable<Text>,
    }
}

diesel::table! {
    vendor_score_snapshots (id) {
        id -> Text,
        vendor_id -> Text,
        computed_at -> Text,
        as_of -> Text,
        score -> Double,
        grade -> Text,
        f1_status -> Text,
        f2_status -> Text,
        model_version -> Text,
        document -> Text,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Text,
        url -> Text,
        event_types -> Text,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Text>,
        active -> Bool,
        description -> Nullable<Text>,
        failed_in_a_row -> Integer,
        disabled_reason -> Nullable<Text>,
        version -> Integer,
        created_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        subscription_id -> Text,
        event_id -> Text,
        event_type -> Text,
        subject_key -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Text,
        lease_until -> Nullable<Text>,
        last_status_code -> Nullable<Integer>,
        last_latency_ms -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Text>,
        created_at -> Text,
        updated_at -> Text,
        claimed_by -> Nullable<Text>,
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
diesel::joinable!(assessments -> vendors (vendor_id));
diesel::joinable!(assessments -> questionnaire_templates (template_id));
diesel::joinable!(assessment_answers -> assessments (assessment_id));
diesel::joinable!(findings -> vendors (vendor_id));
diesel::allow_tables_to_appear_in_same_query!(
    contract_compliance,
    reminders,
    contracts,
    vendors,
    contract_events,
    contract_clauses,
    clause_types,
    settings,
    questionnaire_templates,
    assessments,
    assessment_answers,
    assessment_evidence,
    findings,
    vendor_score_snapshots,
    webhook_subscriptions,
    webhook_deliveries
);

diesel::table! {
    reminders (id) {
        id -> Text,
        kind -> Text,
        subject_type -> Text,
        subject_id -> Text,
        vendor_id -> Text,
        due_on -> Text,
        lead_days -> Integer,
        send_on -> Text,
        state -> Text,
        late -> Bool,
        attempts -> Integer,
        next_attempt_at -> Text,
        lease_until -> Nullable<Text>,
        last_error -> Nullable<Text>,
        reason -> Nullable<Text>,
        recipients -> Nullable<Text>,
        message_id -> Nullable<Text>,
        sent_at -> Nullable<Text>,
        created_at -> Text,
        updated_at -> Text,
        claimed_by -> Nullable<Text>,
    }
}

diesel::table! {
    contract_compliance (contract_id) {
        contract_id -> Text,
        status -> Text,
        changed_at -> Text,
    }
}

diesel::table! {
    incidents (id) {
        id -> Text,
        vendor_id -> Text,
        contract_id -> Nullable<Text>,
        title -> Text,
        description -> Nullable<Text>,
        status -> Text,
        discovered_on -> Text,
        discovered_on_approximate -> Bool,
        reported_to_us_on -> Text,
        pi_elements -> Text,
        data_encrypted -> Nullable<Bool>,
        key_compromised -> Nullable<Bool>,
        ma_residents_affected -> Nullable<BigInt>,
        breach_determination -> Text,
        determination_rationale -> Nullable<Text>,
        ag_notified_on -> Nullable<Text>,
        ocabr_notified_on -> Nullable<Text>,
        residents_notified_on -> Nullable<Text>,
        credit_agencies_notified_on -> Nullable<Text>,
        law_enforcement_delay -> Nullable<Text>,
        credit_monitoring_offered -> Bool,
        credit_monitoring_months -> Nullable<Integer>,
        responsive_actions -> Text,
        review -> Nullable<Text>,
        closed_on -> Nullable<Text>,
        timeliness -> Nullable<Text>,
        late_report_finding_id -> Nullable<Text>,
        created_by -> Text,
        version -> Integer,
        created_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    incident_resident_counts (id) {
        id -> Text,
        incident_id -> Text,
        ma_residents_affected -> Nullable<BigInt>,
        recorded_at -> Text,
        recorded_by -> Text,
    }
}
