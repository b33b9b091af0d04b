"""Safe, fast YAML reading: ruamel's C parser with a lean resolver and constructor.

`YAML(typ="safe")` parses in C but resolves and constructs in Python, and two costs dominate
there: the resolver looks up the YAML version (via a chain of AttributeErrors) for every
scalar, and each node goes through the general construct machinery. For the plain scalars,
mappings and lists manifests consist of, both are done directly here; anything else (explicit
tags, anchors, merge keys, dates...) goes through ruamel's SafeConstructor as before. Safety
is unchanged: an unknown tag still has no constructor and is an error, never executed.

Duplicate keys are rejected as by ruamel (DuplicateKeyError), or kept first-wins when
`allow_duplicate_keys` is set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import ConstructorError, DuplicateKeyError, SafeConstructor
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver

_CORE = "tag:yaml.org,2002:"
_STR, _INT, _BOOL, _NULL = (_CORE + name for name in ("str", "int", "bool", "null"))
_MAP, _SEQ, _MERGE = _CORE + "map", _CORE + "seq", _CORE + "merge"
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_YAML_1_2 = (1, 2)
# A manifest nests five levels at most (campaigns, an entry, schedules, an entry, a day);
# far deeper nesting is refused, located, before it can exhaust Python's recursion limit.
MAX_DEPTH = 100


class _Resolver(VersionedResolver):
    """Always YAML 1.2 (the C parser never passes a `%YAML` directive on to the resolver
    anyway), and each distinct plain scalar resolved once: keys repeat in every entry."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._plain_tags: dict[str, Any] = {}

    @property
    def processing_version(self) -> Any:
        return _YAML_1_2

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not ScalarNode or not implicit[0]:
            return super().resolve(kind, value, implicit)
        tag = self._plain_tags.get(value)
        if tag is None:
            tag = self._plain_tags[value] = super().resolve(kind, value, implicit)
        return tag


class _Constructor(SafeConstructor):
    """SafeConstructor with direct paths for untagged scalars, mappings and sequences.

    The C composer does not mark anchored nodes; an alias is simply the same node object
    again. So collections are memoised by node (aliases share one value, as in ruamel, and a
    "billion laughs" document stays linear), and a collection that contains itself is refused.
    """

    # The C loader builds a fresh constructor object per load; what it notes goes here.
    notes: dict[str, Any] = {}
    depth = 0  # collections being built, one inside the other

    def construct_document(self, node: Any) -> Any:
        # Positions are free here (the C composer keeps marks on nodes): note each campaign
        # entry's line so plans can cite it without composing the file again.
        self.notes["entry_lines"] = _entry_lines(node)
        return super().construct_document(node)

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        tag = node.ctag
        if node.anchor is not None or tag.handle is not None:
            return super().construct_object(node, deep)
        suffix = tag.suffix
        if suffix == _STR:
            return node.value
        if suffix == _MAP and isinstance(node, MappingNode) and _plain_keys(node):
            return self._collection(node, lambda: self._mapping(node, deep))
        if suffix == _SEQ and isinstance(node, SequenceNode):
            return self._collection(
                node, lambda: [self.construct_object(child, deep) for child in node.value]
            )
        if suffix == _INT and node.value.isdigit() and node.value.isascii():
            return int(node.value)
        if suffix == _NULL:
            return None
        if suffix == _BOOL and node.value in _TRUE:
            return True
        if suffix == _BOOL and node.value in _FALSE:
            return False
        return super().construct_object(node, deep)

    def _collection(self, node: Any, build: Callable[[], Any]) -> Any:
        if node in self.constructed_objects:
            return self.constructed_objects[node]
        if node in self.recursive_objects:
            raise ConstructorError(
                None, None, "found an alias to a collection inside itself", node.start_mark
            )
        if self.depth >= MAX_DEPTH:
            raise ConstructorError(
                None, None,
                f"nested more than {MAX_DEPTH} levels deep; a manifest needs only a few",
                node.start_mark,
            )
        self.recursive_objects[node] = None
        self.depth += 1
        try:
            data = build()
        finally:
            self.depth -= 1
            del self.recursive_objects[node]
        self.constructed_objects[node] = data
        return data

    def _mapping(self, node: MappingNode, deep: bool) -> dict[Any, Any]:
        data: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep)
            if key in data:
                if self.allow_duplicate_keys:
                    continue
                raise DuplicateKeyError(
                    "while constructing a mapping",
                    node.start_mark,
                    f'found duplicate key "{key}"',
                    key_node.start_mark,
                )
            data[key] = self.construct_object(value_node, deep)
        return data


def _entry_lines(root: Any) -> list[int]:
    """1-based line of each item of the top-level `campaigns:` list, if there is one."""
    if isinstance(root, MappingNode):
        for key, value in root.value:
            if isinstance(key, ScalarNode) and key.value == "campaigns":
                if isinstance(value, SequenceNode):
                    return [item.start_mark.line + 1 for item in value.value]
    return []


def _plain_keys(node: MappingNode) -> bool:
    """Only untagged scalar keys, and no merge key (`<<`): those take ruamel's general path."""
    return all(
        isinstance(key, ScalarNode)
        and key.ctag.handle is None
        and key.anchor is None
        and key.ctag.suffix != _MERGE
        for key, _ in node.value
    )


def safe_yaml(*, allow_duplicate_keys: bool = False) -> YAML:
    """A loader for untrusted YAML: C parser, no arbitrary tags, duplicate keys an error.

    After each load, `entry_lines(yaml)` gives the lines of the `campaigns:` entries."""
    yaml = YAML(typ="safe")
    yaml.Resolver = _Resolver
    yaml.Constructor = type("Constructor", (_Constructor,), {"notes": {}})
    yaml.allow_duplicate_keys = allow_duplicate_keys
    return yaml


def entry_lines(yaml: YAML) -> list[int]:
    """Lines (1-based) of the `campaigns:` items of the document `yaml` loaded last."""
    return list(yaml.Constructor.notes.get("entry_lines", []))
