//! A verified request turned into one typed call, every business parameter
//! checked against `aiccs-api.md` §3 and the limits of §7.
//!
//! Unknown parameters are ignored, as the real gateway does with the
//! `OwnerId`-style fields every SDK model carries.

use super::operation::Operation;
use super::params::Params;
use super::service_error::ServiceError;
use super::task::{NewTask, StartType, TaskConfig, TaskId, TaskStatus};

/// Limits of §7. CallRetryInterval's maximum differs by operation (§3.8).
const RETRY_TIMES_MAX: i64 = 3;
const RETRY_INTERVAL_MAX_CREATE: i64 = 720;
const RETRY_INTERVAL_MAX_UPDATE: i64 = 120;
const TASK_CPS_MAX: i64 = 500;
/// PageSize when the request gives none (§7).
pub(crate) const DEFAULT_PAGE_SIZE: u32 = 20;

/// One call of one of the six operations, with its parameters validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Call {
    Create(NewTask),
    Update { task_id: TaskId, config: TaskConfig },
    Page(PageQuery),
    Detail(TaskId),
    Start(TaskId),
    Stop(TaskId),
}

/// The filters and window of a `QueryAiCallTaskPage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageQuery {
    pub page_no: u64,
    pub page_size: u32,
    pub status: Option<TaskStatus>,
    /// Lowercased: the filter is a case-insensitive substring (§7).
    pub task_name: Option<String>,
    /// Tasks carry no agent name in the emulator, so a non-empty filter
    /// matches nothing.
    pub agent_name: Option<String>,
    pub task_id: Option<TaskId>,
    pub application_code: Option<String>,
    pub source: Option<i64>,
}

impl Call {
    /// Checks the parameters of `operation`. `now_ms` judges whether a
    /// SCHEDULE start is in the future.
    pub(crate) fn parse(
        operation: Operation,
        params: &Params,
        now_ms: i64,
        max_page_size: u32,
    ) -> Result<Call, ServiceError> {
        Ok(match operation {
            Operation::Create => Call::Create(NewTask {
                agent_id: params.required_text("AgentId")?,
                application_code: params.text("ApplicationCode"),
                config: config(params, Operation::Create, now_ms)?,
            }),
            Operation::Update => {
                let task_id = required_task_id(params)?;
                // The agent and the application cannot change (§3.2).
                for fixed in ["AgentId", "ApplicationCode"] {
                    if let Some(value) = params.get(fixed) {
                        return Err(ServiceError::invalid(
                            fixed,
                            value,
                            "nothing: UpdateAiCallTask cannot change it",
                        ));
                    }
                }
                Call::Update {
                    task_id,
                    config: config(params, Operation::Update, now_ms)?,
                }
            }
            Operation::Page => Call::Page(page_query(params, max_page_size)?),
            Operation::Detail => Call::Detail(required_task_id(params)?),
            Operation::Start => Call::Start(required_task_id(params)?),
            Operation::Stop => Call::Stop(required_task_id(params)?),
        })
    }
}

fn required_task_id(params: &Params) -> Result<TaskId, ServiceError> {
    params.required("TaskId")?;
    Ok(params
        .task_id("TaskId")?
        .expect("TaskId is present: checked just above"))
}

/// The fields Create and Update share; Update is a full replacement, so an
/// optional field left out is `None` and clears the stored value (§7).
fn config(params: &Params, operation: Operation, now_ms: i64) -> Result<TaskConfig, ServiceError> {
    let name = params.required_text("TaskName")?;
    let virtual_number = params.required_text("VirtualNumber")?;
    params.required("StartType")?;
    let start_type = params
        .choice("StartType", &StartType::ALL, StartType::name)?
        .expect("StartType is present: checked just above");

    let task_start_time = params.int("TaskStartTime", 0, i64::MAX)?;
    let task_start_time = match start_type {
        // Only SCHEDULE uses it (§3.1); an IMMEDIATE task does not keep it.
        StartType::Immediate => None,
        StartType::Schedule => {
            let at = task_start_time.ok_or(ServiceError::Missing {
                name: "TaskStartTime",
            })?;
            if at <= now_ms {
                return Err(ServiceError::invalid(
                    "TaskStartTime",
                    at.to_string(),
                    format!(
                        "a time in the future for SCHEDULE (epoch milliseconds; the server time is {now_ms})"
                    ),
                ));
            }
            Some(at)
        }
    };

    let call_days = params.call_days()?;
    let call_times = params.call_times()?;
    let retry_interval_max = match operation {
        Operation::Update => RETRY_INTERVAL_MAX_UPDATE,
        _ => RETRY_INTERVAL_MAX_CREATE,
    };
    let task_cps = params.int("TaskCps", 1, TASK_CPS_MAX)?;
    if operation == Operation::Update && task_cps.is_none() {
        return Err(ServiceError::Missing { name: "TaskCps" });
    }

    Ok(TaskConfig {
        name,
        virtual_number,
        start_type,
        task_start_time,
        call_days,
        call_times,
        callable_times: params.windows("CallableTime")?,
        miss_call_retry: params.boolean("MissCallRetry")?,
        call_retry_reasons: params.retry_reasons()?,
        call_retry_times: params.int("CallRetryTimes", 0, RETRY_TIMES_MAX)?,
        call_retry_interval: params.int("CallRetryInterval", 0, retry_interval_max)?,
        task_cps,
        call_expire_type: params.int("CallExpireType", 0, 2)?,
        call_expire_minutes: params.int("CallExpireMinutes", 0, i64::MAX)?,
        call_expire_date: params.expire_date()?,
        source: params.int("Source", 0, 1)?,
        phone_type: params.int("PhoneType", 0, 1)?,
        line_phone_num: params.text("LinePhoneNum"),
        line_encoding: params.text("LineEncoding"),
    })
}

fn page_query(params: &Params, max_page_size: u32) -> Result<PageQuery, ServiceError> {
    let page_no = params.int("PageNo", 1, i64::MAX)?.unwrap_or(1);
    // Refused, not clamped, above the maximum (§7).
    let page_size = params
        .int("PageSize", 1, i64::from(max_page_size))?
        .unwrap_or(i64::from(DEFAULT_PAGE_SIZE));
    Ok(PageQuery {
        page_no: u64::try_from(page_no).expect("PageNo is at least 1"),
        page_size: u32::try_from(page_size).expect("PageSize is at most max_page_size"),
        status: params.choice("Status", &TaskStatus::ALL, TaskStatus::name)?,
        task_name: params.text("TaskName").map(|name| name.to_lowercase()),
        agent_name: params.text("AgentName"),
        task_id: params.task_id("TaskId")?,
        application_code: params.text("ApplicationCode"),
        source: params.int("Source", 0, 1)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_750_000_000_000;

    fn params(pairs: &[(&str, &str)]) -> Params {
        let mut p = Params::default();
        let encoded: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        p.extend_form(encoded.as_bytes());
        p
    }

    fn create_pairs() -> Vec<(&'static str, &'static str)> {
        vec![
            ("TaskName", "t"),
            ("AgentId", "1180123456789012345"),
            ("VirtualNumber", "0327121220001"),
            ("StartType", "IMMEDIATE"),
            ("CallDay", r#"["MONDAY"]"#),
            (
                "CallTime",
                r#"["{\"startTime\":\"09:00:00\",\"endTime\":\"12:00:00\"}"]"#,
            ),
        ]
    }

    fn create(extra: &[(&str, &str)]) -> Result<Call, ServiceError> {
        let mut pairs: Vec<(&str, &str)> = create_pairs();
        for &(name, value) in extra {
            pairs.retain(|(n, _)| *n != name);
            pairs.push((name, value));
        }
        Call::parse(Operation::Create, &params(&pairs), NOW, 100)
    }

    fn code(result: Result<Call, ServiceError>) -> String {
        result.unwrap_err().code().into_owned()
    }

    #[test]
    fn every_required_create_parameter_has_its_missing_code() {
        for name in [
            "TaskName",
            "AgentId",
            "VirtualNumber",
            "StartType",
            "CallDay",
            "CallTime",
        ] {
            let pairs: Vec<_> = create_pairs()
                .into_iter()
                .filter(|(n, _)| *n != name)
                .collect();
            let result = Call::parse(Operation::Create, &params(&pairs), NOW, 100);
            assert_eq!(code(result), format!("Missing{name}"));
        }
    }

    #[test]
    fn schedule_needs_a_future_start() {
        assert_eq!(
            code(create(&[("StartType", "SCHEDULE")])),
            "MissingTaskStartTime"
        );
        let now = NOW.to_string();
        assert_eq!(
            code(create(&[
                ("StartType", "SCHEDULE"),
                ("TaskStartTime", &now)
            ])),
            "InvalidParameter"
        );
        let later = (NOW + 1).to_string();
        let Call::Create(task) =
            create(&[("StartType", "SCHEDULE"), ("TaskStartTime", &later)]).unwrap()
        else {
            panic!("not a create");
        };
        assert_eq!(task.config.task_start_time, Some(NOW + 1));
    }

    #[test]
    fn immediate_tasks_do_not_keep_a_start_time() {
        let Call::Create(task) = create(&[("TaskStartTime", "1")]).unwrap() else {
            panic!("not a create");
        };
        assert_eq!(task.config.task_start_time, None);
    }

    #[test]
    fn limits_on_both_sides_of_each_boundary() {
        let cases: &[(&str, &str, bool)] = &[
            ("CallRetryTimes", "0", true),
            ("CallRetryTimes", "3", true),
            ("CallRetryTimes", "-1", false),
            ("CallRetryTimes", "4", false),
            ("CallRetryInterval", "0", true),
            ("CallRetryInterval", "720", true),
            ("CallRetryInterval", "721", false),
            ("TaskCps", "1", true),
            ("TaskCps", "500", true),
            ("TaskCps", "0", false),
            ("TaskCps", "501", false),
            ("CallExpireType", "2", true),
            ("CallExpireType", "3", false),
            ("Source", "1", true),
            ("Source", "2", false),
            ("PhoneType", "0", true),
            ("PhoneType", "-1", false),
            ("MissCallRetry", "True", true),
            ("MissCallRetry", "1", false),
            ("TaskName", "", false),
        ];
        for (name, value, ok) in cases {
            let result = create(&[(name, value)]);
            assert_eq!(result.is_ok(), *ok, "{name}={value}: {result:?}");
            if !ok {
                assert_eq!(code(result), "InvalidParameter");
            }
        }
    }

    fn update(extra: &[(&str, &str)]) -> Result<Call, ServiceError> {
        let mut pairs: Vec<(&str, &str)> = create_pairs()
            .into_iter()
            .filter(|(n, _)| *n != "AgentId")
            .collect();
        pairs.push(("TaskId", "118700000000000001"));
        pairs.push(("TaskCps", "5"));
        for &(name, value) in extra {
            pairs.retain(|(n, _)| *n != name);
            pairs.push((name, value));
        }
        Call::parse(Operation::Update, &params(&pairs), NOW, 100)
    }

    #[test]
    fn update_has_its_own_limits_and_required_fields() {
        assert!(update(&[]).is_ok());
        assert!(update(&[("CallRetryInterval", "120")]).is_ok());
        assert_eq!(
            code(update(&[("CallRetryInterval", "121")])),
            "InvalidParameter"
        );
        assert_eq!(code(update(&[("AgentId", "1")])), "InvalidParameter");
        assert_eq!(code(update(&[("TaskId", "abc")])), "InvalidParameter");
        let no_cps: Vec<_> = create_pairs()
            .into_iter()
            .filter(|(n, _)| *n != "AgentId")
            .chain([("TaskId", "118700000000000001")])
            .collect();
        let result = Call::parse(Operation::Update, &params(&no_cps), NOW, 100);
        assert_eq!(code(result), "MissingTaskCps");
    }

    #[test]
    fn update_clears_what_it_leaves_out() {
        let Call::Update { config, .. } = update(&[]).unwrap() else {
            panic!("not an update");
        };
        assert_eq!(config.call_retry_times, None);
        assert_eq!(config.miss_call_retry, None);
    }

    #[test]
    fn page_defaults_and_caps() {
        let page = |pairs: &[(&str, &str)]| Call::parse(Operation::Page, &params(pairs), NOW, 100);
        let Call::Page(query) = page(&[]).unwrap() else {
            panic!("not a page");
        };
        assert_eq!((query.page_no, query.page_size), (1, DEFAULT_PAGE_SIZE));
        assert!(page(&[("PageSize", "100")]).is_ok());
        assert_eq!(code(page(&[("PageSize", "101")])), "InvalidParameter");
        assert_eq!(code(page(&[("PageSize", "0")])), "InvalidParameter");
        assert_eq!(code(page(&[("PageNo", "0")])), "InvalidParameter");
        assert_eq!(code(page(&[("Status", "running")])), "InvalidParameter");
        let Call::Page(query) = page(&[("TaskName", "AbC"), ("Status", "STOPPED")]).unwrap() else {
            panic!("not a page");
        };
        assert_eq!(query.task_name.as_deref(), Some("abc"));
        assert_eq!(query.status, Some(TaskStatus::Stopped));
    }

    #[test]
    fn task_id_operations_need_a_well_formed_id() {
        for op in [Operation::Detail, Operation::Start, Operation::Stop] {
            assert_eq!(
                code(Call::parse(op, &params(&[]), NOW, 100)),
                "MissingTaskId"
            );
            let bad = Call::parse(op, &params(&[("TaskId", "12x")]), NOW, 100);
            assert_eq!(code(bad), "InvalidParameter");
        }
    }
}
