"""A YAML document with the line of every key, read by PyYAML's composer so errors can point at a line.

PyYAML keeps the last of two equal keys without a word; a service file with two `prod:` entries would
deploy one of them silently, so a duplicate key is an error here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (line, key path) and what to do."""

    line: int
    path: Path
    message: str

    def render(self, file: str) -> str:
        return f"{file}:{self.line}: {dotted(self.path)}: {self.message}"


def dotted(path: Path) -> str:
    """`environments.prod.regions.standby`; list items as `approvers[0]`; the whole file as `(file)`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text or "(file)"


@dataclass(frozen=True)
class Document:
    """The parsed data, the line of each key path (1-based), and the problems found while reading."""

    data: Any
    lines: dict[Path, int]
    problems: tuple[Problem, ...]

    def line(self, path: Path) -> int:
        """The line of `path`, else of its nearest ancestor that has one."""
        while path not in self.lines:
            path = path[:-1]
        return self.lines[path]


def read(text: str) -> Document:
    """Parse `text`; YAML syntax errors and duplicate keys come back as problems, not exceptions."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Path, int] = {(): 1}
        problems: list[Problem] = []
        if node is not None:
            _walk(node, (), lines, problems)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        return Document(None, {(): 1}, (Problem(line, (), f"not valid YAML: {error.problem}"),))
    finally:
        loader.dispose()
    return Document(data, lines, tuple(problems))


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int], problems: list[Problem]) -> None:
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in first:
                problems.append(
                    Problem(line, (*path, key), f"defined twice (first on line {first[key]}); keep one")
                )
                continue
            first[key] = line
            lines[(*path, key)] = line
            _walk(value_node, (*path, key), lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _walk(item, (*path, index), lines, problems)
