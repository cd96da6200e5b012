"""OpenTelemetry Collector YAML → a located tree (``model.collector``).

The parser is split by concern; this module is its public face:

* ``collector_yaml``: the safe YAML composer with positions and budgets;
* ``collector_wrappers``: ConfigMap / ``OpenTelemetryCollector`` resource / Helm values unwrapping;
* ``collector_env``: ``${…}`` expansion as the collector's confmap does it, ``.env`` files;
* ``collector_document``: one input's document, and the merge of several ``--config`` inputs.
"""

from __future__ import annotations

from obsctl.parsers.collector_document import (
    merge_documents,
    merge_trees,
    parse_collector_document,
)
from obsctl.parsers.collector_env import (
    SUPPORTED_SCHEMES,
    EnvReference,
    ExpansionContext,
    expand_env,
    parse_env_file,
)
from obsctl.parsers.collector_wrappers import COLLECTOR_KEYS
from obsctl.parsers.collector_yaml import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    YamlRefused,
    compose_yaml,
    iter_scalars,
    resolve_plain_scalar,
    tree_from_python,
)

__all__ = [
    "COLLECTOR_KEYS",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "SUPPORTED_SCHEMES",
    "EnvReference",
    "ExpansionContext",
    "YamlRefused",
    "compose_yaml",
    "expand_env",
    "iter_scalars",
    "merge_documents",
    "merge_trees",
    "parse_collector_document",
    "parse_env_file",
    "resolve_plain_scalar",
    "tree_from_python",
]
