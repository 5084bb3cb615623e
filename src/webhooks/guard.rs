//! Where webhooks may go: https (or http when allowed), and never to private, loopback,
//! link-local, cloud-metadata or IPv4-in-IPv6 addresses unless allowed (SSRF guard). Checked when
//! a subscription is saved and again before every delivery, since DNS answers change; and the
//! delivery client resolves through `GuardedResolver`, so the address it connects to is the one
//! that was checked (a second lookup could be answered differently: DNS rebinding).

use actix_web::http::Uri;

use crate::{error::ApiError, http::formats, rules::webhooks::forbidden_address};

#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub allow_http: bool,
    pub allow_private: bool,
}

/// The URL's host and port, if its form is acceptable.
pub fn parse(url: &str, policy: Policy) -> Result<(String, u16), String> {
    if url.len() > 2000 {
        return Err("at most 2000 characters".into());
    }
    if !formats::matches(formats::WEBHOOK_URL, url) {
        return Err(
            "not a URL this API takes: http(s)://, a host name or IP address, an optional port, then visible ASCII"
                .into(),
        );
    }
    let uri: Uri = url.parse().map_err(|_| "not a URL".to_string())?;
    let port = match uri.scheme_str() {
        Some("https") => 443,
        Some("http") if policy.allow_http => 80,
        Some("http") => return Err("must be https (set OVERSEE_WEBHOOK_ALLOW_HTTP=true to allow http)".into()),
        _ => return Err("must be an https URL".into()),
    };
    let authority = uri.authority().ok_or("the URL has no host")?;
    if authority.as_str().contains('@') {
        return Err("credentials in the URL are not allowed; use the signature".into());
    }
    let host = authority.host().trim_start_matches('[').trim_end_matches(']').to_string();
    if host.is_empty() {
        return Err("the URL has no host".into());
    }
    Ok((host, authority.port_u16().unwrap_or(port)))
}

/// Resolves the host and refuses forbidden addresses.
pub async fn check(url: &str, policy: Policy) -> Result<(), String> {
    let (host, port) = parse(url, policy)?;
    if policy.allow_private {
        return Ok(());
    }
    let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| format!("cannot resolve '{host}': {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("'{host}' resolves to no address"));
    }
    for a in addrs {
        if let Some(why) = forbidden_address(a.ip()) {
            return Err(format!(
                "'{host}' resolves to {} ({why}); set OVERSEE_WEBHOOK_ALLOW_PRIVATE=true to allow it",
                a.ip()
            ));
        }
    }
    Ok(())
}

/// The webhook client's resolver: looks the host up once and hands the client only addresses the
/// guard allows, refusing the host when any answer is forbidden.
pub struct GuardedResolver(pub Policy);

impl actix_tls::connect::Resolve for GuardedResolver {
    fn lookup<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> futures_util::future::LocalBoxFuture<'a, Result<Vec<std::net::SocketAddr>, Box<dyn std::error::Error>>> {
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host, port)).await?.collect();
            if !self.0.allow_private {
                if let Some((a, why)) = addrs.iter().find_map(|a| forbidden_address(a.ip()).map(|why| (a, why))) {
                    return Err(format!("refused: '{host}' resolves to {} ({why})", a.ip()).into());
                }
            }
            Ok(addrs)
        })
    }
}

/// As a 422 on the `url` field.
pub async fn check_field(url: &str, policy: Policy) -> Result<(), ApiError> {
    check(url, policy).await.map_err(|e| ApiError::invalid("url", &e))
}

#[cfg(test)]
mod tests {
    use actix_tls::connect::Resolve;

    use super::*;

    /// The client's own lookup refuses what the guard refuses, whatever was checked before.
    #[actix_web::test]
    async fn the_delivery_client_resolves_through_the_guard() {
        let strict = GuardedResolver(STRICT);
        let err = strict.lookup("localhost", 443).await.unwrap_err().to_string();
        assert!(err.contains("refused") && err.contains("loopback"), "{err}");
        let open = GuardedResolver(Policy { allow_http: true, allow_private: true });
        assert!(open.lookup("localhost", 443).await.unwrap().iter().all(|a| a.ip().is_loopback()));
    }

    const STRICT: Policy = Policy { allow_http: false, allow_private: false };

    #[test]
    fn forms() {
        assert_eq!(parse("https://hooks.example.com/x", STRICT).unwrap(), ("hooks.example.com".into(), 443));
        assert_eq!(parse("https://hooks.example.com:8443/x", STRICT).unwrap().1, 8443);
        assert_eq!(parse("https://[2606:4700::1111]/x", STRICT).unwrap().0, "2606:4700::1111");
        for bad in
            ["http://hooks.example.com", "ftp://x", "hooks.example.com", "https://user:pw@x.com/", "https:///x", ""]
        {
            assert!(parse(bad, STRICT).is_err(), "{bad}");
        }
        assert!(parse("http://hooks.example.com", Policy { allow_http: true, allow_private: false }).is_ok());
    }

    #[actix_web::test]
    async fn private_addresses_are_refused_unless_allowed() {
        for url in [
            "https://127.0.0.1/x",
            "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.5/",
            "https://[::1]/",
            "https://localhost/",
        ] {
            let e = check(url, STRICT).await.unwrap_err();
            assert!(e.contains("OVERSEE_WEBHOOK_ALLOW_PRIVATE"), "{url}: {e}");
        }
        assert!(check("https://127.0.0.1/x", Policy { allow_http: false, allow_private: true }).await.is_ok());
    }
}
