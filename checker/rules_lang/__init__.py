"""Målkoll's rule language: requirements as data a quality coordinator can read and change.

    parser      rule text → syntax tree (ast; lark grammar in grammar.lark), Swedish syntax errors
    semantics   names, types and placeholders checked at load time → a typed plan (plan)
    compiler    the plan → closures, run once per report
    vocabulary  the language's nouns (enhetsmål, analys, årsmål …) mapped onto checker.model
    functions   named built-in functions (similarity, numbering, restatement …)
    patterns    rule authors' regular expressions, run by RE2 in linear time
    errors      RuleError / RuleLoadError with file:line:column and a caret
    plan_cache  an unchanged rule set's plan kept between runs (disk_cache: where and whom to trust)

The public entry points are in checker.engine; the reference for rule
authors is docs/regelsprak.md.
"""
