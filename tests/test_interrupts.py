"""Termination signals as exceptions (helpers.pipeline.interrupts), and the sections of the executor they must not
cut: a signal that Python handles in the middle of a process pool's start left workers that nobody stopped, and the
interpreter's exit waited for them forever."""
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from helpers.pipeline.executor import LocalExecutor, ProcessApart, held_while_forking
from helpers.pipeline.interrupts import Interrupted, signals_interrupt, uninterrupted


def _handled() -> None:
    time.sleep(0.05)  # Python runs the handler between bytecodes of the main thread: here


def test_a_signal_inside_an_uninterrupted_section_is_raised_as_the_outermost_one_ends():
    reached = []
    with signals_interrupt(), pytest.raises(Interrupted) as raised, uninterrupted():
        with uninterrupted():
            os.kill(os.getpid(), signal.SIGTERM)
            _handled()
            reached.append("inner")
        reached.append("outer")
    assert reached == ["inner", "outer"] and raised.value.signum == signal.SIGTERM


def test_outside_a_section_a_signal_is_raised_where_the_run_is():
    reached = []
    with signals_interrupt(), pytest.raises(Interrupted):
        os.kill(os.getpid(), signal.SIGTERM)
        _handled()
        reached.append("after")
    assert reached == []


def test_ctrl_c_stays_a_keyboard_interrupt_and_an_error_of_the_section_is_kept_beneath_it():
    with signals_interrupt(), pytest.raises(KeyboardInterrupt) as raised, uninterrupted():
        os.kill(os.getpid(), signal.SIGINT)
        _handled()
        raise OSError("disk full")
    assert isinstance(raised.value.__context__, OSError)


def test_a_signal_the_process_ignores_stays_ignored():
    """Under nohup SIGHUP is ignored: the run must not end when the terminal closes."""
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with signals_interrupt():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGHUP)
            _handled()
            assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)


@pytest.fixture
def other_thread():
    """An idle thread that does not block SIGTERM: the kernel may hand it a signal meant for the process."""
    done = threading.Event()
    thread = threading.Thread(target=done.wait)
    thread.start()
    yield thread
    done.set()
    thread.join()


def test_a_signal_another_thread_takes_while_this_one_forks_waits_for_the_forks_to_end(other_thread):
    reached = []
    with signals_interrupt(), pytest.raises(Interrupted), held_while_forking():
        signal.pthread_kill(other_thread.ident, signal.SIGTERM)  # this thread blocks it: another takes it
        _handled()
        reached.append("forked")
    assert reached == ["forked"]


def test_a_local_pool_interrupted_while_it_starts_leaves_no_worker(monkeypatch, other_thread):
    """The signal lands between the pool's forks and the start of the thread that would stop them."""
    launch = ProcessPoolExecutor._launch_processes

    def launch_then_signal(pool):
        launch(pool)
        signal.pthread_kill(other_thread.ident, signal.SIGTERM)
        _handled()

    monkeypatch.setattr(ProcessPoolExecutor, "_launch_processes", launch_then_signal)
    executor = LocalExecutor(2, start_method="fork")
    with signals_interrupt(), pytest.raises(Interrupted):
        list(executor.map(abs, [-1, -2, -3]))
    assert multiprocessing.active_children() == []


def test_a_process_apart_interrupted_while_it_starts_leaves_no_process(monkeypatch):
    submit = ProcessPoolExecutor.submit

    def submit_then_signal(pool, *args):
        future = submit(pool, *args)
        os.kill(os.getpid(), signal.SIGTERM)
        _handled()
        return future

    monkeypatch.setattr(ProcessPoolExecutor, "submit", submit_then_signal)
    with signals_interrupt(), pytest.raises(Interrupted), ProcessApart("json"):
        pass
    assert multiprocessing.active_children() == []
