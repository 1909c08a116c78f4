"""One interface for per-document work (PDF extraction, processing, and the reports once wired): tasks mapped over
worker processes of this machine (the default) or over a Dask cluster, results in task order or as they complete.

A task is a plain picklable value carrying everything its function needs (no per-worker state), so the same task
runs in a local worker process or on a Dask worker. Each task ends in one ``Done``: its value, or the exception it
raised (a worker that died, a task the cluster lost), so a failure is that task's alone and the caller words it.
At most a bounded window of tasks is in flight: results the caller has not taken yet never pile up in memory.

Local workers ask the kernel to kill them when their parent dies (Linux ``PR_SET_PDEATHSIG``), so a run killed with
SIGKILL leaves no worker computing on; they ignore Ctrl-C, SIGTERM and SIGHUP sent to the whole process group (they
would die mid-message): the run that started them decides, and on an interrupt cancels the tasks not started and
waits for each worker to end the one it is on. A signal's exception never cuts a pool's start or stop
(``interrupts.uninterrupted``): workers started and not yet stopped would keep the interpreter's exit waiting.
"""
from __future__ import annotations

import argparse
import ctypes
import importlib
import multiprocessing
import os
import queue
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any, Generic, Protocol, TypeVar

from helpers.pipeline.interrupts import HANDLED, uninterrupted

T = TypeVar("T")
R = TypeVar("R")

IN_FLIGHT_PER_WORKER = 16  # enough queued work to keep every worker busy while the caller writes a batch (~0.5 s)
PR_SET_PDEATHSIG = 1  # linux/prctl.h
EXECUTORS = ("local", "dask")


@dataclass
class Done(Generic[T, R]):
    """One task's end: its value, or the exception that ended it (raised by the task or by the executor)."""

    task: T
    value: R | None = None
    error: BaseException | None = None


class Executor(Protocol):
    """Maps a function over tasks on some workers; ``close`` ends the workers it started."""

    name: str
    workers: int

    def map(self, fn: Callable[[T], R], tasks: Iterable[T], ordered: bool = True) -> Iterator[Done[T, R]]:
        """One Done per task: in task order when ``ordered``, else as each completes."""
        ...

    def close(self) -> None: ...


class ExecutorError(Exception):
    """An executor that cannot start (no Dask installed, a scheduler that does not answer): one line."""


def _windowed(submit: Callable[[T], Any], tasks: Iterable[T], window: int, ordered: bool,
              first_done: Callable[[set], Any], outcome: Callable[[T, Any], Done]) -> Iterator[Done]:
    """Submit at most ``window`` tasks ahead; yield each one's Done in order or as completed."""
    tasks = iter(tasks)
    if ordered:
        pending = deque((task, submit(task)) for task in islice(tasks, window))
        while pending:
            task, future = pending.popleft()
            yield outcome(task, future)
            pending.extend((t, submit(t)) for t in islice(tasks, 1))
        return
    running = {submit(task): task for task in islice(tasks, window)}
    while running:
        for future in first_done(set(running)):
            yield outcome(running.pop(future), future)
            running.update((submit(t), t) for t in islice(tasks, 1))


def _start_local_worker(parent: int) -> None:
    """A local worker's first act: die with the parent, leave Ctrl-C, SIGTERM and SIGHUP to it (ignored, which also
    discards one that arrived while they were held: see ``held_while_forking``)."""
    for signum in HANDLED:
        signal.signal(signum, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HANDLED)
    libc = ctypes.CDLL(None, use_errno=True)
    if hasattr(libc, "prctl"):
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


@contextmanager
def held_while_forking() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP held while this thread may fork workers, in the kernel and in Python.

    A forked worker starts with this process's handlers, which raise Interrupted, until its initializer ignores the
    signals: one arriving in between killed the worker with a traceback. Blocked in this thread, the worker's copy
    waits and is discarded as the worker starts to ignore it. In this process another thread may take the signal,
    and Python then runs the handler here all the same: the section is uninterrupted (``interrupts``), or the
    exception would cut the pool's start between its forks and the thread that stops them."""
    with uninterrupted():
        if not hasattr(signal, "pthread_sigmask"):  # not POSIX
            yield
            return
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _local_outcome(task, future: Future) -> Done:
    try:
        return Done(task, future.result())
    except Exception as exc:  # the task's own, or its worker's death (BrokenProcessPool): this task's failure
        return Done(task, error=exc)


class LocalExecutor:
    """Worker processes of this machine; one job runs every task in this process (no pool, nothing pickled)."""

    name = "local"

    def __init__(self, jobs: int = 1, start_method: str | None = None) -> None:
        self.workers = max(1, jobs)
        self.start_method = start_method  # "spawn" for a caller whose threads (pyarrow's) a fork could catch mid-lock
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable[[T], R], tasks: Iterable[T], ordered: bool = True) -> Iterator[Done[T, R]]:
        if self.workers == 1:
            for task in tasks:
                try:
                    yield Done(task, fn(task))
                except Exception as exc:
                    yield Done(task, error=exc)
            return
        if self._pool is None:
            context = multiprocessing.get_context(self.start_method)
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_start_local_worker,
                                             initargs=(os.getpid(),))
        pool = self._pool

        def submit(task: T) -> Future:
            with held_while_forking():  # the pool forks its workers on a submit
                return pool.submit(fn, task)

        try:
            yield from _windowed(submit, tasks, IN_FLIGHT_PER_WORKER * self.workers, ordered,
                                 lambda fs: wait(fs, return_when=FIRST_COMPLETED).done, _local_outcome)
        except BaseException:
            # Interrupted, or the consumer failed: the tasks not started are cancelled and each worker ends with the
            # one it is on. Not killed: a worker killed while it sends a result leaves half a message in the pipe,
            # and the pool then waits for the rest forever.
            self.close()
            raise

    def close(self) -> None:
        with uninterrupted():  # a second signal would leave the workers half stopped
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None


def _import(module: str) -> None:
    """Import a module in a worker (nothing sent back: a module cannot be pickled)."""
    importlib.import_module(module)


class ProcessApart:
    """One fresh local process (spawned: no thread of this one is caught mid-lock; it dies with this one) for a step
    whose memory should not stay in, or peak in, the caller. Started on entering, with ``modules`` imported there
    while the caller works on: its start costs nothing later, and its peak memory is its own (a process forked
    later would inherit the caller's high-water mark in the kernel's accounting)."""

    def __init__(self, *modules: str) -> None:
        self.modules = modules
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ProcessApart:
        try:
            with uninterrupted():  # the pool whole, its process started, before a signal is raised
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(1, mp_context=context, initializer=_start_local_worker,
                                                 initargs=(os.getpid(),))
                for module in self.modules:
                    self._pool.submit(_import, module)
        except BaseException as exc:
            self.__exit__(type(exc))  # a with statement does not call it when entering fails
            raise
        return self

    def run(self, fn: Callable[..., R], *args: Any) -> R:
        """fn(*args) in that process; its exception is raised here."""
        return self.submit(fn, *args).result()

    def submit(self, fn: Callable[..., R], *args: Any) -> Future[R]:
        """fn(*args) started in that process after the steps submitted before it, while the caller goes on."""
        assert self._pool is not None, "ProcessApart used outside its with block"
        return self._pool.submit(fn, *args)

    def __exit__(self, exc_type: type[BaseException] | None = None, *_exc: object) -> None:
        """The process stopped; after a step that went well, it ends while the caller goes on (a Python process
        takes a tenth of a second to end), joined at the latest when this one exits; after an error, before."""
        with uninterrupted():
            if self._pool is not None:
                self._pool.shutdown(wait=exc_type is not None, cancel_futures=True)
                self._pool = None


def _dask_outcome(task, future) -> Done:
    try:
        return Done(task, future.result())
    except Exception as exc:  # the task's own (re-raised from the worker), or the cluster lost it (KilledWorker)
        return Done(task, error=exc)


class DaskExecutor:
    """The workers of a Dask cluster (``dask.distributed.Client(address)``). The package and the raw and interim
    folders must be at the same paths on every worker (a shared file system): a task carries paths, not bytes."""

    name = "dask"

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise ExecutorError("--executor dask needs the dask[distributed] package (pip install 'dask[distributed]')") \
                from exc
        try:
            self._client = Client(address, set_as_default=False, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise ExecutorError(f"Dask scheduler {address}: {' '.join(str(exc).split())[:200]}") from None
        self.workers = max(1, sum(w.get("nthreads", 1) for w in self._client.scheduler_info()["workers"].values()))

    def map(self, fn: Callable[[T], R], tasks: Iterable[T], ordered: bool = True) -> Iterator[Done[T, R]]:
        client = self._client
        live = set()  # futures not yet handed back: only these hold results on the cluster
        finished: queue.SimpleQueue = queue.SimpleQueue()  # futures as they complete (the client's thread puts them)

        def submit(task):
            future = client.submit(fn, task, pure=False)
            if not ordered:
                future.add_done_callback(finished.put)
            live.add(future)
            return future

        def outcome(task, future) -> Done:
            live.discard(future)
            return _dask_outcome(task, future)

        try:
            yield from _windowed(submit, tasks, IN_FLIGHT_PER_WORKER * self.workers, ordered,
                                 lambda _running: [finished.get()], outcome)
        finally:
            client.cancel(list(live))

    def close(self) -> None:
        self._client.close()


def make_executor(kind: str = "local", jobs: int = 1, scheduler: str | None = None,
                  start_method: str | None = None) -> Executor:
    """The executor the command line names; ExecutorError (one line) when it cannot start."""
    if kind == "local":
        return LocalExecutor(jobs, start_method)
    if kind == "dask":
        if not scheduler:
            raise ExecutorError("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
        return DaskExecutor(scheduler)
    raise ExecutorError(f"unknown executor '{kind}' (one of {', '.join(EXECUTORS)})")


def add_executor_arguments(parser: argparse.ArgumentParser) -> None:
    """--executor and --scheduler, the same for every command that runs per-document work."""
    parser.add_argument("--executor", choices=EXECUTORS, default="local",
                        help="where per-document work runs: worker processes of this machine (--jobs) or a Dask cluster")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="the Dask scheduler's address (tcp://host:8786), with --executor dask")
