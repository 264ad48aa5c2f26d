"""`import sklstm` stays light: no TensorFlow, no Keras."""

import subprocess
import sys


def test_import_does_not_load_tensorflow():
    code = (
        "import sys, sklstm; "
        "heavy = [m for m in ('tensorflow', 'keras') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_version_is_exposed():
    import sklstm

    assert sklstm.__version__.count(".") >= 2
