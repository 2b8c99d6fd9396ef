"""The token bucket, on a clock the test moves."""

from __future__ import annotations

import math
import re

from kenzen.spapi.ratelimit import USAGE_PLANS, RateLimiter, rate_header
from tests.spapi.conftest import amazon_model


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_burst_is_allowed_and_the_next_call_refused() -> None:
    clock = Clock()
    limiter = RateLimiter(clock)
    rate, burst = USAGE_PLANS["getReport"]
    assert all(limiter.allow("getReport", 1, "S1") for _ in range(burst))
    assert not limiter.allow("getReport", 1, "S1")
    clock.now += 1 / rate
    assert limiter.allow("getReport", 1, "S1")
    assert not limiter.allow("getReport", 1, "S1")


def test_each_of_two_server_processes_has_half_the_rate_and_burst() -> None:
    clock = Clock()
    limiter = RateLimiter(clock, processes=2)
    rate, burst = USAGE_PLANS["createReport"]
    share = math.ceil(burst / 2)
    assert sum(limiter.allow("createReport", 1, "S1") for _ in range(burst + 3)) == share
    clock.now += 1 / rate  # half a call's worth for this process
    assert not limiter.allow("createReport", 1, "S1")
    clock.now += 1.5 / rate
    assert limiter.allow("createReport", 1, "S1")


def test_buckets_are_per_operation_app_and_seller() -> None:
    limiter = RateLimiter(Clock())
    _, burst = USAGE_PLANS["createReport"]
    for _ in range(burst):
        limiter.allow("createReport", 1, "S1")
    assert not limiter.allow("createReport", 1, "S1")
    assert limiter.allow("createReport", 1, "S2")
    assert limiter.allow("createReport", 2, "S1")
    assert limiter.allow("getReport", 1, "S1")


def test_a_bucket_never_holds_more_than_its_burst() -> None:
    clock = Clock()
    limiter = RateLimiter(clock)
    _, burst = USAGE_PLANS["getDestinations"]
    limiter.allow("getDestinations", 1, None)
    clock.now += 3600
    assert sum(limiter.allow("getDestinations", 1, None) for _ in range(burst + 3)) == burst


def test_the_header_carries_amazons_rate() -> None:
    assert rate_header("createReport") == "0.0167"
    assert rate_header("getReport") == "2"


def test_the_usage_plans_are_the_ones_in_amazons_models() -> None:
    """Each rate and burst is read back from the usage-plan table in the vendored model."""
    published: dict[str, tuple[float, int]] = {}
    for model in ("reports_2021-06-30.json", "notifications.json", "sellers.json"):
        for methods in amazon_model(model)["paths"].values():
            for operation in methods.values():
                if not isinstance(operation, dict) or "operationId" not in operation:
                    continue
                plan = re.search(r"\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|", operation["description"])
                assert plan, operation["operationId"]
                published[operation["operationId"]] = (float(plan[1]), int(plan[2]))
    assert {name: published[name] for name in USAGE_PLANS} == USAGE_PLANS
