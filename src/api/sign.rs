//! Request signing, as pure functions: no clock, no randomness, no I/O.
//!
//! Both ends of the wire use this module: the client to sign what it sends,
//! the emulator to recompute what it receives. Keeping one implementation
//! means a canonicalisation bug shows up as a failing test vector (the
//! vectors of `aiccs-api.md` §2.3 and §2.4 are pinned below), never as two
//! halves that agree with each other and with nobody else.
//!
//! Two schemes exist (`aiccs-api.md` §2):
//! - V1, `HMAC-SHA1` over the sorted query (RPC style), which the product
//!   docs describe and which this client sends;
//! - V3, `ACS3-HMAC-SHA256` over a canonical request with signed headers,
//!   which the official SDK sends by default and which the emulator must
//!   therefore verify.

use base64::Engine as _;
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha1::Sha1;
use sha2::Sha256;

use crate::secret::digest::hex_lower;
// Shared with saved-plan seals; callers keep naming them here.
pub use crate::secret::digest::{sha256_hex, signatures_equal};

/// The `SignatureMethod` value of V1 requests.
pub const V1_METHOD: &str = "HMAC-SHA1";
/// The `SignatureVersion` value of V1 requests.
pub const V1_VERSION: &str = "1.0";
/// The algorithm name that opens a V3 `Authorization` header.
pub const V3_ALGORITHM: &str = "ACS3-HMAC-SHA256";
/// Hex SHA-256 of the empty body: the `x-acs-content-sha256` of every SDK request.
pub const EMPTY_BODY_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Percent-encodes `value` as both signature schemes require (§2.2 step 2).
///
/// Unreserved bytes `A-Z a-z 0-9 - _ . ~` stay as they are; every other
/// UTF-8 byte becomes `%XY` with uppercase hex. So a space is `%20` (never
/// `+`), `*` is `%2A` and `~` is kept, which is where this differs from the
/// form encoding used on the wire.
pub fn percent_encode(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len() * 3 / 2);
    for &byte in value.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}

/// The V1 canonicalised query string (§2.2 steps 1–4).
///
/// `params` are the decoded parameters, `Signature` excluded. They are sorted
/// by name in byte order; names and values are both percent-encoded.
pub fn v1_canonical_query<'a, I>(params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut pairs: Vec<(&str, &str)> = params.into_iter().collect();
    pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&percent_encode(name));
        out.push('=');
        out.push_str(&percent_encode(value));
    }
    out
}

/// The V1 string-to-sign (§2.2 step 5): `METHOD&%2F&` + the encoded query.
pub fn v1_string_to_sign<'a, I>(method: &str, params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        percent_encode("/"),
        percent_encode(&v1_canonical_query(params))
    )
}

/// The V1 `Signature` value (§2.2 steps 6–7): base64 of HMAC-SHA1 keyed
/// with the secret followed by `&`.
pub fn v1_signature(access_key_secret: &str, string_to_sign: &str) -> String {
    let mut key = Vec::with_capacity(access_key_secret.len() + 1);
    key.extend_from_slice(access_key_secret.as_bytes());
    key.push(b'&');
    let mut mac = Hmac::<Sha1>::new_from_slice(&key).expect("HMAC accepts keys of any length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// What a V3 signature covers (§2.4): everything but the secret.
#[derive(Debug, Clone, Copy)]
pub struct V3Request<'a> {
    /// The HTTP method, e.g. `POST`.
    pub method: &'a str,
    /// The decoded query parameters.
    pub query: &'a [(&'a str, &'a str)],
    /// The signed headers, names in any case; every header given is signed.
    pub headers: &'a [(&'a str, &'a str)],
    /// Hex SHA-256 of the body (the `x-acs-content-sha256` value).
    pub payload_sha256: &'a str,
}

impl V3Request<'_> {
    /// The `SignedHeaders` list: sorted lowercase names joined with `;`.
    pub fn signed_headers(&self) -> String {
        let mut names: Vec<String> = self
            .headers
            .iter()
            .map(|(name, _)| name.to_ascii_lowercase())
            .collect();
        names.sort();
        names.dedup();
        names.join(";")
    }

    /// The canonical request (§2.4 steps 1–4).
    pub fn canonical_request(&self) -> String {
        let mut query: Vec<(&str, &str)> = self.query.to_vec();
        query.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let canonical_query = query
            .iter()
            .map(|(name, value)| format!("{name}={}", percent_encode(value)))
            .collect::<Vec<_>>()
            .join("&");

        // Repeated names are joined with `,` in the order they were given.
        let mut headers: Vec<(String, String)> = Vec::with_capacity(self.headers.len());
        for (name, value) in self.headers {
            let name = name.to_ascii_lowercase();
            let value = value.trim();
            match headers.iter_mut().find(|(n, _)| *n == name) {
                Some((_, joined)) => {
                    joined.push(',');
                    joined.push_str(value);
                }
                None => headers.push((name, value.to_owned())),
            }
        }
        headers.sort_by(|a, b| a.0.cmp(&b.0));
        let mut canonical_headers = String::new();
        for (name, value) in &headers {
            canonical_headers.push_str(name);
            canonical_headers.push(':');
            canonical_headers.push_str(value);
            canonical_headers.push('\n');
        }

        format!(
            "{}\n/\n{canonical_query}\n{canonical_headers}\n{}\n{}",
            self.method.to_ascii_uppercase(),
            self.signed_headers(),
            self.payload_sha256
        )
    }

    /// The string-to-sign (§2.4 step 5).
    pub fn string_to_sign(&self) -> String {
        format!(
            "{V3_ALGORITHM}\n{}",
            sha256_hex(self.canonical_request().as_bytes())
        )
    }

    /// The lowercase hex signature (§2.4 step 6): HMAC-SHA256 keyed with the
    /// secret as it is (no `&`, unlike V1).
    pub fn signature(&self, access_key_secret: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(access_key_secret.as_bytes())
            .expect("HMAC accepts keys of any length");
        mac.update(self.string_to_sign().as_bytes());
        hex_lower(&mac.finalize().into_bytes())
    }

    /// The full `Authorization` header value.
    pub fn authorization(&self, access_key_id: &str, access_key_secret: &str) -> String {
        format!(
            "{V3_ALGORITHM} Credential={access_key_id},SignedHeaders={},Signature={}",
            self.signed_headers(),
            self.signature(access_key_secret)
        )
    }
}

/// The contract's worked vectors that more than one test module checks.
#[cfg(test)]
pub(crate) mod vectors {
    /// §2.3 Vector V1-b: the canonicalised query string of a
    /// CreateAiCallTask with a Chinese name, JSON arrays and nested JSON.
    pub(crate) const V1_B_CQS: &str = "AccessKeyId=testid&Action=CreateAiCallTask&AgentId=1180123456789012345\
         &CallDay=%5B%22MONDAY%22%2C%22FRIDAY%22%5D&CallRetryInterval=30\
         &CallRetryReason=%5B%22NO_ANSWER%22%2C%22USER_BUSY%22%5D&CallRetryTimes=2\
         &CallTime=%5B%22%7B%5C%22startTime%5C%22%3A%5C%2209%3A00%3A00%5C%22%2C%5C%22endTime\
         %5C%22%3A%5C%2212%3A00%3A00%5C%22%7D%22%2C%22%7B%5C%22startTime%5C%22%3A%5C%2214%3A00\
         %3A00%5C%22%2C%5C%22endTime%5C%22%3A%5C%2218%3A00%3A00%5C%22%7D%22%5D&Format=json\
         &MissCallRetry=true&SignatureMethod=HMAC-SHA1&SignatureNonce=nonce-0002\
         &SignatureVersion=1.0&StartType=SCHEDULE&TaskCps=10\
         &TaskName=%E5%A4%96%E5%91%BC%20%E6%B5%8B%E8%AF%95%2A~%281%29\
         &TaskStartTime=1767225600000&Timestamp=2025-01-01T00%3A00%3A00Z&Version=2019-10-15\
         &VirtualNumber=0327121220001";
}

#[cfg(test)]
mod tests {
    //! The worked vectors of `aiccs-api.md` §2.3 (V1) and §2.4 (V3), with
    //! AccessKeyId `testid` and secret `testsecret`.
    use super::*;

    const SECRET: &str = "testsecret";

    fn common<'a>(action: &'a str, nonce: &'a str) -> Vec<(&'a str, &'a str)> {
        vec![
            ("Action", action),
            ("Format", "json"),
            ("Version", "2019-10-15"),
            ("Timestamp", "2025-01-01T00:00:00Z"),
            ("SignatureNonce", nonce),
            ("SignatureMethod", V1_METHOD),
            ("SignatureVersion", V1_VERSION),
            ("AccessKeyId", "testid"),
        ]
    }

    #[test]
    fn encoder_matches_section_2_2() {
        assert_eq!(percent_encode("a b"), "a%20b");
        assert_eq!(percent_encode("*~/+=:"), "%2A~%2F%2B%3D%3A");
        assert_eq!(percent_encode("外"), "%E5%A4%96");
        assert_eq!(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
    }

    /// §2.3 Vector V1-a: StartAiCallTask.
    #[test]
    fn v1_vector_a_start_task() {
        let mut params = common("StartAiCallTask", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf");
        params.push(("TaskId", "1187654321098765432"));
        assert_eq!(
            v1_canonical_query(params.iter().copied()),
            "AccessKeyId=testid&Action=StartAiCallTask&Format=json&SignatureMethod=HMAC-SHA1\
             &SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0\
             &TaskId=1187654321098765432&Timestamp=2025-01-01T00%3A00%3A00Z&Version=2019-10-15"
        );
        let sts = v1_string_to_sign("POST", params.iter().copied());
        assert_eq!(
            sts,
            "POST&%2F&AccessKeyId%3Dtestid%26Action%3DStartAiCallTask%26Format%3Djson\
             %26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf\
             %26SignatureVersion%3D1.0%26TaskId%3D1187654321098765432\
             %26Timestamp%3D2025-01-01T00%253A00%253A00Z%26Version%3D2019-10-15"
        );
        assert_eq!(v1_signature(SECRET, &sts), "MsPIIYVqdrSg+xSXTLAl3M2RJC0=");
    }

    /// §2.3 Vector V1-b: CreateAiCallTask with a Chinese name holding a
    /// space, `*`, `~` and parentheses, and JSON-array values whose
    /// `CallTime` elements are themselves JSON strings.
    #[test]
    fn v1_vector_b_create_task_chinese_name_and_arrays() {
        let mut params = common("CreateAiCallTask", "nonce-0002");
        params.extend([
            ("TaskName", "外呼 测试*~(1)"),
            ("AgentId", "1180123456789012345"),
            ("VirtualNumber", "0327121220001"),
            ("StartType", "SCHEDULE"),
            ("TaskStartTime", "1767225600000"),
            ("MissCallRetry", "true"),
            ("CallRetryTimes", "2"),
            ("CallRetryInterval", "30"),
            ("TaskCps", "10"),
            ("CallDay", r#"["MONDAY","FRIDAY"]"#),
            (
                "CallTime",
                r#"["{\"startTime\":\"09:00:00\",\"endTime\":\"12:00:00\"}","{\"startTime\":\"14:00:00\",\"endTime\":\"18:00:00\"}"]"#,
            ),
            ("CallRetryReason", r#"["NO_ANSWER","USER_BUSY"]"#),
        ]);
        let cqs = v1_canonical_query(params.iter().copied());
        assert_eq!(cqs, vectors::V1_B_CQS);
        let sts = v1_string_to_sign("POST", params.iter().copied());
        assert!(sts.starts_with(
            "POST&%2F&AccessKeyId%3Dtestid%26Action%3DCreateAiCallTask%26AgentId%3D1180123456789012345\
             %26CallDay%3D%255B%2522MONDAY%2522%252C%2522FRIDAY%2522%255D"
        ));
        assert!(sts.contains("%26TaskName%3D%25E5%25A4%2596%25E5%2591%25BC%2520%25E6%25B5%258B%25E8%25AF%2595%252A~%25281%2529%26"));
        assert_eq!(v1_signature(SECRET, &sts), "PEZE2TcHiGaATqAbrfN4tAl4Law=");
    }

    /// §2.3 Vector V1-c: an STS token holding `+`, `/` and `=`.
    #[test]
    fn v1_vector_c_security_token() {
        let mut params = common("QueryAiCallTaskDetail", "nonce-0003");
        params.push(("TaskId", "1187654321098765432"));
        params.push(("SecurityToken", "CAIS+token/with=chars"));
        assert_eq!(
            v1_canonical_query(params.iter().copied()),
            "AccessKeyId=testid&Action=QueryAiCallTaskDetail&Format=json\
             &SecurityToken=CAIS%2Btoken%2Fwith%3Dchars&SignatureMethod=HMAC-SHA1\
             &SignatureNonce=nonce-0003&SignatureVersion=1.0&TaskId=1187654321098765432\
             &Timestamp=2025-01-01T00%3A00%3A00Z&Version=2019-10-15"
        );
        let sts = v1_string_to_sign("POST", params.iter().copied());
        assert_eq!(v1_signature(SECRET, &sts), "/tH76d/XFJDmdokhNvIzTKnePBE=");
    }

    /// Whatever string was sent is what gets signed: the Python SDK's `True`
    /// gives another signature than `true` (§2.3, note under V1-b).
    #[test]
    fn v1_signs_the_boolean_spelling_that_was_sent() {
        let a = v1_string_to_sign("POST", [("MissCallRetry", "true")]);
        let b = v1_string_to_sign("POST", [("MissCallRetry", "True")]);
        assert_ne!(v1_signature(SECRET, &a), v1_signature(SECRET, &b));
    }

    fn v3_headers() -> Vec<(&'static str, &'static str)> {
        vec![
            ("host", "aiccs.aliyuncs.com"),
            ("x-acs-version", "2019-10-15"),
            ("x-acs-action", "QueryAiCallTaskPage"),
            ("user-agent", "test-agent"),
            ("x-acs-credentials-provider", "static_ak"),
            ("x-acs-date", "2025-01-01T00:00:00Z"),
            ("x-acs-signature-nonce", "nonce-v3-0001"),
            ("x-acs-content-sha256", EMPTY_BODY_SHA256),
            ("accept", "application/json"),
        ]
    }

    const V3_QUERY: &[(&str, &str)] = &[
        ("PageNo", "1"),
        ("PageSize", "20"),
        ("Status", "STOPPED"),
        ("TaskName", "外呼 测试*~"),
    ];

    /// §2.4 Vector V3-a: QueryAiCallTaskPage as SDK 5.4.3 sends it.
    #[test]
    fn v3_vector_a_page_query() {
        let headers = v3_headers();
        let request = V3Request {
            method: "POST",
            query: V3_QUERY,
            headers: &headers,
            payload_sha256: &sha256_hex(b""),
        };
        assert_eq!(
            request.canonical_request(),
            "POST\n/\n\
             PageNo=1&PageSize=20&Status=STOPPED&TaskName=%E5%A4%96%E5%91%BC%20%E6%B5%8B%E8%AF%95%2A~\n\
             accept:application/json\n\
             host:aiccs.aliyuncs.com\n\
             user-agent:test-agent\n\
             x-acs-action:QueryAiCallTaskPage\n\
             x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
             x-acs-credentials-provider:static_ak\n\
             x-acs-date:2025-01-01T00:00:00Z\n\
             x-acs-signature-nonce:nonce-v3-0001\n\
             x-acs-version:2019-10-15\n\
             \n\
             accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;\
             x-acs-date;x-acs-signature-nonce;x-acs-version\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            request.string_to_sign(),
            "ACS3-HMAC-SHA256\n5d3da1d5b694cba90cbf64227820836be787de4cb81f116602aaa477422555de"
        );
        assert_eq!(
            request.authorization("testid", SECRET),
            "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=accept;host;user-agent;x-acs-action;\
             x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;\
             x-acs-version,Signature=229cffce7896d563caadadb62d43aa4ffcbefe16a3ecc584132f9454f6a1489b"
        );
    }

    /// §2.4 Vector V3-b: the same request with STS headers, which are signed.
    #[test]
    fn v3_vector_b_security_token() {
        let mut headers = v3_headers();
        headers.push(("x-acs-accesskey-id", "testid"));
        headers.push(("x-acs-security-token", "CAIS+token/with=chars"));
        let request = V3Request {
            method: "POST",
            query: V3_QUERY,
            headers: &headers,
            payload_sha256: EMPTY_BODY_SHA256,
        };
        assert_eq!(
            request.signed_headers(),
            "accept;host;user-agent;x-acs-accesskey-id;x-acs-action;x-acs-content-sha256;\
             x-acs-credentials-provider;x-acs-date;x-acs-security-token;x-acs-signature-nonce;\
             x-acs-version"
        );
        assert_eq!(
            request.signature(SECRET),
            "09b35c223b47ae35bbd98b2f63e4491ba50fda36994d4e8bdc7803b8289425f1"
        );
    }

    #[test]
    fn v3_header_names_are_case_insensitive_and_values_trimmed() {
        let headers = [("Host", " aiccs.aliyuncs.com "), ("X-Acs-Date", "d")];
        let request = V3Request {
            method: "post",
            query: &[],
            headers: &headers,
            payload_sha256: EMPTY_BODY_SHA256,
        };
        assert_eq!(
            request.canonical_request(),
            format!(
                "POST\n/\n\nhost:aiccs.aliyuncs.com\nx-acs-date:d\n\nhost;x-acs-date\n{EMPTY_BODY_SHA256}"
            )
        );
    }

    #[test]
    fn signature_comparison() {
        assert!(signatures_equal("abc", "abc"));
        assert!(!signatures_equal("abc", "abd"));
        assert!(!signatures_equal("abc", "abcd"));
    }
}
