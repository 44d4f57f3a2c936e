//! Outgoing email. Server-only.
//!
//! SMTP when `SMTP_URL` is configured; otherwise messages are written as
//! `.eml` files to `MAIL_OUTBOX_DIR` when that is set (tests read them there),
//! or else the link is written to the server log, so a local user can still
//! finish a password reset without any mail server.

use std::path::PathBuf;

use lettre::message::Mailbox;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Outbox {
        transport: AsyncFileTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Log,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("invalid MAIL_FROM address: {0}")]
    From(#[from] lettre::address::AddressError),
    #[error("cannot build the message: {0}")]
    Message(#[from] lettre::error::Error),
    #[error("cannot write to the outbox: {0}")]
    Outbox(#[from] lettre::transport::file::Error),
}

impl Mailer {
    pub fn from_config(
        smtp_url: Option<&str>,
        outbox: Option<PathBuf>,
        from: &str,
    ) -> Result<Mailer, MailError> {
        let from: Mailbox = from.parse()?;
        if let Some(url) = smtp_url.filter(|url| !url.is_empty()) {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.build();
            return Ok(Mailer::Smtp { transport, from });
        }
        if let Some(directory) = outbox {
            return Ok(Mailer::Outbox {
                transport: AsyncFileTransport::new(directory),
                from,
            });
        }
        Ok(Mailer::Log)
    }

    pub fn describe(&self) -> &'static str {
        match self {
            Mailer::Smtp { .. } => "SMTP",
            Mailer::Outbox { .. } => "files in MAIL_OUTBOX_DIR",
            Mailer::Log => "the server log (no SMTP_URL configured)",
        }
    }

    pub async fn send_password_reset(&self, to: &str, link: &str) -> Result<(), MailError> {
        let body = format!(
            "Hello,\n\n\
             someone (hopefully you) asked to reset the password of your AcmeLearn account.\n\
             Open this link within the next hour to choose a new password:\n\n\
             {link}\n\n\
             The link works once. If you did not ask for it, ignore this email: \
             your password stays as it is.\n\n\
             — AcmeLearn\n"
        );
        let subject = "Reset your AcmeLearn password";
        match self {
            Mailer::Smtp { transport, from } => {
                transport.send(message(from, to, subject, body)?).await?;
            }
            Mailer::Outbox { transport, from } => {
                transport.send(message(from, to, subject, body)?).await?;
            }
            Mailer::Log => {
                tracing::info!(to, "password reset link (no SMTP_URL configured): {link}");
            }
        }
        Ok(())
    }
}

fn message(from: &Mailbox, to: &str, subject: &str, body: String) -> Result<Message, MailError> {
    Ok(Message::builder()
        .from(from.clone())
        .to(to.parse()?)
        .subject(subject)
        .body(body)?)
}
