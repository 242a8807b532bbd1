"""Drives the aicall emulator with the official Alibaba Cloud Python SDK.

If the real client cannot tell the emulator from the service, this passes.
Run by tests/it/sdk.rs in both signature modes; by hand:

    AICALL_SDK_ENDPOINT=127.0.0.1:PORT \
    AICALL_SDK_ACCESS_KEY_ID=aicall-demo-key \
    AICALL_SDK_ACCESS_KEY_SECRET=aicall-demo-secret \
    AICALL_SDK_SIGNATURE=v3 \
    target/sdk-venv/bin/python tests/sdk/scenario.py

AICALL_SDK_SIGNATURE is `v3` (the SDK's default, ACS3-HMAC-SHA256) or `v1`
(`signature_algorithm="v2"`, which makes the SDK sign RPC-style HMAC-SHA1).
The emulator must be fresh: the scenario asserts exact totals. Exits 0 and
prints `scenario passed` on success; any failed check raises.
"""

import json
import os
import sys
import time

from alibabacloud_aiccs20191015 import models
from alibabacloud_aiccs20191015.client import Client
from alibabacloud_tea_openapi import utils_models

ENDPOINT = os.environ["AICALL_SDK_ENDPOINT"]
KEY_ID = os.environ["AICALL_SDK_ACCESS_KEY_ID"]
KEY_SECRET = os.environ["AICALL_SDK_ACCESS_KEY_SECRET"]
MODE = os.environ.get("AICALL_SDK_SIGNATURE", "v3")
if MODE not in ("v1", "v3"):
    sys.exit(f"AICALL_SDK_SIGNATURE must be v1 or v3, found {MODE!r}")


def client(secret=KEY_SECRET):
    config = utils_models.Config(
        access_key_id=KEY_ID,
        access_key_secret=secret,
        endpoint=ENDPOINT,
        protocol="http",
        connect_timeout=5000,
        read_timeout=10000,
    )
    if MODE == "v1":
        config.signature_algorithm = "v2"
    return Client(config)


def window(start, end):
    # Each CallTime element is itself a JSON string (aiccs-api.md §1.4).
    return json.dumps({"startTime": start, "endTime": end}, separators=(",", ":"))


def step(name):
    print(f"[{MODE}] {name}", flush=True)


def check(actual, expected, what):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


def ok(response, what):
    body = response.body.to_map()
    check(response.status_code, 200, f"{what} HTTP status")
    check(body.get("Success"), True, f"{what} Success ({body})")
    check(body.get("Code"), "OK", f"{what} Code")
    check(body.get("Message"), "成功", f"{what} Message")
    if not body.get("RequestId"):
        raise AssertionError(f"{what}: no RequestId in {body}")
    return body.get("Data")


def refused(response, code, what):
    body = response.body.to_map()
    check(response.status_code, 200, f"{what} HTTP status")
    check(body.get("Success"), False, f"{what} Success")
    check(body.get("Code"), code, f"{what} Code")
    if "Data" in body:
        raise AssertionError(f"{what}: a refusal carries no Data: {body}")


sdk = client()
name = "外呼 测试*~(1) Ünïcode"
scheduled_name = "Scheduled 定时任务"

step("create IMMEDIATE with arrays and retry settings")
task_id = ok(
    sdk.create_ai_call_task(
        models.CreateAiCallTaskRequest(
            task_name=name,
            agent_id="1180123456789012345",
            virtual_number="0327121220001",
            start_type="IMMEDIATE",
            call_day=["FRIDAY", "MONDAY"],
            call_time=[window("14:00:00", "18:00:00"), window("09:00:00", "12:00:00")],
            miss_call_retry=True,
            call_retry_reason=["NO_ANSWER", "USER_BUSY"],
            call_retry_times=2,
            call_retry_interval=30,
            task_cps=10,
        )
    ),
    "create",
)
# Create's Data is a JSON number above 2^53; Python keeps it exact.
if not isinstance(task_id, int) or task_id <= 2**53:
    raise AssertionError(f"create Data must be an integer above 2^53, got {task_id!r}")
check(task_id, 118700000000000001, "first task ID")

step("create SCHEDULE an hour ahead")
start_at = int(time.time() * 1000) + 3_600_000
scheduled_id = ok(
    sdk.create_ai_call_task(
        models.CreateAiCallTaskRequest(
            task_name=scheduled_name,
            agent_id="1180123456789012345",
            virtual_number="0327121220001",
            start_type="SCHEDULE",
            task_start_time=start_at,
            call_day=["SATURDAY"],
            call_time=[window("10:00:00", "11:00:00")],
        )
    ),
    "create scheduled",
)
check(scheduled_id, task_id + 1, "IDs count up")

step("page: everything, newest first")
page = ok(sdk.query_ai_call_task_page(models.QueryAiCallTaskPageRequest(page_no=1, page_size=20)), "page")
check(page["Total"], 2, "Total")
check([t["TaskName"] for t in page["List"]], [scheduled_name, name], "order")
check(page["List"][1]["TaskId"], str(task_id), "TaskId is a string in Page")

step("page: fuzzy, case-insensitive name filter")
response = sdk.query_ai_call_task_page(models.QueryAiCallTaskPageRequest(task_name="ünïcode"))
page = ok(response, "page by name")
check([t["TaskName"] for t in page["List"]], [name], "name filter")
# The typed model parses the same reply.
check(response.body.data.list[0].task_id, str(task_id), "typed TaskId")
check(response.body.data.list[0].status, 1, "typed Status")

step("page: status filter as a string, status back as an integer")
page = ok(sdk.query_ai_call_task_page(models.QueryAiCallTaskPageRequest(status="INIT")), "page INIT")
check([(t["TaskName"], t["Status"]) for t in page["List"]], [(scheduled_name, 0)], "INIT filter")
check(page["List"][0]["StartTime"], start_at, "scheduled StartTime")
page = ok(sdk.query_ai_call_task_page(models.QueryAiCallTaskPageRequest(status="RUNNING")), "page RUNNING")
check([(t["TaskName"], t["Status"]) for t in page["List"]], [(name, 1)], "RUNNING filter")

step("detail: exact values back, in canonical order")
response = sdk.query_ai_call_task_detail(models.QueryAiCallTaskDetailRequest(task_id=str(task_id)))
detail = ok(response, "detail")
check(detail["TaskId"], str(task_id), "TaskId round-trips above 2^53")
check(detail["TaskName"], name, "TaskName")
check(detail["AgentId"], "1180123456789012345", "AgentId")
check(detail["CallerNumber"], "0327121220001", "CallerNumber")
check(detail["StartType"], "IMMEDIATE", "StartType")
check(detail["CallDays"], ["MONDAY", "FRIDAY"], "CallDays")
check(
    detail["CallTimes"],
    [{"StartTime": "09:00:00", "EndTime": "12:00:00"}, {"StartTime": "14:00:00", "EndTime": "18:00:00"}],
    "CallTimes",
)
check(detail["RetryEnable"], True, "RetryEnable (sent as Python `True`)")
check(detail["RetryCount"], 2, "RetryCount")
check(detail["RetryInterval"], 30, "RetryInterval")
check(detail["RetryReasons"], ["USER_BUSY", "NO_ANSWER"], "RetryReasons")
check(detail["ConcurrentCount"], 10, "ConcurrentCount")
check(response.body.data.call_times[0].start_time, "09:00:00", "typed CallTimes")

step("update a running task is refused")
update = models.UpdateAiCallTaskRequest(
    task_id=str(task_id),
    task_name=name + " v2",
    virtual_number="0327121220002",
    start_type="IMMEDIATE",
    call_day=["SUNDAY"],
    call_time=[window("08:00:00", "09:30:00")],
    call_retry_interval=120,
    task_cps=20,
)
refused(sdk.update_ai_call_task(update), "InvalidTaskStatus", "update RUNNING")

step("stop, update (a full replacement), start, stop")
check(ok(sdk.stop_ai_call_task(models.StopAiCallTaskRequest(task_id=str(task_id))), "stop"), True, "stop Data")
check(ok(sdk.update_ai_call_task(update), "update"), True, "update Data")
detail = ok(sdk.query_ai_call_task_detail(models.QueryAiCallTaskDetailRequest(task_id=str(task_id))), "detail")
check(detail["TaskName"], name + " v2", "updated TaskName")
check(detail["CallerNumber"], "0327121220002", "updated CallerNumber")
check(detail["CallDays"], ["SUNDAY"], "updated CallDays")
check(detail["ConcurrentCount"], 20, "updated ConcurrentCount")
check(detail["RetryInterval"], 120, "updated RetryInterval")
for cleared in ("RetryCount", "RetryEnable", "RetryReasons"):
    if cleared in detail:
        raise AssertionError(f"update is a full replacement: {cleared} should be cleared, got {detail}")
check(ok(sdk.start_ai_call_task(models.StartAiCallTaskRequest(task_id=str(task_id))), "start"), True, "start Data")
refused(sdk.start_ai_call_task(models.StartAiCallTaskRequest(task_id=str(task_id))), "InvalidTaskStatus", "start RUNNING")
check(ok(sdk.stop_ai_call_task(models.StopAiCallTaskRequest(task_id=str(task_id))), "stop"), True, "stop Data")
refused(sdk.stop_ai_call_task(models.StopAiCallTaskRequest(task_id=str(task_id))), "InvalidTaskStatus", "stop STOPPED")
refused(
    sdk.query_ai_call_task_detail(models.QueryAiCallTaskDetailRequest(task_id="118799999999999999")),
    "TaskNotFound",
    "detail of a missing task",
)

step("a duplicate name is refused")
refused(
    sdk.create_ai_call_task(
        models.CreateAiCallTaskRequest(
            task_name=scheduled_name,
            agent_id="1180123456789012345",
            virtual_number="0327121220001",
            start_type="IMMEDIATE",
            call_day=["MONDAY"],
            call_time=[window("09:00:00", "10:00:00")],
        )
    ),
    "TaskNameDuplicate",
    "duplicate create",
)

step("a wrong secret is refused with SignatureDoesNotMatch")
try:
    client("not-the-secret").query_ai_call_task_page(models.QueryAiCallTaskPageRequest())
except Exception as err:  # the SDK raises for every 4xx
    check(getattr(err, "code", None), "SignatureDoesNotMatch", f"wrong secret ({err!r})")
    check(getattr(err, "status_code", None), 400, "wrong secret HTTP status")
else:
    raise AssertionError("a wrong secret was accepted")

print(f"[{MODE}] scenario passed", flush=True)
