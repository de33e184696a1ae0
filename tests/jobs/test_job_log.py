"""One structured log line per job run (vanban.jobs): the job, the ids it was given, its result
and duration on success; the same with the error on failure — in text and in JSON."""

from __future__ import annotations

import json
import logging

import pytest

from vanban.core.logfmt import JsonFormatter
from vanban.jobs import task

pytestmark = pytest.mark.django_db


@task()
def double_for_log_test(x: int) -> int:
    return x * 2


@task()
def fail_for_log_test(package_id: int, note: str = "") -> None:
    raise ValueError(f"gói {package_id} hỏng")


def _records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "vanban.jobs"]


def test_a_job_run_leaves_one_line_with_its_arguments_result_and_duration(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="vanban.jobs"):
        assert double_for_log_test.call_local(21) == 42
        double_for_log_test(5)  # enqueued: the tests' queue runs it at once, through the worker's path
    done = _records(caplog)
    assert [(r.event, r.job_args, r.result) for r in done] == [
        ("job.done", [21], 42), ("job.done", [5], 10)]
    assert done[0].job == "tests.jobs.test_job_log.double_for_log_test"
    assert isinstance(done[0].duration_ms, int) and done[0].duration_ms >= 0
    line = json.loads(JsonFormatter().format(done[0]))
    assert (line["event"], line["job"], line["result"], line["level"]) == (
        "job.done", "tests.jobs.test_job_log.double_for_log_test", 42, "INFO")


def test_a_failing_job_logs_its_ids_and_the_error_then_raises(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="vanban.jobs"), pytest.raises(ValueError, match="gói 7 hỏng"):
        fail_for_log_test.call_local(package_id=7, note="thử")
    (failed,) = _records(caplog)
    assert (failed.event, failed.package_id, failed.note, failed.levelname) == ("job.failed", 7, "thử", "ERROR")
    line = json.loads(JsonFormatter().format(failed))
    assert line["package_id"] == 7 and "ValueError: gói 7 hỏng" in line["error"]


@task()
def named_for_log_test(name: str, document_id: int) -> str:
    return name


def test_an_argument_named_like_a_log_field_keeps_its_value(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="vanban.jobs"):
        named_for_log_test.call_local(name="văn bản", document_id=12)
    (done,) = _records(caplog)
    assert (done.arg_name, done.document_id, done.name) == ("văn bản", 12, "vanban.jobs")
