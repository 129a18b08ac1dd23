"""The built-in functions, one module each; importing this package registers them all, in this order
(the order the user guide lists them in)."""

from checker.rules_lang.functions.builtin import (  # noqa: F401 - imported to register
    ord,
    ord_utover,
    aterges_i,
    besvarar_numren,
    kopia_av_tidigare,
    upprepad,
    syskon,
    summa,
    likhet,
    samma_lydelse,
)
