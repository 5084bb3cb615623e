//! The reminder mail: a subject naming the vendor, the subject and the deadline; a text and an
//! HTML part with the same facts (every value escaped in the HTML); and the deadline as an
//! .ics attachment.

use chrono::NaiveDate;
use lettre::{
    message::{header::ContentType, Attachment, Mailbox, MultiPart},
    Message,
};

use crate::rules::reminders::Kind;

/// Everything a reminder says.
pub struct Content {
    pub kind: Kind,
    pub vendor_name: String,
    /// The contract's title, the finding's title, "Questionnaire sent to …", or the vendor.
    pub subject_title: String,
    pub due_on: NaiveDate,
    pub days_left: i64,
    /// Sent after its planned day.
    pub late: bool,
    /// For contract reminders: the (f)2 status and its reasons.
    pub f2: Option<(String, Vec<String>)>,
    /// Further facts, label and value.
    pub details: Vec<(String, String)>,
    pub link: String,
}

impl Content {
    fn when(&self) -> String {
        match self.days_left {
            0 => "today".into(),
            1 => "tomorrow".into(),
            n => format!("in {n} days"),
        }
    }

    pub fn subject_line(&self) -> String {
        format!(
            "[Oversee] {} {}: {} – {} ({})",
            self.kind.title(),
            self.when(),
            self.vendor_name,
            self.subject_title,
            self.due_on
        )
    }

    fn headline(&self) -> String {
        let what = match self.kind {
            Kind::ContractRenewal => "The current term of this contract ends",
            Kind::ContractNoticeDeadline => "The last day to give notice under this contract is",
            Kind::AssessmentDue => "The security questionnaire is due back",
            Kind::ReassessmentDue => "This vendor's reassessment is due",
            Kind::FindingDue => "The remediation of this finding is due",
        };
        format!("{what} {} ({}).", self.due_on, self.when())
    }

    pub fn text(&self) -> String {
        let mut out = format!(
            "{}\n\nVendor: {}\n{}: {}\n",
            self.headline(),
            self.vendor_name,
            label(self.kind),
            self.subject_title
        );
        for (k, v) in &self.details {
            out.push_str(&format!("{k}: {v}\n"));
        }
        if let Some((status, reasons)) = &self.f2 {
            out.push_str(&format!("\n201 CMR 17.03(2)(f)2 contract status: {status}\n"));
            for r in reasons {
                out.push_str(&format!("  - {r}\n"));
            }
        }
        if self.late {
            out.push_str("\nThis reminder is late: it was due earlier but could not be sent then.\n");
        }
        out.push_str(&format!(
            "\nOpen: {}\n\nThe attached calendar file adds the deadline to your calendar.\n",
            self.link
        ));
        out
    }

    pub fn html(&self) -> String {
        let mut rows = format!(
            "<tr><th align=\"left\">Vendor</th><td>{}</td></tr><tr><th align=\"left\">{}</th><td>{}</td></tr>",
            escape(&self.vendor_name),
            label(self.kind),
            escape(&self.subject_title)
        );
        for (k, v) in &self.details {
            rows.push_str(&format!("<tr><th align=\"left\">{}</th><td>{}</td></tr>", escape(k), escape(v)));
        }
        let f2 = match &self.f2 {
            Some((status, reasons)) => format!(
                "<h3>201 CMR 17.03(2)(f)2 contract status: {}</h3><ul>{}</ul>",
                escape(status),
                reasons.iter().map(|r| format!("<li>{}</li>", escape(r))).collect::<String>()
            ),
            None => String::new(),
        };
        let late = if self.late {
            "<p><em>This reminder is late: it was due earlier but could not be sent then.</em></p>"
        } else {
            ""
        };
        format!(
            "<!DOCTYPE html><html><body><p><strong>{}</strong></p><table>{rows}</table>{f2}{late}\
             <p><a href=\"{link}\">{link}</a></p><p>The attached calendar file adds the deadline to your calendar.</p>\
             </body></html>",
            escape(&self.headline()),
            link = escape(&self.link),
        )
    }
}

fn label(kind: Kind) -> &'static str {
    match kind {
        Kind::ContractRenewal | Kind::ContractNoticeDeadline => "Contract",
        Kind::AssessmentDue => "Assessment",
        Kind::ReassessmentDue => "Reassessment",
        Kind::FindingDue => "Finding",
    }
}

/// Escapes text for HTML element content and quoted attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The whole message: multipart/mixed of (text | HTML) and the .ics file.
pub fn build(
    from: &Mailbox,
    to: &[String],
    message_id: &str,
    content: &Content,
    ics: String,
) -> Result<Message, String> {
    let mut builder =
        Message::builder().from(from.clone()).subject(content.subject_line()).message_id(Some(message_id.into()));
    for address in to {
        builder = builder.to(address.parse::<Mailbox>().map_err(|e| format!("recipient '{address}': {e}"))?);
    }
    let calendar = ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH").map_err(|e| e.to_string())?;
    builder
        .multipart(
            MultiPart::mixed()
                .multipart(MultiPart::alternative_plain_html(content.text(), content.html()))
                .singlepart(Attachment::new("deadline.ics".into()).body(ics, calendar)),
        )
        .map_err(|e| format!("building the message: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> Content {
        Content {
            kind: Kind::ContractNoticeDeadline,
            vendor_name: "Acme <Payroll> & Co".into(),
            subject_title: "MSA \"2024\"".into(),
            due_on: NaiveDate::from_ymd_opt(2027, 1, 30).unwrap(),
            days_left: 30,
            late: true,
            f2: Some(("non_compliant".into(), vec!["No <security> clause.".into()])),
            details: vec![("Notice period".into(), "60 days".into())],
            link: "http://x/api/v1/contracts/1?a=1&b=2".into(),
        }
    }

    #[test]
    fn the_subject_names_kind_vendor_contract_and_deadline() {
        assert_eq!(
            content().subject_line(),
            "[Oversee] Notice deadline in 30 days: Acme <Payroll> & Co – MSA \"2024\" (2027-01-30)"
        );
        let mut c = content();
        c.days_left = 1;
        assert!(c.subject_line().contains("tomorrow"));
    }

    #[test]
    fn html_escapes_every_value_and_text_keeps_them_as_written() {
        let c = content();
        let html = c.html();
        assert!(html.contains("Acme &lt;Payroll&gt; &amp; Co"));
        assert!(html.contains("MSA &quot;2024&quot;"));
        assert!(html.contains("No &lt;security&gt; clause."));
        assert!(html.contains("href=\"http://x/api/v1/contracts/1?a=1&amp;b=2\""));
        assert!(!html.contains("<Payroll>") && !html.contains("<security>"));
        let text = c.text();
        assert!(text.contains("Vendor: Acme <Payroll> & Co"));
        assert!(text.contains("(f)2 contract status: non_compliant"));
        assert!(text.contains("This reminder is late"));
    }
}
