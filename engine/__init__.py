"""Rule side of signrules: the rule language, linter, evaluator, exemplar
bank, classifier API and command line."""
