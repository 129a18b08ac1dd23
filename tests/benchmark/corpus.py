"""A deterministic benchmark corpus built from the two transcribed seeds.

The benchmark needs many *different* documents of realistic size, and a few
very large ones, in the three states real files arrive in. They are built
with the fixture builder (tests/fixtures/docbuilder.py) from specs derived
from the seeds:

* the seed's goal region is cut into goal chunks (a goal heading and
  everything up to the next goal heading) per level;
* a new goal hierarchy of the wanted size is assembled from those chunks,
  each copy with a varied title, renumbered, its sentences reordered and some
  words exchanged, so that no two goals (and no two documents) are the same
  text — a similarity check across goals gets realistic input, not copies;
* indicator tables are filled up to the wanted number of indicators from
  all the seeds' indicator rows, with varied names and values;
* each unit (a place and a kind of service) gets one VP, one T2 and one VB;
* the PDFs are the same specs laid out by tests/fixtures/pdfbuilder.py, as
  exported from Word, printed to PDF and a scan's OCR layer (issue 17).

Ordinary documents have the seeds' size (~30 goals including KF and
nämndmål, ~40 indicators, ~20 pages); scaled ones multiply the goals and
indicators. Same arguments give byte-identical files, which are cached
outside the repository (see `cache_dir`), keyed by the sources of this
module, the builder and the seeds.
"""

from __future__ import annotations

import copy
import hashlib
import os
import random
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.fixtures import docbuilder as db
from tests.fixtures import pdfbuilder

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"
CACHE_ENV = "MALKOLL_BENCH_CACHE"

BASES = ("vb", "vp", "t2")
# Goals of an ordinary document per level (30 in all) and its indicator count.
ORDINARY_GOALS = {"kf_inriktningsmal": 3, "kf_mal": 7, "namndmal": 8, "enhetsmal": 12}
ORDINARY_INDICATORS = 40

_SEED_UNITS = {"vb": "Aspuddens hemtjänst", "vp": "Hägersten-Älvsjö hemtjänst", "t2": "Aspuddens hemtjänst"}
# A unit is named by where and what it is; each unit has one plan (VP), one
# tertial report (T2) and one annual report (VB), as a district's folder has,
# so a batch's threads (a unit's plan and reports) are of realistic size.
_PLACES = (
    "Aspuddens", "Midsommarkransens", "Fruängens", "Liljeholmens", "Västertorps", "Hägerstensåsens", "Solbergas",
    "Örby slotts", "Älvsjö", "Herrängens", "Mälarhöjdens", "Gröndals", "Telefonplans", "Västbergas",
    "Långbrodals", "Bredängs", "Sätra", "Skärholmens", "Vårbergs", "Östberga",
)
_UNIT_KINDS = (
    "hemtjänst", "förskolor", "äldreboende", "dagliga verksamhet", "fritidsgård", "gruppbostad", "mötesplats",
    "öppenvård", "korttidsboende", "träffpunkt", "servicebostad", "familjecentral", "ungdomsmottagning",
    "boendestöd", "dagverksamhet", "hemsjukvård", "parklek",
)


def unit_name(variant: int) -> str:
    """The unit of a corpus document: documents 3k, 3k+1 and 3k+2 belong to the same unit."""
    k = variant // len(BASES)
    name = f"{_PLACES[k % len(_PLACES)]} {_UNIT_KINDS[(k // len(_PLACES)) % len(_UNIT_KINDS)]}"
    rounds = k // (len(_PLACES) * len(_UNIT_KINDS))
    return f"{name} {rounds + 1}" if rounds else name


# Phrases that make a copied goal title its own goal.
_TITLE_TAILS = (
    "i hela stadsdelen", "för alla kunder", "i det dagliga arbetet", "tillsammans med anhöriga",
    "med stöd av digitala verktyg", "under hela året", "i samverkan med andra enheter", "för nya medarbetare",
    "i varje arbetslag", "med fokus på kontinuitet", "i enlighet med värdegrunden", "genom förebyggande insatser",
)
_AREAS = ("omsorg", "trygghet", "delaktighet", "hälsa", "miljö", "kompetens", "beredskap", "kvalitet", "måltider",
          "rörelse", "kontinuitet", "dokumentation", "bemötande", "samverkan", "språk", "digitalisering")
# Word exchanges that keep the text Swedish and its diacritics (the scan garbles them).
_SYNONYMS = {
    "Enheten": ("Verksamheten", "Enheten", "Vi"), "enheten": ("verksamheten", "enheten", "gruppen"),
    "medarbetare": ("medarbetare", "anställda", "kollegor"), "kunder": ("kunder", "brukare", "omsorgstagare"),
    "arbetar": ("arbetar", "jobbar", "fortsätter arbeta"), "öka": ("öka", "förbättra", "höja"),
    "genom": ("genom", "bland annat genom", "med hjälp av"), "viktigt": ("viktigt", "angeläget", "centralt"),
    "året": ("året", "perioden", "verksamhetsåret"), "utveckla": ("utveckla", "förbättra", "stärka"),
}
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])")
_NUMBERED_TITLE = re.compile(r"^\d+(?:\.\d+)?\.?\s+")


@dataclass(frozen=True)
class DocPlan:
    """One document of the corpus: which seed, how large, which state, which variant."""

    base: str  # vb, vp or t2
    state: str  # export, hand or scan (a .docx); export, print or scan (a PDF)
    factor: int = 1  # goals and indicators × factor
    variant: int = 0
    format: str = "docx"  # or "pdf"

    @property
    def name(self) -> str:
        return f"{self.base}_{self.state}_x{self.factor}_{self.variant:04d}.{self.format}"


# --- the cache -------------------------------------------------------------------


def _fingerprint() -> str:
    """Changes whenever anything that shapes the generated bytes changes."""
    digest = hashlib.sha256()
    paths = [Path(__file__), FIXTURES / "docbuilder.py", FIXTURES / "pdfbuilder.py",
             *sorted((FIXTURES / "sources").glob("*.txt"))]
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cache_dir() -> Path:
    """$MALKOLL_BENCH_CACHE, else a folder in the system temp directory (never in the repository)."""
    root = Path(os.environ.get(CACHE_ENV) or Path(tempfile.gettempdir()) / "malkoll-benchmark")
    folder = root / f"corpus-{_fingerprint()}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def ensure(plans: Sequence[DocPlan], *, jobs: int | None = None, folder: Path | None = None) -> list[Path]:
    """The files for `plans`, building the ones not cached yet (in parallel)."""
    folder = folder or cache_dir()
    paths = [folder / plan.name for plan in plans]
    missing = [(plan, path) for plan, path in zip(plans, paths) if not path.exists()]
    if missing:
        workers = jobs or max(1, len(os.sched_getaffinity(0)))
        # The large documents first, so that the pool is not left waiting on one at the end.
        missing.sort(key=lambda item: -item[0].factor)
        if workers == 1 or len(missing) == 1:
            for plan, path in missing:
                _build_to(plan, path)
        else:
            with ProcessPoolExecutor(workers) as pool:
                list(pool.map(_build_to, *zip(*missing)))
    return paths


def _build_to(plan: DocPlan, path: Path) -> None:
    tmp = path.with_suffix(".part")
    if plan.format == "pdf":
        pdfbuilder.build_pdf(spec_for(plan), tmp, state=plan.state, seed=plan.variant)  # type: ignore[arg-type]
    else:
        db.build_docx(spec_for(plan), tmp, state=plan.state, seed=plan.variant)  # type: ignore[arg-type]
    tmp.replace(path)  # atomic: an interrupted build never leaves a half file in the cache


def ordinary_plans(count: int, *, offset: int = 0) -> list[DocPlan]:
    """`count` ordinary documents cycling through seed × state, each its own variant."""
    plans = []
    for i in range(offset, offset + count):
        base = BASES[i % len(BASES)]
        state = db.STATES[(i // len(BASES)) % len(db.STATES)]
        plans.append(DocPlan(base, state, 1, i))
    return plans


def pdf_plans(count: int) -> list[DocPlan]:
    """`count` PDFs cycling through PDF state (export, print, scan) × seed, each its own variant.

    The state changes first, so that even two PDFs (the quick run) are read in two states.
    """
    states = pdfbuilder.PDF_STATES
    return [DocPlan(BASES[(i // len(states)) % len(BASES)], states[i % len(states)], 1, i, "pdf") for i in range(count)]


def docx_twin(plan: DocPlan) -> DocPlan:
    """The .docx a PDF plan was made from: the same spec, in the Word state its PDF state comes from."""
    return DocPlan(plan.base, pdfbuilder.DOCX_STATE[plan.state], plan.factor, plan.variant)


def scaled_plans(factors: Iterable[int] = (1, 10, 100), states: Iterable[str] = db.STATES) -> list[DocPlan]:
    """The Verksamhetsberättelse at several sizes (same variant, so only the size differs)."""
    return [DocPlan("vb", state, factor, 0) for factor in factors for state in states]


# --- specs -------------------------------------------------------------------------


def _base_spec(base: str) -> db.DocSpec:
    if base == "vb":
        return db.load_source("aspudden_vb2025")
    if base == "vp":
        # The plan for the year the reports follow up, so a unit's VP, T2 and VB form one thread.
        spec = db.load_source("hagersten_alvsjo_vp2024")
        replace_text(spec, lambda text: re.sub(r"\b2024\b", "2025", text))
        spec.meta = {key: re.sub(r"\b2024\b", "2025", value) for key, value in spec.meta.items()}
        return spec
    if base == "t2":
        return db.to_tertialrapport(db.load_source("aspudden_vb2025"), tertial=2)
    raise ValueError(f"unknown base {base!r}")


@dataclass
class _Seed:
    front: list[db.Block]
    tail: list[db.Block]
    chunks: dict[str, list[list[db.Block]]]  # goal level → goal chunks
    rows: dict[str, list[list[db.TableRow]]]  # indicator table kind → rows with their analysis rows


def _split(spec: db.DocSpec) -> _Seed:
    blocks = spec.blocks
    first = next(i for i, b in enumerate(blocks) if b.kind == "goal")
    end = next(i for i in range(first, len(blocks)) if blocks[i].kind == "heading")
    chunks: dict[str, list[list[db.Block]]] = {level: [] for level in db.GOAL_PREFIX}
    current: list[db.Block] | None = None
    for block in blocks[first:end]:
        if block.kind == "goal":
            current = [block]
            chunks[block.goal].append(current)
        elif current is not None:
            current.append(block)
    rows: dict[str, list[list[db.TableRow]]] = {"indikator": [], "indikator_plan": []}
    for block in blocks:
        if block.table is not None and block.table.kind in rows:
            for row in block.table.rows:
                if row.is_analysis and rows[block.table.kind]:
                    rows[block.table.kind][-1].append(row)
                elif not row.is_analysis:
                    rows[block.table.kind].append([row])
    return _Seed(blocks[:first], blocks[end:], chunks, rows)


def spec_for(plan: DocPlan) -> db.DocSpec:
    """The document spec of one plan: the seed's front and tail, a new goal region."""
    spec = _base_spec(plan.base)
    seed = _split(spec)
    rng = random.Random(f"malkoll-corpus:{plan.base}:{plan.factor}:{plan.variant}")
    unit = unit_name(plan.variant)
    goals = _goal_region(seed, rng, plan.factor)
    _fill_indicators(goals, seed, rng, ORDINARY_INDICATORS * plan.factor)
    out = db.DocSpec(meta=dict(spec.meta), blocks=[*copy.deepcopy(seed.front), *goals, *copy.deepcopy(seed.tail)])
    out.meta["unit"] = unit
    out.meta["pages"] = str(int(spec.meta.get("pages", "20") or 20) * plan.factor)
    rename_unit(out, _SEED_UNITS[plan.base], unit)
    return out


def _goal_counts(factor: int) -> dict[str, int]:
    return {level: count * factor for level, count in ORDINARY_GOALS.items()}


def _goal_region(seed: _Seed, rng: random.Random, factor: int) -> list[db.Block]:
    """A goal hierarchy with ORDINARY_GOALS × factor goals, distributed like a real report's."""
    counts = _goal_counts(factor)
    kf_per = _spread(counts["kf_mal"], counts["kf_inriktningsmal"], rng)
    nm_per = _spread(counts["namndmal"], counts["kf_mal"], rng)
    em_per = _spread(counts["enhetsmal"], counts["namndmal"], rng)
    out: list[db.Block] = []
    kf_index = nm_index = 0
    for i in range(counts["kf_inriktningsmal"]):
        out += _copy_chunk(seed, "kf_inriktningsmal", rng, number=f"{i + 1}.")
        for j in range(kf_per[i]):
            out += _copy_chunk(seed, "kf_mal", rng, number=f"{i + 1}.{j + 1}")
            for _ in range(nm_per[kf_index]):
                out += _copy_chunk(seed, "namndmal", rng)
                for _ in range(em_per[nm_index]):
                    out += _copy_chunk(seed, "enhetsmal", rng)
                nm_index += 1
            kf_index += 1
    return out


def _spread(total: int, over: int, rng: random.Random) -> list[int]:
    """`total` items over `over` parents, at least one each where possible, unevenly."""
    counts = [1 if total >= over else 0 for _ in range(over)]
    for _ in range(total - sum(counts)):
        counts[rng.randrange(over)] += 1
    return counts


def _copy_chunk(seed: _Seed, level: str, rng: random.Random, number: str | None = None) -> list[db.Block]:
    pool = seed.chunks[level] or seed.chunks["enhetsmal"]
    chunk = copy.deepcopy(rng.choice(pool))
    heading = chunk[0]
    title = _NUMBERED_TITLE.sub("", heading.text)
    title = f"{title.rstrip('.')} {rng.choice(_TITLE_TAILS)} ({rng.choice(_AREAS)})"
    if level != "enhetsmal":
        title = title.replace("*", "")
    heading.text = f"{number} {title}" if number else title
    for block in chunk[1:]:
        if block.kind in ("para", "number", "bullet") and not block.literal:
            block.text = _vary(block.text, rng)
        elif block.table is not None:
            for row in block.table.rows:
                if row.analysis:
                    row.analysis = _vary(row.analysis, rng)
    return chunk


def _vary(text: str, rng: random.Random) -> str:
    """The same kind of text in other words: sentences reordered, some words exchanged."""
    if "*" in text or "<" in text:
        return text  # inline markup or leaked HTML: keep its structure intact
    sentences = _SENTENCE.split(text)
    if len(sentences) > 2:
        head, rest = sentences[0], sentences[1:]
        rng.shuffle(rest)
        sentences = [head, *rest]
    words = " ".join(sentences).split(" ")
    for k, word in enumerate(words):
        options = _SYNONYMS.get(word)
        if options and rng.random() < 0.5:
            words[k] = rng.choice(options)
    return " ".join(words)


def _fill_indicators(blocks: list[db.Block], seed: _Seed, rng: random.Random, wanted: int) -> None:
    """Top indicator tables up (or trim them) to `wanted` indicators in all."""
    tables = [b.table for b in blocks if b.table is not None and b.table.kind in seed.rows]
    if not tables:
        return
    quotas = _spread(wanted, len(tables), rng)
    for table, quota in zip(tables, quotas):
        pool = seed.rows[table.kind] or [[db.TableRow(cells=["Andel nöjda kunder"] + [""] * (table.ncols - 1))]]
        rows: list[db.TableRow] = []
        for n in range(quota):
            group = copy.deepcopy(rng.choice(pool))
            first = group[0]
            assert first.cells is not None
            first.cells = list(first.cells)
            first.cells[0] = f"{first.cells[0].strip()} – {rng.choice(_AREAS)} {n + 1}"
            first.cells = [_vary_value(c, rng) if k else c for k, c in enumerate(first.cells)]
            rows.extend(group if rng.random() < 0.7 else group[:1])
        table.rows = rows


def _vary_value(cell: str, rng: random.Random) -> str:
    """"87 %" → "82 %": the same shape of value, another number."""
    match = re.match(r"^(\D*?)(\d+)(.*)$", cell)
    if match is None or re.fullmatch(r"20\d\d", cell.strip()):
        return cell
    value = max(0, int(match.group(2)) + rng.randint(-8, 8))
    return f"{match.group(1)}{value}{match.group(3)}"


def rename_unit(spec: db.DocSpec, old: str, new: str) -> None:
    if old != new:
        replace_text(spec, lambda text: text.replace(old, new))


def replace_text(spec: db.DocSpec, change: Callable[[str], str]) -> None:
    """Apply `change` to every text of the spec: paragraphs, table headers, cells and analyses."""
    for block in spec.blocks:
        block.text = change(block.text)
        if block.table is not None:
            block.table.header = [change(c) for c in block.table.header]
            for row in block.table.rows:
                if row.analysis:
                    row.analysis = change(row.analysis)
                if row.cells:
                    row.cells = [change(c) for c in row.cells]


def summary(plan: DocPlan) -> dict[str, int]:
    """Goals, indicators and body blocks of a plan's spec (for the benchmark's table)."""
    spec = spec_for(plan)
    goals = sum(1 for b in spec.blocks if b.kind == "goal")
    indicators = sum(
        1 for b in spec.blocks if b.table is not None and b.table.kind.startswith("indikator")
        for r in b.table.rows if not r.is_analysis
    )
    return {"goals": goals, "indicators": indicators, "blocks": len(spec.blocks)}


def main(argv: Sequence[str] | None = None) -> int:
    """python -m tests.benchmark.corpus [N]: build (or find) N ordinary documents and the scaled ones."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    count = int(args[0]) if args else 9
    plans = ordinary_plans(count) + scaled_plans()
    for plan, path in zip(plans, ensure(plans)):
        print(f"{path.stat().st_size:>10}  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
