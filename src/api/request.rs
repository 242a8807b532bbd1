//! What goes on the wire: typed requests as parameters, and the signed
//! query string, as pure functions (no clock, no randomness).
//!
//! The shape is the official SDK's (`aiccs-api.md` §1.2): POST `/`, every
//! parameter in the query string, empty body, signature V1 (§2.2). Values
//! are spelled as §1.4 says: integers in decimal, booleans `true`/`false`,
//! array parameters as one compact JSON array each, `CallTime` elements as
//! JSON *strings* holding `{"startTime":…,"endTime":…}`; unset optionals
//! are left out.

use serde::Serialize;

use super::action::Action;
use super::credentials::Credentials;
use super::sign;
use super::types::{CallWindow, CreateTask, PageQuery, TaskId, TaskSettings, UpdateTask};

/// The API version every request names.
pub const API_VERSION: &str = "2019-10-15";

/// Business parameters of one request, in the order they were added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(&'static str, String)>);

impl Params {
    /// No parameters.
    pub fn new() -> Params {
        Params::default()
    }

    /// Adds `name=value`.
    pub fn push(&mut self, name: &'static str, value: impl Into<String>) {
        self.0.push((name, value.into()));
    }

    /// Adds `name=value` when `value` is set; leaves it out otherwise.
    pub fn push_opt<T: ToString>(&mut self, name: &'static str, value: Option<T>) {
        if let Some(value) = value {
            self.push(name, value.to_string());
        }
    }

    /// The parameters as `(name, value)` pairs.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(name, value)| (*name, value.as_str()))
    }

    /// The value of `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

/// Parameters of CreateAiCallTask (§3.1).
pub fn create_params(request: &CreateTask) -> Params {
    let mut params = Params::new();
    params.push("TaskName", &request.settings.task_name);
    params.push_opt("AgentId", request.agent_id.as_deref());
    params.push_opt("ApplicationCode", request.application_code.as_deref());
    push_settings(&mut params, &request.settings);
    params
}

/// Parameters of UpdateAiCallTask (§3.2): `TaskId` plus the complete
/// settings; `AgentId` and `ApplicationCode` cannot change and are not sent.
pub fn update_params(request: &UpdateTask) -> Params {
    let mut params = Params::new();
    params.push("TaskId", request.task_id.as_str());
    params.push("TaskName", &request.settings.task_name);
    push_settings(&mut params, &request.settings);
    params
}

/// Everything after `TaskName` that Create and Update share.
fn push_settings(params: &mut Params, settings: &TaskSettings) {
    params.push_opt("VirtualNumber", settings.virtual_number.as_deref());
    params.push("StartType", settings.start_type.as_str());
    params.push_opt("TaskStartTime", settings.task_start_time);
    params.push("CallDay", json_array(&settings.call_days));
    params.push("CallTime", call_time_json(&settings.call_times));
    params.push_opt("MissCallRetry", settings.miss_call_retry);
    if !settings.call_retry_reasons.is_empty() {
        params.push("CallRetryReason", json_array(&settings.call_retry_reasons));
    }
    params.push_opt("CallRetryTimes", settings.call_retry_times);
    params.push_opt("CallRetryInterval", settings.call_retry_interval);
    params.push_opt("TaskCps", settings.task_cps);
    params.push_opt("CallExpireType", settings.call_expire_type);
    params.push_opt("CallExpireMinutes", settings.call_expire_minutes);
    params.push_opt("CallExpireDate", settings.call_expire_date.as_deref());
    params.push_opt("Source", settings.source);
    params.push_opt("PhoneType", settings.phone_type);
    params.push_opt("LinePhoneNum", settings.line_phone_num.as_deref());
    params.push_opt("LineEncoding", settings.line_encoding.as_deref());
    if !settings.callable_times.is_empty() {
        params.push("CallableTime", call_time_json(&settings.callable_times));
    }
}

/// Parameters of QueryAiCallTaskPage (§3.3). `Status` goes as a string.
pub fn page_params(query: &PageQuery) -> Params {
    let mut params = Params::new();
    params.push_opt("PageNo", query.page_no);
    params.push_opt("PageSize", query.page_size);
    params.push_opt("Status", query.status.map(|s| s.filter_value()));
    params.push_opt("TaskName", query.task_name.as_deref());
    params.push_opt("AgentName", query.agent_name.as_deref());
    params.push_opt("TaskId", query.task_id.as_ref());
    params.push_opt("ApplicationCode", query.application_code.as_deref());
    params.push_opt("Source", query.source);
    params
}

/// The one parameter of Detail, Start and Stop: `TaskId`, as a string.
pub fn task_id_params(task_id: &TaskId) -> Params {
    let mut params = Params::new();
    params.push("TaskId", task_id.as_str());
    params
}

/// A compact JSON array of strings (§1.4): `["MONDAY","FRIDAY"]`, no
/// spaces, non-ASCII kept as UTF-8.
fn json_array(items: &[String]) -> String {
    serde_json::to_string(items).expect("a list of strings always serialises")
}

/// `CallTime` (§1.4): an array whose elements are JSON strings, each
/// holding `{"startTime":"HH:mm:ss","endTime":"HH:mm:ss"}` in that key order.
fn call_time_json(windows: &[CallWindow]) -> String {
    #[derive(Serialize)]
    struct Element<'a> {
        #[serde(rename = "startTime")]
        start: &'a str,
        #[serde(rename = "endTime")]
        end: &'a str,
    }
    let elements: Vec<String> = windows
        .iter()
        .map(|w| {
            serde_json::to_string(&Element {
                start: &w.start,
                end: &w.end,
            })
            .expect("two strings always serialise")
        })
        .collect();
    json_array(&elements)
}

/// Form-encodes a value for the URL the way the SDK does (Python
/// `urlencode`, §1.2): unreserved characters kept, space as `+`, every
/// other byte `%XY`. The signature uses `%20` instead (§2.2); the server
/// decodes before it verifies, so both describe the same value.
pub fn form_encode(value: &str) -> String {
    // In the output of `percent_encode` every `%` opens an aligned triplet,
    // so `%20` can only be an encoded space.
    sign::percent_encode(value).replace("%20", "+")
}

/// The `Timestamp` format (§1.3): UTC, `YYYY-MM-DDThh:mm:ssZ`.
pub fn format_timestamp(now: jiff::Timestamp) -> String {
    now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The signed V1 query string for one attempt of `action`.
///
/// Common parameters (§1.3) plus `params`, signed with HMAC-SHA1 for
/// `POST` (§2.2), form-encoded, `Signature` last. `timestamp` and `nonce`
/// are arguments so that tests can pin them; the client passes a fresh
/// UUID nonce and the current time for every attempt, retries included.
pub fn signed_query(
    action: Action,
    params: &Params,
    credentials: &Credentials,
    timestamp: &str,
    nonce: &str,
) -> String {
    let mut all: Vec<(&str, &str)> = vec![
        ("Action", action.as_str()),
        ("Format", "json"),
        ("Version", API_VERSION),
        ("Timestamp", timestamp),
        ("SignatureNonce", nonce),
    ];
    all.extend(params.pairs());
    all.extend([
        ("SignatureMethod", sign::V1_METHOD),
        ("SignatureVersion", sign::V1_VERSION),
        ("AccessKeyId", credentials.access_key_id.as_str()),
    ]);
    if let Some(token) = &credentials.security_token {
        all.push(("SecurityToken", token.expose()));
    }
    let string_to_sign = sign::v1_string_to_sign("POST", all.iter().copied());
    let signature = sign::v1_signature(credentials.access_key_secret.expose(), &string_to_sign);

    form_query(
        all.iter()
            .copied()
            .chain([("Signature", signature.as_str())]),
    )
}

/// `name=value&…`, form-encoded as the SDK does (§1.2).
pub(crate) fn form_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut query = String::new();
    for (name, value) in pairs {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&form_encode(name));
        query.push('=');
        query.push_str(&form_encode(value));
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{StartType, TaskStatus};
    use crate::secret::Secret;

    fn test_credentials() -> Credentials {
        Credentials::new("testid", Secret::new("testsecret"), "test vectors")
    }

    /// The request of §2.3 Vector V1-b, typed.
    fn vector_b_request() -> CreateTask {
        let mut settings = TaskSettings::new(
            "外呼 测试*~(1)",
            StartType::Schedule,
            vec!["MONDAY".to_owned(), "FRIDAY".to_owned()],
            vec![
                CallWindow::new("09:00:00", "12:00:00"),
                CallWindow::new("14:00:00", "18:00:00"),
            ],
        );
        settings.virtual_number = Some("0327121220001".to_owned());
        settings.task_start_time = Some(1_767_225_600_000);
        settings.miss_call_retry = Some(true);
        settings.call_retry_times = Some(2);
        settings.call_retry_interval = Some(30);
        settings.task_cps = Some(10);
        settings.call_retry_reasons = vec!["NO_ANSWER".to_owned(), "USER_BUSY".to_owned()];
        CreateTask {
            agent_id: Some("1180123456789012345".to_owned()),
            application_code: None,
            settings,
        }
    }

    fn decode(query: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    }

    /// §2.3 Vector V1-b: the typed create request encodes to exactly the
    /// contract's canonical query and signature.
    #[test]
    fn create_request_matches_vector_v1_b() {
        let query = signed_query(
            Action::CreateAiCallTask,
            &create_params(&vector_b_request()),
            &test_credentials(),
            "2025-01-01T00:00:00Z",
            "nonce-0002",
        );
        let pairs = decode(&query);
        let (signature, rest): (Vec<_>, Vec<_>) =
            pairs.iter().partition(|(name, _)| name == "Signature");
        assert_eq!(signature[0].1, "PEZE2TcHiGaATqAbrfN4tAl4Law=");
        assert_eq!(
            sign::v1_canonical_query(rest.iter().map(|(n, v)| (n.as_str(), v.as_str()))),
            sign::vectors::V1_B_CQS
        );
        // On the wire a space is `+` (§1.2), `~` stays, and the signature's
        // `+`, `/` and `=` are escaped.
        assert!(query.contains("&TaskName=%E5%A4%96%E5%91%BC+%E6%B5%8B%E8%AF%95%2A~%281%29&"));
        assert!(query.ends_with("&Signature=PEZE2TcHiGaATqAbrfN4tAl4Law%3D"));
        assert!(query.starts_with("Action=CreateAiCallTask&Format=json&Version=2019-10-15&"));
    }

    /// §2.3 Vector V1-a, with its exact SDK URL query.
    #[test]
    fn start_request_matches_vector_v1_a_url() {
        let query = signed_query(
            Action::StartAiCallTask,
            &task_id_params(&TaskId::new("1187654321098765432").unwrap()),
            &test_credentials(),
            "2025-01-01T00:00:00Z",
            "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        );
        assert_eq!(
            query,
            "Action=StartAiCallTask&Format=json&Version=2019-10-15\
             &Timestamp=2025-01-01T00%3A00%3A00Z&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf\
             &TaskId=1187654321098765432&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0\
             &AccessKeyId=testid&Signature=MsPIIYVqdrSg%2BxSXTLAl3M2RJC0%3D"
        );
    }

    /// §2.3 Vector V1-c: an STS token is signed and sent.
    #[test]
    fn security_token_matches_vector_v1_c() {
        let mut credentials = test_credentials();
        credentials.security_token = Some(Secret::new("CAIS+token/with=chars"));
        let query = signed_query(
            Action::QueryAiCallTaskDetail,
            &task_id_params(&TaskId::new("1187654321098765432").unwrap()),
            &credentials,
            "2025-01-01T00:00:00Z",
            "nonce-0003",
        );
        assert!(query.contains("&SecurityToken=CAIS%2Btoken%2Fwith%3Dchars&"));
        assert!(query.ends_with("&Signature=%2FtH76d%2FXFJDmdokhNvIzTKnePBE%3D"));
    }

    #[test]
    fn unset_optionals_are_left_out() {
        let request = CreateTask {
            agent_id: Some("1".to_owned()),
            application_code: None,
            settings: TaskSettings::new(
                "n",
                StartType::Immediate,
                vec!["SUNDAY".to_owned()],
                vec![CallWindow::new("08:00:00", "09:30:00")],
            ),
        };
        let params = create_params(&request);
        let names: Vec<&str> = params.pairs().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            ["TaskName", "AgentId", "StartType", "CallDay", "CallTime"]
        );
    }

    #[test]
    fn update_sends_task_id_and_never_agent_id() {
        let create = vector_b_request();
        let update = UpdateTask {
            task_id: TaskId::new("118700000000000001").unwrap(),
            settings: create.settings.clone(),
        };
        let params = update_params(&update);
        assert_eq!(params.get("TaskId"), Some("118700000000000001"));
        assert_eq!(params.get("AgentId"), None);
        assert_eq!(params.get("TaskCps"), Some("10"));
        assert_eq!(params.get("MissCallRetry"), Some("true"));
    }

    #[test]
    fn page_filter_sends_status_as_a_string() {
        let params = page_params(&PageQuery {
            page_no: Some(2),
            page_size: Some(50),
            status: Some(TaskStatus::Stopped),
            task_name: Some("外呼".to_owned()),
            ..PageQuery::default()
        });
        let pairs: Vec<_> = params.pairs().collect();
        assert_eq!(
            pairs,
            [
                ("PageNo", "2"),
                ("PageSize", "50"),
                ("Status", "STOPPED"),
                ("TaskName", "外呼")
            ]
        );
    }

    #[test]
    fn arrays_are_compact_json_with_raw_utf8() {
        assert_eq!(
            json_array(&["MONDAY".to_owned(), "周一".to_owned()]),
            r#"["MONDAY","周一"]"#
        );
        assert_eq!(
            call_time_json(&[CallWindow::new("09:00:00", "12:00:00")]),
            r#"["{\"startTime\":\"09:00:00\",\"endTime\":\"12:00:00\"}"]"#
        );
    }

    #[test]
    fn form_encoding_is_pythons_urlencode() {
        assert_eq!(
            form_encode("a b*~(1)/+=%20"),
            "a+b%2A~%281%29%2F%2B%3D%2520"
        );
    }

    #[test]
    fn timestamps_are_utc_seconds() {
        let t: jiff::Timestamp = "2025-01-01T08:00:00.123+08:00".parse().unwrap();
        assert_eq!(format_timestamp(t), "2025-01-01T00:00:00Z");
    }
}
