"""YAML in and out: parse with a line for every field, dump in one canonical form.

Parsing goes through PyYAML's node tree so that every mapping key and list item keeps the
line it was written on; problems can then name ``file:line field``. Dumping is canonical (key
order from the record model, block style, UTF-8, wide lines) so that ``ickg fmt`` makes diffs
show content only.
"""

from __future__ import annotations

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


def load_with_lines(text: str) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML text; return the data and a map from field path to 1-based line.

    Raises:
        yaml.YAMLError: with a mark naming the line, for text that is not valid YAML.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[Path_, int] = {}

        def walk(n: yaml.Node, path: Path_) -> None:
            lines.setdefault(path, n.start_mark.line + 1)
            if isinstance(n, yaml.MappingNode):
                for k, v in n.value:
                    lines[path + (k.value,)] = k.start_mark.line + 1
                    walk(v, path + (k.value,))
            elif isinstance(n, yaml.SequenceNode):
                for i, v in enumerate(n.value):
                    walk(v, path + (i,))

        walk(node, ())
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    return data, lines


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
