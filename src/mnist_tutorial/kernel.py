"""What the course's Jupyter kernels run before a notebook's first cell (bottom layer).

`scripts/install_kernels.py` installs two kernels whose start-up line is
`import mnist_tutorial.kernel`. It imports Keras once through `mnist_tutorial._keras` (on the
backend the kernel's `KERAS_BACKEND` names, with TensorFlow's import-time log lines hidden)
and makes TensorFlow's ops deterministic, as `set_reproducible` does for the library's own
training. The notebooks then say plain `import keras` and seed with
`keras.utils.set_random_seed`, exactly as Keras code anywhere else does, and a notebook's
training gives the same weights as the library's training of the same configuration.
"""

from __future__ import annotations

from mnist_tutorial._keras import tf

if tf is not None:
    tf.config.experimental.enable_op_determinism()
