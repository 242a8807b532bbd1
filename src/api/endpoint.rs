//! Where requests go, and the policy that keeps signed requests encrypted.
//!
//! The service has one public host for every region, `aiccs.aliyuncs.com`,
//! over HTTPS, path `/` (`aiccs-api.md` §1.1). An override (`--endpoint`,
//! `AICALL_ENDPOINT`) exists for the emulator and for proxies. Plain
//! `http://` is accepted only for loopback hosts: anywhere else it would
//! send the AccessKeyId, a replayable signature and any STS token in the
//! clear.

use std::fmt;
use std::net::IpAddr;

use reqwest::Url;

use super::error::EndpointError;

/// The default endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://aiccs.aliyuncs.com";

/// A checked API endpoint: `https://HOST[:PORT]`, or `http://` to loopback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    url: Url,
}

impl Endpoint {
    /// Checks `text` against the endpoint policy.
    pub fn parse(text: &str) -> Result<Endpoint, EndpointError> {
        let refuse = |reason: String| EndpointError {
            endpoint: text.to_owned(),
            reason,
        };
        if !text.contains("://") {
            return Err(refuse(format!(
                "it has no scheme: write `https://{text}`, or `http://{text}` for a local emulator"
            )));
        }
        let url = Url::parse(text).map_err(|err| refuse(format!("it is not a URL ({err})")))?;
        let host = url
            .host_str()
            .ok_or_else(|| refuse("it has no host".to_owned()))?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback_host(host) => {}
            "http" => {
                return Err(refuse(format!(
                    "plain `http://` is allowed only for loopback addresses (127.0.0.0/8, ::1, \
                     localhost), and `{host}` is not one: signed requests would travel unencrypted; \
                     use `https://`"
                )));
            }
            other => return Err(refuse(format!("the scheme `{other}` is not http or https"))),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refuse(
                "it holds a user name or password; credentials never go in the URL".to_owned(),
            ));
        }
        if url.path() != "/" {
            return Err(refuse(format!(
                "the API is served at path `/`, not `{}`",
                url.path()
            )));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(refuse("it has a query or fragment".to_owned()));
        }
        Ok(Endpoint { url })
    }

    /// The endpoint from an override, or the default.
    pub fn from_override(text: Option<&str>) -> Result<Endpoint, EndpointError> {
        match text {
            Some(text) => Endpoint::parse(text.trim()),
            None => Ok(Endpoint::default()),
        }
    }

    /// The URL, ending in `/`.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Whether requests travel over plain HTTP (loopback only).
    pub fn is_plain_http(&self) -> bool {
        self.url.scheme() == "http"
    }

    /// Whether the host is a loopback address or `localhost`.
    pub fn is_loopback(&self) -> bool {
        self.url.host_str().is_some_and(is_loopback_host)
    }
}

impl Default for Endpoint {
    fn default() -> Endpoint {
        Endpoint {
            url: Url::parse(DEFAULT_ENDPOINT).expect("the default endpoint is a valid URL"),
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.url.as_str().trim_end_matches('/'))
    }
}

/// `127.0.0.0/8`, `::1` (also as `::ffff:127.x.y.z`) and `localhost`.
fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.is_loopback(),
        Ok(IpAddr::V6(v6)) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => bare.eq_ignore_ascii_case("localhost") || bare.eq_ignore_ascii_case("localhost."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(text: &str) -> String {
        Endpoint::parse(text).unwrap_err().reason
    }

    #[test]
    fn default_is_the_public_https_host() {
        let endpoint = Endpoint::from_override(None).unwrap();
        assert_eq!(endpoint.to_string(), "https://aiccs.aliyuncs.com");
        assert!(!endpoint.is_plain_http());
    }

    #[test]
    fn https_anywhere_is_accepted() {
        for ok in [
            "https://aiccs.aliyuncs.com",
            "https://aiccs.aliyuncs.com/",
            "https://proxy.example.com:8443",
            "https://10.0.0.1",
        ] {
            assert!(Endpoint::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn plain_http_only_for_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://localhost:1",
            "http://LOCALHOST",
            "http://[::1]:9000",
            "http://[::ffff:127.0.0.1]:9000",
        ] {
            let endpoint = Endpoint::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert!(endpoint.is_loopback() && endpoint.is_plain_http());
        }
        for bad in [
            "http://aiccs.aliyuncs.com",
            "http://10.0.0.1:8080",
            "http://128.0.0.1",
            "http://localhost.example.com",
            "http://[::2]",
            "http://0.0.0.0:8080",
        ] {
            assert!(reason(bad).contains("only for loopback"), "{bad}");
        }
    }

    #[test]
    fn malformed_endpoints_say_why() {
        assert!(reason("aiccs.aliyuncs.com").contains("no scheme"));
        assert!(reason("127.0.0.1:8080").contains("no scheme"));
        assert!(reason("ftp://x").contains("not http or https"));
        assert!(reason("https://u:p@host").contains("user name or password"));
        assert!(reason("https://host/api").contains("path `/`"));
        assert!(reason("https://host/?a=b").contains("query"));
        assert!(reason("https://").contains("not a URL") || reason("https://").contains("no host"));
    }

    #[test]
    fn display_has_no_trailing_slash() {
        assert_eq!(
            Endpoint::parse("http://127.0.0.1:9/").unwrap().to_string(),
            "http://127.0.0.1:9"
        );
    }
}
