"""The lint checks, one module per check.

Each module has ``ID`` (the stable kebab-case code), ``SEVERITY``, ``STAGE``
and a docstring with a passing and a failing example. ``STAGE`` says what the
check reads: "source" checks read the parsed files; "compiled" checks read
the compiled signs and run only when the checks in COMPILE_PREREQUISITES
found no error; "paths" checks (missing-manifest) read the paths given to
the linter. Source and compiled checks expose ``check(context)``, which
yields ``(location, message)`` pairs.
"""

from __future__ import annotations

from signrules.engine.lint.checks import (
    complex_condition,
    cyclic_condition,
    duplicate_class_id,
    duplicate_condition,
    duplicate_sign,
    invalid_manifest,
    invalid_string,
    missing_exemplar,
    missing_manifest,
    parameter_misuse,
    rule_overlap,
    syntax_error,
    type_mismatch,
    undefined_condition,
    unknown_attribute,
    unknown_value,
    unreachable_rule,
    unreadable_exemplar,
    unsatisfiable_rule,
    unused_condition,
)

__all__ = ["ALL_CHECKS", "CHECKS", "COMPILE_PREREQUISITES", "EXEMPLAR_CHECKS"]

#: Checks run on each rule set, in order.
CHECKS = (
    syntax_error,
    invalid_manifest,
    unknown_attribute,
    unknown_value,
    type_mismatch,
    invalid_string,
    undefined_condition,
    cyclic_condition,
    duplicate_condition,
    unused_condition,
    duplicate_sign,
    parameter_misuse,
    duplicate_class_id,
    missing_exemplar,
    unreadable_exemplar,
    complex_condition,
    unsatisfiable_rule,
    rule_overlap,
    unreachable_rule,
)

#: Every check, including the one that runs on the linted paths.
ALL_CHECKS = (*CHECKS, missing_manifest)

#: Checks whose errors leave conditions that cannot be compiled.
COMPILE_PREREQUISITES = frozenset(
    module.ID
    for module in (
        syntax_error,
        unknown_attribute,
        unknown_value,
        type_mismatch,
        invalid_string,
        undefined_condition,
        cyclic_condition,
        duplicate_condition,
        parameter_misuse,
    )
)

#: Checks that read exemplar folders; a loader may skip them.
EXEMPLAR_CHECKS = frozenset({missing_exemplar.ID, unreadable_exemplar.ID})
