"""YAML in and out: parse with a line for every field, dump in one canonical form.

Parsing goes through PyYAML's node tree so that every mapping key and list item keeps the
line it was written on; problems can then name ``file:line field``. Dumping is canonical (key
order from the record model, block style, UTF-8, wide lines) so that ``ickg fmt`` makes diffs
show content only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[Any, ...]


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


class _Loader(_Base):
    pass


def _no_duplicates(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {seen[key]})", key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


class LimitError(yaml.YAMLError):
    """A YAML file over a size or alias-expansion limit; ``problem_mark`` names the line."""

    def __init__(self, problem: str, mark: Any = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


#: Defaults of the limits (settings ``yaml_max_bytes`` and ``yaml_max_nodes`` override them).
MAX_BYTES, MAX_NODES = 2_000_000, 200_000


def load_with_lines(text: str, max_nodes: int | None = None,
                    max_bytes: int | None = None) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML text; return the data and a map from field path to 1-based line.

    The node tree is walked with aliases expanded, counting nodes: past ``max_nodes`` (an alias
    bomb: a few hundred bytes that expand to billions of nodes) it stops with a
    :class:`LimitError` before anything is built from it.

    Raises:
        yaml.YAMLError: with a mark naming the line, for text that is not valid YAML or over a limit.
    """
    if max_nodes is None or max_bytes is None:
        from kg import settings

        max_nodes = max_nodes or settings.get_int("yaml_max_nodes")
        max_bytes = max_bytes or settings.get_int("yaml_max_bytes")
    if len(text) > max_bytes:  # characters >= bytes / 4; the byte size is checked before reading
        raise LimitError(f"the file is over {max_bytes:,} bytes (setting yaml_max_bytes)")
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            raise _at_start(exc) from None
        if node is None:
            return None, {}
        lines: dict[Path_, int] = {}
        count = 0
        stack: list[tuple[yaml.Node, Path_]] = [(node, ())]
        while stack:  # iterative, with aliases expanded: the count is what a consumer would see
            n, path = stack.pop()
            count += 1
            if count > max_nodes:
                raise LimitError(f"more than {max_nodes:,} YAML nodes once aliases are expanded (an alias "
                                 f"bomb?); setting yaml_max_nodes", n.start_mark)
            lines.setdefault(path, n.start_mark.line + 1)
            if isinstance(n, yaml.MappingNode):
                for k, v in reversed(n.value):
                    lines[path + (k.value,)] = k.start_mark.line + 1
                    stack.append((v, path + (k.value,)))
            elif isinstance(n, yaml.SequenceNode):
                for i in range(len(n.value) - 1, -1, -1):
                    stack.append((n.value[i], path + (i,)))
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    return data, lines


def _at_start(exc: yaml.MarkedYAMLError) -> yaml.MarkedYAMLError:
    """The error placed at the line where the broken construct starts (an unclosed bracket or quote).

    PyYAML's problem mark is where the parser gave up, often lines later; its context mark
    is where the construct it was reading began, which is the line to fix.
    """
    start, end = exc.context_mark, exc.problem_mark
    if start is None or end is None or start.line >= end.line:
        return exc
    return yaml.MarkedYAMLError(problem=f"{exc.problem} (by line {end.line + 1}), {exc.context} that starts here",
                                problem_mark=start)


def scan_tree(root: Path, max_bytes: int) -> list:
    """Problems that must stop loading, found without parsing any file.

    * a symbolic link (file or folder) that resolves outside ``root``;
    * a ``.yaml``/``.yml`` file over ``max_bytes`` (it is never read);
    * a file that is not UTF-8, with the line and column of the first bad byte.
    """
    from kg.errors import Problem, relpath

    problems = []
    top = root.resolve()
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            try:
                target = path.resolve()
            except (OSError, RuntimeError):
                target = None
            if target is None or not target.is_relative_to(top):
                problems.append(Problem(relpath(path), None, "(file)",
                                        "a symbolic link that leads out of the evidence folder; refused",
                                        hint="copy the file into the evidence folder instead"))
                continue
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        size = path.stat().st_size
        if size > max_bytes:
            problems.append(Problem(relpath(path), None, "(file)",
                                    f"the file is {size:,} bytes, over the limit of {max_bytes:,} "
                                    f"(setting yaml_max_bytes); not read"))
            continue
        data = path.read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
            problems.append(Problem(relpath(path), line, "(file)",
                                    f"not UTF-8: byte 0x{data[exc.start]:02x} at column {col}",
                                    hint="save the file as UTF-8"))
    return problems


def line_for(lines: dict[Path_, int], path: Path_) -> int | None:
    """The line of the longest prefix of ``path`` that exists in the map."""
    for n in range(len(path), -1, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return None


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def dump(data: Any) -> str:
    """Dump data in the canonical form used for every evidence file."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000,
                     default_flow_style=False)
