//! The JSON the emulated service answers with (`aiccs-api.md` §3, §4).
//!
//! Shapes worth knowing: Create's `Data` is a bare JSON number while
//! `TaskId` is a string everywhere else (§1.5); Page reports `Status` as an
//! integer although the filter takes a name (§3.8); Detail calls the
//! VirtualNumber `CallerNumber` and its windows are PascalCase objects
//! (§3.4). A field the task never had is omitted, not `null`.

use std::borrow::Cow;
use std::time::Duration;

use hyper::StatusCode;
use serde::Serialize;

use super::service_error::ServiceError;
use super::store::{Outcome, PageResult};
use super::task::{CallWindow, StoredTask, TaskId};

/// `HostId` of gateway errors.
const HOST_ID: &str = "aiccs.aliyuncs.com";
/// `Message` of every success (§7).
const SUCCESS_MESSAGE: &str = "成功";

/// A reply ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub body: Vec<u8>,
    /// The `Code` it carries, for the request log and the stats.
    pub code: Cow<'static, str>,
    /// `x-acs-retry-after` (milliseconds on the wire), for throttling.
    pub retry_after: Option<Duration>,
    /// `x-ratelimit-user-api`, over quota.
    pub rate_limit: Option<String>,
    /// `Content-Type`.
    pub content_type: &'static str,
}

/// The `Content-Type` of every JSON reply.
pub(crate) const JSON: &str = "application/json;charset=utf-8";

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Success<'a, T> {
    request_id: &'a str,
    code: &'static str,
    success: bool,
    message: &'static str,
    data: T,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Business<'a> {
    request_id: &'a str,
    success: bool,
    code: &'a str,
    message: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Gateway<'a> {
    request_id: &'a str,
    host_id: &'static str,
    code: &'a str,
    message: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PageData<'a> {
    page_no: u64,
    page_size: u32,
    total: u64,
    list: Vec<PageItem<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PageItem<'a> {
    task_id: TaskId,
    task_name: &'a str,
    status: u8,
    agent_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    application_code: Option<&'a str>,
    create_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    real_start_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    concurrent_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    call_expire_type: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    call_expire_minutes: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    call_expire_date: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Window<'a> {
    start_time: &'a str,
    end_time: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DetailData<'a> {
    task_id: TaskId,
    task_name: &'a str,
    agent_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    application_code: Option<&'a str>,
    start_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    real_start_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    concurrent_count: Option<i64>,
    caller_number: &'a str,
    call_days: Vec<&'static str>,
    call_times: Vec<Window<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callable_times: Option<Vec<Window<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_enable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_interval: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_reasons: Option<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    call_expire_type: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    call_expire_minutes: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    call_expire_date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line_phone_num: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line_encoding: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_type: Option<i64>,
}

impl Reply {
    /// `body` with `status`, the `code` to log and its `content_type`;
    /// no throttling headers.
    fn new(
        status: StatusCode,
        body: Vec<u8>,
        code: Cow<'static, str>,
        content_type: &'static str,
    ) -> Reply {
        Reply {
            status,
            body,
            code,
            retry_after: None,
            rate_limit: None,
            content_type,
        }
    }

    /// HTTP 200, `Success:true`, the outcome as `Data`.
    pub(crate) fn success(request_id: &str, outcome: &Outcome) -> Reply {
        let body = match outcome {
            // A bare JSON number, above 2^53 (§1.5).
            Outcome::Created(id) => to_json(request_id, id.0),
            Outcome::Done => to_json(request_id, true),
            Outcome::Page(page) => to_json(request_id, page_data(page)),
            Outcome::Detail(task) => to_json(request_id, detail_data(task)),
        };
        Reply::new(StatusCode::OK, body, Cow::Borrowed("OK"), JSON)
    }

    /// Any JSON `body`, with `status` and the `code` to log.
    pub(crate) fn json(
        status: StatusCode,
        code: Cow<'static, str>,
        body: &serde_json::Value,
    ) -> Reply {
        Reply::new(status, body.to_string().into_bytes(), code, JSON)
    }

    /// Plain text, as the metadata service answers.
    pub(crate) fn text(status: StatusCode, code: &'static str, text: String) -> Reply {
        Reply::new(
            status,
            text.into_bytes(),
            Cow::Borrowed(code),
            "text/plain;charset=utf-8",
        )
    }

    /// A gateway error of another service, e.g. STS's, with its `HostId`.
    pub(crate) fn gateway(request_id: &str, host_id: &'static str, error: &ServiceError) -> Reply {
        let code = error.code();
        let body = serde_json::to_vec(&Gateway {
            request_id,
            host_id,
            code: &code,
            message: error.to_string(),
        })
        .expect("replies are plain data and always serialise");
        Reply::new(error.status(), body, code, JSON)
    }

    /// A gateway error or a business failure, as §7 shapes each.
    pub(crate) fn failure(request_id: &str, error: &ServiceError) -> Reply {
        if !error.is_business() {
            return Reply::gateway(request_id, HOST_ID, error);
        }
        let code = error.code();
        let body = serde_json::to_vec(&Business {
            request_id,
            success: false,
            code: &code,
            message: error.to_string(),
        })
        .expect("replies are plain data and always serialise");
        Reply::new(error.status(), body, code, JSON)
    }
}

fn to_json<T: Serialize>(request_id: &str, data: T) -> Vec<u8> {
    serde_json::to_vec(&Success {
        request_id,
        code: "OK",
        success: true,
        message: SUCCESS_MESSAGE,
        data,
    })
    .expect("replies are plain data and always serialise")
}

fn page_data(page: &PageResult) -> PageData<'_> {
    PageData {
        page_no: page.page_no,
        page_size: page.page_size,
        total: page.total,
        list: page.items.iter().map(page_item).collect(),
    }
}

/// Items were settled at the time of the call, so `status` and
/// `real_start_time` already reflect a scheduled start that has passed.
fn page_item(task: &StoredTask) -> PageItem<'_> {
    let config = &task.config;
    PageItem {
        task_id: task.id,
        task_name: &config.name,
        status: task.status.code(),
        agent_id: &task.agent_id,
        application_code: task.application_code.as_deref(),
        create_time: task.create_time,
        start_time: config.task_start_time,
        real_start_time: task.real_start_time,
        concurrent_count: config.task_cps,
        call_expire_type: config.call_expire_type,
        call_expire_minutes: config.call_expire_minutes,
        call_expire_date: config.call_expire_date.as_deref(),
    }
}

fn windows(windows: &[CallWindow]) -> Vec<Window<'_>> {
    windows
        .iter()
        .map(|w| Window {
            start_time: &w.start,
            end_time: &w.end,
        })
        .collect()
}

fn detail_data(task: &StoredTask) -> DetailData<'_> {
    let config = &task.config;
    DetailData {
        task_id: task.id,
        task_name: &config.name,
        agent_id: &task.agent_id,
        application_code: task.application_code.as_deref(),
        start_type: config.start_type.name(),
        start_time: config.task_start_time,
        real_start_time: task.real_start_time,
        concurrent_count: config.task_cps,
        caller_number: &config.virtual_number,
        call_days: config.call_days.iter().map(|d| d.name()).collect(),
        call_times: windows(&config.call_times),
        callable_times: config.callable_times.as_deref().map(windows),
        retry_enable: config.miss_call_retry,
        retry_count: config.call_retry_times,
        retry_interval: config.call_retry_interval,
        retry_reasons: config
            .call_retry_reasons
            .as_ref()
            .map(|reasons| reasons.iter().map(|r| r.name()).collect()),
        call_expire_type: config.call_expire_type,
        call_expire_minutes: config.call_expire_minutes,
        call_expire_date: config.call_expire_date.as_deref(),
        line_phone_num: config.line_phone_num.as_deref(),
        line_encoding: config.line_encoding.as_deref(),
        phone_type: config.phone_type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::task::{NewTask, TaskStatus};

    fn text(reply: &Reply) -> String {
        String::from_utf8(reply.body.clone()).unwrap()
    }

    #[test]
    fn create_data_is_a_bare_number_above_2_pow_53() {
        let reply = Reply::success("R", &Outcome::Created(TaskId(1_187_654_321_098_765_432)));
        assert_eq!(
            text(&reply),
            r#"{"RequestId":"R","Code":"OK","Success":true,"Message":"成功","Data":1187654321098765432}"#
        );
    }

    #[test]
    fn detail_reports_caller_number_and_omits_unset_fields() {
        let task = StoredTask {
            id: TaskId::FIRST,
            agent_id: "1180123456789012345".into(),
            application_code: None,
            config: NewTask::example("t").config,
            status: TaskStatus::Running,
            create_time: 1,
            real_start_time: Some(2),
        };
        let reply = Reply::success("R", &Outcome::Detail(Box::new(task)));
        let value: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        let data = &value["Data"];
        assert_eq!(data["TaskId"], "118700000000000001");
        assert_eq!(data["CallerNumber"], "0327121220001");
        assert_eq!(data["CallTimes"][0]["StartTime"], "09:00:00");
        assert_eq!(data["CallDays"][0], "MONDAY");
        let keys: Vec<&String> = data.as_object().unwrap().keys().collect();
        for absent in [
            "RetryEnable",
            "RetryReasons",
            "StartTime",
            "Status",
            "PhoneType",
        ] {
            assert!(!keys.iter().any(|k| *k == absent), "{absent} in {keys:?}");
        }
    }

    #[test]
    fn gateway_and_business_failures_have_their_shapes() {
        let gateway = Reply::failure("R", &ServiceError::Missing { name: "TaskName" });
        assert_eq!(gateway.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            text(&gateway),
            r#"{"RequestId":"R","HostId":"aiccs.aliyuncs.com","Code":"MissingTaskName","Message":"TaskName is mandatory for this action"}"#
        );
        let business = Reply::failure("R", &ServiceError::TaskNotFound { task_id: TaskId(5) });
        assert_eq!(business.status, StatusCode::OK);
        assert_eq!(
            text(&business),
            r#"{"RequestId":"R","Success":false,"Code":"TaskNotFound","Message":"the task `5` does not exist"}"#
        );
    }
}
