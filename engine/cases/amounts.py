"""The amounts a bundle's decision tables test (manifest `amounts`), kept at the latest value any
of their form fields was given. A threshold then reads the amount its article means — declared,
reviewed, funded or changed — and a later review or change is what the next evaluation sees
(a project raised past a 监理 threshold by review must then engage 监理).
"""

from __future__ import annotations

from typing import Any

from ..regulations.bundles import Bundle


def kept(bundle: Bundle, submitted: dict[str, Any]) -> dict[str, Any]:
    """The declared amounts this submission sets: for each, the last of its `from` fields the
    form carries with a value (a form that carries both a declared and a reviewed budget gives
    the one listed later)."""
    return kept_from(bundle.manifest.get("amounts", {}), submitted)


def kept_from(declared: dict[str, Any], submitted: dict[str, Any]) -> dict[str, Any]:
    """The same for the manifest's `amounts` mapping itself (the simulator holds no bundle)."""
    found = {}
    for name, spec in declared.items():
        for source in spec.get("from", []):
            if submitted.get(source) is not None:
                found[name] = submitted[source]
    return found
