"""Run a notebook in this process: one IPython shell per worker process, a fresh namespace per notebook.

A kernel per notebook cost about 1.5 s of a 2.2 s report (start, imports, shutdown). Here the worker imports the
package once and runs each notebook's cells in its own shell, collecting outputs the way a kernel sends them
(display data, the cell's result, streams, errors), so the executed notebook, and the HTML rendered from it, is the
one papermill and a kernel give (tests/test_reports.py compares them). Parameters are injected by papermill's own
function, in the cell papermill would add.
"""
from __future__ import annotations

import contextlib
import io
import os
import sys
from functools import cache
from pathlib import Path

from nbformat import NotebookNode, from_dict

from helpers.pipeline.interrupts import Interrupted

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"  # what ipykernel sets for a kernel


class NotebookError(Exception):
    """A cell raised: the notebook's own error name, message and traceback (like papermill's)."""

    def __init__(self, ename: str, evalue: str, traceback: list[str]) -> None:
        super().__init__(f"{ename}: {evalue}")
        self.ename, self.evalue, self.traceback = ename, evalue, traceback


def new_output(output_type: str, **fields: object) -> NotebookNode:
    """An output as nbformat.v4.new_output makes it, without validating each one as it is made (a twentieth of a
    report's time): the renderer validates the whole executed notebook once (render.py)."""
    return from_dict({"output_type": output_type, **fields})


class _Outputs:
    """The outputs of the cell running now; streams coalesce as a kernel's do."""

    def __init__(self) -> None:
        self.items: list[NotebookNode] = []

    def add(self, output: NotebookNode) -> None:
        self.items.append(output)

    def write(self, name: str, text: str) -> None:
        if not text:
            return
        last = self.items[-1] if self.items else None
        if last is not None and last.output_type == "stream" and last.name == name:
            last.text += text
        else:
            self.items.append(new_output("stream", name=name, text=text))


class _Stream(io.TextIOBase):
    def __init__(self, outputs: _Outputs, name: str) -> None:
        self.outputs, self.name_ = outputs, name

    def write(self, text: str) -> int:
        self.outputs.write(self.name_, text)
        return len(text)

    def writable(self) -> bool:
        return True


@cache
def _shell_classes():
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    class ResultHook(DisplayHook):
        """A cell's last value as an execute_result (what ipykernel's display hook sends)."""

        def start_displayhook(self) -> None:
            self.data, self.metadata = {}, {}

        def write_output_prompt(self) -> None:
            pass

        def write_format_data(self, format_dict, md_dict=None) -> None:
            self.data, self.metadata = format_dict, md_dict or {}

        def finish_displayhook(self) -> None:
            self.shell.outputs.add(new_output("execute_result", data=self.data, metadata=self.metadata,
                                              execution_count=self.shell.execution_count))

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs) -> None:
            self.shell.outputs.add(new_output("display_data", data=data, metadata=metadata or {}))

        def clear_output(self, wait=False) -> None:
            self.shell.outputs.items.clear()

    class NotebookShell(InteractiveShell):
        displayhook_class = ResultHook
        display_pub_class = Publisher

        def init_instance_attrs(self) -> None:
            super().init_instance_attrs()
            self.outputs = _Outputs()

        def _showtraceback(self, etype, evalue, stb) -> None:
            self.outputs.add(new_output("error", ename=etype.__name__, evalue=str(evalue), traceback=stb))

    return NotebookShell


@cache
def shell():
    """This process's shell, created on first use; matplotlib figures are shown inline as in a kernel."""
    from traitlets.config import Config

    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    config = Config()
    config.HistoryManager.enabled = False  # no sqlite history shared by the workers (it printed errors into pages)
    main = sys.modules.get("__main__")
    instance = _shell_classes().instance(config=config)
    if main is not None:  # the shell made its namespace __main__: multiprocessing's spawn needs the real one back
        sys.modules["__main__"] = main
    instance.colors = "nocolor"  # a traceback for a one-line message, not terminal escapes
    return instance


def execute_in_process(notebook: Path, parameters: dict[str, object]) -> NotebookNode:
    """The notebook run cell by cell in this process's shell, in a fresh namespace, from the notebook's folder."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = parameterize_notebook(load_notebook_node(str(notebook)), parameters)
    ip = shell()
    ip.user_ns.clear()  # a fresh namespace (IPython's reset() also collects garbage: a tenth of a report's time)
    ip.init_user_ns()
    ip.execution_count = 1
    cwd = os.getcwd()
    os.chdir(notebook.parent)
    try:
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            ip.outputs = _Outputs()
            with contextlib.redirect_stdout(_Stream(ip.outputs, "stdout")), \
                    contextlib.redirect_stderr(_Stream(ip.outputs, "stderr")):
                result = ip.run_cell(cell.source, store_history=True)
            if isinstance(result.error_in_exec, (SystemExit, KeyboardInterrupt, Interrupted)):
                raise result.error_in_exec  # the run is stopping (SIGTERM, Ctrl-C): not this notebook's failure
            cell.execution_count = result.execution_count
            cell.outputs = ip.outputs.items
            error = next((o for o in cell.outputs if o.output_type == "error"), None)
            if error is not None or not result.success:
                if error is None:
                    raise NotebookError(type(result.error_in_exec).__name__, str(result.error_in_exec), [])
                raise NotebookError(error.ename, error.evalue, error.traceback)
    finally:
        os.chdir(cwd)
        _close_figures()
    return nb


def _close_figures() -> None:
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@cache
def _kernel_manager_class() -> type:
    import zmq
    from ipykernel.kernelspec import get_kernel_dict
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class ThisPythonKernelManager(AsyncKernelManager):
        """The ipykernel of this interpreter (the project's venv), whatever kernel specs the user has installed."""

        def __init__(self, **kwargs) -> None:
            if "transport_encryption" in self.class_trait_names():  # jupyter_client >= 8.7
                kwargs.setdefault("transport_encryption", "auto" if zmq.has("curve") else "disabled")
            super().__init__(**kwargs)

        async def _async_interrupt_kernel(self) -> None:
            if not self.shutting_down:  # the kernel is idle when the notebook ends: an interrupt only logs an error
                await super()._async_interrupt_kernel()

        @property
        def kernel_spec(self) -> KernelSpec:
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(**get_kernel_dict())  # argv starts with sys.executable
            return self._kernel_spec

    return ThisPythonKernelManager


def execute_with_kernel(notebook: Path, parameters: dict[str, object]) -> NotebookNode:
    """The same notebook run by papermill on a kernel of its own: the reference the in-process run is compared to."""
    import papermill

    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # the kernel's debugger warns on frozen modules
    return papermill.execute_notebook(
        str(notebook), None, parameters=parameters, kernel_name="python3", cwd=str(notebook.parent),
        progress_bar=False, log_output=False, kernel_manager_class=_kernel_manager_class())
