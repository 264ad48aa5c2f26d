"""Causal sliding windows over a time series, as a scikit-learn transformer."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    _check_feature_names_in,
    check_is_fitted,
    validate_data,
)

__all__ = ["WindowTransformer", "causal_windows", "window_feature_names"]


def causal_windows(
    series: np.ndarray,
    time_steps: int,
    *,
    padding: str = "edge",
    fill_value: float = 0.0,
) -> np.ndarray:
    """Return the causal windows of a 2-D series as a read-only strided view.

    Parameters
    ----------
    series : ndarray of shape (n_rows, n_features)
        Rows are time steps in order.
    time_steps : int
        Length of every window.
    padding : {"edge", "constant"}, default="edge"
        How the ``time_steps - 1`` rows before the first row are filled:
        ``"edge"`` repeats the first row, ``"constant"`` uses ``fill_value``.
    fill_value : float, default=0.0
        Value of the padding rows when ``padding="constant"``.

    Returns
    -------
    windows : ndarray of shape (n_rows, time_steps, n_features)
        ``windows[i]`` holds rows ``i - time_steps + 1`` to ``i`` of the
        series. It is a view over the series (padded by ``time_steps - 1``
        rows), so it costs memory in the length of the series only.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm._window import causal_windows
    >>> causal_windows(np.arange(4.0).reshape(-1, 1), 3)[..., 0]
    array([[0., 0., 0.],
           [0., 0., 1.],
           [0., 1., 2.],
           [1., 2., 3.]])
    """
    n_pad = time_steps - 1
    if n_pad:
        if padding == "edge":
            head = np.repeat(series[:1], n_pad, axis=0)
        else:
            head = np.full((n_pad, series.shape[1]), fill_value, dtype=series.dtype)
        series = np.concatenate([head, series], axis=0)
    # sliding_window_view puts the window axis last: (n, n_features, time_steps).
    windows = sliding_window_view(series, time_steps, axis=0)
    return windows.transpose(0, 2, 1)


def window_feature_names(feature_names: np.ndarray, time_steps: int) -> np.ndarray:
    """Names of the flattened window columns, oldest lag first.

    Column ``t * n_features + j`` holds feature ``j`` at lag
    ``time_steps - 1 - t``; it is named ``"<feature>_lag<k>"``.

    Examples
    --------
    >>> from sklstm._window import window_feature_names
    >>> window_feature_names(["a", "b"], 2).tolist()
    ['a_lag1', 'b_lag1', 'a_lag0', 'b_lag0']
    """
    return np.asarray(
        [
            f"{name}_lag{lag}"
            for lag in range(time_steps - 1, -1, -1)
            for name in feature_names
        ],
        dtype=object,
    )


class WindowTransformer(TransformerMixin, BaseEstimator):
    """Turn a time series into causal sliding windows.

    Row ``i`` of the output is the window of the ``time_steps`` input rows
    ending at row ``i``: rows ``i - time_steps + 1`` to ``i``, never anything
    later, so no window sees the future of the row it stands for. The number
    of rows is kept, as scikit-learn transformers must keep it, so the first
    ``time_steps - 1`` windows reach back before the series starts and are
    padded (see ``padding``).

    Parameters
    ----------
    time_steps : int, default=10
        Length of every window, in rows.
    flatten : bool, default=False
        If False, the output is 3-D ``(n_samples, time_steps, n_features)``,
        the layout :class:`~sklstm.LSTMRegressor` reads. It is a read-only
        view over the (padded) input, so it costs memory in the length of the
        series, not ``time_steps`` times that. If True, the windows are copied
        into a 2-D array ``(n_samples, time_steps * n_features)`` with
        readable column names (see :meth:`get_feature_names_out`), so that
        any scikit-learn regressor can follow the transformer.
    padding : {"edge", "constant"}, default="edge"
        How the windows of the first ``time_steps - 1`` rows are completed.
        ``"edge"`` repeats the first row: the padding stays in the range of
        the data and uses nothing but the earliest known value, so it is
        causal and needs no assumption about the series' level (a zero pad
        would be far out of range for a series such as prices). ``"constant"``
        fills with ``fill_value``. To train only on complete windows, drop the
        first ``time_steps - 1`` rows of the output and of ``y``.
    fill_value : float, default=0.0
        Padding value when ``padding="constant"``.

    Attributes
    ----------
    n_features_in_ : int
        Number of features (columns) of the series seen during :meth:`fit`;
        a 1-D series has one.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of the series, when it was a DataFrame with string
        column names.

    See Also
    --------
    LSTMRegressor : Reads the 3-D windows this transformer makes.

    Notes
    -----
    Missing values (NaN) pass through into the windows unchanged; infinite
    values are rejected.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import WindowTransformer
    >>> series = np.arange(5.0)
    >>> WindowTransformer(3).fit_transform(series).shape
    (5, 3, 1)
    >>> flat = WindowTransformer(3, flatten=True).fit(series)
    >>> flat.transform(series)[-1]
    array([2., 3., 4.])
    >>> flat.get_feature_names_out().tolist()
    ['x0_lag2', 'x0_lag1', 'x0_lag0']
    """

    _parameter_constraints: dict = {
        "time_steps": [Interval(Integral, 1, None, closed="left")],
        "flatten": ["boolean"],
        "padding": [StrOptions({"edge", "constant"})],
        "fill_value": [Interval(Real, None, None, closed="neither")],
    }

    def __init__(
        self,
        time_steps: int = 10,
        *,
        flatten: bool = False,
        padding: str = "edge",
        fill_value: float = 0.0,
    ) -> None:
        self.time_steps = time_steps
        self.flatten = flatten
        self.padding = padding
        self.fill_value = fill_value

    def _validate_series(self, X, *, reset: bool) -> np.ndarray:
        if not hasattr(X, "ndim"):
            X = np.asarray(X)
        if X.ndim == 1:
            if not reset and self.n_features_in_ != 1:
                raise ValueError(
                    "X is 1-D, which reads as a series of one feature, but "
                    f"{type(self).__name__} was fitted on {self.n_features_in_} "
                    "features. Reshape your data to (n_samples, n_features)."
                )
            X = X.reshape(-1, 1) if hasattr(X, "reshape") else X.to_frame()
        elif X.ndim != 2:
            raise ValueError(
                "X must be a 1-D series or a 2-D array of shape "
                f"(n_samples, n_features); got a {X.ndim}-D array."
            )
        return validate_data(
            self,
            X,
            reset=reset,
            dtype=[np.float64, np.float32],
            ensure_all_finite="allow-nan",
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None) -> WindowTransformer:
        """Learn the number and names of the series' features.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples,) or (n_samples, n_features)
            The series, rows in time order.
        y : None
            Ignored.

        Returns
        -------
        self : WindowTransformer
            The fitted transformer.
        """
        if isinstance(self.time_steps, bool):
            raise TypeError(
                f"time_steps must be an int, not a bool; got {self.time_steps!r}."
            )
        self._validate_series(X, reset=True)
        return self

    def transform(self, X) -> np.ndarray:
        """Return the causal window of every row of ``X``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples,) or (n_samples, n_features)
            The series, rows in time order, with the features seen in
            :meth:`fit`.

        Returns
        -------
        windows : ndarray
            Of shape ``(n_samples, time_steps, n_features)`` (a read-only
            view), or ``(n_samples, time_steps * n_features)`` when
            ``flatten=True``.
        """
        check_is_fitted(self)
        series = self._validate_series(X, reset=False)
        windows = causal_windows(
            series, self.time_steps, padding=self.padding, fill_value=self.fill_value
        )
        if self.flatten:
            return windows.reshape(len(series), -1)
        return windows

    @available_if(lambda self: self.flatten)
    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Names of the flattened window columns (only when ``flatten=True``).

        Column ``"<feature>_lag<k>"`` holds the feature ``k`` rows before the
        row the window stands for; ``lag0`` is the row itself.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Names of the series' features; defaults to ``feature_names_in_``
            or ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``time_steps * n_features_in_`` names, oldest lag first.
        """
        check_is_fitted(self, "n_features_in_")
        names = _check_feature_names_in(self, input_features)
        return window_feature_names(names, self.time_steps)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
