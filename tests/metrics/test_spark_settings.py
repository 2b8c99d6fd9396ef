"""Where `kenzen metrics --engine spark` runs, with which settings, and what of its JVM's
output reaches the user (no JVM needed)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from kenzen.config import get_settings
from kenzen.errors import InvalidInput
from kenzen.metrics.spark import JVM_START_LINES, pass_on_jvm_stderr, spark_conf, spark_master


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    """Settings read from the environment as the test sets it, then forgotten."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("fresh_settings")
def test_the_master_is_the_option_else_kenzen_spark_master_else_local(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KENZEN_SPARK_MASTER", raising=False)
    assert spark_master(None) == "local[2]"
    monkeypatch.setenv("KENZEN_SPARK_MASTER", "spark://spark-master.internal:7077")
    get_settings.cache_clear()
    assert spark_master(None) == "spark://spark-master.internal:7077"
    assert spark_master("local[1]") == "local[1]"


def test_spark_settings_come_from_the_environment() -> None:
    environ = {"KENZEN_SPARK_CONF_MEMORY": "spark.executor.memory = 2g", "OTHER": "x"}
    assert spark_conf(environ) == {"spark.executor.memory": "2g"}
    with pytest.raises(InvalidInput, match="KENZEN_SPARK_CONF_BAD: expected spark"):
        spark_conf({"KENZEN_SPARK_CONF_BAD": "executor.memory=2g"})


def test_the_jvms_start_up_lines_are_held_back_and_everything_else_passed_on() -> None:
    error = "12:00:01 ERROR Executor: Exception in task 0.0 in stage 1.0\n"
    jvm = "".join(f"{line}\n" for line in sorted(JVM_START_LINES)) + error
    shown = io.StringIO()
    pass_on_jvm_stderr(io.BytesIO(jvm.encode()), shown)
    assert shown.getvalue() == error
