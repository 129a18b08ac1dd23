"""The named built-in functions of the rule language, and the text algorithms they share.

A package: registry.py (how a function is described and found), evidence.py (what it
returns besides its value, and how values are shown), algorithms.py (the text algorithms),
and builtin/, one module per function. Every name the single module had is still found here.

Where a requirement needs an algorithm — similarity, numbering, restatement,
counting words beside standard phrases — rule text calls a function by name,
the way Schematron calls XPath functions. Each function is implemented once
here and knows nothing about any particular rule: which phrases are
"standard", which indicator is the total of which, all come from rule text.

A function returns its value and, optionally, `Evidence`: where in the
document the finding should point, a short quote, and values for the
message's placeholders ({förlaga}, {avvikelse} …).
"""

from __future__ import annotations

from checker.rules_lang.functions.registry import (  # noqa: F401 - the package's names
    CallContext,
    FUNCTIONS,
    FieldRef,
    Function,
    Impl,
    Param,
    ParamKind,
    _register,
    lookup_function,
    register,
)
from checker.rules_lang.functions.evidence import (  # noqa: F401 - the package's names
    Evidence,
    MISSING,
    Shown,
    display,
    excerpt,
    format_number,
    merge,
    shown,
)
from checker.rules_lang.functions.algorithms import (  # noqa: F401 - the package's names
    PhraseMatcher,
    _ALNUM_RUN,
    _ASCII_NON_ALNUM,
    _COMPACT_MIN,
    _FUZZY_MIN,
    _GAP,
    _GAP_WORDS,
    _LEADING_MARK,
    _NON_ALNUM,
    _NON_ALNUM_DELETED,
    _NON_ALNUM_TO_SPACE,
    _OCR_TABLE,
    _OCR_WORD,
    _SENTENCE_END,
    _SEPARATOR,
    _anchor,
    _compact_hit,
    _comparable,
    _comparable_folded,
    _comparable_runs,
    _fuzzy_start,
    _longest_literal,
    _ocr_tokens,
    _ocr_view,
    _phrase_pattern,
    _positions,
    _same_word,
    _split_sentences,
    _split_sentences_besides,
    _squeeze,
    _unmarked,
    _word_alike,
    _word_edge,
    compact,
    names_alike,
    partial_ratio_reaches,
    same_wording,
    sentences,
    sentences_besides,
    without_punctuation,
    word_runs,
    words_besides,
)
from checker.rules_lang.functions import builtin  # noqa: F401,E402 - registers the functions
from checker.rules_lang.functions.builtin.ord import (  # noqa: F401
    _ord,
)
from checker.rules_lang.functions.builtin.ord_utover import (  # noqa: F401
    _ord_utover,
)
from checker.rules_lang.functions.builtin.aterges_i import (  # noqa: F401
    _RESTATE_MIN_SHARE,
    _RESTATE_SCORE,
    _RestatePart,
    _TOKEN_SHARE,
    _aterges_i,
    _restate_part,
    _restated,
)
from checker.rules_lang.functions.builtin.besvarar_numren import (  # noqa: F401
    _besvarar_numren,
    _numbers,
)
from checker.rules_lang.functions.builtin.kopia_av_tidigare import (  # noqa: F401
    _CANDIDATES,
    _CopyEntry,
    _MAX_SENTENCES,
    _MIN_SENTENCE_WORDS,
    _MIN_TEXT_WORDS,
    _SAME_SENTENCE,
    _SHINGLE,
    _compare_copy,
    _copy_entry,
    _copy_index,
    _kopia_av_tidigare,
    _most_shared,
    _shared_sentences,
    _shingles,
)
from checker.rules_lang.functions.builtin.upprepad import (  # noqa: F401
    _upprepad,
)
from checker.rules_lang.functions.builtin.syskon import (  # noqa: F401
    _syskon,
)
from checker.rules_lang.functions.builtin.summa import (  # noqa: F401
    _summa,
)
from checker.rules_lang.functions.builtin.likhet import (  # noqa: F401
    _likhet,
)
from checker.rules_lang.functions.builtin.samma_lydelse import (  # noqa: F401
    _samma_lydelse,
)
# The single module imported fold from checker.text; some callers took it from here.
from checker.text import fold  # noqa: F401,E402
