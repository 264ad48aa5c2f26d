"""Properties of WindowTransformer over random series, shapes and dtypes."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklstm import WindowTransformer, causal_windows

PROPERTIES = settings(max_examples=60, deadline=None, derandomize=True, database=None)

DTYPES = st.sampled_from(
    [np.float64, np.float32, np.float16, np.int64, np.int32, np.uint8, np.bool_]
)


@st.composite
def series_and_transformer(draw):
    """A 2-D series of any numeric dtype and a WindowTransformer for it."""
    dtype = draw(DTYPES)
    n_rows = draw(st.integers(1, 30))
    n_features = draw(st.integers(1, 4))
    elements = None
    if np.dtype(dtype).kind == "f":
        bound = min(1e6, float(np.finfo(dtype).max) / 2)
        elements = st.floats(-bound, bound, allow_nan=False, width=np.finfo(dtype).bits)
    series = draw(arrays(dtype, (n_rows, n_features), elements=elements))
    transformer = WindowTransformer(
        draw(st.integers(1, 40)),
        padding=draw(st.sampled_from(["edge", "constant"])),
        fill_value=draw(st.floats(-1e3, 1e3, allow_nan=False)),
    )
    return series, transformer


def _expected_window(series, i, transformer):
    """Window ``i`` built row by row from the definition."""
    values = series.astype(_out_dtype(series.dtype))
    rows = []
    for t in range(transformer.time_steps):
        source = i - transformer.time_steps + 1 + t
        if source >= 0:
            rows.append(values[source])
        elif transformer.padding == "edge":
            rows.append(values[0])
        else:
            rows.append(np.full(values.shape[1], transformer.fill_value, values.dtype))
    return np.stack(rows)


def _out_dtype(dtype):
    return np.float32 if dtype == np.float32 else np.float64


@PROPERTIES
@given(series_and_transformer())
def test_every_window_is_the_slice_it_stands_for(case):
    series, transformer = case
    windows = transformer.fit_transform(series)
    n_rows, n_features = series.shape
    assert windows.shape == (n_rows, transformer.time_steps, n_features)
    assert windows.dtype == _out_dtype(series.dtype)
    for i in range(n_rows):
        np.testing.assert_array_equal(
            windows[i], _expected_window(series, i, transformer)
        )
        # The window's last row is the row it stands for.
        np.testing.assert_array_equal(windows[i, -1], series[i].astype(windows.dtype))


@PROPERTIES
@given(series_and_transformer(), st.data())
def test_windows_never_see_the_future(case, data):
    series, transformer = case
    cut = data.draw(st.integers(0, len(series) - 1))
    changed = series.copy()
    changed[cut:] = series[cut:] == 0  # 1 where it was 0, else 0: all differ
    before = transformer.fit_transform(series)
    after = transformer.fit_transform(changed)
    # Rows before the cut only ever read rows before the cut...
    np.testing.assert_array_equal(before[:cut], after[:cut])
    # ...while the row at the cut sees the change.
    assert (before[cut, -1] != after[cut, -1]).all()


@PROPERTIES
@given(series_and_transformer())
def test_flat_and_3d_agree(case):
    series, transformer = case
    deep = transformer.fit_transform(series)
    flat_transformer = WindowTransformer(
        **{**transformer.get_params(), "flatten": True}
    )
    flat = flat_transformer.fit_transform(series)
    n_rows, n_features = series.shape
    assert flat.shape == (n_rows, transformer.time_steps * n_features)
    np.testing.assert_array_equal(flat.reshape(deep.shape), deep)
    names = flat_transformer.get_feature_names_out()
    assert len(names) == flat.shape[1] and len(set(names)) == len(names)
    # Column t * n_features + j is feature j at lag time_steps - 1 - t.
    lag = transformer.time_steps - 1
    assert names[0] == f"x0_lag{lag}" and names[-1] == f"x{n_features - 1}_lag0"


@PROPERTIES
@given(series_and_transformer())
def test_1d_dataframe_and_array_inputs_agree(case):
    series, transformer = case
    windows = transformer.fit_transform(series)
    frame = pd.DataFrame(series, columns=[f"c{j}" for j in range(series.shape[1])])
    np.testing.assert_array_equal(transformer.fit_transform(frame), windows)
    single = transformer.fit_transform(series[:, 0])
    np.testing.assert_array_equal(single, windows[:, :, :1])


@PROPERTIES
@given(series_and_transformer(), st.data())
def test_transform_of_a_later_chunk_matches_causal_windows(case, data):
    series, transformer = case
    fitted = transformer.fit(series)
    start = data.draw(st.integers(0, len(series) - 1))
    # A chunk's windows are those of the chunk alone (it has no memory).
    chunk = series[start:]
    expected = causal_windows(
        chunk.astype(_out_dtype(series.dtype)),
        transformer.time_steps,
        padding=transformer.padding,
        fill_value=transformer.fill_value,
    )
    np.testing.assert_array_equal(fitted.transform(chunk), expected)
    windows = fitted.transform(series)
    assert not windows.flags.writeable
