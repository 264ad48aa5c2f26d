"""Series attributes: categorical facts about each series of a panel.

A store's region, a product's type, a sensor's model: an attribute gives
every series one category, and a global network reads each category as a
learnt vector beside the values of every step (see ``NetworkSpec``), so
that series of the same category share what is learnt about it, and a
series the model did not see in ``fit`` can still be read through its
categories.

``LSTMRegressor(series_attributes=...)`` takes them as a dict of dicts,
``{attribute: {series label: category}}``, which is what
``table.groupby(series_id)[attribute_columns].first().to_dict()`` returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd

__all__: list[str] = []


def _is_label(value: Any, *, bools: bool = False) -> bool:
    """A label a saved model can keep: a string or an int (a bool where
    ``bools``; a series label is never one)."""
    if isinstance(value, (bool, np.bool_)):
        return bools
    if isinstance(value, (str, np.str_)):
        return True
    if isinstance(value, Integral):
        limits = np.iinfo(np.int64)
        return limits.min <= int(value) <= limits.max
    return False


def _plain(value: Any) -> Any:
    """A numpy scalar label as the Python str or int it stands for."""
    return value.item() if isinstance(value, np.generic) else value


def check_series_attributes(attributes: Any) -> dict[str, dict]:
    """``series_attributes`` as a dict of plain dicts, every label checked.

    Raises ``TypeError`` or ``ValueError`` naming the attribute and what was
    expected.

    Examples
    --------
    >>> check_series_attributes({"region": {"a": "north", "b": "south"}})
    {'region': {'a': 'north', 'b': 'south'}}
    """
    if not isinstance(attributes, Mapping) or not attributes:
        raise ValueError(
            "series_attributes must be a non-empty dict of attributes, "
            "{attribute: {series label: category}}; got "
            f"{type(attributes).__name__} {attributes!r:.80}."
        )
    checked = {}
    for name, categories in attributes.items():
        if not isinstance(name, str):
            raise TypeError(
                f"series_attributes names its attributes with strings; got {name!r}."
            )
        if not isinstance(categories, Mapping) or not categories:
            raise ValueError(
                f"series_attributes[{name!r}] must be a non-empty dict "
                "{series label: category}; got "
                f"{type(categories).__name__}."
            )
        for label, category in categories.items():
            if not (_is_label(label) and _is_label(category, bools=True)):
                raise TypeError(
                    f"series_attributes[{name!r}] must map series labels "
                    "(strings or integers, as groups gives them) to categories "
                    f"(strings, integers or bools); got {label!r}: {category!r}."
                )
        bools = [isinstance(v, (bool, np.bool_)) for v in categories.values()]
        integers = [
            isinstance(v, Integral) and not is_bool
            for v, is_bool in zip(categories.values(), bools, strict=True)
        ]
        if any(bools) and any(integers):
            # pandas takes True for 1 and False for 0: two categories as one.
            raise TypeError(
                f"series_attributes[{name!r}] mixes bools and integers as "
                "categories, which would merge True with 1 and False with 0: "
                "give one attribute's categories as one kind."
            )
        checked[name] = {_plain(k): _plain(v) for k, v in categories.items()}
    return checked


def _categories_of(
    attributes: dict[str, dict], name: str, given: np.ndarray, source: str
) -> np.ndarray:
    """Each row's category of attribute ``name``, its series being ``given``;
    ``source`` names ``attributes`` in the error for an unlisted series."""
    table = attributes[name]
    found = pd.Index(list(table)).get_indexer(given)
    if (found < 0).any():
        label = _plain(given[np.argmax(found < 0)])
        fitted = " (the attributes the model was fitted with)"
        raise ValueError(
            f"groups names series {label!r}, which {source}[{name!r}]"
            f"{fitted if source.endswith('_') else ''} does not list: every "
            "series needs its category of each attribute."
        )
    return np.asarray(list(table.values()), dtype=object)[found]


def fitted_categories(
    attributes: dict[str, dict], given: np.ndarray
) -> dict[str, np.ndarray]:
    """Each attribute's categories among the series of ``given`` (one series
    label per row), in the order they first appear."""
    return {
        name: pd.unique(_categories_of(attributes, name, given, "series_attributes"))
        for name in attributes
    }


def in_fitted_order(
    attributes: dict[str, dict], categories: dict[str, np.ndarray]
) -> dict[str, dict]:
    """``attributes`` in the order of a fitted model's ``categories``, for a
    warm start; other attributes than the fitted ones are an error."""
    if set(attributes) != set(categories):
        raise ValueError(
            "warm_start=True continues the fitted network, which reads the "
            f"attributes {sorted(categories)}, but series_attributes names "
            f"{sorted(attributes)}. Fit a fresh estimator (warm_start=False) to "
            "change them."
        )
    return {name: attributes[name] for name in categories}


def category_numbers(
    attributes: dict[str, dict],
    categories: dict[str, np.ndarray],
    given: np.ndarray,
    source: str,
) -> np.ndarray:
    """Each row's category number of every attribute, shape (n_rows,
    n_attributes): its position among that attribute's fitted ``categories``.

    A category the fit did not see is an error naming the series, the
    attribute and the category: there is no vector for it. ``source`` names
    ``attributes`` in errors.
    """
    numbers = np.empty((len(given), len(categories)), dtype=np.int64)
    for j, (name, known) in enumerate(categories.items()):
        row_categories = _categories_of(attributes, name, given, source)
        numbers[:, j] = pd.Index(known).get_indexer(row_categories)
        unseen = numbers[:, j] < 0
        if unseen.any():
            row = np.argmax(unseen)
            raise ValueError(
                f"Series {_plain(given[row])!r} has {name} "
                f"{row_categories[row]!r}, a category the model did not see in "
                f"fit: series_attributes learnt a vector for {name} "
                f"{', '.join(repr(c) for c in known[:5])}"
                f"{', ...' if len(known) > 5 else ''} only."
            )
    return numbers


def saved_attributes(
    attributes: dict[str, dict] | None, categories: dict[str, np.ndarray] | None
) -> dict | None:
    """The fitted attributes as JSON values, for a saved model's file."""
    if attributes is None:
        return None
    return {
        "series": {
            name: [[label, category] for label, category in table.items()]
            for name, table in attributes.items()
        },
        "categories": {
            name: [_plain(c) for c in known] for name, known in categories.items()
        },
    }


def restored_attributes(saved: Any, sizes: tuple[tuple[int, int], ...]):
    """``(series_attributes_, attribute_categories_)`` from what
    ``saved_attributes`` wrote, checked against the network's attribute
    ``sizes``; raises ``ValueError`` where they disagree."""
    if saved is None:
        if sizes:
            raise ValueError("its network reads series attributes it does not list.")
        return None, None
    try:
        attributes = check_series_attributes(
            {name: dict(pairs) for name, pairs in saved["series"].items()}
        )
        categories = {
            name: np.asarray(known, dtype=object)
            for name, known in saved["categories"].items()
        }
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"its series attributes are malformed ({error}).") from error
    counts = tuple(len(known) for known in categories.values())
    if (
        list(categories) != list(attributes)
        or counts != tuple(n for n, _ in sizes)
        or any(len(set(known)) != len(known) for known in categories.values())
        or any(
            not set(known) <= set(attributes[name].values())
            for name, known in categories.items()
        )
    ):
        raise ValueError("its series attributes do not agree with its network.")
    return attributes, categories
