"""`malkoll rules --format json`: the rules as data, for scripts and editor plug-ins.

Each rule: id, severity, its message and help, the document kinds it applies
to (null = every document), its profiles, whether it is one of the gate's
safety rules (kept by every --select, see checker.engine.SAFETY_PROFILE) or a
thread rule, and where it is written.
"""

from __future__ import annotations

from typing import Any

from checker.engine import Rule, RuleSet


def rule_json(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "severity": rule.severity.label,
        "message": rule.message,
        "help": rule.help,
        "kinds": sorted(rule.kinds) if rule.kinds is not None else None,
        "profiles": sorted(rule.profiles),
        "safety": rule.safety,
        "thread": rule.thread,
        "file": rule.file.as_posix(),
        "line": rule.line,
    }


def rules_json(rules: RuleSet) -> dict[str, Any]:
    return {
        "rules": [rule_json(rule) for rule in rules.in_catalog_order()],
        "profiles": [{"name": name, "description": rules.descriptions.get(name)} for name in rules.profiles],
    }
