//! The built-in clause library, in our own words (DOMAIN.md section 6). Installed at start;
//! admins may add their own types beside these.

pub struct BuiltinClause {
    pub key: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub supports: &'static [&'static str],
}

pub const BUILTIN: &[BuiltinClause] = &[
    BuiltinClause {
        key: "security_measures",
        title: "Security measures",
        description: "The provider must implement and maintain appropriate administrative, technical and physical safeguards for the personal information. This is the term 201 CMR 17.03(2)(f)2 requires.",
        supports: &["201 CMR 17.03(2)(f)2"],
    },
    BuiltinClause {
        key: "compliance_201cmr17",
        title: "Compliance with 201 CMR 17.00",
        description: "The provider agrees to comply with the Massachusetts Standards for the Protection of Personal Information (201 CMR 17.00) and M.G.L. c. 93H.",
        supports: &["201 CMR 17.03(2)(f)", "M.G.L. c. 93H"],
    },
    BuiltinClause {
        key: "breach_notification",
        title: "Breach notification",
        description: "The provider must notify us of a security incident or breach of security, ideally within a stated number of hours or days.",
        supports: &["M.G.L. c. 93H s. 3(a)", "NYDFS 500.11(b)(3)", "HIPAA 45 CFR 164.410"],
    },
    BuiltinClause {
        key: "subcontractor_flowdown",
        title: "Subcontractor flow-down",
        description: "Subcontractors and sub-processors with access to the information are bound by obligations no less protective, with our prior consent.",
        supports: &["HIPAA 45 CFR 164.314(a)(2)(i)(B)"],
    },
    BuiltinClause {
        key: "audit_rights",
        title: "Audit rights",
        description: "We may audit or inspect the provider's safeguards, or receive independent reports (SOC 2, ISO 27001) and questionnaire answers.",
        supports: &["201 CMR 17.03(2)(f)1", "201 CMR 17.03(2)(h)"],
    },
    BuiltinClause {
        key: "return_or_destroy",
        title: "Return or destruction",
        description: "On termination or expiry the provider returns or securely destroys the information and certifies it.",
        supports: &["HIPAA 45 CFR 164.504(e)", "M.G.L. c. 93I"],
    },
    BuiltinClause {
        key: "encryption",
        title: "Encryption",
        description: "Personal information is encrypted in transit over public networks and wireless, and at rest on laptops and portable devices.",
        supports: &["201 CMR 17.04(3)", "201 CMR 17.04(5)", "NYDFS 500.15"],
    },
    BuiltinClause {
        key: "access_controls",
        title: "Access controls",
        description: "Unique user IDs, least privilege and multi-factor authentication for access to the information.",
        supports: &["201 CMR 17.04(1)", "201 CMR 17.04(2)", "NYDFS 500.11(b)(1)"],
    },
    BuiltinClause {
        key: "insurance",
        title: "Cyber insurance",
        description: "The provider carries cyber liability (network security and privacy) insurance of a stated amount and provides a certificate.",
        supports: &["practice"],
    },
    BuiltinClause {
        key: "indemnification",
        title: "Indemnification",
        description: "The provider indemnifies us for losses from a breach, including notification costs, credit monitoring and regulatory fines, outside the limitation of liability.",
        supports: &["practice"],
    },
];
