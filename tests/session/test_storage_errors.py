"""A failed storage call reaches Strands as a SessionException, with the failure as its cause."""

from __future__ import annotations

import pickle

import pytest
from botocore.exceptions import ClientError
from strands.types.exceptions import SessionException

from agentcore_memory_otel import FlushError, StorageError
from agentcore_memory_otel.local import LocalMemoryServer

from .conftest import ManagerFactory, make_agent


def test_a_failed_write_in_an_agent_turn_is_a_session_exception_with_its_cause(
    make_manager: ManagerFactory, server: LocalMemoryServer
) -> None:
    manager = make_manager(batch_size=1)
    agent = make_agent(manager, ["hi"])
    server.faults.fail_next("CreateEvent", 10, status=500)
    with pytest.raises(SessionException) as caught:
        agent("hello")
    error = caught.value
    assert isinstance(error, FlushError) and isinstance(error, StorageError)
    assert isinstance(error, RuntimeError)  # what FlushError was before: catching code still works
    cause = error.cause
    assert isinstance(cause, ClientError)
    assert error.__cause__ is cause
    assert "(ServiceException)" in str(cause)
    server.faults.reset()
    manager.flush()
    assert manager.pending_message_count() == 0


def test_a_timed_out_flush_carries_a_timeout_error(
    make_manager: ManagerFactory, server: LocalMemoryServer
) -> None:
    manager = make_manager(write_mode="background")
    agent = make_agent(manager, [])
    server.faults.set_latency(0.5, "CreateEvent")
    manager.append_message({"role": "user", "content": [{"text": "slow"}]}, agent)
    with pytest.raises(SessionException) as caught:
        manager.flush(timeout=0.05)
    assert isinstance(caught.value, FlushError)
    assert isinstance(caught.value.__cause__, TimeoutError)
    server.faults.set_latency(0)
    manager.flush(timeout=10)
    manager.close()


@pytest.mark.parametrize(
    "error",
    [FlushError(3, ValueError("boom")), StorageError("journal failed", OSError(28, "disk full"))],
)
def test_a_storage_error_survives_pickling_with_its_cause(error: StorageError) -> None:
    # Raised in a worker process (multiprocessing, concurrent.futures), it must come back whole;
    # before, unpickling a FlushError raised TypeError (its __init__ takes the count and cause).
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error) and str(copy) == str(error)
    assert type(copy.cause) is type(error.cause) and str(copy.cause) == str(error.cause)
    assert copy.__cause__ is copy.cause
    if isinstance(error, FlushError):
        assert isinstance(copy, FlushError) and copy.pending_messages == 3
