"""One collector config document from an input (plain, ConfigMap, CR, Helm values), and the
merge of several ``--config`` inputs the way the collector merges them.
"""

from __future__ import annotations

from collections.abc import Sequence

from obsctl.model.collector import (
    CollectorConfig,
    Problem,
    SourceDocument,
    YamlMap,
    YamlScalar,
    YamlSeq,
)
from obsctl.parsers.collector_wrappers import helm_defaults, helm_pod_env, is_helm_values, unwrap
from obsctl.parsers.collector_yaml import YamlRefused, compose_yaml, tree_from_python


def parse_collector_document(text: str, file: str) -> SourceDocument:
    """Parse one input into the collector config it holds.

    Plain configs, Kubernetes ConfigMaps (the first ``data`` entry holding a collector config),
    ``OpenTelemetryCollector`` resources (``spec.config`` as a map or a string) and Helm values
    files (``config:``, merged over the chart's defaults) are recognised; in multi-document
    files the first document holding a config is used.

    Args:
        text: the file's content.
        file: display name (path or ``-``).

    Returns:
        The document; parse failures are recorded as problems (``root`` is then ``None``).
    """
    try:
        docs, problems = compose_yaml(text, file)
    except YamlRefused as exc:
        problem = Problem("OTC000", exc.message, file, exc.line, exc.col)
        return SourceDocument(file, None, problems=(problem,))
    present = [
        d for d in docs if d is not None and not (isinstance(d, YamlScalar) and d.value is None)
    ]
    if not present:
        return SourceDocument(file, None, problems=tuple(problems), empty=True)
    lines = text.splitlines()
    for doc in present:
        if not isinstance(doc, YamlMap):
            continue
        unwrapped = unwrap(doc, lines, file)
        if unwrapped is not None:
            found = [*problems, *unwrapped.problems]
            if unwrapped.refused is not None:
                found.append(unwrapped.refused)
            return SourceDocument(
                file,
                unwrapped.root,
                unwrapped.wrapper,
                tuple(found),
                empty=unwrapped.root is None and unwrapped.refused is None,
                detail=unwrapped.detail,
            )
        if is_helm_values(doc):
            config = doc.get("config")
            key = doc.key_node("config")
            assert isinstance(config, YamlMap) and key is not None
            base = tree_from_python(helm_defaults(), file, key.line, key.col)
            assert isinstance(base, YamlMap)
            merged = merge_trees(base, config, null_deletes=True)
            return SourceDocument(
                file,
                merged,
                "helm",
                tuple(problems),
                detail="config",
                defaults_at=(key.line, key.col),
                pod_env=helm_pod_env(doc),
            )
    first = present[0]
    if not isinstance(first, YamlMap):
        kind = "a list" if isinstance(first, YamlSeq) else "a scalar"
        problem = Problem(
            "OTC102",
            f"the configuration must be a mapping, got {kind}",
            file,
            first.line,
            first.col,
        )
        return SourceDocument(file, None, problems=(*problems, problem))
    return SourceDocument(file, first, problems=tuple(problems))


# ----------------------------------------------------------------------------- merging


def merge_trees(base: YamlMap, over: YamlMap, *, null_deletes: bool = False) -> YamlMap:
    """Deep-merge ``over`` onto ``base`` as the collector merges ``--config`` files.

    Maps merge key by key; anything else (lists included) is replaced by the later value. With
    ``null_deletes`` (Helm semantics), a null in ``over`` removes the key.
    """
    out = YamlMap(over.file, over.line, over.col, dict(base.entries))
    for key, (knode, vnode) in over.entries.items():
        if null_deletes and isinstance(vnode, YamlScalar) and vnode.value is None:
            out.entries.pop(key, None)
            continue
        existing = out.entries.get(key)
        if existing is not None and isinstance(existing[1], YamlMap) and isinstance(vnode, YamlMap):
            out.entries[key] = (knode, merge_trees(existing[1], vnode, null_deletes=null_deletes))
        else:
            out.entries[key] = (knode, vnode)
    return out


def merge_documents(documents: Sequence[SourceDocument]) -> CollectorConfig:
    """The effective config of several inputs, in order (later inputs win)."""
    root: YamlMap | None = None
    for doc in documents:
        if doc.root is None:
            continue
        root = doc.root if root is None else merge_trees(root, doc.root)
    return CollectorConfig(root, tuple(documents))
