//! Outgoing mail through lettre. Until SMTP is configured (the reminders work brings it), every
//! message is written as an `.eml` file to `<data dir>/mail-outbox/`, where an operator or a test
//! can read it.

use std::path::PathBuf;

use lettre::{message::Mailbox, FileTransport, Message, Transport};

pub struct Mail {
    pub to_name: String,
    pub to_email: String,
    pub subject: String,
    pub text: String,
}

pub struct Mailer {
    from: Mailbox,
    outbox: PathBuf,
}

impl Mailer {
    pub fn new(from: &str, data_dir: &std::path::Path) -> Result<Mailer, String> {
        let from = from.parse::<Mailbox>().map_err(|e| format!("mail sender '{from}': {e}"))?;
        Ok(Mailer { from, outbox: data_dir.join("mail-outbox") })
    }

    pub fn outbox(&self) -> &std::path::Path {
        &self.outbox
    }

    /// Sends one message; the error is for the caller to report, not to retry blindly.
    pub fn send(&self, mail: &Mail) -> Result<(), String> {
        let to = Mailbox::new(
            Some(mail.to_name.clone()),
            mail.to_email.parse().map_err(|e| format!("recipient '{}': {e}", mail.to_email))?,
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .body(mail.text.clone())
            .map_err(|e| format!("building the message: {e}"))?;
        std::fs::create_dir_all(&self.outbox).map_err(|e| format!("creating {}: {e}", self.outbox.display()))?;
        FileTransport::new(&self.outbox).send(&message).map_err(|e| format!("writing the message: {e}"))?;
        Ok(())
    }
}
