//! A raw signed-HTTP client for the emulator: requests built and signed
//! byte by byte with `aicall::api::sign` (never with the API client), so
//! the tests that use it judge the wire contract itself (`aiccs-api.md`
//! §2 signatures, §3 operations, §7 conventions, §9 STS).

use aicall::api::sign::{self, V3Request};
use aicall::emulator::{Clock, Emulator};
use serde_json::Value;

/// A `CallDay` on the wire: Friday and Monday (a raw create's default).
pub const CALL_DAY: &str = r#"["FRIDAY","MONDAY"]"#;
/// A `CallTime` on the wire: 14:00–18:00 and 09:00–12:00 (a raw create's
/// default).
pub const CALL_TIME: &str = r#"["{\"startTime\":\"14:00:00\",\"endTime\":\"18:00:00\"}","{\"startTime\":\"09:00:00\",\"endTime\":\"12:00:00\"}"]"#;

/// A request ready to send: what a client would put on the wire.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Prepared {
    pub fn header_mut(&mut self, name: &str) -> &mut String {
        &mut self
            .headers
            .iter_mut()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no header {name}"))
            .1
    }
}

/// A reply as received.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.json["Code"].as_str().unwrap_or_default()
    }

    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert_eq!(self.status, 200, "{}", self.text);
        assert_eq!(self.json["Success"], true, "{}", self.text);
        assert_eq!(self.json["Code"], "OK");
        assert_eq!(self.json["Message"], "成功");
        &self.json["Data"]
    }

    #[track_caller]
    pub fn gateway(&self, status: u16, code: &str) {
        assert_eq!((self.status, self.code()), (status, code), "{}", self.text);
        let keys: Vec<&str> = self
            .json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            ["Code", "HostId", "Message", "RequestId"],
            "{}",
            self.text
        );
        assert_eq!(self.json["HostId"], "aiccs.aliyuncs.com");
    }

    #[track_caller]
    pub fn business(&self, code: &str) {
        assert_eq!((self.status, self.code()), (200, code), "{}", self.text);
        assert_eq!(self.json["Success"], false);
        assert!(self.json.get("Data").is_none(), "{}", self.text);
    }
}

/// Builds and signs requests for one emulator, the way official clients do.
pub struct Raw {
    pub http: reqwest::Client,
    pub addr: std::net::SocketAddr,
    pub id: String,
    pub secret: String,
    pub clock: Clock,
}

/// A plain-HTTP client that never goes through a proxy: tests talk to
/// 127.0.0.1 only. reqwest is built without a default TLS provider, so one
/// is installed first (a second install is a harmless no-op).
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn timestamp(clock: &Clock) -> String {
    clock.now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn nonce() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn owned(params: &[(&str, &str)]) -> Vec<(String, String)> {
    params
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

pub fn form(pairs: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

impl Raw {
    pub fn new(emulator: &Emulator) -> Raw {
        Raw {
            http: http_client(),
            addr: emulator.addr(),
            id: emulator.access_key_id().to_owned(),
            secret: emulator.access_key_secret().expose().to_owned(),
            clock: emulator.clock().clone(),
        }
    }

    /// V1 common parameters (§1.3), before signing.
    pub fn v1_common(&self, action: &str) -> Vec<(String, String)> {
        owned(&[
            ("Action", action),
            ("Format", "json"),
            ("Version", "2019-10-15"),
            ("Timestamp", &timestamp(&self.clock)),
            ("SignatureNonce", &nonce()),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("AccessKeyId", &self.id),
        ])
    }

    /// Signs `pairs` (common + business) with V1 (§2.2) and places them in
    /// the query, or in a form body when `in_body`.
    pub fn v1_signed(
        &self,
        method: &str,
        mut pairs: Vec<(String, String)>,
        in_body: bool,
    ) -> Prepared {
        let string_to_sign =
            sign::v1_string_to_sign(method, pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        pairs.push((
            "Signature".into(),
            sign::v1_signature(&self.secret, &string_to_sign),
        ));
        let encoded = form(&pairs);
        let (query, body, headers) = if in_body {
            (
                String::new(),
                encoded.into_bytes(),
                vec![(
                    "content-type".to_owned(),
                    "application/x-www-form-urlencoded".to_owned(),
                )],
            )
        } else {
            (encoded, Vec::new(), Vec::new())
        };
        Prepared {
            method: method.to_owned(),
            path: "/".into(),
            query,
            headers,
            body,
        }
    }

    /// A V1 POST of `action` without business parameters, one common
    /// parameter replaced by `value` before signing.
    pub fn v1_replacing(&self, action: &str, name: &str, value: &str) -> Prepared {
        let mut pairs = self.v1_common(action);
        pairs.retain(|(n, _)| n != name);
        pairs.push((name.to_owned(), value.to_owned()));
        self.v1_signed("POST", pairs, false)
    }

    /// A V1 POST with everything in the query, as the SDK's `v2` mode sends.
    pub fn v1(&self, action: &str, params: &[(&str, &str)]) -> Prepared {
        let mut pairs = self.v1_common(action);
        pairs.extend(owned(params));
        self.v1_signed("POST", pairs, false)
    }

    /// The V3 headers of §2.4 for `action`, before signing.
    pub fn v3_headers(&self, action: &str, body: &[u8]) -> Vec<(String, String)> {
        owned(&[
            ("host", &self.addr.to_string()),
            ("x-acs-action", action),
            ("x-acs-version", "2019-10-15"),
            ("x-acs-date", &timestamp(&self.clock)),
            ("x-acs-signature-nonce", &nonce()),
            ("x-acs-content-sha256", &sign::sha256_hex(body)),
            ("accept", "application/json"),
            ("user-agent", "aicall-tests"),
        ])
    }

    /// Signs with V3 every header given; business parameters in the query.
    pub fn v3_signed(
        &self,
        params: &[(&str, &str)],
        mut headers: Vec<(String, String)>,
    ) -> Prepared {
        let query: Vec<(&str, &str)> = params.to_vec();
        let header_refs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let payload = headers
            .iter()
            .find(|(n, _)| n == "x-acs-content-sha256")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let authorization = V3Request {
            method: "POST",
            query: &query,
            headers: &header_refs,
            payload_sha256: &payload,
        }
        .authorization(&self.id, &self.secret);
        headers.push(("authorization".into(), authorization));
        Prepared {
            method: "POST".into(),
            path: "/".into(),
            query: form(&owned(params)),
            headers,
            body: Vec::new(),
        }
    }

    /// A V3 request as the SDK sends it by default.
    pub fn v3(&self, action: &str, params: &[(&str, &str)]) -> Prepared {
        self.v3_signed(params, self.v3_headers(action, b""))
    }

    pub async fn send(&self, prepared: Prepared) -> Reply {
        self.try_send(prepared).await.unwrap()
    }

    pub async fn try_send(&self, prepared: Prepared) -> reqwest::Result<Reply> {
        let mut url = format!("http://{}{}", self.addr, prepared.path);
        if !prepared.query.is_empty() {
            url.push('?');
            url.push_str(&prepared.query);
        }
        let method = reqwest::Method::from_bytes(prepared.method.as_bytes()).unwrap();
        let mut request = self.http.request(method, url).body(prepared.body);
        for (name, value) in prepared.headers {
            request = request.header(name, value);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await?;
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Reply {
            status,
            headers,
            text,
            json,
        })
    }

    /// A V1 call, sent.
    pub async fn call(&self, action: &str, params: &[(&str, &str)]) -> Reply {
        self.send(self.v1(action, params)).await
    }

    /// A V1 CreateAiCallTask of `name`, signed and not sent: a valid task,
    /// each parameter of `extra` replacing the default of its name (or
    /// added).
    pub fn create_request(&self, name: &str, extra: &[(&str, &str)]) -> Prepared {
        let mut params = vec![
            ("TaskName", name),
            ("AgentId", "1180123456789012345"),
            ("VirtualNumber", "0327121220001"),
            ("StartType", "IMMEDIATE"),
            ("CallDay", CALL_DAY),
            ("CallTime", CALL_TIME),
        ];
        for (n, v) in extra {
            params.retain(|(p, _)| p != n);
            params.push((n, v));
        }
        self.v1("CreateAiCallTask", &params)
    }

    /// [`Raw::create_request`], sent.
    pub async fn create(&self, name: &str, extra: &[(&str, &str)]) -> Reply {
        self.send(self.create_request(name, extra)).await
    }

    /// Creates and returns the new ID, as text.
    pub async fn create_ok(&self, name: &str, extra: &[(&str, &str)]) -> String {
        let reply = self.create(name, extra).await;
        reply.ok().as_u64().unwrap().to_string()
    }

    pub async fn page(&self, params: &[(&str, &str)]) -> Value {
        self.call("QueryAiCallTaskPage", params).await.ok().clone()
    }

    pub async fn detail(&self, id: &str) -> Value {
        self.call("QueryAiCallTaskDetail", &[("TaskId", id)])
            .await
            .ok()
            .clone()
    }
}
