"""Patches: consecutive time steps read by the recurrent layers as one.

A recurrent layer takes one step per time step, one after the other: on a
sequence of a thousand steps it is slow (the steps cannot run in parallel)
and learns poorly (the gradient must cross a thousand steps). Reading ``p``
consecutive steps as one step of ``p`` times the features, as PatchTST (Nie
et al., 2023) and SegRNN (Lin et al., 2023) do, divides both the steps and
the distance by ``p``.

:func:`patch_layer` builds the Keras layer that does it inside the network,
after the inputs are scaled, so that scaling, padding and the linear path
still see the time steps as given. The layer class is defined on first use,
so that importing this module does not import Keras.
"""

from __future__ import annotations

import functools
import math

from ._config import load_keras
from ._scaling import PAD_VALUE

__all__ = ["auto_patch_length", "patch_layer", "patched_shape"]

# patch_length="auto": sequences of at most this many steps are read step by
# step; longer ones in patches that leave about AUTO_PATCHED_STEPS steps.
AUTO_PATCHED_STEPS = 40
# patch_length="auto": fewest values (patch length times features) one
# recurrent step reads. A univariate sequence read one number per step spends
# a whole step of the recurrence on each; patches of four measured as
# accurate or more on short univariate sets, three to four times faster.
AUTO_PATCH_VALUES = 4


def auto_patch_length(time_steps: int, n_features: int) -> int:
    """The patch length ``patch_length="auto"`` gives sequences of ``time_steps``.

    The shortest patch that leaves at most ``AUTO_PATCHED_STEPS`` recurrent
    steps and gives each at least ``AUTO_PATCH_VALUES`` values, and no longer
    than the sequences.

    Examples
    --------
    >>> from sklstm._patches import auto_patch_length
    >>> [auto_patch_length(t, 8) for t in (12, 40, 41, 150, 1460)]
    [1, 1, 2, 4, 37]
    >>> [auto_patch_length(24, f) for f in (1, 2, 3, 4)]
    [4, 2, 2, 1]
    >>> auto_patch_length(3, 1)
    3
    """
    fewest_for_values = math.ceil(AUTO_PATCH_VALUES / n_features)
    fewest_for_steps = math.ceil(time_steps / AUTO_PATCHED_STEPS)
    return max(1, min(time_steps, max(fewest_for_values, fewest_for_steps)))


def patched_shape(time_steps: int, n_features: int, patch: int) -> tuple[int, int]:
    """Steps and features the recurrent layers read after patching.

    Examples
    --------
    >>> from sklstm._patches import patched_shape
    >>> patched_shape(150, 1, 4)
    (38, 4)
    """
    return math.ceil(time_steps / patch), patch * n_features


@functools.cache
def _patches_class():
    keras = load_keras()
    ops = keras.ops

    @keras.saving.register_keras_serializable(package="sklstm")
    class Patches(keras.layers.Layer):
        """Consecutive steps joined into patches of ``patch_length`` steps.

        The first patch is completed, before the first step, with steps of
        zeros (the mean of scaled inputs). In sequences padded with
        :data:`PAD_VALUE`, a patch of padding only stays padding (for the
        masking layer that follows), and the padded steps of a patch that
        also holds real steps read as zeros.
        """

        def __init__(self, patch_length: int, **kwargs):
            super().__init__(**kwargs)
            self.patch_length = int(patch_length)

        def compute_output_shape(self, input_shape):
            batch, time_steps, n_features = input_shape
            return (batch, *patched_shape(time_steps, n_features, self.patch_length))

        def call(self, inputs):
            p = self.patch_length
            time_steps, n_features = inputs.shape[1], inputs.shape[2]
            n_patches, width = patched_shape(time_steps, n_features, p)
            extra = n_patches * p - time_steps
            padded = ops.equal(inputs, PAD_VALUE)
            step_is_padding = ops.cast(ops.all(padded, axis=-1), inputs.dtype)
            values = ops.where(padded, ops.zeros_like(inputs), inputs)
            if extra:
                values = ops.pad(values, [[0, 0], [extra, 0], [0, 0]])
                # The completing steps are padding only where the patch's
                # other steps are.
                step_is_padding = ops.pad(
                    step_is_padding, [[0, 0], [extra, 0]], constant_values=1.0
                )
            values = ops.reshape(values, (-1, n_patches, width))
            patch_is_padding = ops.min(
                ops.reshape(step_is_padding, (-1, n_patches, p)),
                axis=-1,
                keepdims=True,
            )
            return ops.where(
                patch_is_padding > 0.5, ops.full_like(values, PAD_VALUE), values
            )

        def get_config(self):
            return {**super().get_config(), "patch_length": self.patch_length}

    return Patches


def patch_layer(patch_length: int):
    """A Keras layer joining ``patch_length`` consecutive steps into one."""
    return _patches_class()(patch_length, name="patches")
