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
    /// Checks `text` against the endpoint policy. A refusal shows the
    /// endpoint without its user name, password, query or fragment.
    pub fn parse(text: &str) -> Result<Endpoint, EndpointError> {
        let shown = Shown::of(text);
        let refuse = |reason: String| EndpointError {
            endpoint: shown.text.clone(),
            reason,
        };
        // Before anything else, so that no later message quotes them.
        if shown.user_info {
            return Err(refuse(
                "it holds a user name or password (shown as `***`); credentials never go in the URL"
                    .to_owned(),
            ));
        }
        if shown.query || shown.fragment {
            return Err(refuse(
                "it has a query or fragment (shown as `***`); the API is served at `/` without one"
                    .to_owned(),
            ));
        }
        if !text.contains("://") {
            return Err(refuse(format!(
                "it has no scheme: write `https://{text}`, or `http://{text}` for a local emulator"
            )));
        }
        let url = Url::parse(text).map_err(|err| refuse(format!("it is not a URL ({err})")))?;
        // The URL parser agrees with `Shown` on where user info ends; this
        // only guards that agreement.
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refuse(
                "it holds a user name or password; credentials never go in the URL".to_owned(),
            ));
        }
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

/// An endpoint's text as a message may show it (issue 7): user info
/// replaced by `***@`, a query by `?***`, a fragment by `#***`. Found by
/// the URL's own rules: the fragment starts at the first `#`, the query at
/// the first `?` before it, and the user info ends at the last `@` of the
/// authority, which ends at the first `/` or `\` after the scheme's `://`
/// (or from the start, when there is no scheme).
struct Shown {
    text: String,
    user_info: bool,
    query: bool,
    fragment: bool,
}

impl Shown {
    fn of(text: &str) -> Shown {
        let (rest, fragment) = match text.split_once('#') {
            Some((rest, _)) => (rest, true),
            None => (text, false),
        };
        let (rest, query) = match rest.split_once('?') {
            Some((rest, _)) => (rest, true),
            None => (rest, false),
        };
        let start = rest.find("://").map_or(0, |at| at + 3);
        let end = rest[start..]
            .find(['/', '\\'])
            .map_or(rest.len(), |at| start + at);
        let authority = &rest[start..end];
        let (host, user_info) = match authority.rfind('@') {
            Some(at) => (&authority[at + 1..], true),
            None => (authority, false),
        };
        let mut shown = rest[..start].to_owned();
        if user_info {
            shown.push_str("***@");
        }
        shown.push_str(host);
        shown.push_str(&rest[end..]);
        if query {
            shown.push_str("?***");
        }
        if fragment {
            shown.push_str("#***");
        }
        Shown {
            text: shown,
            user_info,
            query,
            fragment,
        }
    }
}

/// `127.0.0.0/8`, `::1` (also as `::ffff:127.x.y.z`) and `localhost`.
pub(crate) fn is_loopback_host(host: &str) -> bool {
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
    fn refusals_never_show_user_info_query_or_fragment() {
        for (text, shown) in [
            (
                "http://u:hunter2@127.0.0.1:8080",
                "http://***@127.0.0.1:8080",
            ),
            ("https://hunter2@host/", "https://***@host/"),
            ("https://a@b:hunter2@host", "https://***@host"),
            ("u:hunter2@127.0.0.1", "***@127.0.0.1"),
            ("https://host/?key=hunter2", "https://host/?***"),
            ("https://host?key=hunter2#x", "https://host?***#***"),
            ("https://host/#hunter2", "https://host/#***"),
            ("https://host/?a@hunter2", "https://host/?***"),
            ("https://u:hunter2@host\\path", "https://***@host\\path"),
        ] {
            let err = Endpoint::parse(text).unwrap_err();
            assert_eq!(err.endpoint, shown, "{text}");
            let message = format!("{err} {err:?}");
            assert!(!message.contains("hunter2"), "{text}: {message}");
        }
        // An `@` in the path is no user info.
        assert_eq!(
            Endpoint::parse("https://host/a@b").unwrap_err().endpoint,
            "https://host/a@b"
        );
    }

    #[test]
    fn display_has_no_trailing_slash() {
        assert_eq!(
            Endpoint::parse("http://127.0.0.1:9/").unwrap().to_string(),
            "http://127.0.0.1:9"
        );
    }
}
