//! A request as read off the connection: its head, its body (bounded),
//! and its parameters, the query's and a form body's merged (§6), before
//! anything decides which service it is for.

use bytes::Bytes;
use http_body_util::{BodyExt as _, Limited};
use hyper::Request;
use hyper::body::Incoming as Body;
use hyper::header::CONTENT_TYPE;
use hyper::http::request::Parts;

use super::auth::Incoming;
use super::params::Params;
use super::service_error::ServiceError;

/// Largest request body read; the SDK sends none at all.
const MAX_BODY_BYTES: usize = 1 << 20;

/// One request, read whole.
#[derive(Debug)]
pub(crate) struct Received {
    pub parts: Parts,
    pub body: Bytes,
    pub params: Params,
}

impl Received {
    /// Reads `request`: a body over 1 MiB is refused.
    pub(crate) async fn read(request: Request<Body>) -> Result<Received, ServiceError> {
        let (parts, body) = request.into_parts();
        let body = Limited::new(body, MAX_BODY_BYTES)
            .collect()
            .await
            .map_err(|_| {
                ServiceError::invalid(
                    "body",
                    "",
                    format!("a body of at most {MAX_BODY_BYTES} bytes"),
                )
            })?
            .to_bytes();
        let mut params = Params::default();
        params.extend_form(parts.uri.query().unwrap_or_default().as_bytes());
        let is_form = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .starts_with("application/x-www-form-urlencoded")
            });
        if is_form {
            params.extend_form(&body);
        }
        Ok(Received {
            parts,
            body,
            params,
        })
    }

    /// As the signature check sees it.
    pub(crate) fn incoming(&self) -> Incoming<'_> {
        Incoming {
            method: self.parts.method.as_str(),
            query: self.parts.uri.query().unwrap_or_default(),
            headers: &self.parts.headers,
            body: &self.body,
            params: &self.params,
        }
    }

    /// The value of header `name`, when it is text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.parts.headers.get(name).and_then(|v| v.to_str().ok())
    }
}
