"""The embedded engine against the plain-Python reference on the written edge cases.

The same events the Spark parity test uses (:mod:`tests.metrics.edge_cases`); this test
needs no JVM, so the edges are checked in every run of the fast suite.
"""

from __future__ import annotations

from kenzen.events.store import EventStore
from kenzen.metrics.definitions import targets_for
from kenzen.metrics.engine import ORDER_VOLUME_DAYS, compute_metrics_and_volumes
from tests.metrics.conftest import AS_OF, TIME_ZONES
from tests.metrics.edge_cases import edges_present, expected_edges, load_edge_cases
from tests.metrics.reference import (
    engine_metrics,
    engine_volumes,
    reference_metrics,
    reference_volumes,
)


def test_every_edge_is_in_the_events_and_the_engine_agrees_with_the_reference(
    store: EventStore,
) -> None:
    loaded = load_edge_cases(store)
    assert sorted(expected_edges() - edges_present(store)) == []
    computed = compute_metrics_and_volumes(store, AS_OF, TIME_ZONES)
    expected = reference_metrics(
        loaded.orders, loaded.defects, AS_OF, TIME_ZONES, targets_for(AS_OF)
    )
    assert engine_metrics(computed) == expected
    assert engine_volumes(computed) == reference_volumes(
        loaded.orders, AS_OF, TIME_ZONES, ORDER_VOLUME_DAYS
    )
