"""Målkoll's rule language: requirements as data a quality coordinator can read and change.

    parser      rule text → syntax tree (lark grammar in grammar.lark), Swedish syntax errors
    semantics   names, types and placeholders checked at load time → a typed plan
    compiler    the plan → closures, run once per report
    vocabulary  the language's nouns (enhetsmål, analys, årsmål …) mapped onto checker.model
    functions   named built-in functions (similarity, numbering, restatement …)
    errors      RuleError / RuleLoadError with file:line:column and a caret

The public entry points are in checker.engine; the reference for rule
authors is docs/regelsprak.md.
"""
