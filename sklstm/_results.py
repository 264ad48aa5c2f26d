"""Writing a reproduction's results: the Markdown table, the JSON, the plots."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

__all__ = [
    "POST_PUBLISHED_MSE",
    "markdown_table",
    "write_results",
]

TASK_LABELS = {"sin": "sin", "sin_cos": "sin and cos", "x_sin": "x sin(x)"}
# The test MSE the post printed for each task.
POST_PUBLISHED_MSE = {"sin": 0.000776, "sin_cos": 0.001144, "x_sin": 61.024454351}
# Methods drawn in each task's plot (first seed), with their line styles.
PLOTTED = {
    "post_config": {"color": "tab:orange", "linestyle": "--"},
    "sklstm_defaults": {"color": "tab:blue", "linestyle": ":"},
    "persistence": {"color": "tab:gray", "linestyle": "-"},
}


def format_ratio(ratio: float) -> str:
    """How many times smaller an error is, readable at any size.

    Examples
    --------
    >>> from sklstm._results import format_ratio
    >>> format_ratio(0.4), format_ratio(11085.2), format_ratio(5.3e25)
    ('0.4x', '11,085x', '5.3e+25x')
    """
    if ratio < 10:
        return f"{ratio:.2g}x"
    if ratio < 1e6:
        return f"{ratio:,.0f}x"
    return f"{ratio:.1e}x"


def _groups(results) -> dict[tuple[str, str], list]:
    groups: dict[tuple[str, str], list] = {}
    for result in results:
        groups.setdefault((result.task, result.method), []).append(result)
    return groups


def markdown_table(
    results,
    published: Mapping[str, float] | None = None,
    labels: Mapping[str, str] | None = None,
) -> str:
    """The results as a Markdown table, one row per task and method.

    Test MSE and fit seconds are medians over the seeds a method ran for,
    with the range of the test MSE when there were several.

    Parameters
    ----------
    results : list of FitResult
        The fits.
    published : dict of str to float or None
        The post's published test MSE per task; adds the column "vs the
        post" (published MSE divided by the median).
    labels : dict of str to str or None
        Each method's label; None, or a method missing from it, shows the
        method's name.

    Returns
    -------
    str
    """
    labels = labels or {}
    header = ["Task", "Method", "Test MSE", "Fit seconds", "Seeds"]
    if published:
        header.append("vs the post")
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    for (task, method), group in _groups(results).items():
        errors = [r.test_mse for r in group]
        median = float(np.median(errors))
        mse_text = f"{median:.3g}"
        if len(group) > 1:
            mse_text += f" ({min(errors):.3g} to {max(errors):.3g})"
        seeds = [r.seed for r in group if r.seed is not None]
        row = [
            TASK_LABELS.get(task, task),
            labels.get(method, method),
            mse_text,
            f"{np.median([r.fit_seconds for r in group]):.1f}",
            ", ".join(map(str, seeds)) if seeds else "none needed",
        ]
        if published:
            row.append(format_ratio(published[task] / median) if median > 0 else "-")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def plot_task(
    task: str,
    x_test,
    y_test,
    predictions: dict,
    path: Path,
    labels: Mapping[str, str] | None = None,
) -> None:
    """Save a PNG of the real test values, the predictions and their errors.

    The top row shows the real test values and the predicted ones (one
    column per output); the bottom row the absolute error of each method on
    a log scale, where a difference of orders of magnitude stays visible.

    Parameters
    ----------
    task : str
        The task's name (for the title).
    x_test : ndarray of shape (n,)
        Where each test target lies.
    y_test : ndarray of shape (n,) or (n, n_outputs)
        The real test values.
    predictions : dict of str to ndarray
        Predicted test values per method name (keys of ``PLOTTED``).
    path : Path
        The PNG file to write.
    labels : dict of str to str or None
        Each method's label in the legend; None, or a method missing from
        it, shows the method's name.
    """
    from matplotlib.figure import Figure

    labels = labels or {}
    real = np.asarray(y_test).reshape(len(x_test), -1)
    n_outputs = real.shape[1]
    names = ["sin", "cos"] if task == "sin_cos" else [TASK_LABELS.get(task, task)]
    # The object-oriented API needs no pyplot and no backend switch, so
    # plotting leaves the caller's matplotlib state alone.
    figure = Figure(figsize=(6 * n_outputs, 6), layout="constrained")
    axes = figure.subplots(2, n_outputs, sharex=True, squeeze=False)
    for column in range(n_outputs):
        top, bottom = axes[0, column], axes[1, column]
        top.plot(x_test, real[:, column], color="black", linewidth=2.5, label="real")
        for method, values in predictions.items():
            values = np.asarray(values).reshape(len(x_test), -1)[:, column]
            style = PLOTTED[method]
            label = labels.get(method, method)
            if method != "persistence":
                top.plot(x_test, values, label=label, **style)
            error = np.abs(values - real[:, column])
            # A zero error has no place on a log axis; clip it to the
            # smallest positive float64 difference at this scale.
            floor = np.finfo(np.float64).eps * max(1.0, float(np.abs(real).max()))
            bottom.semilogy(x_test, np.maximum(error, floor), label=label, **style)
        if n_outputs > 1:
            top.set_title(names[column])
        top.set_ylabel("value")
        bottom.set_ylabel("absolute error")
        bottom.set_xlabel("x")
    # One legend under the figure: inside the axes it would hide the curves.
    handles = {}
    for ax in (axes[0, 0], axes[1, 0]):
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    figure.legend(handles.values(), handles.keys(), loc="outside lower center", ncols=2)
    figure.suptitle(
        f"Next-value prediction of {TASK_LABELS.get(task, task)} on the test part"
    )
    figure.savefig(path, dpi=100)


def _markdown_document(
    table: str, *, command: str, seeds: Sequence[int], quick: bool
) -> str:
    lines = ["# sklstm reproduce: results", ""]
    if quick:
        lines += [
            "**Quick run** (a 2,000-point series, 200 training steps): it "
            "checks that everything runs; its figures say nothing about the "
            "methods.",
            "",
        ]
    published = ", ".join(
        f"{TASK_LABELS[task]} {mse:g}" for task, mse in POST_PUBLISHED_MSE.items()
    )
    lines += [
        f"Command: `{command}`",
        "",
        "Data: the post's series of `x = linspace(0, 100, n)`, split in time "
        "(test: the last 10%, validation: the last 10% of the rest), windows "
        "of 10 time steps built inside each part; the networks stop early on "
        "the validation part. Test MSE is the mean squared error on the test "
        "part, averaged over the outputs, and the median over the seeds "
        f"({', '.join(map(str, seeds))}; the post's configuration ran for the "
        "first seed only) with its range; fit seconds include compilation.",
        "",
        table,
        "",
        f"The post published test MSE {published}; "
        "'vs the post' is that divided by the median above.",
        "",
    ]
    return "\n".join(lines)


def write_results(
    results,
    out: Path,
    *,
    tasks_data: dict,
    command: str,
    seeds: Sequence[int],
    quick: bool,
    labels: Mapping[str, str] | None = None,
) -> tuple[list[Path], str]:
    """Write ``results.json``, ``results.md`` and one PNG per task into ``out``.

    Parameters
    ----------
    results : list of FitResult
        The fits.
    out : Path
        Directory to write into (created if needed).
    tasks_data : dict of str to TaskData
        Each task's data, for the plots.
    command : str
        The command line that made the results (quoted in ``results.md``).
    seeds : sequence of int
        The seeds of the run.
    quick : bool
        Whether this was a ``--quick`` run (said in ``results.md``).
    labels : dict of str to str or None
        Each method's label in the table and the plots; None, or a method
        missing from it, shows the method's name.

    Returns
    -------
    written : list of Path
        The files written.
    table : str
        The Markdown table.
    """
    out.mkdir(parents=True, exist_ok=True)
    table = markdown_table(results, POST_PUBLISHED_MSE, labels)
    json_path, md_path = out / "results.json", out / "results.md"
    json_path.write_text(
        json.dumps([r.to_json() for r in results], indent=2) + "\n", encoding="utf-8"
    )
    md_path.write_text(
        _markdown_document(table, command=command, seeds=seeds, quick=quick),
        encoding="utf-8",
    )
    written = [json_path, md_path]
    for task, data in tasks_data.items():
        first = {}
        for result in results:
            if result.task == task and result.method in PLOTTED:
                first.setdefault(result.method, result.predictions)
        path = out / f"{task}.png"
        plot_task(task, data.x_test, data.y["test"], first, path, labels)
        written.append(path)
    return written, table
