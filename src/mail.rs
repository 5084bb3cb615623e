//! Outgoing mail through lettre: SMTP when `OVERSEE_SMTP_URL` is set (a pooled async transport,
//! TLS by rustls), otherwise `.eml` files in `<data dir>/mail-outbox/`, where an operator or a test
//! can read them.

use std::{path::PathBuf, time::Duration};

use lettre::{
    message::{header::ContentType, Mailbox},
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

/// A plain one-part message (the assessment invitation).
pub struct Mail {
    pub to_name: String,
    pub to_email: String,
    pub subject: String,
    pub text: String,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

pub struct Mailer {
    from: Mailbox,
    outbox: PathBuf,
    transport: Transport,
    /// What the transport is, for the start banner and logs (without credentials).
    pub description: String,
}

/// Checks an `OVERSEE_SMTP_URL` (`smtp://host:port`, `smtp://host?tls=required`,
/// `smtp://host?tls=opportunistic`, `smtps://user:pass@host`) without connecting.
pub fn check_smtp_url(url: &str) -> Result<(), String> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map(|_| ()).map_err(|e| e.to_string())
}

impl Mailer {
    pub fn new(
        from: &str,
        data_dir: &std::path::Path,
        smtp_url: Option<&str>,
        timeout: Duration,
    ) -> Result<Mailer, String> {
        let from = from.parse::<Mailbox>().map_err(|e| format!("mail sender '{from}': {e}"))?;
        let outbox = data_dir.join("mail-outbox");
        let (transport, description) = match smtp_url {
            Some(url) => {
                let smtp = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("OVERSEE_SMTP_URL: {e}"))?
                    .timeout(Some(timeout))
                    .build();
                (Transport::Smtp(smtp), format!("SMTP {}", without_credentials(url)))
            }
            None => (
                Transport::Files(AsyncFileTransport::new(&outbox)),
                format!("files in {} (set OVERSEE_SMTP_URL to send)", outbox.display()),
            ),
        };
        Ok(Mailer { from, outbox, transport, description })
    }

    pub fn outbox(&self) -> &std::path::Path {
        &self.outbox
    }

    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    /// Sends one plain message; the error is for the caller to report, not to retry blindly.
    pub async fn send(&self, mail: &Mail) -> Result<(), String> {
        let to = Mailbox::new(
            Some(mail.to_name.clone()),
            mail.to_email.parse().map_err(|e| format!("recipient '{}': {e}", mail.to_email))?,
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.text.clone())
            .map_err(|e| format!("building the message: {e}"))?;
        self.send_message(message).await
    }

    /// Sends a built message. Returns once the SMTP server accepted it (or the file is written).
    pub async fn send_message(&self, message: Message) -> Result<(), String> {
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| format!("SMTP: {e}")),
            Transport::Files(files) => {
                // The outbox holds invitations with respondents' tokens: for Oversee's user alone.
                crate::private_files::dir(&self.outbox)
                    .map_err(|e| format!("creating {}: {e}", self.outbox.display()))?;
                files.send(message).await.map(|_| ()).map_err(|e| format!("writing the message: {e}"))
            }
        }
    }
}

/// `smtps://user:secret@host:465` → `smtps://host:465`.
fn without_credentials(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => format!("{}{}", &url[..scheme_end + 3], &url[at + 1..]),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_reach_the_banner() {
        assert_eq!(without_credentials("smtps://me:p%40ss@mail.example.com:465"), "smtps://mail.example.com:465");
        assert_eq!(without_credentials("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
    }

    #[test]
    fn smtp_urls_are_checked_without_connecting() {
        assert!(check_smtp_url("smtp://127.0.0.1:2525").is_ok());
        assert!(check_smtp_url("smtp://mail.example.com?tls=required").is_ok());
        assert!(check_smtp_url("smtps://user:pass@mail.example.com").is_ok());
        assert!(check_smtp_url("http://mail.example.com").is_err());
        assert!(check_smtp_url("smtp://mail.example.com?tls=sometimes").is_err());
        assert!(check_smtp_url("not a url").is_err());
    }
}
