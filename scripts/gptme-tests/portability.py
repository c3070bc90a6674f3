"""Decides which of gptme's server tests can run over HTTP against another server.

A test is portable when everything it runs (its body, its decorators, the fixtures it asks for,
the module's autouse fixtures, and the module-level helpers those reach) touches gptme only
through HTTP: no name imported from the `gptme` package, no `patch("gptme...")` target, no
`monkeypatch` of Python objects or of the environment the in-process Flask app would read, no
Flask app built by hand, and no `requires_api` marker (a real model key). Everything else is
reported with the first reason found, so the figure's denominator can be checked by hand.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

# Fixtures this harness provides (conftest.py) or pytest itself provides.
HARNESS_FIXTURES = {
    "client",
    "server_thread",
    "setup_conversation",
    "event_listener",
    "wait_for_event",
    "auth_headers",
    "init_",
    "temp_file",
}
BUILTIN_FIXTURES = {
    "tmp_path",
    "tmp_path_factory",
    "tmpdir",
    "capsys",
    "capfd",
    "caplog",
    "request",
    "recwarn",
    "monkeypatch",
}
# Environment variables a test may set without reaching into the in-process app: the
# harness's `client` server already runs with auth off.
HARMLESS_ENV = {"GPTME_DISABLE_AUTH"}
# Module fixtures replaced by the harness through a hook the module itself offers.
HONOURED_FIXTURES = {
    ("test_server_bad_input.py", "_start_server"): "returns early when GPTME_TEST_SERVER_URL is set",
}
# Names imported from gptme that are plain constants of its published API contract; the
# harness's stub package gives them these values, so tests that only compare against them stay
# portable.
CONTRACT_CONSTANTS = {"API_VERSION": 2, "CONTRACT_REVISION": 2}
MONKEYPATCH_PYTHON = {"setattr", "delattr", "setitem", "delitem", "chdir", "syspath_prepend", "context"}


@dataclass
class TestVerdict:
    name: str  # "test_x" or "TestClass::test_x"
    reason: str | None  # None: portable
    source: str = ""  # the test's own source
    reached: str = ""  # with the fixtures and helpers it reaches, for classification by endpoint


@dataclass
class _Module:
    filename: str
    tree: ast.Module
    text: str
    gptme_names: set[str] = field(default_factory=set)
    functions: dict[str, ast.AST] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    assignments: dict[str, ast.AST] = field(default_factory=dict)
    fixtures: dict[str, ast.FunctionDef] = field(default_factory=dict)
    autouse: list[ast.FunctionDef] = field(default_factory=list)


def _is_gptme_module(name: str | None) -> bool:
    return name is not None and (name == "gptme" or name.startswith("gptme."))


def _fixture_decorator(node: ast.AST) -> tuple[bool, bool]:
    """(is a fixture, is autouse) for a function definition."""
    for decorator in getattr(node, "decorator_list", []):
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        text = ast.unparse(target)
        if text in ("pytest.fixture", "fixture"):
            autouse = isinstance(decorator, ast.Call) and any(
                keyword.arg == "autouse" and isinstance(keyword.value, ast.Constant) and keyword.value.value is True
                for keyword in decorator.keywords
            )
            return True, autouse
    return False, False


def _load(filename: str, text: str) -> _Module:
    tree = ast.parse(text)
    module = _Module(filename=filename, tree=tree, text=text)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and _is_gptme_module(node.module):
            module.gptme_names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _is_gptme_module(alias.name):
                    module.gptme_names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            module.functions[node.name] = node
            is_fixture, autouse = _fixture_decorator(node)
            if is_fixture:
                module.fixtures[node.name] = node
                if autouse:
                    module.autouse.append(node)
        elif isinstance(node, ast.ClassDef):
            module.classes[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and node.value is not None:
                        module.assignments[name.id] = node.value
        elif isinstance(node, ast.Try):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and _is_gptme_module(inner.module):
                    module.gptme_names.update(alias.asname or alias.name for alias in inner.names)
    return module


def _walk_without_annotations(node: ast.AST):
    """ast.walk, skipping type annotations (a `client: FlaskClient` hint runs nothing)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        for name, value in ast.iter_fields(current):
            if name in ("annotation", "returns"):
                continue
            if isinstance(value, list):
                stack.extend(item for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.AST):
                stack.append(value)


def _markers(decorators: list[ast.expr]) -> set[str]:
    found = set()
    for decorator in decorators:
        text = ast.unparse(decorator)
        if text.startswith("pytest.mark."):
            found.add(text.removeprefix("pytest.mark.").split("(")[0])
    return found


def _module_markers(module: _Module) -> set[str]:
    value = module.assignments.get("pytestmark")
    if value is None:
        return set()
    items = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
    return _markers(list(items))


class _Checker:
    def __init__(self, module: _Module, owner: ast.ClassDef | None):
        self.module = module
        self.owner = owner
        self.class_fixtures: dict[str, ast.FunctionDef] = {}
        self.class_autouse: list[ast.FunctionDef] = []
        self.methods: dict[str, ast.AST] = {}
        if owner is not None:
            for node in owner.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self.methods[node.name] = node
                    is_fixture, autouse = _fixture_decorator(node)
                    if is_fixture:
                        self.class_fixtures[node.name] = node
                        if autouse:
                            self.class_autouse.append(node)

    def reached_source(self, test: ast.FunctionDef) -> str:
        """The test's source and that of the module helpers and fixtures it reaches."""
        self.reason_for(test)
        return "\n".join(ast.get_source_segment(self.module.text, node) or "" for node in self.visited)

    def reason_for(self, test: ast.FunctionDef) -> str | None:
        self.visited: list[ast.AST] = [test]
        markers = _markers(test.decorator_list) | _module_markers(self.module)
        if self.owner is not None:
            markers |= _markers(self.owner.decorator_list)
        if "requires_api" in markers:
            return "needs a real model API key (requires_api)"
        seen: set[int] = set()
        self.visited = []
        queue: list[ast.AST] = [test, *self.module.autouse, *self.class_autouse]
        requested = {"mock": False}
        while queue:
            node = queue.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            self.visited.append(node)
            reason = self._fixture_parameters(node, queue, requested)
            if reason:
                return reason
            reason = self._body(node, queue)
            if reason:
                return reason
        return None

    def _fixture_parameters(self, node: ast.AST, queue: list[ast.AST], requested: dict) -> str | None:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        is_fixture, _ = _fixture_decorator(node)
        is_test = node.name.startswith("test")
        if not (is_fixture or is_test):
            return None
        for argument in node.args.args + node.args.kwonlyargs:
            name = argument.arg
            if name in ("self", "cls"):
                continue
            if name in self.class_fixtures:
                queue.append(self.class_fixtures[name])
            elif name in self.module.fixtures:
                key = (self.module.filename, name)
                if key not in HONOURED_FIXTURES:
                    queue.append(self.module.fixtures[name])
            elif name in HARNESS_FIXTURES or name in BUILTIN_FIXTURES:
                continue
            elif is_test and self._is_parametrized(node, name):
                continue
            else:
                return f"needs fixture {name!r} (gptme's conftest only)"
        return None

    @staticmethod
    def _is_parametrized(node: ast.FunctionDef, name: str) -> bool:
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and ast.unparse(decorator.func).endswith("parametrize") and decorator.args:
                first = decorator.args[0]
                if isinstance(first, ast.Constant) and name in [part.strip() for part in str(first.value).split(",")]:
                    return True
        return False

    def _body(self, node: ast.AST, queue: list[ast.AST]) -> str | None:
        key = (self.module.filename, getattr(node, "name", ""))
        if key in HONOURED_FIXTURES:
            return None
        for inner in _walk_without_annotations(node):
            if isinstance(inner, ast.ImportFrom) and _is_gptme_module(inner.module):
                return f"imports {inner.module}"
            if isinstance(inner, ast.Import) and any(_is_gptme_module(alias.name) for alias in inner.names):
                return "imports gptme"
            if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Load):
                name = inner.id
                if name in self.module.gptme_names and name not in CONTRACT_CONSTANTS:
                    return f"uses gptme's {name}"
                if name == "flask":
                    return "builds its own Flask app"
                if name == "__file__":
                    return "reads gptme's own source tree (not the server)"
                if name in self.module.functions:
                    queue.append(self.module.functions[name])
                elif name in self.module.classes:
                    queue.append(self.module.classes[name])
                elif name in self.module.assignments:
                    queue.append(self.module.assignments[name])
            if isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name):
                if inner.value.id == "self" and inner.attr in self.methods:
                    queue.append(self.methods[inner.attr])
                if inner.value.id == "monkeypatch":
                    reason = self._monkeypatch(inner, node)
                    if reason:
                        return reason
            if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                if _is_gptme_module(inner.value.split(":")[0]) and "." in inner.value:
                    return f"patches {inner.value}"
            if isinstance(inner, ast.Call) and ast.unparse(inner.func).endswith("patch.object"):
                return "patches a Python object"
        return None

    @staticmethod
    def _monkeypatch(attribute: ast.Attribute, scope: ast.AST) -> str | None:
        if attribute.attr in MONKEYPATCH_PYTHON:
            return f"monkeypatch.{attribute.attr}"
        if attribute.attr in ("setenv", "delenv"):
            for call in ast.walk(scope):
                if isinstance(call, ast.Call) and call.func is attribute and call.args:
                    first = call.args[0]
                    if isinstance(first, ast.Constant) and first.value in HARMLESS_ENV:
                        return None
                    return f"monkeypatch.{attribute.attr}({ast.unparse(first)}) (the in-process app's environment)"
        return None


def analyze(filename: str, text: str) -> list[TestVerdict]:
    module = _load(filename, text)
    verdicts: list[TestVerdict] = []
    for node in module.tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            checker = _Checker(module, None)
            verdicts.append(
                TestVerdict(node.name, checker.reason_for(node), ast.get_source_segment(text, node) or "", checker.reached_source(node))
            )
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            checker = _Checker(module, node)
            for inner in node.body:
                if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)) and inner.name.startswith("test"):
                    verdicts.append(
                        TestVerdict(
                            f"{node.name}::{inner.name}",
                            checker.reason_for(inner),
                            ast.get_source_segment(text, inner) or "",
                            checker.reached_source(inner),
                        )
                    )
    return verdicts
