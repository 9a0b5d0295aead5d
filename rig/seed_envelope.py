"""The seed envelope: every training-dependent number of the notebooks, measured over seeds.

A training run is one sample: another training seed, or another CPU (whose oneDNN kernels
round differently, which early stopping turns into a different run), gives other numbers.
`make envelope` measures how far: it re-runs the notebooks once per training seed in
`build/envelope/<run>/` (the committed notebooks are left as they are; each run has its own
`models/`, so re-running one notebook reuses the models that the earlier notebooks of that
run trained), then writes `rig/seed_envelope.json`: for every number that differs between
the runs, identified by notebook, cell id, output, line and position, its value in the
committed run and in each seed's run. nbval (`rig/nbval_tolerance.py`) accepts a new value
of such a number within the measured range widened by `margin` below; every other number is
compared exactly (timings are not compared).

The seed changes the initial weights, the order of the batches and dropout
(`MNIST_TUTORIAL_SEED`, see `mnist_tutorial.config`); the validation split and the generated
images stay fixed, as they do on another CPU. One more run trains notebook 7's CNN on JAX
instead of TensorFlow (what a Python without TensorFlow does).

    python -m rig.seed_envelope run [--seeds 0 1 ...] [--jobs 2] [NOTEBOOK ...]
    python -m rig.seed_envelope collect          # writes rig/seed_envelope.json
    python -m rig.seed_envelope ranges [NOTEBOOK ...]  # each number: committed, range
    python -m rig.seed_envelope check RUN_DIR    # one more run against the envelope
    python -m rig.seed_envelope keep [NOTEBOOK ...]     # before `make execute`
    python -m rig.seed_envelope refresh [NOTEBOOK ...]  # after it: take its numbers
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbval.plugin import coalesce_streams, transform_streams_for_comparison

from mnist_tutorial.config import DEFAULT_SEED
from mnist_tutorial.files import write_text_atomic
from rig import headline_results
from rig import nbval_tolerance as plugin
from rig.nbval_tolerance import ENVELOPE_FILE, WHY_MARGIN, accepts

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SCRATCH = ROOT / "build" / "envelope"
#: The training seeds of `make envelope`; the committed run uses 42.
SEEDS = (0, 1, 2, 3, 4, 5, 6, 7)
#: The line of a notebook's first cell that chooses Keras' backend.
BACKEND_LINE = re.compile(r'(os\.environ\["KERAS_BACKEND"\] = )"\w+"')
#: Where `make execute` keeps the outputs it replaces, for `refresh`: one more measured run.
PREVIOUS = "previous"


@dataclass(frozen=True)
class Run:
    """One re-run of (some of) the notebooks: a training seed and, optionally, a backend."""

    name: str
    seed: int
    backend: str | None = None  # None: the one each notebook's first cell chooses
    notebooks: tuple[str, ...] = ()  # () = all
    copy_models: bool = False  # start from the committed run's models/ (not the CNN's)

    @property
    def folder(self) -> Path:
        return SCRATCH / self.name


def course_notebooks() -> list[str]:
    return sorted(p.name for p in NOTEBOOKS.glob("[0-9]*.ipynb"))


def default_runs(seeds: Sequence[int] = SEEDS) -> list[Run]:
    cnn = [n for n in course_notebooks() if "convolutional" in n]
    runs = [Run(f"seed-{seed}", seed) for seed in seeds]
    runs.append(Run("seed-42-cnn-on-jax", 42, "jax", tuple(cnn), copy_models=True))
    return runs


# --------------------------------------------------------------------------- running


def _prepare(run: Run) -> None:
    (run.folder / "notebooks").mkdir(parents=True, exist_ok=True)
    (run.folder / "models").mkdir(exist_ok=True)
    examples = run.folder / "examples"
    if not examples.exists():
        examples.symlink_to(ROOT / "examples")
    if run.copy_models and (ROOT / "models").is_dir():
        for path in (ROOT / "models").iterdir():
            if path.is_file() and not path.name.startswith("cnn"):
                shutil.copy2(path, run.folder / "models" / path.name)


def execute_run(run: Run, notebooks: Sequence[str], cpu: int | None, log: threading.Lock) -> int:
    """Execute `notebooks` of `run` in its folder, one kernel each; returns the exit status."""
    _prepare(run)
    targets = []
    for name in notebooks:
        # The committed notebook without its outputs: a run that stops half-way leaves no
        # committed output behind to be mistaken for its own.
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
                if run.backend:
                    cell.source = BACKEND_LINE.sub(f'\\1"{run.backend}"', cell.source)
        target = run.folder / "notebooks" / name
        nbformat.write(nb, target)
        targets.append(str(target))
    command = [sys.executable, str(ROOT / "scripts" / "execute_notebooks.py"), *targets]
    env = {**os.environ, "MNIST_TUTORIAL_SEED": str(run.seed), "PYTHONUNBUFFERED": "1"}

    def pin() -> None:  # one core per job, so that parallel runs do not fight over both
        if cpu is not None and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {cpu})

    with subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, preexec_fn=pin,
    ) as process:  # fmt: skip
        assert process.stdout is not None
        for line in process.stdout:
            with log:
                print(f"[{run.name}] {line.rstrip()}", flush=True)
    return process.returncode


def run_all(runs: Sequence[Run], notebooks: Sequence[str], jobs: int) -> int:
    """Run every run's notebooks (of `notebooks`), `jobs` runs at a time."""
    log, queue, failed = threading.Lock(), list(runs), []
    start = time.perf_counter()
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []

    def worker(slot: int) -> None:
        while True:
            with log:
                if not queue:
                    return
                run = queue.pop(0)
            wanted = [n for n in notebooks if not run.notebooks or n in run.notebooks]
            if not wanted:
                continue
            cpu = cpus[slot % len(cpus)] if jobs > 1 and cpus else None
            began = time.perf_counter()
            status = execute_run(run, wanted, cpu, log)
            with log:
                minutes = (time.perf_counter() - start) / 60
                print(
                    f"== {run.name}: {len(wanted)} notebook(s) in "
                    f"{time.perf_counter() - began:.0f} s, exit {status} "
                    f"({minutes:.1f} min since the start; {len(queue)} run(s) waiting)",
                    flush=True,
                )
                if status:
                    failed.append(run.name)

    threads = [threading.Thread(target=worker, args=(slot,)) for slot in range(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"== all runs: {(time.perf_counter() - start) / 60:.1f} min", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


# --------------------------------------------------------------------------- the numbers


def cell_outputs(cell: nbformat.NotebookNode) -> dict[str, list]:
    """A code cell's outputs keyed as the nbval comparison keys them (stream or MIME type)."""
    outputs = transform_streams_for_comparison(coalesce_streams(cell.get("outputs", [])))
    return plugin.flatten_outputs(outputs, plugin.NBVAL_SKIP)


@dataclass
class RunNumbers:
    """What one run printed: numbers by address, lines whose words differ, figures."""

    numbers: dict[str, dict[str, float]] = field(default_factory=dict)  # notebook/cell -> addr
    texts: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    figures: dict[str, dict[str, str]] = field(default_factory=dict)


def read_run(folder: Path, notebooks: Sequence[str]) -> dict[str, nbformat.NotebookNode]:
    found = {}
    for name in notebooks:
        path = folder / name
        if path.exists():
            found[name] = nbformat.read(path, as_version=4)
    return found


def number_addresses(text: str) -> Iterator[tuple[str, str, str, str]]:
    """(key, number, kind, spread kind) of every number in `text` worth an envelope: not
    timings, not in environment lines. The key is `plugin.number_key`: the number's position
    on its line and the line's own key (its text and how many such lines came before)."""
    text = plugin.equivalent_text(text)
    lines = text.splitlines()
    keys = plugin.line_keys(lines)
    for index, line in enumerate(lines):
        if plugin.STRUCTURE_ONLY_LINES.match(line):
            continue
        numbers = plugin.numbers_in(line)
        for position, number in enumerate(numbers):
            # "exact": labelled as a setting (a patience, a denominator); "result": unlabelled
            kind = plugin.labelled_kind(lines, index, numbers, position) or "result"
            if kind != "seconds":
                spread = plugin.spread_kind(lines, index, numbers, position)
                yield plugin.number_key(keys[index], position), number.group(), kind, spread


# --------------------------------------------------------------------------- collecting


@dataclass
class Collected:
    numbers: dict = field(default_factory=dict)
    flips: list[dict] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)


def collect(runs: Sequence[Run]) -> Collected:
    """Compare each run with the committed notebooks: numbers that vary, words that differ,
    figures beyond their figure tolerance."""
    result = Collected()
    names = course_notebooks()
    committed = read_run(NOTEBOOKS, names)
    executed = {run.name: read_run(run.folder / "notebooks", names) for run in runs}
    for notebook, nb in committed.items():
        for cell in nb.cells:
            tags = cell.metadata.get("tags", ())
            if cell.cell_type != "code" or headline_results.TABLE_TAG in tags:
                continue  # (a table of numbers compared where they were first printed)
            ref = cell_outputs(cell)
            per_address: dict[str, dict] = {}
            for run in runs:
                other_nb = executed[run.name].get(notebook)
                if other_nb is None:
                    continue
                other_cell = next((c for c in other_nb.cells if c.get("id") == cell.id), None)
                if other_cell is None:
                    continue
                new = cell_outputs(other_cell)
                if set(new) != set(ref):
                    result.flips.append(
                        _flip(notebook, cell, run, "outputs", sorted(ref), sorted(new))
                    )
                    continue
                for key, items in ref.items():
                    for index, (a, b) in enumerate(zip(items, new[key], strict=False)):
                        where = f"{key}#{index}"
                        if key in plugin.IMAGES:
                            kind = plugin.figure_kind(cell.source, tags)
                            problems = plugin.compare_png(a, b, kind)
                            if problems:
                                result.figures.append(
                                    {"notebook": notebook, "cell": cell.id, "output": where,
                                     "run": run.name, "kind": kind, "problems": problems}
                                )  # fmt: skip
                            continue
                        if not (isinstance(a, str) and isinstance(b, str)):
                            continue
                        a_lines = plugin.equivalent_text(a).splitlines()
                        b_lines = plugin.equivalent_text(b).splitlines()
                        if len(a_lines) != len(b_lines):
                            result.flips.append(
                                _flip(notebook, cell, run, where, f"{len(a_lines)} lines",
                                      f"{len(b_lines)} lines")
                            )  # fmt: skip
                            continue
                        bad = False
                        for old, cur in zip(a_lines, b_lines, strict=True):
                            if plugin.STRUCTURE_ONLY_LINES.match(old):
                                continue
                            if plugin.skeleton(old) != plugin.skeleton(cur) or len(
                                plugin.numbers_in(old)
                            ) != len(plugin.numbers_in(cur)):
                                result.flips.append(_flip(notebook, cell, run, where, old, cur))
                                bad = True
                        if bad:
                            continue
                        ours = {addr: rest for addr, *rest in number_addresses(a)}
                        theirs = {addr: num for addr, num, _, _ in number_addresses(b)}
                        for addr, (num, kind, spread) in ours.items():
                            entry = per_address.setdefault(
                                f"{where}:{addr}",
                                {"committed": plugin.as_float(num), "kind": kind,
                                 "spread": spread, "decimals": plugin.decimals(num),
                                 "runs": {}},
                            )  # fmt: skip
                            other = theirs.get(addr)
                            value = None if other is None else plugin.as_float(other)
                            entry["runs"][run.name] = value
            seeds = {run.name: run.seed for run in runs}
            varying = {
                address: entry
                for address, entry in per_address.items()
                if any(v is not None and v != entry["committed"] for v in entry["runs"].values())
                and not _is_the_seed(entry, seeds)
            }
            if varying:
                result.numbers.setdefault(notebook, {})[cell.id] = varying
    return result


def _is_the_seed(entry: dict, seeds: dict[str, int]) -> bool:
    """Whether a number is each run's training seed itself (printed with the config): an
    input of the run, not a result, compared exactly."""
    return entry["committed"] == DEFAULT_SEED and all(
        value == seeds[name] for name, value in entry["runs"].items()
    )


def _flip(notebook: str, cell, run: Run, where: str, committed, new) -> dict:  # noqa: ANN001
    return {"notebook": notebook, "cell": cell.id, "output": where, "run": run.name,
            "committed": committed, "new": new}  # fmt: skip


def merged(collected: Collected, notebooks: Sequence[str]) -> Collected:
    """`collected` for `notebooks`, and the committed envelope's entries for every other
    notebook (so re-measuring one notebook keeps what was measured for the rest)."""
    if set(notebooks) >= set(course_notebooks()) or not ENVELOPE_FILE.exists():
        return collected
    old = json.loads(ENVELOPE_FILE.read_text())
    keep = Collected(
        numbers={n: c for n, c in old["numbers"].items() if n not in notebooks},
        flips=[f for f in old["flips"] if f["notebook"] not in notebooks],
        figures=[f for f in old["figures_beyond_tolerance"] if f["notebook"] not in notebooks],
    )
    keep.numbers.update({n: c for n, c in collected.numbers.items() if n in notebooks})
    keep.flips += [f for f in collected.flips if f["notebook"] in notebooks]
    keep.figures += [f for f in collected.figures if f["notebook"] in notebooks]
    return keep


#: The committed run (the notebooks as `make envelope` found them, trained with the default
#: seed): one of the measured runs, kept under this name when a later `make execute` on
#: another machine replaces the committed values.
REFERENCE = f"seed-{DEFAULT_SEED}"


def write_envelope(collected: Collected, runs: Sequence[Run], path: Path = ENVELOPE_FILE) -> None:
    for cells in collected.numbers.values():
        for entries in cells.values():
            for entry in entries.values():
                entry["runs"].setdefault(REFERENCE, entry["committed"])
    runs_named = [run.name for run in runs] + [REFERENCE]
    # Runs that only the entries kept from the committed envelope hold (`merged`) stay named.
    before = json.loads(path.read_text()) if path.exists() else {"runs": [], "seeds": {}}
    held = {name for _, _, _, entry in _entries(collected) for name in entry["runs"]}
    kept = [name for name in before["runs"] if name in held and name not in runs_named]
    payload = {
        "about": __doc__.split("\n\n")[0],
        "margin": {"why": WHY_MARGIN, **derive_margins(collected)},
        "runs": runs_named + kept,
        "seeds": {
            **{name: before["seeds"].get(name, DEFAULT_SEED) for name in kept},
            **{run.name: run.seed for run in runs},
            REFERENCE: DEFAULT_SEED,
        },
        "backends": {
            **{name: before.get("backends", {}).get(name, "each notebook's own") for name in kept},
            **{run.name: run.backend or "each notebook's own" for run in runs},
            REFERENCE: "each notebook's own (the committed run)",
        },
        "numbers": collected.numbers,
        "flips": collected.flips,
        "figures_beyond_tolerance": collected.figures,
    }
    write_text_atomic(path, json.dumps(payload, indent=1, sort_keys=False) + "\n")


def excursion(values: Sequence[float], decimals: int, new: float, share: bool) -> float:
    """How far `new` lies beyond the range of `values`, in their standard deviations (of the
    logits for shares): 0 inside the range."""
    if share:
        unit = 10.0 ** (-decimals)
        values = [plugin._logit(v, unit) for v in values]
        new = plugin._logit(new, unit)
    beyond = max(min(values) - new, new - max(values), 0.0)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return 0.0 if not beyond else (beyond / sd if sd else math.inf)


def _left_out(entry: dict) -> Iterator[tuple[str, float, list[float], bool]]:
    """(run, its value, the other runs' values, share) for each run of an entry, left out."""
    values = {"committed": entry["committed"], **entry["runs"]}
    values = {k: v for k, v in values.items() if v is not None}
    share = plugin._is_share(list(values.values()), entry["decimals"])
    for name, value in values.items():
        rest = [v for k, v in values.items() if k != name]
        if len(rest) >= 2:
            yield name, value, rest, share


def _entries(collected: Collected) -> Iterator[tuple[str, str, str, dict]]:
    for notebook, cells in collected.numbers.items():
        for cell, entries in cells.items():
            for address, entry in entries.items():
                yield notebook, cell, address, entry


def derive_margins(collected: Collected) -> dict[str, dict[str, float]]:
    """Each kind of number's margin (`plugin.WHY_MARGIN`): the widest excursion of a left-out
    run beyond the others' range among numbers of that kind, times `MARGIN_OVER_WORST`,
    rounded up to a half, at least `MARGIN_MIN_SDS`. (An excursion beyond a range of no width
    is left to the floor of `MARGIN_FLOOR_UNITS`.)"""
    widest: dict[str, float] = {}
    for *_, entry in _entries(collected):
        kind = entry.get("spread", plugin.DEFAULT_SPREAD_KIND)
        widest.setdefault(kind, 0.0)
        for _, value, rest, share in _left_out(entry):
            z = excursion(rest, entry["decimals"], value, share)
            if math.isfinite(z):
                widest[kind] = max(widest[kind], z)
    sds = {
        kind: max(plugin.MARGIN_MIN_SDS, math.ceil(z * plugin.MARGIN_OVER_WORST * 2) / 2)
        for kind, z in sorted(widest.items())
    }
    rounded = {kind: round(z, 2) for kind, z in sorted(widest.items())}
    return {"standard_deviations": sds, "widest_left_out": rounded}


def leave_one_out(collected: Collected) -> dict[str, int]:
    """For each run (and the committed one): how many of its numbers fall outside the
    envelope of all the others, margin included."""
    sds = derive_margins(collected)["standard_deviations"]
    outside: dict[str, int] = {}
    for *_, entry in _entries(collected):
        margin = sds.get(entry.get("spread", plugin.DEFAULT_SPREAD_KIND), plugin.MARGIN_SDS)
        for name, value, rest, share in _left_out(entry):
            outside.setdefault(name, 0)
            if not accepts(rest, entry["decimals"], value, share, margin):
                outside[name] += 1
    return outside


def summary(collected: Collected) -> None:
    count = sum(len(e) for cells in collected.numbers.values() for e in cells.values())
    print(f"numbers that vary between runs: {count}")
    for notebook, cells in collected.numbers.items():
        for cell, entries in cells.items():
            for address, entry in entries.items():
                # every measured run and the one stored in the notebook
                values = plugin.measured_values(entry)
                print(
                    f"  {notebook[:2]} {cell} {address:22s} committed {entry['committed']:g}, "
                    f"runs {min(values):g} .. {max(values):g}"
                )
    print(f"lines whose words differ between runs: {len(collected.flips)}")
    for flip in collected.flips:
        print(f"  {flip['notebook']} {flip['cell']} {flip['output']} [{flip['run']}]")
        print(f"      committed: {flip['committed']!r}\n      run:       {flip['new']!r}")
    print(f"figures beyond their tolerance: {len(collected.figures)}")
    for fig in collected.figures:
        print(f"  {fig['notebook']} {fig['cell']} {fig['output']} [{fig['run']}] {fig['kind']}: "
              f"{fig['problems'][0]}")  # fmt: skip
    outside = leave_one_out(collected)
    print("leave one out (numbers outside the others' envelope): " + ", ".join(
        f"{name} {n}" for name, n in outside.items()))  # fmt: skip
    derived = derive_margins(collected)
    print("margins by kind of number (standard deviations; widest left-out excursion):")
    for kind, sds in derived["standard_deviations"].items():
        print(f"  {kind:15s} {sds:4.1f}  ({derived['widest_left_out'][kind]:.2f})")
    worst = []
    for notebook, cell, address, entry in _entries(collected):
        for name, value, rest, share in _left_out(entry):
            z = excursion(rest, entry["decimals"], value, share)
            if z:
                worst.append((z, f"{notebook[:2]} {cell} {address} [{name}] {value:g}"))
    worst.sort(reverse=True)
    print("widest leave-one-out excursions (standard deviations beyond the others' range):")
    for z, where in worst[:8]:
        print(f"  {z:5.1f}  {where}")


def print_ranges(notebooks: Sequence[str]) -> int:
    """Every measured number of the committed envelope with its line: committed value, range."""
    data = json.loads(ENVELOPE_FILE.read_text())
    for name, cells in data["numbers"].items():
        if notebooks and name not in notebooks:
            continue
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        by_id = {cell.get("id"): cell for cell in nb.cells}
        for cell_id, entries in cells.items():
            outputs = cell_outputs(by_id[cell_id])
            for address, entry in entries.items():
                where, number = address.split(":", 1)
                key, index = where.rsplit("#", 1)
                lines = plugin.equivalent_text(outputs[key][int(index)]).splitlines()
                found = plugin.find_number(lines, number)
                text = "(not found)" if found is None else lines[found[0]]
                # every measured run and the one stored in the notebook
                values = plugin.measured_values(entry)
                print(
                    f"{name[:2]} {cell_id} {entry.get('spread', ''):14s} "
                    f"committed {entry['committed']:<8g} "
                    f"runs gave {min(values):g} to {max(values):g} ({len(values)} values) | "
                    f"{text.strip()[:90]}"
                )
    return 0


def check(folder: Path) -> int:
    """One more run (a folder of executed notebooks) against the committed envelope: what
    nbval would say of its outputs, cell by cell."""
    if not plugin.committed_envelope().runs:
        print(f"no envelope at {ENVELOPE_FILE}: run `make envelope` first", file=sys.stderr)
        return 2
    committed = read_run(NOTEBOOKS, course_notebooks())
    executed = read_run(folder, course_notebooks())
    cells = failures = 0
    for notebook, nb in executed.items():
        ref_cells = {c.get("id"): c for c in committed[notebook].cells}
        for cell in nb.cells:
            ref = ref_cells.get(cell.get("id"))
            if cell.cell_type != "code" or ref is None:
                continue
            if headline_results.TABLE_TAG in cell.metadata.get("tags", ()):
                continue
            cells += 1
            problems = plugin.compare_cell(notebook, ref, cell_outputs(ref), cell_outputs(cell))
            for problem in problems:
                print(f"  {notebook} {cell.id}: {problem}")
            failures += bool(problems)
    print(f"{folder}: {cells} cells of {len(executed)} notebooks compared, {failures} fail")
    return 1 if failures else 0


def _replaced_outputs(previous: Path, notebooks: Sequence[str]) -> Path:
    """Copy the committed notebooks into the run folder `previous` (before `make execute`)."""
    target = previous / "notebooks"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in notebooks:
        shutil.copy2(NOTEBOOKS / name, target / name)
    return target


def refresh(notebooks: Sequence[str]) -> int:
    """After `make execute`: the re-run notebooks' numbers become the envelope's committed
    values, and the values they replaced stay in it as one more measured run (a run on
    another CPU is one more sample). Only numbers inside the measured spread are taken: each
    one outside it, and each line whose words changed, is printed with what to run, and the
    envelope keeps its old committed value for it (so `make test` says so too)."""
    data = json.loads(ENVELOPE_FILE.read_text())
    sds = plugin.margins(data)
    previous = Run(PREVIOUS, DEFAULT_SEED)
    collected = collect([previous])
    key = f"earlier-{sum(name.startswith('earlier-') for name in data['runs'])}"
    taken = outside = settings = 0
    for notebook, cells in collected.numbers.items():
        if notebook not in notebooks:
            continue
        for cell, entries in cells.items():
            known = data["numbers"].setdefault(notebook, {}).setdefault(cell, {})
            for address, entry in entries.items():
                old, new = entry["runs"][PREVIOUS], entry["committed"]
                if old is None:
                    continue
                measured = known.get(address)
                if measured is None and entry["kind"] == "exact":
                    settings += 1  # a setting the notebook prints (a patience): not a result
                    print(
                        f"setting changed: {notebook} cell {cell} {address}: {old:g} -> {new:g}"
                        " (compared exactly with the new committed value)"
                    )
                    continue
                if measured is None:  # the same in every measured run: compared exactly
                    ok = abs(new - old) <= plugin.MARGIN_FLOOR_UNITS * 10.0 ** -entry["decimals"]
                    values = [old]
                else:
                    values = plugin.measured_values(measured)
                    spread = measured.get("spread", plugin.DEFAULT_SPREAD_KIND)
                    ok = accepts(values, measured["decimals"], new, None, sds[spread])
                if not ok:
                    outside += 1
                    print(
                        f"outside the measured spread: {notebook} cell {cell} {address}: {new:g}"
                        f" (measured {min(values):g} to {max(values):g}); run "
                        f"`make envelope NOTEBOOKS=notebooks/{notebook}` to measure it again"
                    )
                    continue
                taken += 1
                if measured is None:
                    known[address] = {**entry, "runs": {key: old}}
                else:  # the value replaced stays as a measured run (unless it is one already)
                    if measured["committed"] not in measured["runs"].values():
                        measured["runs"][key] = measured["committed"]
                    measured["committed"] = new
            if not known:
                del data["numbers"][notebook][cell]
    # A cell that had no outputs before (new, never run) has nothing to compare with.
    flips = [
        f
        for f in collected.flips
        if f["notebook"] in notebooks and not (f["output"] == "outputs" and f["new"] == [])
    ]
    for flip in flips:
        print(
            f"words changed: {flip['notebook']} cell {flip['cell']} {flip['output']}: "
            f"{flip['committed']!r} -> {flip['new']!r}; if this run is right, run "
            f"`make envelope NOTEBOOKS=notebooks/{flip['notebook']}`"
        )
    if key not in data["runs"] and taken:
        data["runs"].append(key)
        data["seeds"][key] = DEFAULT_SEED
    write_text_atomic(ENVELOPE_FILE, json.dumps(data, indent=1, sort_keys=False) + "\n")
    update_measured_runs(course_notebooks())
    print(
        f"seed envelope: {taken} committed number(s) refreshed from this run, {outside} outside "
        f"the measured spread, {len(flips)} line(s) whose words changed, {settings} setting(s) "
        "changed"
    )
    return 1 if outside or flips else 0


def update_measured_runs(notebooks: Sequence[str]) -> None:
    """The headline ranges the notebooks' "your run and the measured runs" tables read, and
    those committed tables, brought up to date with the envelope just written."""
    headline_results.write_measured_runs(ENVELOPE_FILE)
    redrawn = headline_results.rerender_tables(notebooks)
    if redrawn:
        print(f"measured runs: {redrawn} committed table(s) redrawn with the new ranges")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="re-run the notebooks once per seed")
    run_p.add_argument("notebooks", nargs="*", help="notebook file names (default: all)")
    run_p.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    run_p.add_argument("--jobs", type=int, default=2)
    run_p.add_argument("--no-jax-run", action="store_true", help="skip the CNN-on-JAX run")
    collect_p = sub.add_parser("collect", help="write rig/seed_envelope.json from the runs")
    collect_p.add_argument(
        "notebooks", nargs="*", help="the notebooks re-run (default: all); the others keep theirs"
    )
    ranges_p = sub.add_parser("ranges", help="print each measured number's range")
    ranges_p.add_argument("notebooks", nargs="*", help="notebook file names (default: all)")
    keep_p = sub.add_parser("keep", help="before `make execute`: keep the committed outputs")
    keep_p.add_argument("notebooks", nargs="*", help="notebook file names (default: all)")
    refresh_p = sub.add_parser("refresh", help="after `make execute`: take its numbers")
    refresh_p.add_argument("notebooks", nargs="*", help="notebook file names (default: all)")
    check_p = sub.add_parser("check", help="compare one more run's notebooks with the envelope")
    check_p.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    if args.command == "run":
        names = [Path(n).name for n in args.notebooks] or course_notebooks()
        unknown = sorted(set(names) - set(course_notebooks()))
        if unknown:
            parser.error(f"not a notebook of the course: {', '.join(unknown)}")
        runs = default_runs(args.seeds)
        if args.no_jax_run:
            runs = [r for r in runs if r.backend is None]
        return run_all(runs, names, args.jobs)
    if args.command == "collect":
        runs = [r for r in default_runs() if (r.folder / "notebooks").is_dir()]
        names = [Path(n).name for n in args.notebooks] or course_notebooks()
        collected = merged(collect(runs), names)
        write_envelope(collected, runs)
        summary(collected)
        print(f"written: {ENVELOPE_FILE.relative_to(ROOT)}")
        update_measured_runs(course_notebooks())
        return 0
    if args.command == "keep":
        names = [Path(n).name for n in args.notebooks] or course_notebooks()
        _replaced_outputs(Run(PREVIOUS, DEFAULT_SEED).folder, names)
        return 0
    if args.command == "refresh":
        return refresh([Path(n).name for n in args.notebooks] or course_notebooks())
    if args.command == "ranges":
        return print_ranges([Path(n).name for n in args.notebooks])
    return check(args.folder)


if __name__ == "__main__":
    sys.exit(main())
