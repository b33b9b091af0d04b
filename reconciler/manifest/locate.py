"""Line numbers inside a YAML file, found only when needed.

Loading uses the fast C safe loader, which keeps no positions. When a problem must be located
(or `Manifests.where` is asked), the one file concerned is composed into a node tree, which
does carry them, and a path such as ('campaigns', 3, 'network', 'viettel') is walked to its line.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Loc = tuple[int | str, ...]
_MERGE_TAG = "tag:yaml.org,2002:merge"


class Locator:
    """Positions in one YAML text; the node tree is built on first use and kept."""

    def __init__(self, text: str):
        self._text = text
        self._root: Node | None = None
        self._composed = False

    @property
    def root(self) -> Node | None:
        if not self._composed:
            self._composed = True
            try:
                self._root = YAML(typ="safe").compose(self._text)
            except YAMLError:
                self._root = None  # a syntax error is located from its own mark instead
        return self._root

    def line(self, path: Loc) -> int:
        """1-based line of the value at `path`; for a mapping key, the line of the key itself.

        Walks as deep as the path exists: a missing field is reported at its entry.
        """
        return self.position(path)[0]

    def position(self, path: Loc) -> tuple[int, int | None]:
        """(line, column), both 1-based, of what `line(path)` points at; no column when the
        file has no node tree (a syntax error is located from its own mark instead)."""
        node = self.root
        if node is None:
            return 1, None
        mark = node.start_mark
        for part in path:
            if isinstance(node, MappingNode):
                pair = _find_key(node, part)
                if pair is None:
                    break
                mark = pair[0].start_mark
                node = pair[1]
            elif isinstance(node, SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    break
                node = node.value[part]
                mark = node.start_mark
            else:
                break
        return mark.line + 1, mark.column + 1

    def duplicate_keys(self) -> list[tuple[int, str]]:
        """(line, message) for every key repeated in its mapping, anywhere in the file."""
        found: list[tuple[int, str]] = []
        seen_nodes: set[int] = set()
        stack = [self.root] if self.root is not None else []
        while stack:
            node = stack.pop()
            if id(node) in seen_nodes:
                continue
            seen_nodes.add(id(node))
            if isinstance(node, MappingNode):
                first_line: dict[Any, int] = {}
                for key, value in node.value:
                    stack.append(value)
                    if not isinstance(key, ScalarNode) or key.tag == _MERGE_TAG:
                        continue
                    if key.value in first_line:
                        found.append(
                            (
                                key.start_mark.line + 1,
                                f"duplicate key '{key.value}' "
                                f"(first at line {first_line[key.value]})",
                            )
                        )
                    else:
                        first_line[key.value] = key.start_mark.line + 1
            elif isinstance(node, SequenceNode):
                stack.extend(node.value)
        return sorted(found)

    def unconstructable_scalar(self) -> tuple[int, str, str] | None:
        """(line, text, reason) of the first plain scalar YAML cannot turn into a value.

        The safe loader raises a bare ValueError for e.g. the date 2024-13-45, with no position.
        """
        constructor = YAML(typ="safe", pure=True).constructor  # bound: ints need a resolver
        stack = [self.root] if self.root is not None else []
        seen: set[int] = set()  # an alias is the same node again: visit each once
        while stack:
            node = stack.pop(0)
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, ScalarNode):
                try:
                    constructor.construct_object(node)
                except (ValueError, TypeError, YAMLError) as exc:
                    return node.start_mark.line + 1, _clipped(str(node.value)), _reason(exc, node)
            elif isinstance(node, MappingNode):
                stack[:0] = [part for pair in node.value for part in pair]
            elif isinstance(node, SequenceNode):
                stack[:0] = list(node.value)
        return None


_SHOWN_CHARS = 40


def _clipped(text: str) -> str:
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _reason(exc: Exception, node: ScalarNode) -> str:
    """The constructor's complaint, in the manifest's terms where Python's would mislead."""
    if "integer string conversion" in str(exc):  # Python's int-from-text limit (4,300 digits)
        digits = sum(char.isdigit() for char in str(node.value))
        return f"a whole number of {digits:,} digits, far beyond any count the API can store"
    return str(exc)


def _find_key(node: MappingNode, part: int | str) -> tuple[Node, Node] | None:
    wanted = str(part)
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.value == wanted:
            return key, value
    return None
