"""Editing one manifest file in place: set values inside its entries, changing only the bytes
of those values. Comments, key order, quoting, anchors, blank lines and every value left
alone stay byte-for-byte.

The text is composed once with ruamel's round-trip (pure) composer, whose nodes know where
each value starts and ends; every change is a splice of one span, and the splices are
applied together at the end. A changed scalar keeps its quoting style when the new value
can be written in it; a mapping is changed key by key and a list item by item (items equal
to a wanted one are kept as written), so a comment next to an untouched key survives.

Whatever cannot be done exactly raises EditError; `result()` checks the edited text reads
back as the original data with only the wanted values changed, so a surprise is an error,
never a silently different file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver

from reconciler.errors import ReconcilerError
from reconciler.manifest.yamlread import safe_yaml
from reconciler.safetext import UNSAFE_BUT_NEWLINE

Path = tuple[str | int, ...]
_MERGE = "tag:yaml.org,2002:merge"
_ALIAS = re.compile(r"\*[^\s,\[\]{}]+")
_PREFIX = re.compile(r"(?:[&!][^\s,\[\]{}]*\s+)+")  # an anchor and/or tag before a value
# A plain scalar must not start with an indicator nor hold `: ` / ` #` (YAML would read
# something else); anything doubtful is double-quoted instead.
_PLAIN_START = set("-?:,[]{}#&*!|>'\"%@`")
_FLOW_CHARS = set(",[]{}")
_STR = "tag:yaml.org,2002:str"
# `yes`, `1_000`, `2024-01-01` are not strings to every YAML reader: those are quoted.
_RESOLVERS = (VersionedResolver(version=(1, 1)), VersionedResolver(version=(1, 2)))


class EditError(ReconcilerError):
    """A value cannot be changed in place exactly; the file is left as it was."""


@dataclass
class _Splice:
    start: int
    end: int
    text: str


class FileEdit:
    """The pending edits of one file's text; `result()` gives the edited text."""

    def __init__(self, text: str, display: str = "") -> None:
        self.text = text
        self.display = display
        self.newline = "\r\n" if "\r\n" in text else "\n"
        try:
            # The loader's C parser takes a tab as separation (`key:<TAB>value`, a tab before
            # a comment or at a line's end); the pure one does not. A tab is one character,
            # as is the space it becomes here, so every node's offsets still fit `text`.
            self.root = YAML(typ="rt", pure=True).compose(text.replace("\t", " "))
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or "not readable"
            raise EditError(f"{display}{line}: cannot be read for editing ({problem}); "
                            "the file is left as it is") from None
        self._splices: list[_Splice] = []
        self._wanted: list[tuple[Path, Any]] = []
        self._renamed: dict[Path, str] = {}
        self._flow_spans: list[tuple[int, int]] | None = None

    # ---- the public edits ------------------------------------------------------------------

    def set(self, path: Path, value: Any, *, pairing: Sequence[int | None] | None = None) -> None:
        """Make the value at `path` (a key inside an entry, e.g. ("campaigns", 2, "network"))
        equal `value`, with as few bytes changed as can be. For a list, `pairing[i]` may name
        the existing item that wanted item i is written over (None: a new item)."""
        *parent_path, key = path
        mapping = self._node(tuple(parent_path))
        if not isinstance(mapping, MappingNode):
            raise EditError(f"{self._where(path)}: the entry is not a mapping")
        pair = _own_pair(mapping, key)
        if pair is None:  # from a merge key (<<: *defaults), or not written: this entry's own
            self._insert_pair(mapping, str(key), value)
        else:
            key_node, value_node = pair
            self._set_value(key_node, value_node, value, path, pairing)
        self._wanted.append((path, value))

    def checkpoint(self) -> tuple[int, int, int]:
        """Where the pending edits are now: `rollback` undoes every edit made after it (an
        entry that cannot be edited leaves the entries before it in the file edited)."""
        return len(self._splices), len(self._wanted), len(self._renamed)

    def rollback(self, mark: tuple[int, int, int]) -> None:
        splices, wanted, renamed = mark
        del self._splices[splices:], self._wanted[wanted:]
        for path in list(self._renamed)[renamed:]:
            del self._renamed[path]

    def rename_key(self, path: Path, new_key: str) -> None:
        """Write the key at `path` under another name (`carrier` → `carrier_uuid`)."""
        *parent_path, key = path
        mapping = self._node(tuple(parent_path))
        pair = _own_pair(mapping, key) if isinstance(mapping, MappingNode) else None
        if pair is None or pair[0].style is not None:
            raise EditError(f"{self._where(path)}: cannot rename the key {key!r}")
        self._splice(pair[0].start_mark.index, pair[0].end_mark.index, new_key)
        self._renamed[path] = new_key

    def result(self) -> str:
        """The edited text, checked to read back as the original data with exactly the wanted
        values in place (lists compared as sets of items: manifests' lists are unordered)."""
        text = self.text
        last = len(text) + 1
        for splice in sorted(self._splices, key=lambda s: (s.start, s.end), reverse=True):
            if splice.end > last:
                raise EditError(f"{self.display}: overlapping edits (please report this)")
            text = text[: splice.start] + splice.text + text[splice.end:]
            last = splice.start
        self._check(text)
        return text

    # ---- finding nodes ---------------------------------------------------------------------

    def _node(self, path: Path) -> Node:
        node = self.root
        for part in path:
            if isinstance(node, MappingNode):
                pair = _own_pair(node, part)
                if pair is None:
                    raise EditError(f"{self._where(path)}: not found in the file")
                node = pair[1]
            elif isinstance(node, SequenceNode) and isinstance(part, int):
                node = node.value[part]
            else:
                raise EditError(f"{self._where(path)}: not found in the file")
        return node

    def _where(self, path: Path) -> str:
        shown = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)
        return f"{self.display}: {shown.lstrip('.')}"

    # ---- changing values -------------------------------------------------------------------

    def _set_value(self, key_node: Node, node: Node, value: Any, path: Path,
                   pairing: Sequence[int | None] | None = None) -> None:
        if node.start_mark.index < key_node.end_mark.index:  # an alias: `network: *defaults`
            start, end = self._alias_span(key_node.end_mark.index)
            self._splice(start, end, self._inline(value, None, _column(self.text, key_node)))
            return
        if _is_block(node) and value in ([], {}) and _loaded(self.text, node) != value:
            colon = self.text.index(":", key_node.end_mark.index) + 1  # `key: []` on its line
            self._splice(colon, self._content_span(node)[1], " " + self._flow(value))
            self._refuse_shared(node, path)
            return
        if isinstance(node, ScalarNode) and node.value == "" and node.style is None:
            colon = self.text.index(":", key_node.end_mark.index) + 1  # `key:` with no value
            text = self._after_colon(value, _column(self.text, key_node), None)
            self._splice(colon, colon, text)
            return
        self._reconcile(node, value, path, _column(self.text, key_node), pairing)

    def _reconcile(self, node: Node, value: Any, path: Path, key_column: int,
                   pairing: Sequence[int | None] | None = None) -> None:
        """Make `node` read as `value`, changing as little text as can be."""
        if _unordered(_loaded(self.text, node)) == _unordered(value):
            return
        self._refuse_shared(node, path)
        if isinstance(node, ScalarNode) and not isinstance(value, dict | list):
            start, end = self._content_span(node)
            self._splice(start, end, self._scalar(value, node, key_column,
                                                  flow=self._in_flow(node)))
        elif isinstance(node, MappingNode) and isinstance(value, dict) and not node.flow_style:
            self._reconcile_mapping(node, value, path)
        elif isinstance(node, SequenceNode) and isinstance(value, list) and not node.flow_style:
            self._reconcile_list(node, value, path, pairing)
        elif _is_block(node) and isinstance(value, dict | list) and value:
            start, end = self._content_span(node)
            self._splice(start, end, self._block(value, _column(self.text, node)).lstrip(" "))
        elif isinstance(node, MappingNode) and isinstance(value, dict) and _keeps_keys(node,
                                                                                    value):
            # `{viettel: 10, mobi: 0}`: key by key, so a comment inside stays
            for key, item in node.value:
                self._set_value(key, item, value[key.value], (*path, key.value))
            for name, item in value.items():
                if _own_pair(node, name) is None:
                    self._insert_pair(node, str(name), item)
        else:  # a flow collection, or another shape: the value written anew on its line
            start, end = self._content_span(node)
            if self._has_comment(node):
                raise EditError(
                    f"{self._where(path)}: a comment inside this flow collection would be "
                    "lost by rewriting it; change it by hand"
                )
            self._splice(start, end, self._inline(value, _first_scalar(node), key_column))

    def _reconcile_mapping(self, node: MappingNode, value: dict, path: Path) -> None:
        pairs = [(key, item) for key, item in node.value if key.tag != _MERGE]
        present = {key.value: (key, item) for key, item in pairs}
        gone = [index for index, (key, _) in enumerate(pairs) if key.value not in value]
        if pairs and len(gone) == len(pairs) or len(pairs) != len(node.value) and gone:
            start, end = self._content_span(node)  # every key goes: the mapping anew
            self._splice(start, end, self._inline(value, _first_scalar(node), 0)
                         if not value else self._block(value, _column(self.text, node)).lstrip())
            return
        for name, (key, item) in present.items():
            if name in value:
                self._set_value(key, item, value[name], (*path, name))
        self._delete_runs(
            [key.start_mark.index for key, _ in pairs],
            [_line_end(self.text, self._pair_end(key, item)) for key, item in pairs],
            gone,
        )
        for name, item in value.items():
            if name not in present:
                self._insert_pair(node, name, item)

    def _reconcile_list(self, node: SequenceNode, value: list, path: Path,
                        pairing: Sequence[int | None] | None) -> None:
        items = node.value
        if pairing is None:
            pairing = _default_pairing([_loaded(self.text, item) for item in items], value)
        used = {index for index in pairing if index is not None}
        removed = [index for index in range(len(items)) if index not in used]
        if not value or len(removed) == len(items):
            start, end = self._content_span(node)
            text = self._block(value, _dash_column(self.text, items[0]),
                               hint=_first_scalar(items[0]), flow=_is_flow_item(items[0]))
            self._splice(start, end, text.lstrip(" ") if value else "[]")
            return
        column = _column(self.text, items[0])
        for wanted, index in zip(value, pairing, strict=True):
            if index is not None:
                self._reconcile(items[index], wanted, (*path, index), column - 2)
        self._delete_runs(
            [_dash_index(self.text, item) for item in items],
            [_line_end(self.text, _last_end(self.text, item)) for item in items],
            removed,
        )
        added = [wanted for wanted, index in zip(value, pairing, strict=True) if index is None]
        if added:
            anchor = _line_end(self.text, _last_end(self.text, items[-1]))
            dash = _dash_column(self.text, items[0])
            text = "".join(
                self.newline + " " * dash + "- " + self._block(
                    item, dash + 2, hint=_first_scalar(items[0]), flow=_is_flow_item(items[0])
                ).lstrip(" ")
                for item in added
            )
            self._splice(anchor, anchor, text)

    # ---- structure edits -------------------------------------------------------------------

    def _delete_runs(self, starts: list[int], line_ends: list[int], gone: list[int]) -> None:
        """Remove members (pairs or items) `gone` of a block collection, each run of
        neighbours at once: up to the next kept member, or (a run at the end) from the end of
        the line of the member before it, taking the line break with it."""
        runs: list[list[int]] = []
        for index in gone:
            if runs and runs[-1][-1] == index - 1:
                runs[-1].append(index)
            else:
                runs.append([index])
        for run in runs:
            first, last = run[0], run[-1]
            if last + 1 < len(starts):
                self._splice(starts[first], starts[last + 1], "")
            else:
                self._splice(line_ends[first - 1], line_ends[last], "")

    def _pair_end(self, key: Node, value: Node) -> int:
        if value.start_mark.index < key.end_mark.index:  # an alias
            return self._alias_span(key.end_mark.index)[1]
        return _last_end(self.text, value)

    def _insert_pair(self, mapping: MappingNode, key: str, value: Any) -> None:
        pairs = list(mapping.value)
        if mapping.flow_style:
            # After the last pair (a trailing comma and a comment after it stay after it),
            # or before the closing brace of `{}`.
            end = self._pair_end(*pairs[-1]) if pairs else mapping.end_mark.index - 1
            separator = ", " if pairs else ""
            text = f"{separator}{self._key(key)}: {self._flow(value, _first_scalar(mapping))}"
            self._splice(end, end, text)
            return
        if not pairs:  # pragma: no cover - an entry always has its name
            raise EditError(f"{self.display}: cannot add {key!r} to an empty mapping")
        own = [pair for pair in pairs if pair[0].tag != _MERGE] or pairs
        column = _column(self.text, own[-1][0])
        anchor = _line_end(self.text, self._pair_end(*pairs[-1]))
        text = self.newline + " " * column + f"{self._key(key)}:" + self._after_colon(
            value, column, hint=_first_scalar(mapping)
        )
        self._splice(anchor, anchor, text)

    # ---- rendering ---------------------------------------------------------------------------

    def _key(self, key: str) -> str:
        return key if _plain_ok(key, flow=True) else _double(key)

    def _after_colon(self, value: Any, column: int, hint: str | None) -> str:
        if isinstance(value, dict | list) and value and not _short_flow(value):
            return self.newline + self._block(value, column + 2, hint=hint)
        if isinstance(value, dict | list):
            return " " + self._flow(value, hint=hint)
        return " " + self._scalar(value, None, column, hint=hint)

    def _block(self, value: Any, column: int, hint: str | None = None, flow: bool = False) -> str:
        """`value` in block style, its first line indented by `column` (others too)."""
        pad = " " * column
        if isinstance(value, dict) and value:
            if flow:
                return pad + self._flow(value, hint=hint)
            lines = []
            for key, item in value.items():
                lines.append(pad + f"{self._key(str(key))}:" + self._after_colon(item, column,
                                                                                 hint))
            return self.newline.join(lines)
        if isinstance(value, list) and value:
            lines = []
            for item in value:
                body = self._block(item, column + 2, hint=hint) if isinstance(
                    item, dict | list) and item else self._inline(item, hint, column)
                lines.append(pad + "- " + body.lstrip(" "))
            return self.newline.join(lines)
        return pad + self._inline(value, hint)

    def _inline(self, value: Any, hint: str | None, column: int = 0) -> str:
        """A value on one line: a scalar, or a collection in flow style."""
        if isinstance(value, dict | list):
            return self._flow(value, hint=hint)
        return self._scalar(value, None, column, hint=hint)

    def _flow(self, value: Any, hint: str | None = None) -> str:
        if isinstance(value, dict):
            items = ", ".join(f"{self._key(str(key))}: {self._flow(item, hint)}"
                              for key, item in value.items())
            return "{" + items + "}"
        if isinstance(value, list):
            return "[" + ", ".join(self._flow(item, hint) for item in value) + "]"
        return self._scalar(value, None, 0, hint=hint, flow=True)

    def _scalar(self, value: Any, node: ScalarNode | None, column: int, hint: str | None = None,
                flow: bool = False) -> str:
        """A scalar in the style the replaced one had (or `hint`), when that style can hold
        it exactly; else double-quoted."""
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return repr(value)
        text = str(value)
        style = node.style if node is not None else hint
        if node is not None and style in ("|", ">") and ("\n" in text or style == ">"):
            # Folded text keeps `>` while it is one line (folding joins nothing then).
            indicator = ">" if style == ">" and "\n" not in text.rstrip("\n") else "|"
            block = _literal(text, _block_indent(self.text, node, column + 2), self.newline,
                             indicator)
            if block is not None:
                return block
        if style == "'" and "\n" not in text and not UNSAFE_BUT_NEWLINE.search(text):
            return "'" + text.replace("'", "''") + "'"
        if style in (None, "") and _plain_ok(text, flow=flow):
            return text
        return _double(text)

    # ---- positions ---------------------------------------------------------------------------

    def _in_flow(self, node: Node) -> bool:
        """Whether the node is inside a flow collection (where `,` `[` `]` `{` `}` end a plain
        scalar)."""
        if self._flow_spans is None:
            self._flow_spans = [(item.start_mark.index, item.end_mark.index)
                                for item in _walk(self.root) if _is_flow_item(item)]
        start = node.start_mark.index
        return any(low <= start < high for low, high in self._flow_spans)

    def _has_comment(self, node: Node) -> bool:
        """Whether a comment is written inside the node's text (a `#` after a space or at a
        line's start, outside every scalar in it)."""
        start, end = node.start_mark.index, _last_end(self.text, node)
        scalars = [(item.start_mark.index, item.end_mark.index) for item in _walk(node)
                   if isinstance(item, ScalarNode)]
        for found in re.finditer(r"(?:^|(?<=[ \t]))#", self.text[start:end], re.MULTILINE):
            index = start + found.start()
            if not any(low <= index < high for low, high in scalars):
                return True
        return False

    def _content_span(self, node: Node) -> tuple[int, int]:
        """Where the value itself is: after its anchor or tag, up to its last character."""
        start = node.start_mark.index
        prefix = _PREFIX.match(self.text, start)
        if prefix and self.text[start] in "&!":
            start = prefix.end()
        return start, _last_end(self.text, node)

    def _alias_span(self, after: int) -> tuple[int, int]:
        found = _ALIAS.search(self.text, after)
        if found is None:  # pragma: no cover - the composer saw an alias here
            raise EditError(f"{self.display}: cannot find an alias after offset {after}")
        return found.start(), found.end()

    def _refuse_shared(self, node: Node, path: Path) -> None:
        """A value other entries reach through its anchor must not change under them."""
        if node.anchor and re.search(rf"\*{re.escape(node.anchor)}(?![^\s,\[\]{{}}])", self.text):
            raise EditError(
                f"{self._where(path)}: the value is shared through the YAML anchor "
                f"&{node.anchor} with other entries; change it by hand"
            )

    def _splice(self, start: int, end: int, text: str) -> None:
        for other in self._splices:
            if start < other.end and other.start < end:
                raise EditError(f"{self.display}: overlapping edits (please report this)")
        self._splices.append(_Splice(start, end, text))

    # ---- checking ----------------------------------------------------------------------------

    def _check(self, edited: str) -> None:
        try:
            before = safe_yaml().load(self.text)
            after = safe_yaml().load(edited)
        except (YAMLError, ValueError) as exc:
            raise EditError(f"{self.display}: the edit would not read back ({exc})") from None
        for path, value in self._wanted:
            _put(before, path, value)
        for path, new_key in self._renamed.items():
            *parent, key = path
            holder = _get(before, tuple(parent))
            holder[new_key] = holder.pop(key)
        if _unordered(before) != _unordered(after):
            raise EditError(
                f"{self.display}: an in-place edit would not read back as intended; "
                "nothing was written (please report this with the file)"
            )


# ---- helpers (pure) ----------------------------------------------------------------------------


def _own_pair(mapping: MappingNode, key: str | int) -> tuple[Node, Node] | None:
    for key_node, value_node in mapping.value:
        if isinstance(key_node, ScalarNode) and key_node.tag != _MERGE and key_node.value == key:
            return key_node, value_node
    return None


def _loaded(text: str, node: Node) -> Any:
    """What the node reads as (through the safe loader, as plans read it)."""
    try:
        return safe_yaml().load("v: " + _node_text(text, node)).get("v")  # type: ignore[union-attr]
    except (YAMLError, ValueError, AttributeError):
        return object()  # unknown: never equal, so the value is rewritten


def _node_text(text: str, node: Node) -> str:
    """A node's own text, re-indented so it loads on its own after `v: `."""
    start, end = node.start_mark.index, _last_end(text, node)
    if _is_block(node):
        return "\n" + " " * _column(text, node) + text[start:end]
    return text[start:end]


def _walk(node: Node) -> Iterator[Node]:
    """The node and every node inside it, each once (an anchor reached by many aliases too:
    a "billion laughs" file stays linear)."""
    seen: set[int] = set()
    pending = [node]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, MappingNode):
            pending.extend(part for pair in current.value for part in pair)
        elif isinstance(current, SequenceNode):
            pending.extend(current.value)


def _keeps_keys(node: MappingNode, value: dict) -> bool:
    """A flow mapping whose keys all stay (plain keys, no merge): changed key by key."""
    keys = [key for key, _ in node.value]
    return bool(keys) and all(
        isinstance(key, ScalarNode) and key.tag != _MERGE and key.value in value for key in keys
    )


def _is_block(node: Node) -> bool:
    return isinstance(node, MappingNode | SequenceNode) and not node.flow_style


def _is_flow_item(node: Node) -> bool:
    return isinstance(node, MappingNode | SequenceNode) and bool(node.flow_style)


def _column(text: str, node: Node) -> int:
    return node.start_mark.index - (text.rfind("\n", 0, node.start_mark.index) + 1)


def _last_end(text: str, node: Node) -> int:
    """Just after the last character of the value (not the comments or blank lines after)."""
    if isinstance(node, ScalarNode):
        if node.style in ("|", ">"):
            span = text[node.start_mark.index:node.end_mark.index]
            return node.start_mark.index + len(span.rstrip(" \t\r\n"))
        return node.end_mark.index
    if isinstance(node, MappingNode | SequenceNode) and node.flow_style:
        return node.end_mark.index
    children = (
        [value for _, value in node.value] if isinstance(node, MappingNode) else list(node.value)
    )
    own = [child for child in children if child.start_mark.index >= node.start_mark.index]
    if not own:
        return node.start_mark.index
    last = max(own, key=lambda child: child.start_mark.index)
    end = _last_end(text, last)
    if isinstance(node, MappingNode):  # a last value that is an alias ends after it
        key = node.value[-1][0]
        if node.value[-1][1].start_mark.index < key.end_mark.index:
            found = _ALIAS.search(text, key.end_mark.index)
            end = max(end, found.end() if found else end)
    return end


def _line_end(text: str, index: int) -> int:
    """The end of the line holding `index` (before its line break, after any comment)."""
    end = text.find("\n", index)
    if end < 0:
        return len(text)
    return end - 1 if end > 0 and text[end - 1] == "\r" else end


def _dash_index(text: str, item: Node) -> int:
    index = text.rfind("-", 0, item.start_mark.index)
    return index if index >= 0 else item.start_mark.index


def _dash_column(text: str, item: Node) -> int:
    index = _dash_index(text, item)
    return index - (text.rfind("\n", 0, index) + 1)


def _first_scalar(node: Node) -> str | None:
    """The quoting style of the first scalar value inside a collection (None: plain)."""
    if isinstance(node, ScalarNode):
        return node.style
    children = (
        [value for _, value in node.value] if isinstance(node, MappingNode) else list(node.value)
    )
    for child in children:
        style = _first_scalar(child)
        if style is not None or isinstance(child, ScalarNode):
            return style
    return None


def _short_flow(value: Any) -> bool:
    """A short list of plain values reads best on one line, as people write them."""
    if not isinstance(value, list) or not value:
        return False
    return all(isinstance(item, str | int) and not isinstance(item, dict) for item in value) and (
        sum(len(str(item)) + 2 for item in value) <= 60
    )


def _plain_ok(text: str, *, flow: bool) -> bool:
    """Whether `text` written plain reads back as this very string (under YAML 1.1 too)."""
    if not text or text != text.strip() or "\n" in text or text[0] in _PLAIN_START:
        return False
    if ": " in text or " #" in text or text.endswith(":") or (flow and _FLOW_CHARS & set(text)):
        return False
    if UNSAFE_BUT_NEWLINE.search(text):
        return False
    return all(resolver.resolve(ScalarNode, text, (True, False)) == _STR
               for resolver in _RESOLVERS)


def _double(text: str) -> str:
    """A double-quoted scalar: JSON's escapes, plus those YAML would fold (NEL, LS, PS...)."""
    quoted = json.dumps(text, ensure_ascii=False)
    return UNSAFE_BUT_NEWLINE.sub(lambda match: f"\\u{ord(match.group()):04x}", quoted)


def _block_indent(text: str, node: ScalarNode, default: int) -> int:
    """The indentation of a block scalar's first content line (kept when it is rewritten)."""
    body = text[node.start_mark.index:node.end_mark.index].split("\n")[1:]
    for line in body:
        if line.strip():
            return len(line) - len(line.lstrip(" "))
    return default


def _literal(text: str, column: int, newline: str, indicator: str = "|") -> str | None:
    """`|` block text (header and lines, no trailing line break), or None when a literal
    cannot hold it exactly (leading spaces, special characters, trailing blank lines)."""
    if UNSAFE_BUT_NEWLINE.search(text) or text != text.lstrip(" ") or text.endswith("\n\n"):
        return None
    chomp = "" if text.endswith("\n") else "-"
    lines = text.rstrip("\n").split("\n")
    if any(line != line.rstrip(" \t") for line in lines):
        return None
    pad = " " * column
    return f"{indicator}{chomp}" + "".join(newline + (pad + line if line else "") for line in lines)


def _default_pairing(existing: list[Any], wanted: list[Any]) -> list[int | None]:
    """Wanted items equal to an existing one keep it; the others take the leftovers in
    order (each then changed in place), and what is still left is added."""
    free = list(range(len(existing)))
    pairing: list[int | None] = [None] * len(wanted)
    for position, item in enumerate(wanted):
        for index in free:
            if existing[index] == item:
                pairing[position] = index
                free.remove(index)
                break
    for position, index in enumerate(pairing):
        if index is None and free and isinstance(wanted[position], dict) and isinstance(
            existing[free[0]], dict
        ):
            pairing[position] = free.pop(0)
    return pairing


def _get(data: Any, path: Path) -> Any:
    for part in path:
        data = data[part]
    return data


def _put(data: Any, path: Path, value: Any) -> None:
    *parent, key = path
    _get(data, tuple(parent))[key] = value


def _unordered(value: Any) -> Any:
    """Lists compared as multisets (manifest lists carry no order), recursively."""
    if isinstance(value, dict):
        return {key: _unordered(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted((_unordered(item) for item in value),
                      key=lambda item: json.dumps(item, sort_keys=True, default=str))
    return value
