"""pytest wiring for running gptme's server tests against gptme-ts over HTTP.

`run.py` copies gptme's test files next to this conftest (in a temp dir) and starts the servers
(`serve-stack.ts`); their URLs arrive in `GPTME_TS_STACK`. This file then:
- makes `import gptme...` succeed with inert stand-ins (gptme is not installed here), so test
  modules import; any test that would *use* one of them is skipped by `portability.py` first;
- skips every test `portability.py` finds not portable, with its reason;
- provides the fixtures gptme's own conftest provides, pointed at the real servers.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import os
import queue
import signal
import sys
import threading
import time
import types
import uuid
from pathlib import Path

import pytest
import requests

sys.path.insert(0, os.environ["GPTME_TS_HARNESS_DIR"])

from http_client import HttpClient  # noqa: E402
from portability import CONTRACT_CONSTANTS, analyze  # noqa: E402

STACK = json.loads(os.environ["GPTME_TS_STACK"])


# --- inert stand-ins for the gptme package -------------------------------------------------


class _Inert:
    """Whatever a test module does with a gptme name at import time (decorate, subclass, call)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Inert(f"{self._name}.{name}")

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]  # used as a decorator: leave the function as it is
        return _Inert(f"{self._name}()")

    def __getitem__(self, key):
        return _Inert(f"{self._name}[]")

    def __iter__(self):
        return iter(())

    def __or__(self, other):
        return self

    __ror__ = __or__

    def __mro_entries__(self, bases):
        return (object,)

    def __repr__(self) -> str:
        return f"<gptme stand-in {self._name}>"


class _InertModule(types.ModuleType):
    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        if name in CONTRACT_CONSTANTS:
            return CONTRACT_CONSTANTS[name]
        return _Inert(f"{self.__name__}.{name}")


class _GptmeFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path, target=None):
        if fullname == "gptme" or fullname.startswith("gptme."):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = _InertModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        return None


sys.meta_path.insert(0, _GptmeFinder())

try:  # test_server_v2.py imports it at the top; only its user-config tests (not portable) use it
    import tomlkit  # noqa: F401
except ImportError:
    sys.modules["tomlkit"] = _InertModule("tomlkit")


# --- portability -----------------------------------------------------------------------------

_verdicts: dict[str, dict[str, str | None]] = {}


def _verdict(path: Path, name: str) -> str | None:
    key = str(path)
    if key not in _verdicts:
        _verdicts[key] = {v.name: v.reason for v in analyze(path.name, path.read_text())}
    return _verdicts[key].get(name, "not found by the portability analysis")


def pytest_collection_modifyitems(config, items):
    for item in items:
        name = item.originalname if hasattr(item, "originalname") else item.name
        if item.cls is not None:
            name = f"{item.cls.__name__}::{name}"
        reason = _verdict(Path(item.fspath), name)
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=f"not portable: {reason}"))


DEFAULT_TIMEOUT_SECONDS = 60


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A per-test time limit (pytest-timeout's job; it is not installed here): a stuck stream fails."""
    marker = item.get_closest_marker("timeout")
    seconds = int(marker.args[0]) if marker and marker.args else DEFAULT_TIMEOUT_SECONDS

    def expire(signum, frame):
        raise TimeoutError(f"test took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(max(seconds, 1))
    try:
        return (yield)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def pytest_configure(config):
    config.addinivalue_line("markers", "requires_api: needs a real model API key")
    config.addinivalue_line("markers", "timeout(seconds): per-test timeout (pytest-timeout)")
    config.addinivalue_line("markers", "integration: integration test")
    config.addinivalue_line("markers", "slow: slow test")
    config.addinivalue_line("markers", "no_retry: do not retry")
    config.addinivalue_line("markers", "flaky: retried test")
    config.addinivalue_line("markers", "serial: not in parallel")


# --- fixtures (the ones gptme's conftest provides) --------------------------------------------

SERVER_TOKEN = STACK["token"]


@pytest.fixture
def client():
    """gptme's `client`: its app with GPTME_DISABLE_AUTH=true; here the auth-off server."""
    with HttpClient(STACK["client_url"]) as http:
        yield http


@pytest.fixture
def auth_headers():
    return {"Authorization": f"Bearer {SERVER_TOKEN}"}


@pytest.fixture
def server_thread():
    """gptme's `server_thread`: a port on localhost with auth on and the known token."""
    return STACK["server_thread_port"]


@pytest.fixture
def init_():
    """gptme's `init_` prepares its in-process model and tools; the server does that itself."""
    return None


@pytest.fixture
def temp_file(tmp_path):
    from contextlib import contextmanager

    @contextmanager
    def make(content):
        path = tmp_path / f"temp-{uuid.uuid4().hex}"
        path.write_text(content)
        yield str(path)

    return make


@pytest.fixture
def setup_conversation(server_thread):
    port = server_thread
    conversation_id = f"test-tools-{uuid.uuid4().hex}"
    response = requests.put(
        f"http://localhost:{port}/api/v2/conversations/{conversation_id}",
        headers={"Authorization": f"Bearer {SERVER_TOKEN}"},
        json={"prompt": "You are an AI assistant for testing.", "config": {"chat": {"workspace": "@log"}}},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return port, conversation_id, response.json()["session_id"]


@pytest.fixture
def event_listener(setup_conversation):
    port, conversation_id, session_id = setup_conversation
    events: queue.Queue = queue.Queue()
    sequence: list[str] = []
    state: dict = {"tool_id": None, "executing": False}
    stop = threading.Event()

    def listen():
        try:
            with requests.get(
                f"http://localhost:{port}/api/v2/conversations/{conversation_id}/events?session_id={session_id}",
                headers={"Authorization": f"Bearer {SERVER_TOKEN}"},
                stream=True,
                timeout=120,
            ) as response:
                for line in response.iter_lines():
                    if stop.is_set():
                        return
                    if not line or not line.startswith(b"data: "):
                        continue
                    event = json.loads(line[6:])
                    events.put(event)
                    kind = event.get("type")
                    if kind:
                        sequence.append(kind)
                        if kind == "tool_pending":
                            state["tool_id"] = event.get("tool_id")
                        elif kind == "tool_executing":
                            state["executing"] = True
        except Exception as error:  # the stream ends with the test
            events.put({"error": str(error)})

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    yield {
        "port": port,
        "conversation_id": conversation_id,
        "session_id": session_id,
        "events": events,
        "event_sequence": sequence,
        "get_tool_id": lambda: state["tool_id"],
        "is_tool_executing_received": lambda: state["executing"],
    }
    stop.set()


@pytest.fixture
def wait_for_event():
    """Waits for an event type after the last one waited for (as gptme's fixture does)."""
    position = {"index": 0}

    def wait(listener, event_type, timeout=10):
        deadline = time.time() + timeout
        sequence = listener["event_sequence"]
        while time.time() < deadline:
            rest = sequence[position["index"] :]
            if event_type in rest:
                position["index"] += rest.index(event_type) + 1
                return True
            time.sleep(0.05)
        return False

    return wait
