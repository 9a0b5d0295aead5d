"""Install the course's two Jupyter kernels into the virtual environment (`make install`).

Each kernel chooses its Keras backend in its environment (`KERAS_BACKEND`) and, before the
first cell runs, imports `mnist_tutorial.kernel` (IPython's `exec_lines`): Keras, imported once
with the start-up log lines TensorFlow writes hidden, and TensorFlow's ops made
deterministic. The notebooks then say plain `import keras`, as any Keras code does, and their
outputs hold nothing but the lesson's own.

- `mnist-tutorial`: JAX, the faster backend for the course's dense networks on a CPU;
- `mnist-tutorial-tensorflow`: TensorFlow, whose convolutions are faster on a CPU (notebook 7).
"""

from __future__ import annotations

import sys
import tempfile

from ipykernel.kernelspec import write_kernel_spec
from jupyter_client.kernelspec import KernelSpecManager

#: Kernel name -> (display name, Keras backend).
KERNELS = {
    "mnist-tutorial": ("Python (mnist-tutorial)", "jax"),
    "mnist-tutorial-tensorflow": ("Python (mnist-tutorial, TensorFlow)", "tensorflow"),
}


def install_kernels(prefix: str = sys.prefix) -> None:
    """Write both kernel specs under `prefix`/share/jupyter/kernels."""
    manager = KernelSpecManager()
    for name, (display_name, backend) in KERNELS.items():
        env = {"KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0"}
        with tempfile.TemporaryDirectory() as folder:
            path = write_kernel_spec(
                f"{folder}/{name}",
                overrides={"display_name": display_name, "env": env},
                extra_arguments=["--IPKernelApp.exec_lines=import mnist_tutorial.kernel"],
                python_arguments=["-Xfrozen_modules=off"],
            )
            manager.install_kernel_spec(path, name, prefix=prefix)


if __name__ == "__main__":
    install_kernels()
