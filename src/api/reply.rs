//! Judging a reply: success or a typed failure, by the rules of
//! `aiccs-api.md` §3.5 and §4.
//!
//! Success ⇔ HTTP 2xx ∧ `Success == true` (∧ `Data == true` for Update,
//! Start and Stop). `Code` is never trusted on its own: the Start example
//! of the docs is `{"Code":"OK","Success":false}`. Gateway errors (4xx/5xx)
//! are read case-tolerantly (`Code`/`code`, ...), as the SDK does (§4.3).
//! Server text is scrubbed of the secret and token, and the AccessKey ID
//! it may echo (`InvalidAccessKeyId.NotFound`) is reduced to its last four
//! characters, before it is kept (`Credentials::scrub`).

use serde_json::{Map, Value};

use super::action::Action;
use super::credentials::Credentials;
use super::error::ApiError;

/// The most of a non-JSON body kept in an error.
const BODY_EXCERPT: usize = 200;

/// What precedes the string-to-sign a gateway echoes in the message of
/// `SignatureDoesNotMatch` (§2.5); the emulator echoes it the same way.
const STRING_TO_SIGN_MARKER: &str = "server string to sign is:";

/// The `Data` of a successful reply (`Null` when absent), or why the
/// reply is a failure.
pub fn judge(
    action: Action,
    http_status: u16,
    body: &[u8],
    credentials: &Credentials,
) -> Result<Value, ApiError> {
    let success_status = (200..300).contains(&http_status);
    let object = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => object,
        Ok(_) | Err(_) => {
            return Err(ApiError::Decode {
                action,
                http_status,
                detail: format!(
                    "the body is not a JSON object: {:?}",
                    credentials.scrub(body_excerpt(body).trim())
                ),
                request_id: None,
            });
        }
    };
    // Built once: every reply, successes included, has three texts.
    let scrubber = credentials.scrubber();
    let text = |key: &str| {
        field(&object, key).and_then(|v| match v {
            Value::String(s) => Some(scrubber.scrub(s).into_owned()),
            Value::Null => None,
            other => Some(other.to_string()),
        })
    };
    let request_id = text("RequestId");
    let code = text("Code");
    let message = text("Message");

    if !success_status {
        let Some(code) = code else {
            return Err(ApiError::Decode {
                action,
                http_status,
                detail: "an error reply without a `Code`".to_owned(),
                request_id,
            });
        };
        return Err(service_error(
            action,
            http_status,
            code,
            message,
            request_id,
            &object,
            credentials,
        ));
    }

    let success = match field(&object, "Success") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => true,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => false,
        _ => {
            return Err(ApiError::Decode {
                action,
                http_status,
                detail: "the reply has no boolean `Success`".to_owned(),
                request_id,
            });
        }
    };
    if !success {
        return Err(service_error(
            action,
            http_status,
            code.unwrap_or_else(|| "(no Code)".to_owned()),
            message,
            request_id,
            &object,
            credentials,
        ));
    }

    let data = field(&object, "Data").cloned().unwrap_or(Value::Null);
    if data_must_be_true(action) && !is_true(&data) {
        return Err(ApiError::NotApplied {
            action,
            request_id,
            message,
        });
    }
    Ok(data)
}

/// Update, Start and Stop answer `Data: true` when done (§3.5).
fn data_must_be_true(action: Action) -> bool {
    matches!(
        action,
        Action::UpdateAiCallTask | Action::StartAiCallTask | Action::StopAiCallTask
    )
}

fn is_true(data: &Value) -> bool {
    match data {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// A key, exactly or else in any case (§4.3).
pub(crate) fn field<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// The start of a body that is not what was expected, as text, to quote
/// in an error (scrub it first).
pub(crate) fn body_excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(body)
        .chars()
        .take(BODY_EXCERPT)
        .collect()
}

fn service_error(
    action: Action,
    http_status: u16,
    code: String,
    message: Option<String>,
    request_id: Option<String>,
    object: &Map<String, Value>,
    credentials: &Credentials,
) -> ApiError {
    // A string in business replies (often "None"), an object in RAM
    // denials (§3.8 item 6).
    let access_denied_detail = match field(object, "AccessDeniedDetail") {
        Some(Value::String(s)) if !s.is_empty() && s != "None" => Some(credentials.scrub(s)),
        Some(Value::Object(o)) if !o.is_empty() => {
            Some(credentials.scrub(&Value::Object(o.clone()).to_string()))
        }
        _ => None,
    }
    .map(String::into_boxed_str);
    let hint = hint_for(action, &code, credentials).map(String::into_boxed_str);
    let (message, server_string_to_sign) = split_string_to_sign(message.unwrap_or_default());
    ApiError::Service {
        action,
        http_status,
        code,
        message,
        server_string_to_sign,
        request_id,
        access_denied_detail,
        hint,
    }
}

/// Cuts an echoed string-to-sign off a message: the sentence before it is
/// the message; the echo is kept apart, for `-v`.
fn split_string_to_sign(message: String) -> (String, Option<Box<str>>) {
    // ASCII lowercasing keeps byte offsets, so `at` indexes `message` too.
    let Some(at) = message.to_ascii_lowercase().find(STRING_TO_SIGN_MARKER) else {
        return (message, None);
    };
    let echoed = &message[at + STRING_TO_SIGN_MARKER.len()..];
    let echoed = (!echoed.is_empty()).then(|| echoed.into());
    (message[..at].trim_end().to_owned(), echoed)
}

/// Whether `code` says the request was throttled.
pub fn is_throttling(code: &str) -> bool {
    code.starts_with("Throttling")
}

/// What to do about a failure with `code`, where that is known.
pub fn hint_for(action: Action, code: &str, credentials: &Credentials) -> Option<String> {
    let source = &credentials.source;
    let key = credentials.key_hint();
    Some(match code {
        "SignatureDoesNotMatch" => format!(
            "check the AccessKey secret from {}: the service computed another \
             signature, which almost always means the secret does not belong to AccessKey \
             ID {key}",
            source.secret_origin()
        ),
        "IncompleteSignature" | "InvalidSignatureMethod" => {
            "the request's signature parameters were refused; this is a bug in aicall, please \
             report it with the request ID"
                .to_owned()
        }
        "InvalidTimeStamp.Expired" => "check this machine's clock: requests must be within \
             15 minutes of the service's time (aicall sends UTC)"
            .to_owned(),
        "InvalidAccessKeyId.NotFound" => format!(
            "the AccessKey ID {key} from {source} does not exist (mistyped, deleted, or an \
             expired STS key)"
        ),
        "InvalidAccessKeyId.Inactive" => format!(
            "the AccessKey {key} from {source} is disabled: enable it in the RAM console, or \
             use another"
        ),
        c if c.starts_with("InvalidSecurityToken") => source.expired_token_hint(),
        c if c.starts_with("Forbidden") || c == "NoPermission" => format!(
            "the RAM identity of {source} may not call `{action}`: grant it in a RAM policy \
             (product `aiccs`)"
        ),
        c if is_throttling(c) => format!(
            "the service kept throttling `{action}` although aicall slowed down: raise the \
             quota of `{action}` in Quota Center, or try again later"
        ),
        "InvalidApi.NotFound" | "InvalidAction.NotFound" | "InvalidAction" | "InvalidVersion" => {
            "the endpoint does not serve aiccs 2019-10-15: check `--endpoint` / AICALL_ENDPOINT"
                .to_owned()
        }
        "TaskNameDuplicate" => "task names are unique in the account, and tasks can never be \
             deleted: choose another name"
            .to_owned(),
        "InvalidTaskStatus" => match action {
            Action::StartAiCallTask => "only a stopped, new or failed task can be started",
            Action::StopAiCallTask => "only a running or new task can be stopped",
            Action::UpdateAiCallTask => "stop the task before updating it",
            _ => return None,
        }
        .to_owned(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    const SECRET: &str = "Sec/ret+Value=";

    fn creds() -> Credentials {
        Credentials::new("TEST5tTestKey1234", Secret::new(SECRET), "the test pair")
    }

    fn run(action: Action, status: u16, body: &str) -> Result<Value, ApiError> {
        judge(action, status, body.as_bytes(), &creds())
    }

    #[test]
    fn success_returns_data() {
        let data = run(
            Action::CreateAiCallTask,
            200,
            r#"{"RequestId":"r","Code":"OK","Success":true,"Message":"成功","Data":1187654321098765432}"#,
        )
        .unwrap();
        assert_eq!(data.to_string(), "1187654321098765432");
        run(
            Action::StartAiCallTask,
            200,
            r#"{"Success":true,"Data":true}"#,
        )
        .unwrap();
    }

    #[test]
    fn business_failure_is_judged_by_success_not_code() {
        // The Start example of the docs (§3.5).
        let err = run(
            Action::StartAiCallTask,
            200,
            r#"{"RequestId":"7124F972","Code":"OK","Success":false,"Data":false,"Message":"failed"}"#,
        )
        .unwrap_err();
        let ApiError::Service {
            code,
            http_status,
            request_id,
            message,
            ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(
            (
                code.as_str(),
                *http_status,
                request_id.as_deref(),
                message.as_str()
            ),
            ("OK", 200, Some("7124F972"), "failed")
        );
        assert_eq!(
            err.to_string(),
            "`StartAiCallTask` was refused with `OK`: failed (HTTP 200, request ID `7124F972`)"
        );
    }

    #[test]
    fn data_false_is_not_applied() {
        for action in [
            Action::UpdateAiCallTask,
            Action::StartAiCallTask,
            Action::StopAiCallTask,
        ] {
            let err = run(action, 200, r#"{"Success":true,"Data":false}"#).unwrap_err();
            assert!(matches!(err, ApiError::NotApplied { .. }), "{err:?}");
            let err = run(action, 200, r#"{"Success":true}"#).unwrap_err();
            assert!(matches!(err, ApiError::NotApplied { .. }), "{err:?}");
        }
        // Data is not a boolean for the others.
        run(
            Action::QueryAiCallTaskDetail,
            200,
            r#"{"Success":true,"Data":{}}"#,
        )
        .unwrap();
    }

    #[test]
    fn gateway_errors_read_keys_in_any_case() {
        let err = run(
            Action::QueryAiCallTaskPage,
            400,
            r#"{"requestId":"R-1","hostId":"aiccs.aliyuncs.com","code":"SignatureDoesNotMatch",
                "message":"server string to sign is:POST&%2F&...","Recommend":"https://x"}"#,
        )
        .unwrap_err();
        assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
        assert_eq!(err.request_id(), Some("R-1"));
        assert!(
            err.hint().unwrap().contains("AccessKey secret"),
            "{:?}",
            err.hint()
        );
        assert!(err.hint().unwrap().contains("the test pair"));
        assert!(err.hint().unwrap().contains("****1234"));
    }

    #[test]
    fn a_wrong_secret_from_the_environment_names_the_secrets_variable() {
        let mut credentials = creds();
        credentials.source = crate::api::CredentialSource::Environment {
            variable: "ALIBABA_CLOUD_ACCESS_KEY_ID",
        };
        let hint = hint_for(
            Action::QueryAiCallTaskPage,
            "SignatureDoesNotMatch",
            &credentials,
        )
        .unwrap();
        assert!(
            hint.starts_with(
                "check the AccessKey secret from environment (`ALIBABA_CLOUD_ACCESS_KEY_SECRET`): "
            ),
            "{hint}"
        );
        assert!(!hint.contains("ALIBABA_CLOUD_ACCESS_KEY_ID"), "{hint}");
        // The key ID is still named, by its last characters only.
        assert!(hint.contains("AccessKey ID ****1234"), "{hint}");
    }

    #[test]
    fn an_echoed_string_to_sign_is_kept_out_of_the_message() {
        let token = "CAIS+sts/token=";
        let mut credentials = creds();
        credentials.security_token = Some(Secret::new(token));
        let encoded = crate::api::sign::percent_encode(&crate::api::sign::percent_encode(token));
        let echoed =
            format!("POST&%2F&AccessKeyId%3DTEST5tTestKey1234%26SecurityToken%3D{encoded}");
        let body = serde_json::json!({
            "RequestId": "R-2",
            "Code": "SignatureDoesNotMatch",
            "Message": format!(
                "Specified signature is not matched with our calculation. server string to sign is:{echoed}"
            ),
        })
        .to_string();
        let err = judge(Action::StopAiCallTask, 400, body.as_bytes(), &credentials).unwrap_err();
        let ApiError::Service { message, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(
            message,
            "Specified signature is not matched with our calculation."
        );
        assert_eq!(
            err.to_string(),
            "`StopAiCallTask` was refused with `SignatureDoesNotMatch`: Specified signature is \
             not matched with our calculation. (HTTP 400, request ID `R-2`)"
        );
        // Kept apart, whole but for the masked token and key ID, for `-v`;
        // found behind retries too, and absent where nothing was echoed.
        let kept = "POST&%2F&AccessKeyId%3D****1234%26SecurityToken%3D****";
        assert_eq!(err.server_string_to_sign(), Some(kept));
        let exhausted = ApiError::RetriesExhausted {
            action: Action::StopAiCallTask,
            attempts: 2,
            elapsed: std::time::Duration::ZERO,
            last: Box::new(err),
        };
        assert_eq!(exhausted.server_string_to_sign(), Some(kept));
        let plain = run(
            Action::StopAiCallTask,
            400,
            r#"{"Code":"Forbidden.RAM","Message":"no"}"#,
        )
        .unwrap_err();
        assert_eq!(plain.server_string_to_sign(), None);
    }

    #[test]
    fn access_denied_detail_as_string_or_object() {
        let err = run(
            Action::CreateAiCallTask,
            403,
            r#"{"Code":"Forbidden.RAM","Message":"denied","AccessDeniedDetail":{"AuthAction":"aiccs:CreateAiCallTask","PolicyType":"AccountLevelIdentityBasedPolicy"}}"#,
        )
        .unwrap_err();
        let ApiError::Service {
            access_denied_detail,
            hint,
            ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert!(
            access_denied_detail
                .as_deref()
                .unwrap()
                .contains("aiccs:CreateAiCallTask")
        );
        assert!(hint.as_deref().unwrap().contains("RAM policy"));
        let err = run(
            Action::CreateAiCallTask,
            200,
            r#"{"Code":"NoPermission","Success":false,"AccessDeniedDetail":"None"}"#,
        )
        .unwrap_err();
        assert!(matches!(
            err,
            ApiError::Service {
                access_denied_detail: None,
                ..
            }
        ));
    }

    #[test]
    fn unreadable_replies_are_decode_errors() {
        let err = run(Action::QueryAiCallTaskPage, 502, "<html>Bad Gateway</html>").unwrap_err();
        assert!(
            matches!(
                err,
                ApiError::Decode {
                    http_status: 502,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("Bad Gateway"));
        let err = run(Action::QueryAiCallTaskPage, 200, r#"{"Data":{}}"#).unwrap_err();
        assert!(err.to_string().contains("no boolean `Success`"), "{err}");
        let err = run(Action::QueryAiCallTaskPage, 500, r#"{"Message":"x"}"#).unwrap_err();
        assert!(err.to_string().contains("without a `Code`"), "{err}");
    }

    #[test]
    fn server_text_is_scrubbed() {
        let encoded = crate::api::sign::percent_encode(SECRET);
        let body = format!(
            r#"{{"Code":"SignatureDoesNotMatch","Message":"raw {SECRET} encoded {encoded}"}}"#
        );
        let err = run(Action::QueryAiCallTaskPage, 400, &body).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(
            !shown.contains(SECRET) && !shown.contains(&encoded),
            "{shown}"
        );
    }

    #[test]
    fn an_echoed_access_key_id_shows_only_its_tail() {
        let body = r#"{"Code":"InvalidAccessKeyId.NotFound","Message":"Specified access key is not found: TEST5tTestKey1234.","RequestId":"R-3"}"#;
        let err = run(Action::QueryAiCallTaskPage, 400, body).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`QueryAiCallTaskPage` was refused with `InvalidAccessKeyId.NotFound`: Specified \
             access key is not found: ****1234. (HTTP 400, request ID `R-3`)"
        );
        assert!(!format!("{err:?}").contains("TEST5tTestKey1234"));
    }

    #[test]
    fn known_codes_have_hints() {
        let c = creds();
        for code in [
            "SignatureDoesNotMatch",
            "InvalidTimeStamp.Expired",
            "InvalidAccessKeyId.NotFound",
            "InvalidAccessKeyId.Inactive",
            "InvalidSecurityToken.Expired",
            "Forbidden.RAM",
            "NoPermission",
            "Throttling.User",
            "InvalidVersion",
            "TaskNameDuplicate",
        ] {
            assert!(
                hint_for(Action::CreateAiCallTask, code, &c).is_some(),
                "{code}"
            );
        }
        assert!(
            hint_for(Action::CreateAiCallTask, "InvalidAccessKeyId.NotFound", &c)
                .unwrap()
                .contains("the test pair")
        );
        assert!(hint_for(Action::QueryAiCallTaskPage, "InvalidParameter", &c).is_none());
    }
}
